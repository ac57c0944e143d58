"""Supervision notices from the rollup: raised when red, closed when no longer, hooked to rebuilds.

Figures are made by hand through the services; the rollup is rebuilt by ``reporting.rollup``.
Rural transfer: 20,000 person-times a year, so by March (3/12) 5,000 are expected; below
3,000 (15 %, ten points under 25 %) it is red. Only judged rows count: ``complete`` approves a
0 for every other cell of the month, so that every row has all its reports.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.models import Rollup
from reporting.rollup import rebuild
from reporting.supervision import NO_LONGER_BEHIND, due_month, sync_notices
from reporting.tasks import nightly_rebuild, rollup_plan
from targets import services
from targets.models import Indicator, Plan, Region, Submission, SupervisionNotice
from tests.helpers import cell_submission

pytestmark = pytest.mark.django_db

Status = SupervisionNotice.Status


def quota(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


# Goals with all their reports approved and 0 done are red by March too (to their lead
# department): training-total, vocational-enrolment (a level), high-skill-talent, skill-appraisal.
GOALS = ["high-skill-talent", "skill-appraisal", "training-total", "vocational-enrolment"]
# Flow quotas with 0 reported count 0 done: by March they are red as well.
FLOW_QUOTAS = [
    "disabled",
    "entrepreneurship",
    "in-service",
    "new-farmers",
    "public-institution",
    "rain-dew",
    "reemployment",
    "rural-transfer",
]


def notices(plan: Plan, *codes: str) -> list[tuple[str, str | None, int, str]]:
    """The plan's notices (of these quotas, by default rural transfer) as tuples."""
    found = SupervisionNotice.objects.filter(
        plan=plan, indicator__code__in=codes or ["rural-transfer"]
    ).select_related("indicator", "region")
    rows = [
        (n.indicator.code, n.region.code if n.region else None, n.month, n.status) for n in found
    ]
    return sorted(rows, key=lambda row: (row[0], row[1] or "", row[2]))


def city_status(plan: Plan, code: str, month: int) -> str | None:
    return Rollup.objects.get(
        plan=plan, indicator__code=code, region__isnull=True, month=month
    ).status


@pytest.fixture
def refigure(plan, figure, correct):
    """A figure for a cell, as a correction where one is approved already (``complete``)."""

    def make(code: str, region: str, month: int, value: int) -> Submission:
        counted = cell_submission(plan, code, region, month, is_counted=True)
        return figure(code, region, month, value) if counted is None else correct(counted, value)

    return make


@pytest.fixture
def behind(plan, figure, complete) -> Plan:
    """Rural transfer red city-wide in March: 1,000 of the 5,000 expected by then; every
    report of March approved (the others 0)."""
    figure("rural-transfer", "410611", 3, 1000)
    complete(3)
    rebuild(plan)
    assert city_status(plan, "rural-transfer", 3) == "red"
    return plan


def test_a_red_quota_gets_one_notice_and_a_rerun_none(behind: Plan) -> None:
    first = sync_notices(behind, 3)

    raised = [(n.indicator.code, n.region_id, n.month) for n in first.raised]
    assert sorted(raised) == [(code, None, 3) for code in sorted(FLOW_QUOTAS + GOALS)]
    (notice,) = [n for n in first.raised if n.indicator.code == "rural-transfer"]
    assert notice.status == Status.OPEN
    assert notice.completion == Decimal("0.05")
    assert notice.expected == Decimal("0.25")
    assert SupervisionNotice.objects.count() == len(FLOW_QUOTAS + GOALS)

    again = sync_notices(behind, 3)

    assert again.raised == [] and again.closed == []
    assert SupervisionNotice.objects.count() == len(FLOW_QUOTAS + GOALS)
    assert notices(behind) == [("rural-transfer", None, 3, "open")]


def test_amber_and_no_data_raise_nothing(plan, figure, complete) -> None:
    figure("rural-transfer", "410611", 1, 0)  # January: 0 % against 8.3 % is only amber
    figure("rural-transfer", "410611", 3, 4000)  # March: 20 % against 25 %, amber
    complete(1)
    complete(3)
    rebuild(plan)
    assert city_status(plan, "rural-transfer", 3) == "amber"

    sync_notices(plan, 1)
    assert notices(plan) == []
    sync_notices(plan, 3)
    assert notices(plan) == []
    # A rate without a denominator yet has no status: no notice either.
    assert notices(plan, "veterans-awareness", "veterans-pass") == []


