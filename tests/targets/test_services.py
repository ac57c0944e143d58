"""The flow of a figure through the services (DESIGN.md, "Flow of a figure"), and its refusals.

clerk enters (draft) → submits → the reviewer approves, or returns with a comment; approved
figures are locked and corrected by a new revision with a reason; every step is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from targets.models import (
    Indicator,
    Membership,
    Plan,
    Region,
    RegionTarget,
    Submission,
    SubmissionEvent,
)
from targets.services import (
    membership_assign,
    region_target_set,
    submission_approve,
    submission_correct,
    submission_return,
    submission_save,
    submission_submit,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = Submission.Status
Action = SubmissionEvent.Action


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2015, 4, day, hour, 0, tzinfo=SHANGHAI)


def written() -> dict[str, list[dict[str, Any]]]:
    """Every row the services write, to show that a refusal wrote nothing."""
    return {
        "submissions": list(Submission.objects.order_by("pk").values()),
        "events": list(SubmissionEvent.objects.order_by("pk").values()),
        "region_targets": list(RegionTarget.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
    }


def events(submission: Submission) -> list[tuple[Any, ...]]:
    return [
        (
            e.action,
            e.actor.username,
            e.old_value,
            e.new_value,
            e.old_status,
            e.new_status,
            e.reason,
        )
        for e in SubmissionEvent.objects.filter(submission=submission).order_by("at", "pk")
    ]


def message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error)


@pytest.fixture
def clerk(make_user: Callable[..., Any], plan: Plan) -> Any:
    return make_user("clerk", department="hrss", username="clerk-hrss")


@pytest.fixture
def county_clerk(make_user: Callable[..., Any], plan: Plan) -> Any:
    return make_user("clerk", department="hrss", region="410621", username="clerk-hrss-410621")


@pytest.fixture
def civil_clerk(make_user: Callable[..., Any], plan: Plan) -> Any:
    return make_user("clerk", department="civil", username="clerk-civil")


@pytest.fixture
def reviewer(make_user: Callable[..., Any], plan: Plan) -> Any:
    return make_user("reviewer", username="reviewer")


@pytest.fixture
def rural(plan: Plan) -> Indicator:
    return plan.indicators.get(code="rural-transfer")


@pytest.fixture
def qibin(regions: dict[str, Region]) -> Region:
    return regions["410611"]


@pytest.fixture
def xun(regions: dict[str, Region]) -> Region:
    return regions["410621"]


@pytest.fixture
def approved(clerk: Any, reviewer: Any, rural: Indicator, qibin: Region) -> Submission:
    """淇滨区's March figure of rural-transfer, 1,200, approved."""
    figure = submission_save(
        actor=clerk, indicator=rural, region=qibin, month=3, value=1200, at=at(1)
    )
    submission_submit(actor=clerk, submission=figure, at=at(2))
    return submission_approve(actor=reviewer, submission=figure, at=at(3))


# --- The happy paths ---------------------------------------------------------------------------


def test_save_submit_approve(clerk: Any, reviewer: Any, rural: Indicator, qibin: Region) -> None:
    figure = submission_save(
        actor=clerk, indicator=rural, region=qibin, month=3, value=1200, note="3月台账", at=at(1)
    )
    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.note) == (Status.DRAFT, 1200, "3月台账")
    assert (figure.revision, figure.is_current) == (1, True)
    assert (figure.entered_by, figure.entered_at) == (clerk, at(1))
    assert figure.submitted_by is None and figure.reviewed_by is None

    submission_submit(actor=clerk, submission=figure, at=at(2))
    figure.refresh_from_db()
    assert figure.status == Status.SUBMITTED
    assert (figure.submitted_by, figure.submitted_at) == (clerk, at(2))

    submission_approve(actor=reviewer, submission=figure, comment="同意", at=at(3))
    figure.refresh_from_db()
    assert figure.status == Status.APPROVED
    assert (figure.reviewed_by, figure.reviewed_at, figure.review_comment) == (
        reviewer,
        at(3),
        "同意",
    )
    assert figure.value == 1200

    assert events(figure) == [
        (Action.CREATE, "clerk-hrss", None, 1200, "", Status.DRAFT, ""),
        (Action.SUBMIT, "clerk-hrss", 1200, 1200, Status.DRAFT, Status.SUBMITTED, ""),
        (Action.APPROVE, "reviewer", 1200, 1200, Status.SUBMITTED, Status.APPROVED, "同意"),
    ]
    assert [e.at for e in figure.events.order_by("at")] == [at(1), at(2), at(3)]
    assert Submission.objects.count() == 1


