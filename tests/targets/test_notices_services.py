"""Supervision notices (督办单) in the services and the database: raise, answer, close."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from targets import services
from targets.models import Indicator, Plan, Region, SupervisionNotice

pytestmark = pytest.mark.django_db

Status = SupervisionNotice.Status
EXPLANATION = "春节后外出务工人员返乡较晚，培训开班推迟。"
CATCH_UP = "4月起每县区加开两期培训班，6月底前补齐进度。"


def quota(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def raise_notice(plan: Plan, code: str = "rural-transfer", region: str | None = None, month=3):
    return services.notice_raise(
        plan=plan,
        indicator=quota(code),
        region=Region.objects.get(code=region) if region else None,
        month=month,
    )


@pytest.fixture
def users(plan: Plan, make_user: Any) -> dict[str, Any]:
    return {
        "clerk": make_user("clerk", "hrss"),
        "xunxian_clerk": make_user("clerk", "hrss", "410621"),
        "qibin_clerk": make_user("clerk", "hrss", "410611"),
        "agri_clerk": make_user("clerk", "agri"),
        "reviewer": make_user("reviewer"),
        "leader": make_user("leader"),
        "administrator": make_user("administrator"),
    }


def answer(user: Any, notice: SupervisionNotice, explanation=EXPLANATION, catch_up=CATCH_UP):
    return services.notice_answer(
        actor=user, notice=notice, explanation=explanation, catch_up_plan=catch_up
    )


# --- raising ---------------------------------------------------------------------------------


def test_a_notice_is_raised_open(plan: Plan) -> None:
    notice = raise_notice(plan, region="410621")

    assert (notice.status, notice.month, notice.region.code) == (Status.OPEN, 3, "410621")
    assert notice.raised_at is not None
    assert notice.answered_by is None and notice.closed_at is None
    assert notice.place == "浚县"
    assert raise_notice(plan).place == "全市"


@pytest.mark.parametrize("region", [None, "410621"])
def test_one_notice_not_closed_per_quota_and_place(plan: Plan, region: str | None) -> None:
    raise_notice(plan, region=region)

    with pytest.raises(ValidationError, match="已有未关闭的督办单"):
        raise_notice(plan, region=region, month=4)
    raise_notice(plan, region="410611")  # another place
    raise_notice(plan, "in-service", region=region)  # another quota
    assert SupervisionNotice.objects.count() == 3


@pytest.mark.parametrize("region", [None, "410621"])
def test_the_database_refuses_a_second_notice_not_closed(plan: Plan, region: str | None) -> None:
    first = raise_notice(plan, region=region)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionNotice.objects.create(
            plan=plan,
            indicator=first.indicator,
            region=first.region,
            month=4,
            raised_at=first.raised_at,
        )
    services.notice_close(notice=first, reason="已不再滞后")
    # Once closed, the item may be red again and get a new notice.
    raise_notice(plan, region=region, month=6)
    assert SupervisionNotice.objects.filter(status=Status.CLOSED).count() == 1


def test_only_a_goal_or_quota_of_the_plan_gets_a_notice(plan: Plan) -> None:
    with pytest.raises(ValidationError, match="只能针对本年度方案中的全市目标或部门任务"):
        raise_notice(plan, "veterans-eligible")  # a count series behind a rate
    with pytest.raises(ValidationError):
        raise_notice(plan, month=13)
    assert not SupervisionNotice.objects.exists()


def test_a_goal_gets_a_notice_to_its_lead_department(plan: Plan) -> None:
    notice = raise_notice(plan, "training-total")
    assert notice.indicator.department.code == "hrss"  # 牵头部门


def test_a_plan_not_active_gets_no_notice(plan: Plan) -> None:
    plan.status = Plan.Status.CLOSED
    plan.save()
    with pytest.raises(ValidationError, match="不在执行中"):
        raise_notice(plan)


# --- answering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "region"),
    [("clerk", None), ("clerk", "410621"), ("xunxian_clerk", "410621")],
)
def test_the_responsible_clerk_answers(plan, users, who: str, region: str | None) -> None:
    notice = raise_notice(plan, region=region)

    answered = answer(users[who], notice, explanation=f"  {EXPLANATION}\n", catch_up=CATCH_UP)

    notice.refresh_from_db()
    assert answered.pk == notice.pk
    assert notice.status == Status.ANSWERED
    assert (notice.explanation, notice.catch_up_plan) == (EXPLANATION, CATCH_UP)
    assert notice.answered_by == users[who]
    assert notice.answered_at is not None


@pytest.mark.parametrize(
    ("who", "region"),
    [
        ("agri_clerk", None),  # another department
        ("qibin_clerk", "410621"),  # another county
        ("xunxian_clerk", None),  # a county clerk does not answer for the city
        ("reviewer", None),
        ("leader", None),
        ("administrator", None),
    ],
)
def test_others_may_not_answer(plan, users, who: str, region: str | None) -> None:
    notice = raise_notice(plan, region=region)

    with pytest.raises(PermissionDenied):
        answer(users[who], notice)

    notice.refresh_from_db()
    assert notice.status == Status.OPEN
    assert notice.explanation == "" and notice.answered_by is None


@pytest.mark.parametrize(
    ("explanation", "catch_up", "errors"),
    [
        ("", CATCH_UP, {"explanation": ["请填写情况说明（滞后原因）。"]}),
        (EXPLANATION, "  \n", {"catch_up_plan": ["请填写赶进度计划（措施和时间安排）。"]}),
        (
            "",
            "",
            {
                "explanation": ["请填写情况说明（滞后原因）。"],
                "catch_up_plan": ["请填写赶进度计划（措施和时间安排）。"],
            },
        ),
        ("说" * 2001, CATCH_UP, {"explanation": ["内容过长（不超过 2000 字）。"]}),
    ],
)
def test_an_answer_needs_both_texts(plan, users, explanation, catch_up, errors) -> None:
    notice = raise_notice(plan)

    with pytest.raises(ValidationError) as refused:
        answer(users["clerk"], notice, explanation=explanation, catch_up=catch_up)

    assert refused.value.message_dict == errors
    notice.refresh_from_db()
    assert notice.status == Status.OPEN and notice.answered_at is None


def test_a_notice_is_answered_once(plan, users) -> None:
    notice = raise_notice(plan)
    answer(users["clerk"], notice)

    with pytest.raises(ValidationError, match="已反馈或已关闭"):
        answer(users["clerk"], notice, explanation="改过的说明")

    notice.refresh_from_db()
    assert notice.explanation == EXPLANATION


def test_a_closed_notice_is_not_answered(plan, users) -> None:
    notice = raise_notice(plan)
    services.notice_close(notice=notice, reason="已不再滞后")

    with pytest.raises(ValidationError, match="已反馈或已关闭"):
        answer(users["clerk"], notice)


# --- closing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answered", [False, True])
def test_an_open_or_answered_notice_closes_with_a_reason(plan, users, answered: bool) -> None:
    notice = raise_notice(plan)
    if answered:
        answer(users["clerk"], notice)

    services.notice_close(notice=notice, reason="已不再滞后")

    notice.refresh_from_db()
    assert notice.status == Status.CLOSED
    assert notice.closed_reason == "已不再滞后" and notice.closed_at is not None
    assert (notice.answered_by is not None) == answered
    with pytest.raises(ValidationError, match="已关闭"):
        services.notice_close(notice=notice, reason="已不再滞后")
    with pytest.raises(ValidationError):
        services.notice_close(notice=raise_notice(plan), reason=" ")


# --- the database's own checks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"month": 13},
        {"status": "lost"},
        {"status": "answered"},  # no answer
        {"status": "closed"},  # no time or reason
        {"closed_reason": "已不再滞后"},  # open with a reason
        {"explanation": EXPLANATION},  # open with an answer's text
    ],
)
def test_the_database_refuses_an_inconsistent_notice(plan, changes: dict[str, Any]) -> None:
    notice = raise_notice(plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionNotice.objects.filter(pk=notice.pk).update(**changes)


def test_the_database_refuses_an_answer_without_its_texts(plan, users) -> None:
    notice = raise_notice(plan)
    answer(users["clerk"], notice)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionNotice.objects.filter(pk=notice.pk).update(catch_up_plan="")


# --- 办理时限, 销号 by a reviewer, the audit trail ---------------------------------------


def test_a_notice_is_due_ten_days_after_raising(plan: Plan, settings) -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    raised = datetime(2015, 4, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    notice = services.notice_raise(
        plan=plan, indicator=quota("rural-transfer"), region=None, month=3, at=raised
    )
    assert notice.due_on == date(2015, 4, 20)
    assert not notice.is_overdue(date(2015, 4, 20))
    assert notice.is_overdue(date(2015, 4, 21))  # 逾期: still not answered
    settings.SUPERVISION_DUE_DAYS = 3
    other = services.notice_raise(
        plan=plan, indicator=quota("in-service"), region=None, month=3, at=raised
    )
    assert other.due_on == date(2015, 4, 13)


def test_an_answered_notice_is_not_overdue(plan, users) -> None:
    from datetime import timedelta

    notice = answer(users["clerk"], raise_notice(plan))
    assert not notice.is_overdue(notice.due_on + timedelta(days=30))


def test_a_reviewer_closes_a_notice_with_a_reason(plan, users) -> None:
    notice = answer(users["clerk"], raise_notice(plan))

    services.notice_close(actor=users["reviewer"], notice=notice, reason="已召开推进会，核实后销号")

    notice.refresh_from_db()
    assert notice.status == Status.CLOSED
    assert notice.closed_by == users["reviewer"]
    assert notice.closed_reason == "已召开推进会，核实后销号"
    trail = [(e.kind, e.actor, e.reason) for e in notice.events.all()]
    assert trail == [
        ("raised", None, ""),
        ("answered", users["clerk"], EXPLANATION),
        ("closed", users["reviewer"], "已召开推进会，核实后销号"),
    ]


@pytest.mark.parametrize("who", ["clerk", "leader"])
def test_others_may_not_close_a_notice(plan, users, who) -> None:
    notice = raise_notice(plan)
    with pytest.raises(PermissionDenied):
        services.notice_close(actor=users[who], notice=notice, reason="销号")
    notice.refresh_from_db()
    assert notice.status == Status.OPEN and notice.events.count() == 1


def test_closing_needs_a_short_reason(plan, users) -> None:
    notice = raise_notice(plan)
    for reason in ("  ", "长" * 201):
        with pytest.raises(ValidationError):
            services.notice_close(actor=users["reviewer"], notice=notice, reason=reason)
    notice.refresh_from_db()
    assert notice.status == Status.OPEN


def test_the_system_closes_without_an_actor(plan) -> None:
    notice = services.notice_close(notice=raise_notice(plan), reason="已不再滞后")
    assert notice.closed_by is None
    assert [(e.kind, e.actor) for e in notice.events.all()][-1] == ("closed", None)


def test_the_database_refuses_a_closer_on_an_open_notice(plan, users) -> None:
    notice = raise_notice(plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionNotice.objects.filter(pk=notice.pk).update(closed_by=users["reviewer"])
