"""Two-level review (逐级审核) of step reports (工作台账), as of figures: under a two-level plan
the report of a county's step is approved by that county's reviewer (县区人社局) first and
accepted by the city's reviewer after; it counts only then. Either level returns it with a
comment; every step is in the trail. A city-wide step and a 市直 one are reviewed by the city
in one step, and a one-level plan by the city alone, as before.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets import policy
from targets.models import Plan, StepReport, WorkStep
from targets.services import (
    evidence_attach,
    step_report_approve,
    step_report_correct,
    step_report_delete,
    step_report_return,
    step_report_save,
    step_report_submit,
)
from targets.work_selectors import latest_counted, work_items
from tests.targets.services_flow import at, message
from tests.targets.work_flow import Progress, Status, cooperate, item, step, trail, written
from tests.targets.work_pages import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def xun_step(plan: Plan, county_clerk: Any) -> WorkStep:
    """A step of 人社局（浚县）, a co-operating unit of 三个对接行动."""
    cooperate(item(plan), "hrss", "410621")
    return step(county_clerk, item(plan), region="410621", title="浚县对接会")


def sent(clerk: Any, work_step: WorkStep, progress: str = Progress.DONE) -> StepReport:
    saved = step_report_save(
        actor=clerk, step=work_step, month=3, progress=progress, done="召开了对接会", at=at(1)
    )
    step_report_submit(actor=clerk, report=saved, at=at(2))
    saved.refresh_from_db()
    return saved


def waiting_for(user: Any) -> list[StepReport]:
    return list(policy.awaiting_step_review(user, StepReport.objects.order_by("pk")))


def test_the_county_approves_then_the_city_accepts_and_only_then_it_counts(
    two_levels: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
) -> None:
    report = sent(county_clerk, xun_step)
    county_reviewer = county_people["reviewer"]
    assert policy.step_review_levels(xun_step) == 2

    step_report_approve(actor=county_reviewer, report=report, comment="县里核过", at=at(3))
    report.refresh_from_db()
    assert report.status == Status.VERIFIED
    assert not report.is_counted, "the city has not accepted it yet"
    assert (report.verified_by, report.verified_at) == (county_reviewer, at(3))
    assert report.reviewed_by is None
    assert latest_counted([xun_step], 3) == {}
    state = work_items(two_levels, 3, code=xun_step.milestone.code)[0].steps
    assert [s.status for s in state if s.step == xun_step] == [Progress.NOT_STARTED]

    step_report_approve(actor=reviewer, report=report, comment="市里确认", at=at(4))
    report.refresh_from_db()
    assert (report.status, report.is_counted) == (Status.APPROVED, True)
    assert (report.reviewed_by, report.reviewed_at) == (reviewer, at(4))
    assert report.verified_by == county_reviewer, "the county's step stays on the record"
    assert latest_counted([xun_step], 3) == {xun_step.pk: report}
    state = work_items(two_levels, 3, code=xun_step.milestone.code)[0].steps
    assert [s.status for s in state if s.step == xun_step] == [Progress.DONE]
    assert trail(report) == [
        ("create", "clerk-hrss-410621", "", Status.DRAFT, ""),
        ("submit", "clerk-hrss-410621", Status.DRAFT, Status.SUBMITTED, ""),
        ("verify", "reviewer-410621", Status.SUBMITTED, Status.VERIFIED, "县里核过"),
        ("approve", "reviewer", Status.VERIFIED, Status.APPROVED, "市里确认"),
    ]


def test_the_city_cannot_accept_a_report_the_county_has_not_approved(
    two_levels: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
) -> None:
    report = sent(county_clerk, xun_step)
    before = written()
    with pytest.raises(ValidationError) as refused:
        step_report_approve(actor=reviewer, report=report)
    assert "须先经县区审核员审核通过" in message(refused.value)
    assert written() == before
    assert waiting_for(reviewer) == []
    assert waiting_for(county_people["reviewer"]) == [report]


def test_a_county_reviewer_cannot_review_another_county_a_city_wide_or_a_city_level_step(
    two_levels: Plan, clerk: Any, county_people: dict[str, Any], reviewer: Any
) -> None:
    county_reviewer = county_people["reviewer"]
    cooperate(item(two_levels), "hrss", "410611")  # 淇滨区
    cooperate(item(two_levels), "hrss", "410601")  # 市直
    steps = [
        step(clerk, item(two_levels), region="410611", title="淇滨区对接会"),
        step(clerk, item(two_levels), title="全市对接会"),
        step(clerk, item(two_levels), region="410601", title="市直对接会"),
    ]
    reports = [sent(clerk, work_step) for work_step in steps]
    for report in reports:
        assert not policy.may_review_step(county_reviewer, report.step)
        before = written()
        with pytest.raises(PermissionDenied):
            step_report_approve(actor=county_reviewer, report=report)
        with pytest.raises(PermissionDenied):
            step_report_return(actor=county_reviewer, report=report, comment="越权")
        assert written() == before
    assert waiting_for(county_reviewer) == []
    # The city's reviewer: 淇滨区's waits for its county; the city-wide and 市直 ones are theirs.
    assert waiting_for(reviewer) == reports[1:]


def test_a_city_wide_and_a_city_level_step_are_reviewed_once_by_the_city(
    two_levels: Plan, clerk: Any, reviewer: Any
) -> None:
    cooperate(item(two_levels), "hrss", "410601")
    for region in (None, "410601"):
        work_step = step(clerk, item(two_levels), region=region)
        assert policy.step_review_levels(work_step) == 1
        report = sent(clerk, work_step)
        step_report_approve(actor=reviewer, report=report)
        report.refresh_from_db()
        assert (report.status, report.is_counted, report.verified_by) == (
            Status.APPROVED,
            True,
            None,
        )


def test_under_one_level_the_county_reviewer_has_nothing_to_review(
    plan: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
) -> None:
    assert plan.review_levels == 1
    report = sent(county_clerk, xun_step)
    county_reviewer = county_people["reviewer"]
    assert policy.may_review_work(county_reviewer), "the queue opens, empty"
    assert not policy.may_review_step(county_reviewer, xun_step)
    assert waiting_for(county_reviewer) == []
    with pytest.raises(PermissionDenied):
        step_report_approve(actor=county_reviewer, report=report)
    assert waiting_for(reviewer) == [report]
    step_report_approve(actor=reviewer, report=report)
    report.refresh_from_db()
    assert (report.status, report.is_counted, report.verified_by) == (Status.APPROVED, True, None)


@pytest.mark.parametrize("level", ["county", "city"])
def test_either_level_returns_and_a_report_sent_again_goes_through_both(
    two_levels: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
    level: str,
) -> None:
    county_reviewer = county_people["reviewer"]
    report = sent(county_clerk, xun_step)
    if level == "city":
        step_report_approve(actor=county_reviewer, report=report, at=at(3))
    returner = county_reviewer if level == "county" else reviewer
    step_report_return(actor=returner, report=report, comment="请补充佐证", at=at(4))
    report.refresh_from_db()
    assert (report.status, report.review_comment, report.reviewed_by) == (
        Status.RETURNED,
        "请补充佐证",
        returner,
    )
    assert (report.verified_by, report.verified_at, report.is_counted) == (None, None, False)
    assert trail(report)[-1][:2] == ("return", returner.username)

    step_report_save(
        actor=county_clerk, step=xun_step, month=3, progress=Progress.DONE, done="已补充", at=at(5)
    )
    step_report_submit(actor=county_clerk, report=report, at=at(6))
    with pytest.raises(ValidationError, match="须先经县区审核员审核通过"):
        step_report_approve(actor=reviewer, report=report)
    step_report_approve(actor=county_reviewer, report=report, at=at(7))
    step_report_approve(actor=reviewer, report=report, at=at(8))
    report.refresh_from_db()
    assert (report.status, report.done, report.is_counted) == (Status.APPROVED, "已补充", True)


def test_a_report_the_county_approved_is_locked_to_its_clerk(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], xun_step: WorkStep
) -> None:
    report = sent(county_clerk, xun_step)
    step_report_approve(actor=county_people["reviewer"], report=report)
    before = written()
    with pytest.raises(ValidationError, match="等待审核"):
        step_report_save(actor=county_clerk, step=xun_step, month=3, progress=Progress.DELAYED)
    with pytest.raises(ValidationError):
        step_report_submit(actor=county_clerk, report=report)
    with pytest.raises(ValidationError):
        step_report_correct(
            actor=county_clerk, report=report, reason="改", progress=Progress.DELAYED
        )
    with pytest.raises(ValidationError):
        step_report_delete(actor=county_clerk, report=report)
    with pytest.raises(ValidationError):
        evidence_attach(actor=county_clerk, report=report, upload=pdf())
    assert written() == before


def test_the_county_approving_its_own_report_again_is_refused(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], xun_step: WorkStep
) -> None:
    report = sent(county_clerk, xun_step)
    step_report_approve(actor=county_people["reviewer"], report=report)
    before = written()
    with pytest.raises(ValidationError, match="只有已报送、待审核的台账可以审核"):
        step_report_approve(actor=county_people["reviewer"], report=report)
    assert written() == before


def test_a_correction_goes_through_both_levels_while_the_approved_revision_counts(
    two_levels: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
) -> None:
    county_reviewer = county_people["reviewer"]
    first = sent(county_clerk, xun_step, progress=Progress.IN_PROGRESS)
    step_report_approve(actor=county_reviewer, report=first)
    step_report_approve(actor=reviewer, report=first)
    correction = step_report_correct(
        actor=county_clerk, report=first, reason="实际已完成", progress=Progress.DONE
    )
    step_report_submit(actor=county_clerk, report=correction)
    step_report_approve(actor=county_reviewer, report=correction)
    first.refresh_from_db()
    correction.refresh_from_db()
    assert (first.is_counted, correction.status, correction.is_counted) == (
        True,
        Status.VERIFIED,
        False,
    )
    assert latest_counted([xun_step], 3)[xun_step.pk] == first

    step_report_approve(actor=reviewer, report=correction)
    first.refresh_from_db()
    correction.refresh_from_db()
    assert (first.is_counted, correction.is_counted) == (False, True)


def test_a_plan_set_back_to_one_level_strands_no_report_the_county_approved(
    two_levels: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
) -> None:
    report = sent(county_clerk, xun_step)
    step_report_approve(actor=county_people["reviewer"], report=report)
    two_levels.review_levels = 1
    two_levels.save(update_fields=["review_levels"])
    assert waiting_for(reviewer) == [report]
    assert waiting_for(county_people["reviewer"]) == []
    step_report_approve(actor=reviewer, report=report)
    report.refresh_from_db()
    assert (report.status, report.is_counted) == (Status.APPROVED, True)


def test_county_people_read_their_county_steps_reports_only(
    plan: Plan,
    clerk: Any,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    xun_step: WorkStep,
) -> None:
    xun = sent(county_clerk, xun_step)
    sent(clerk, step(clerk, item(plan), title="全市对接会"))
    for role, person in county_people.items():
        readable = policy.readable_step_reports(person, StepReport.objects.all())
        assert list(readable) == [xun], role
        assert policy.may_review_work(person) == (role == "reviewer"), role
    assert policy.readable_step_reports(reviewer, StepReport.objects.all()).count() == 2