def test_draft_can_be_changed_before_submitting(clerk: Any, rural: Indicator, qibin: Region):
    figure = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1200)
    again = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1250)
    assert again.pk == figure.pk
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.revision) == (1250, Status.DRAFT, 1)
    assert events(figure)[-1] == (
        Action.CHANGE,
        "clerk-hrss",
        1200,
        1250,
        Status.DRAFT,
        Status.DRAFT,
        "",
    )
    assert Submission.objects.count() == 1


def test_return_change_resubmit_approve(
    clerk: Any, reviewer: Any, rural: Indicator, qibin: Region
) -> None:
    figure = submission_save(
        actor=clerk, indicator=rural, region=qibin, month=3, value=1200, at=at(1)
    )
    submission_submit(actor=clerk, submission=figure, at=at(2))
    submission_return(
        actor=reviewer, submission=figure, comment="  与培训台账不符，请核实。 ", at=at(3)
    )
    figure.refresh_from_db()
    assert figure.status == Status.RETURNED
    assert figure.review_comment == "与培训台账不符，请核实。"
    assert figure.reviewed_by == reviewer

    submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1150, at=at(4))
    figure.refresh_from_db()
    assert (figure.value, figure.status) == (1150, Status.RETURNED)

    submission_submit(actor=clerk, submission=figure, at=at(5))
    submission_approve(actor=reviewer, submission=figure, at=at(6))
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.revision) == (1150, Status.APPROVED, 1)

    assert events(figure) == [
        (Action.CREATE, "clerk-hrss", None, 1200, "", Status.DRAFT, ""),
        (Action.SUBMIT, "clerk-hrss", 1200, 1200, Status.DRAFT, Status.SUBMITTED, ""),
        (
            Action.RETURN,
            "reviewer",
            1200,
            1200,
            Status.SUBMITTED,
            Status.RETURNED,
            "与培训台账不符，请核实。",
        ),
        (Action.CHANGE, "clerk-hrss", 1200, 1150, Status.RETURNED, Status.RETURNED, ""),
        (Action.SUBMIT, "clerk-hrss", 1150, 1150, Status.RETURNED, Status.SUBMITTED, ""),
        (Action.APPROVE, "reviewer", 1150, 1150, Status.SUBMITTED, Status.APPROVED, ""),
    ]
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_needs_a_comment(
    clerk: Any, reviewer: Any, rural: Indicator, qibin: Region, comment: str
) -> None:
    figure = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1200)
    submission_submit(actor=clerk, submission=figure)
    before = written()
    with pytest.raises(ValidationError) as caught:
        submission_return(actor=reviewer, submission=figure, comment=comment)
    assert "审核意见" in message(caught.value)
    assert written() == before


def test_a_county_clerk_enters_in_own_county(
    county_clerk: Any, reviewer: Any, rural: Indicator, xun: Region
) -> None:
    figure = submission_save(actor=county_clerk, indicator=rural, region=xun, month=5, value=300)
    submission_submit(actor=county_clerk, submission=figure)
    submission_approve(actor=reviewer, submission=figure)
    figure.refresh_from_db()
    assert (figure.region.code, figure.status, figure.value) == ("410621", Status.APPROVED, 300)


def test_a_veterans_count_series_is_entered_by_the_civil_clerk(
    civil_clerk: Any, plan: Plan, qibin: Region
) -> None:
    eligible = plan.indicators.get(code="veterans-eligible")
    figure = submission_save(actor=civil_clerk, indicator=eligible, region=qibin, month=6, value=40)
    assert (figure.indicator.code, figure.value) == ("veterans-eligible", 40)


# --- Approved figures are locked; corrections are new revisions -------------------------------


def test_an_approved_figure_cannot_be_changed(
    approved: Submission, clerk: Any, rural: Indicator, qibin: Region
) -> None:
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1300)
    assert "已审核锁定" in message(caught.value)
    assert "更正" in message(caught.value)
    assert written() == before


def test_a_submitted_figure_waits_for_review(
    clerk: Any, rural: Indicator, qibin: Region, reviewer: Any
) -> None:
    figure = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1200)
    submission_submit(actor=clerk, submission=figure)
    before = written()
    with pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1300)
    assert "等待审核" in message(caught.value)
    with pytest.raises(ValidationError):
        submission_submit(actor=clerk, submission=figure)
    assert written() == before