def test_a_red_county_gets_its_own_notice(behind: Plan, figure, refigure, complete) -> None:
    services.region_target_set(
        reason="测试：县区分解",
        indicator=quota(behind, "rural-transfer"),
        region=Region.objects.get(code="410611"),
        target=4000,
    )
    services.region_target_set(
        reason="测试：县区分解",
        indicator=quota(behind, "rural-transfer"),
        region=Region.objects.get(code="410621"),
        target=4000,
    )
    refigure("rural-transfer", "410621", 3, 1000)  # 1,000 of 4,000 by March: on time
    rebuild(behind)

    sync_notices(behind, 3)

    # 淇滨区 has 1,000 of 4,000 too: 25 %, on time; the city's 2,000 of 20,000 is red.
    assert notices(behind) == [("rural-transfer", None, 3, "open")]

    figure("rural-transfer", "410611", 4, 0)
    figure("rural-transfer", "410621", 4, 400)
    complete(4)
    rebuild(behind)
    sync_notices(behind, 4)

    # April expects a third: 淇滨区 1,000 of 4,000 is 25 % (amber), 浚县 1,400 is 35 % (green).
    assert notices(behind) == [("rural-transfer", None, 3, "open")]

    services.region_target_set(
        reason="测试：县区分解",
        indicator=quota(behind, "rural-transfer"),
        region=Region.objects.get(code="410611"),
        target=8000,
    )
    rebuild(behind)
    sync_notices(behind, 4)

    assert notices(behind) == [
        ("rural-transfer", None, 3, "open"),
        ("rural-transfer", "410611", 4, "open"),
    ]


def test_a_notice_closes_when_the_item_is_no_longer_red(behind: Plan, refigure, clerk_of) -> None:
    (notice,) = [n for n in sync_notices(behind, 3).raised if n.indicator.code == "rural-transfer"]
    services.notice_answer(
        actor=clerk_of("hrss"),
        notice=notice,
        explanation="春节后外出务工人员返乡较晚，培训开班推迟。",
        catch_up_plan="4月起每县区加开两期培训班，6月底前补齐进度。",
    )
    refigure("rural-transfer", "410621", 3, 4500)  # 5,500 of 5,000 expected: green
    rebuild(behind)
    assert city_status(behind, "rural-transfer", 3) == "green"

    result = sync_notices(behind, 3)

    assert [n.pk for n in result.closed] == [notice.pk]
    assert notices(behind, "in-service") == [("in-service", None, 3, "open")]
    notice.refresh_from_db()
    assert notice.status == Status.CLOSED
    assert notice.closed_reason == NO_LONGER_BEHIND
    assert notice.closed_at is not None
    assert notice.explanation.startswith("春节后")  # the answer is kept
    assert sync_notices(behind, 3).closed == []
    assert sync_notices(behind, 3).raised == []


def test_red_again_after_closing_raises_a_new_notice(
    behind: Plan, figure, refigure, complete
) -> None:
    sync_notices(behind, 3)
    refigure("rural-transfer", "410621", 3, 4500)
    rebuild(behind)
    sync_notices(behind, 3)
    # By June half the year's 20,000 is expected; 5,500 is 27.5 %: red again.
    figure("rural-transfer", "410611", 6, 0)
    complete(6)
    rebuild(behind)

    sync_notices(behind, 6)

    assert notices(behind) == [
        ("rural-transfer", None, 3, "closed"),
        ("rural-transfer", None, 6, "open"),
    ]


def test_a_place_without_a_rollup_row_is_left_alone(behind: Plan) -> None:
    sync_notices(behind, 3)
    Rollup.objects.filter(plan=behind, month=3).delete()

    result = sync_notices(behind, 3)

    assert result.closed == [] and result.raised == []
    assert SupervisionNotice.objects.filter(status=Status.OPEN).count() == len(FLOW_QUOTAS + GOALS)


def test_a_plan_not_active_is_left_alone(behind: Plan) -> None:
    sync_notices(behind, 3)
    Plan.objects.filter(pk=behind.pk).update(status=Plan.Status.CLOSED)

    result = sync_notices(behind, 3)

    assert result.raised == [] and result.closed == []
    assert notices(behind) == [("rural-transfer", None, 3, "open")]


VETERANS = ["veterans-eligible", "veterans-aware", "veterans-awareness", "veterans-registration"]


def test_goals_quotas_and_rates_get_notices_count_series_none(plan, figure, complete) -> None:
    # Veterans: 10 eligible, 2 aware: 20 % against 100 % is red; registration has 0
    # registered: 0 of 10 is red too. The count series have no target; training-total (a
    # goal) is red, and gets a notice to its lead department.
    figure("veterans-eligible", "410611", 3, 10)
    figure("veterans-aware", "410611", 3, 2)
    figure("rural-transfer", "410611", 3, 100)
    complete(3)
    rebuild(plan)
    assert city_status(plan, "training-total", 3) == "red"

    sync_notices(plan, 3)

    assert notices(plan, "rural-transfer", "training-total", *VETERANS) == [
        ("rural-transfer", None, 3, "open"),
        ("training-total", None, 3, "open"),
        ("veterans-awareness", None, 3, "open"),
        ("veterans-awareness", "410611", 3, "open"),  # a rate's target holds in each county
        ("veterans-registration", None, 3, "open"),
        ("veterans-registration", "410611", 3, "open"),
    ]