def test_only_submitted_figures_are_reviewed(
    clerk: Any, reviewer: Any, rural: Indicator, qibin: Region, approved: Submission
) -> None:
    draft = submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    before = written()
    for figure in (draft, approved):
        with pytest.raises(ValidationError):
            submission_approve(actor=reviewer, submission=figure)
        with pytest.raises(ValidationError):
            submission_return(actor=reviewer, submission=figure, comment="退回")
    assert written() == before


def test_correction_opens_revision_2(
    approved: Submission, clerk: Any, reviewer: Any, rural: Indicator, qibin: Region
) -> None:
    original = {
        key: value
        for key, value in Submission.objects.filter(pk=approved.pk).values().get().items()
        if key != "is_current"
    }
    correction = submission_correct(
        actor=clerk, submission=approved, value=1300, reason="漏报一个培训班", at=at(10)
    )
    correction.refresh_from_db()
    assert correction.pk != approved.pk
    assert (correction.revision, correction.value, correction.status) == (2, 1300, Status.DRAFT)
    assert correction.correction_reason == "漏报一个培训班"
    assert correction.is_current is True
    assert (correction.entered_by, correction.entered_at) == (clerk, at(10))

    # Revision 1 stays approved and unchanged; it is simply no longer the current one.
    first = Submission.objects.get(pk=approved.pk)
    assert first.is_current is False
    now = {
        key: value
        for key, value in Submission.objects.filter(pk=approved.pk).values().get().items()
        if key != "is_current"
    }
    assert now == original
    assert (first.status, first.value, first.reviewed_by) == (Status.APPROVED, 1200, reviewer)

    cell = Submission.objects.filter(indicator=rural, region=qibin, month=3)
    assert cell.count() == 2
    assert list(cell.filter(is_current=True).values_list("revision", flat=True)) == [2]

    assert events(correction) == [
        (
            Action.CORRECT,
            "clerk-hrss",
            1200,
            1300,
            Status.APPROVED,
            Status.DRAFT,
            "漏报一个培训班",
        )
    ]
    # The correction goes through review again.
    submission_submit(actor=clerk, submission=correction)
    submission_approve(actor=reviewer, submission=correction)
    assert list(cell.filter(status=Status.APPROVED).values_list("revision", "value")) == [
        (1, 1200),
        (2, 1300),
    ]
    assert list(cell.filter(is_current=True).values_list("revision", flat=True)) == [2]

    third = submission_correct(actor=clerk, submission=correction, value=1310, reason="补录学员")
    assert third.revision == 3
    assert cell.filter(is_current=True).get().pk == third.pk


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_correction_without_a_reason_is_refused(
    approved: Submission, clerk: Any, reason: str
) -> None:
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_correct(actor=clerk, submission=approved, value=1300, reason=reason)
    assert "更正理由" in message(caught.value)
    assert written() == before


def test_only_the_current_approved_revision_is_corrected(
    approved: Submission, clerk: Any, rural: Indicator, qibin: Region
) -> None:
    submission_correct(actor=clerk, submission=approved, value=1300, reason="更正")
    draft = submission_save(actor=clerk, indicator=rural, region=qibin, month=5, value=1)
    before = written()
    for figure in (approved, draft):  # a superseded revision; a draft
        with pytest.raises(ValidationError):
            submission_correct(actor=clerk, submission=figure, value=1400, reason="再次更正")
    assert written() == before


# --- Who may do what: refusals write nothing ---------------------------------------------------


@pytest.mark.parametrize("who", ["civil_clerk", "county_clerk", "reviewer", "auditor", "admin"])
def test_entry_outside_ones_department_or_county_is_denied(
    request: pytest.FixtureRequest,
    make_user: Callable[..., Any],
    rural: Indicator,
    qibin: Region,
    who: str,
) -> None:
    actor = {
        "auditor": lambda: make_user("auditor"),
        "admin": lambda: make_user(None, is_superuser=True, is_staff=True),
    }.get(who, lambda: request.getfixturevalue(who))()
    before = written()
    with pytest.raises(PermissionDenied):
        submission_save(actor=actor, indicator=rural, region=qibin, month=3, value=1200)
    assert written() == before
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("who", ["civil_clerk", "county_clerk"])
def test_submit_and_correct_outside_ones_cell_are_denied(
    request: pytest.FixtureRequest,
    clerk: Any,
    rural: Indicator,
    qibin: Region,
    approved: Submission,
    who: str,
) -> None:
    other = request.getfixturevalue(who)
    draft = submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    before = written()
    with pytest.raises(PermissionDenied):
        submission_submit(actor=other, submission=draft)
    with pytest.raises(PermissionDenied):
        submission_correct(actor=other, submission=approved, value=1, reason="越权更正")
    assert written() == before


@pytest.mark.parametrize("role", ["clerk", "leader", "auditor", "administrator"])
def test_only_reviewers_approve_or_return(
    make_user: Callable[..., Any], clerk: Any, rural: Indicator, qibin: Region, role: str
) -> None:
    actor = clerk if role == "clerk" else make_user(role)
    figure = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1200)
    submission_submit(actor=clerk, submission=figure)
    before = written()
    with pytest.raises(PermissionDenied):
        submission_approve(actor=actor, submission=figure)
    with pytest.raises(PermissionDenied):
        submission_return(actor=actor, submission=figure, comment="退回")
    assert written() == before


def test_rates_are_not_entered(civil_clerk: Any, plan: Plan, qibin: Region) -> None:
    before = written()
    for code in ("veterans-awareness", "veterans-registration", "veterans-participation"):
        with pytest.raises(PermissionDenied):
            submission_save(
                actor=civil_clerk,
                indicator=plan.indicators.get(code=code),
                region=qibin,
                month=3,
                value=90,
            )
    assert written() == before


# --- Bad values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-1, "不能为负数"),
        (1.5, "整数"),
        (1200.0, "整数"),
        ("1200", "整数"),
        (Decimal("1200"), "整数"),
        (None, "整数"),
        (True, "整数"),
        (False, "整数"),
    ],
)
def test_bad_values_are_refused(
    clerk: Any, rural: Indicator, qibin: Region, value: object, text: str
) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=value)
    assert text in message(caught.value)
    assert Submission.objects.count() == 0
    assert SubmissionEvent.objects.count() == 0


@pytest.mark.parametrize("month", [0, 13, -1, "3", 3.0, None, True])
def test_bad_months_are_refused(clerk: Any, rural: Indicator, qibin: Region, month: object):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=month, value=10)
    assert "1 到 12" in message(caught.value)
    assert Submission.objects.count() == 0
    assert SubmissionEvent.objects.count() == 0


@pytest.mark.parametrize("value", [-1, 1.5, True])
def test_bad_values_are_refused_in_a_change_and_a_correction(
    clerk: Any, rural: Indicator, qibin: Region, approved: Submission, value: object
) -> None:
    draft = submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    before = written()
    with pytest.raises(ValidationError):
        submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=value)
    with pytest.raises(ValidationError):
        submission_correct(actor=clerk, submission=approved, value=value, reason="更正")
    assert written() == before
    draft.refresh_from_db()
    assert draft.value == 10


# --- Plans that are not active ----------------------------------------------------------------


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.CLOSED])
def test_entries_into_a_plan_not_active_are_refused(
    plan: Plan, clerk: Any, qibin: Region, approved: Submission, status: str
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=status)
    rural = Indicator.objects.get(plan=plan, code="rural-transfer")
    approved = Submission.objects.get(pk=approved.pk)
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    assert "不在执行中" in message(caught.value)
    with pytest.raises(ValidationError):
        submission_correct(actor=clerk, submission=approved, value=1300, reason="更正")
    assert written() == before


# --- County splits --------------------------------------------------------------------------


def test_region_target_set_creates_and_updates(rural: Indicator, qibin: Region, xun: Region):
    region_target_set(reason="测试：县区分解", indicator=rural, region=qibin, target=12_000)
    region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=6_000)
    region_target_set(
        reason="测试：县区分解", indicator=rural, region=xun, target=8_000
    )  # up to exactly 20,000
    assert dict(rural.region_targets.values_list("region__code", "target")) == {
        "410611": 12_000,
        "410621": 8_000,
    }