def test_a_pending_row_gets_no_notice_and_keeps_its_notice(behind: Plan, figure) -> None:
    """A row with reports missing is not judged: red by its figures so far, it raises nothing;
    an open notice of it is not closed either (not judged is not back on track)."""
    sync_notices(behind, 3)
    figure("rural-transfer", "410611", 4, 9000)  # April: 10,000 of 6,667, but 淇滨区 alone
    rebuild(behind)
    assert city_status(behind, "rural-transfer", 4) == "green"

    result = sync_notices(behind, 4)

    assert result.raised == [] and result.closed == []
    assert notices(behind) == [("rural-transfer", None, 3, "open")]


def test_the_due_month(plan, figure) -> None:
    assert due_month(plan) is None
    figure("rural-transfer", "410611", 2, 10)
    assert due_month(plan) == 2
    figure("rural-transfer", "410611", 5, 10, status="submitted")  # sent: May is due
    assert due_month(plan) == 5


# --- the hooks -------------------------------------------------------------------------------


def test_the_rollup_task_raises_and_closes_notices(plan, figure, refigure, complete) -> None:
    rural = quota(plan, "rural-transfer")
    figure("rural-transfer", "410611", 3, 1000)  # no rollup task ran: on_commit is not executed
    complete(3)
    assert not SupervisionNotice.objects.exists()

    qibin = Region.objects.get(code="410611")
    rollup_plan(plan.pk, [rural.pk], 3, months=[3], regions=[qibin.pk])  # incremental

    assert notices(plan) == [("rural-transfer", None, 3, "open")]

    refigure("rural-transfer", "410621", 3, 4500)
    rollup_plan(plan.pk)  # a full rebuild

    assert notices(plan) == [("rural-transfer", None, 3, "closed")]


def test_the_rollup_task_uses_the_due_month(plan, figure, complete) -> None:
    figure("rural-transfer", "410611", 3, 5000)  # on time in March
    figure("in-service", "410611", 5, 100)  # May is now the latest month sent
    complete(3)
    complete(5)
    rollup_plan(plan.pk)

    # By May 5/12 of 20,000 (8,333) are expected; 5,000 is 25 %: red. In-service: red too.
    # Judged in March, rural transfer would be on time.
    assert notices(plan, "in-service", "rural-transfer") == [
        ("in-service", None, 5, "open"),
        ("rural-transfer", None, 5, "open"),
    ]


def test_the_rollup_task_leaves_a_plan_that_is_not_active(plan, figure, complete) -> None:
    figure("rural-transfer", "410611", 3, 1000)
    complete(3)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)

    rollup_plan(plan.pk)

    assert Rollup.objects.filter(plan=plan).exists()
    assert not SupervisionNotice.objects.exists()


def test_the_nightly_rebuild_syncs_notices(plan, figure, complete) -> None:
    figure("rural-transfer", "410611", 3, 1000)
    complete(3)

    nightly_rebuild()

    assert notices(plan) == [("rural-transfer", None, 3, "open")]


def test_an_approval_dispatches_a_rollup_that_raises_the_notice(
    plan, figure, complete, django_capture_on_commit_callbacks, settings
) -> None:
    from skills_plan.celery import app

    complete(3, leave=(("rural-transfer", "410611"),))
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True  # in process, whatever the environment says
    try:
        with django_capture_on_commit_callbacks(execute=True):
            figure("rural-transfer", "410611", 3, 1000)  # the month's last report
    finally:
        app.conf.task_always_eager = before

    assert notices(plan) == [("rural-transfer", None, 3, "open")]


# --- the command -----------------------------------------------------------------------------


def sync_command(*args: str) -> str:
    out = StringIO()
    call_command("sync_notices", *args, stdout=out)
    return out.getvalue()


def test_the_command_syncs_each_active_plan(behind: Plan) -> None:
    assert sync_command() == "2015-03: 12 notices raised, 0 closed\n"
    assert sync_command("--year", "2015") == "2015-03: 0 notices raised, 0 closed\n"
    assert notices(behind) == [("rural-transfer", None, 3, "open")]


def test_the_command_without_figures_or_for_a_closed_plan(plan) -> None:
    nothing = "2015: no month due with reports sent yet, nothing to do\n"
    assert sync_command("--year", "2015") == nothing
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    assert sync_command("--year", "2015") == "2015: not active, skipped\n"
    assert sync_command() == ""


def test_the_command_refuses_an_unknown_year(plan) -> None:
    with pytest.raises(CommandError, match="no plan for 2016"):
        sync_command("--year", "2016")