def test_region_target_set_refuses_a_split_above_the_city_target(
    rural: Indicator, qibin: Region, xun: Region
) -> None:
    region_target_set(reason="测试：县区分解", indicator=rural, region=qibin, target=12_000)
    region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=6_000)
    before = written()

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=8_001)
    text = message(caught.value)
    assert "超过全市目标" in text
    assert "20001" in text or "20,001" in text  # the new total
    assert "20000" in text or "20,000" in text  # the city target

    assert written() == before


def test_region_target_set_refuses_a_new_county_over_the_city_target(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    region_target_set(
        reason="测试：县区分解", indicator=rural, region=regions["410611"], target=12_000
    )
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        region_target_set(
            reason="测试：县区分解", indicator=rural, region=regions["410622"], target=9_000
        )
    text = message(caught.value)
    assert "21000" in text and "20000" in text and "12000" in text
    assert written() == before


@pytest.mark.parametrize(("code", "target"), [("rural-transfer", -1), ("veterans-pass", 10)])
def test_region_target_set_refuses_negative_splits_and_rates(
    plan: Plan, qibin: Region, code: str, target: int
) -> None:
    before = written()
    with pytest.raises(ValidationError):
        region_target_set(
            reason="测试：县区分解",
            indicator=plan.indicators.get(code=code),
            region=qibin,
            target=target,
        )
    assert written() == before


# --- Memberships ----------------------------------------------------------------------------

ROLES = [role.value for role in Membership.Role]
STAFF_ROLES = {"auditor", "administrator"}  # they open the Django admin (auditors to look)


def role_groups() -> set[str]:
    with translation.override("zh-hans"):
        return {str(label) for label in Membership.Role.labels}


@pytest.mark.parametrize("role", ROLES)
def test_membership_assign_puts_the_user_in_the_group_of_the_role(
    make_user: Callable[..., Any], departments: dict[str, Any], role: str
) -> None:
    user = make_user(None)
    department = departments["edu"] if role == "clerk" else None
    membership = membership_assign(user=user, role=role, department=department)
    user.refresh_from_db()
    with translation.override("zh-hans"):
        expected_group = str(Membership.Role(role).label)
    assert list(user.groups.values_list("name", flat=True)) == [expected_group]
    assert user.is_staff is (role in STAFF_ROLES)
    assert user.is_superuser is False
    assert Membership.objects.get(user=user) == membership
    assert (membership.role, membership.department) == (role, department)


def test_group_permissions_follow_the_roles(plan: Plan) -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= role_groups()
    with translation.override("zh-hans"):
        name = {role: str(Membership.Role(role).label) for role in ROLES}
    auditor = set(Group.objects.get(name=name["auditor"]).permissions.values_list("codename"))
    assert auditor, "auditors read everything in the admin"
    assert all(codename.startswith("view_") for (codename,) in auditor)  # change nothing
    admin = set(Group.objects.get(name=name["administrator"]).permissions.values_list("codename"))
    assert {("change_plan",), ("add_region",), ("change_user",)} <= admin
    for role in ("clerk", "reviewer", "leader"):
        assert not Group.objects.get(name=name[role]).permissions.exists()


def test_membership_assign_moves_the_user_between_roles(
    make_user: Callable[..., Any], departments: dict[str, Any], regions: dict[str, Region]
) -> None:
    other = Group.objects.create(name="培训班联络人")
    user = make_user("clerk", department="hrss", region="410621")
    user.groups.add(other)

    membership_assign(user=user, role="auditor")
    user.refresh_from_db()
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.department, membership.region) == ("auditor", None, None)
    assert user.is_staff is True
    assert set(user.groups.values_list("name", flat=True)) == {"审计员", "培训班联络人"}

    membership_assign(user=user, role="leader")
    user.refresh_from_db()
    assert user.is_staff is False
    assert set(user.groups.values_list("name", flat=True)) == {"领导", "培训班联络人"}
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("role", "department", "region"),
    [("clerk", None, None), ("clerk", None, "410621"), ("reviewer", "hrss", None)],
)
def test_membership_assign_refuses_inconsistent_roles(
    make_user: Callable[..., Any],
    departments: dict[str, Any],
    regions: dict[str, Region],
    role: str,
    department: str | None,
    region: str | None,
) -> None:
    user = make_user(None)
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        membership_assign(
            user=user,
            role=role,
            department=department and departments[department],
            region=region and regions[region],
        )
    assert "填报员必须属于一个部门" in message(caught.value)
    assert written() == before
    user.refresh_from_db()
    assert not user.groups.exists()
    assert user.is_staff is False
