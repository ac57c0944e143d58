"""The month pages are about, how complete each row is, and rates judged in rate bands.

The 2015 plan takes 17 series of figures (4 goals, 8 training quotas, 5 veterans' counts) from
6 places (5 counties and 市直): 102 reports a month. Figures are due by the 5th of the next
month (the deadline, the first moment late, is the 6th at midnight, Beijing time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import api, selectors
from reporting.rollup import postgres as rollup_sql
from reporting.rollup import rebuild
from reporting.supervision import due_month, sync_after_rollup
from reporting.tasks import rollup_plan
from targets import completeness, periods
from targets.models import Department, Indicator, Plan, Region, SupervisionNotice
from tests.demo_snapshot import demo_rolled_up

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
PLACES = 6
REPORTS_A_MONTH = 17 * PLACES


def document_of(plan: Plan, month: int) -> dict[str, Any]:
    """The progress API's document for the month (what these tests check)."""
    return api.document(selectors.progress(plan, month))


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def by_code(items: list[dict]) -> dict[str, dict]:
    return {item["code"]: item for item in items}


# --- the default month ------------------------------------------------------------------------


def test_before_the_first_deadline_january_with_nothing_judged(plan, figure) -> None:
    with time_machine.travel(at(2015, 2, 5, 12), tick=False):
        figure("rural-transfer", "410611", 1, 1000)  # January's figure, sent on time
        assert periods.due_as_of(plan) is None
        assert selectors.default_as_of(plan) == 1
        assert due_month(plan) is None
    with time_machine.travel(at(2015, 2, 6, 0, 0, 1), tick=False):
        assert selectors.default_as_of(plan) == 1
        assert due_month(plan) == 1


def test_a_november_figure_approved_early_moves_nothing(plan, figure) -> None:
    """On 20 November October is due (its deadline was 6 November), November is not (it is
    due by 5 December): one November figure approved early is not what pages judge, and raises
    no notice."""
    with time_machine.travel(at(2015, 11, 20, 10), tick=False):
        figure("rural-transfer", "410611", 10, 17_000)
        figure("in-service", "410611", 11, 10)  # approved early, before November's deadline
        rollup_plan(plan.pk)

        assert selectors.default_as_of(plan) == 10
        assert selectors.parse_as_of(plan, None) == 10
        assert due_month(plan) == 10
        # Under the old rule (latest month with an approved figure) November was shown, and
        # every training quota red in it got a notice; October is incomplete: pending, none.
        assert not SupervisionNotice.objects.exists()
        assert sync_after_rollup(plan).raised == []


def test_a_month_before_its_deadline_raises_no_notice(plan, figure, complete) -> None:
    """Even complete and red, November is not judged on 20 November: it is still being
    reported (a correction may come before the 5th)."""
    from reporting.supervision import sync_notices

    with time_machine.travel(at(2015, 11, 20, 10), tick=False):
        figure("rural-transfer", "410611", 11, 10)
        complete(11)
        rebuild(plan)
        assert sync_notices(plan, 11).raised == []
    with time_machine.travel(at(2015, 12, 6, 0, 0, 1), tick=False):
        raised = sync_notices(plan, 11).raised
        assert "rural-transfer" in {notice.indicator.code for notice in raised}


def test_a_month_due_with_nothing_sent_is_not_the_default(plan, figure) -> None:
    with time_machine.travel(at(2015, 4, 20), tick=False):
        figure("rural-transfer", "410611", 2, 1000)
        # March is due too, but nobody sent anything for it: February is the month.
        assert selectors.default_as_of(plan) == 2
        figure("rural-transfer", "410611", 3, 10, status="submitted")  # sent, not approved
        assert selectors.default_as_of(plan) == 3


def test_the_export_command_takes_the_same_default(plan, figure, tmp_path) -> None:
    from django.core.management import call_command

    with time_machine.travel(at(2015, 11, 20, 10), tick=False):
        figure("rural-transfer", "410611", 10, 17_000)
        figure("in-service", "410611", 11, 10)
        rollup_plan(plan.pk)
        output = tmp_path / "summary.xlsx"
        from io import StringIO

        out = StringIO()
        call_command("export_summary", "--year", "2015", "-o", str(output), stdout=out)
    assert "2015-10" in out.getvalue()


# --- completeness per row ----------------------------------------------------------------------


def test_reported_counts_and_pending_rows(plan, figure) -> None:
    figure("rural-transfer", "410611", 3, 1000)
    figure("rural-transfer", "410621", 3, 300, status="submitted")
    rebuild(plan)

    document = document_of(plan, 3)

    assert document["reported"] == {"expected": REPORTS_A_MONTH, "approved": 1}
    quota = by_code(document["quotas"])["rural-transfer"]
    assert quota["reported"] == {"expected": PLACES, "approved": 1}
    assert quota["status"] == "pending"  # the rollup alone says red: not judged
    counties = {region["code"]: region for region in quota["regions"]}
    assert counties["410611"]["reported"] == {"expected": 1, "approved": 1}
    assert counties["410611"]["status"] is None  # judged: no split target there, no colour
    assert counties["410621"]["reported"] == {"expected": 1, "approved": 0}
    assert counties["410621"]["status"] == "pending"  # sent, not approved yet
    goal = by_code(document["goals"])["training-total"]
    assert goal["reported"] == {"expected": 9 * PLACES, "approved": 1}  # itself + 8 quotas
    assert goal["status"] == "pending"
    participation = by_code(document["quotas"])["veterans-participation"]
    assert participation["reported"] == {"expected": 2 * PLACES, "approved": 0}  # two series
    assert participation["status"] == "pending"
    assert all("reported" in region for item in document["quotas"] for region in item["regions"])


def test_a_complete_month_is_judged(plan, figure, complete) -> None:
    figure("rural-transfer", "410611", 3, 1000)
    assert complete(3, leave=(("veterans-trained", "410622"),)) == REPORTS_A_MONTH - 2
    rebuild(plan)

    document = document_of(plan, 3)

    assert document["reported"] == {"expected": REPORTS_A_MONTH, "approved": REPORTS_A_MONTH - 1}
    quota = by_code(document["quotas"])["rural-transfer"]
    assert quota["reported"] == {"expected": PLACES, "approved": PLACES}
    assert quota["status"] == "red"  # 1,000 of 20,000 by March: judged, and red
    goals = by_code(document["goals"])
    assert goals["training-total"]["status"] == "red"
    assert goals["training-total"]["reported"] == {"expected": 54, "approved": 54}
    # 淇县's trained count is missing: the rates built on it are pending, there only.
    participation = by_code(document["quotas"])["veterans-participation"]
    assert participation["status"] == "pending"
    counties = {region["code"]: region for region in participation["regions"]}
    assert counties["410622"]["status"] == "pending"
    assert counties["410611"]["status"] is None  # judged: no denominator, no data
    awareness = by_code(document["quotas"])["veterans-awareness"]
    assert awareness["reported"] == {"expected": 12, "approved": 12}
    assert awareness["status"] is None


def test_who_is_missing(plan, figure, complete) -> None:
    figure("rural-transfer", "410611", 3, 1000, status="submitted")
    complete(3, leave=(("new-farmers", "410622"),))
    coverage = completeness.Coverage(plan, 3)
    goal = Indicator.objects.get(plan=plan, code="training-total")
    hrss, agri = Department.objects.get(code="hrss"), Department.objects.get(code="agri")
    qibin, qi = Region.objects.get(code="410611"), Region.objects.get(code="410622")

    assert coverage.missing(goal) == [(hrss.pk, qibin.pk), (agri.pk, qi.pk)]
    assert coverage.missing(goal, qi.pk) == [(agri.pk, qi.pk)]
    assert coverage.reported(goal, qi.pk) == completeness.Reported(expected=9, approved=8)


def test_the_document_reads_completeness_in_one_query(plan, figure) -> None:
    figure("rural-transfer", "410611", 3, 1000)
    rebuild(plan)
    with CaptureQueriesContext(connection) as queries:
        selectors._progress(plan, 3)
    # indicators, regions, rollup rows, approved cells: the same four for any number of rows
    assert len(queries) == 4


def test_the_cached_document_changes_with_an_approval(plan, figure, reviewer) -> None:
    from targets import services

    submitted = figure("rural-transfer", "410611", 3, 1000, status="submitted")
    rollup_plan(plan.pk)
    before = by_code(document_of(plan, 3)["quotas"])["rural-transfer"]["reported"]
    services.submission_approve(actor=reviewer, submission=submitted)
    rollup_plan(plan.pk)  # what the approval dispatches after its commit
    after = by_code(document_of(plan, 3)["quotas"])["rural-transfer"]["reported"]
    assert (before["approved"], after["approved"]) == (0, 1)


# --- rates in rate bands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trained", "colour"),
    [(790, "red"), (800, "amber"), (805, "amber"), (810, "amber"), (899, "amber"), (900, "green")],
)
def test_a_rate_is_judged_in_points_of_the_rate(plan, figure, complete, trained, colour) -> None:
    """Participation's target is 90 %: 79 % is 11 points below, red; 80 % and 80.5 % are
    within 10 points, amber (judged on completion, 88.9 % and 89.4 % of the target, they
    were red); 90 % is green."""
    figure("veterans-registered", "410611", 3, 1000)
    figure("veterans-trained", "410611", 3, trained)
    complete(3)
    rebuild(plan)

    document = document_of(plan, 3)

    participation = by_code(document["quotas"])["veterans-participation"]
    assert participation["actual"] == trained / 1000
    assert participation["status"] == colour
    county = {r["code"]: r for r in participation["regions"]}["410611"]
    assert county["status"] == colour


def test_rate_bands_follow_the_margin(plan, figure, complete, settings) -> None:
    settings.AMBER_MARGIN_POINTS = 5
    figure("veterans-registered", "410611", 3, 1000)
    figure("veterans-trained", "410611", 3, 850)  # 85 %: exactly 5 points below 90 %
    complete(3)
    rebuild(plan)
    quota = by_code(document_of(plan, 3)["quotas"])["veterans-participation"]
    assert quota["status"] == "amber"


@pytest.mark.postgres
def test_rate_bands_in_the_statement_equal_the_reference(plan, figure) -> None:
    from reporting import rollup

    figure("veterans-registered", "410611", 3, 1000)
    figure("veterans-trained", "410611", 3, 805)
    figure("veterans-registered", "410621", 3, 1000)
    figure("veterans-trained", "410621", 3, 790)
    rollup_sql.rebuild_rows(plan, indicator_ids=None, from_month=1)
    from reporting.models import Rollup

    stored = {
        (r.region_id, r.month): r.status
        for r in Rollup.objects.filter(plan=plan, indicator__code="veterans-participation")
    }
    reference = {
        (r.region_id, r.month): r.status
        for r in rollup.compute(plan)
        if r.indicator_id == Indicator.objects.get(plan=plan, code="veterans-participation").pk
    }
    assert stored == reference
    qibin, xun = Region.objects.get(code="410611"), Region.objects.get(code="410621")
    assert (stored[(qibin.pk, 3)], stored[(xun.pk, 3)]) == ("amber", "red")


# --- the demo: a month partly approved ----------------------------------------------------------


@pytest.fixture
def demo_plan(db):
    return demo_rolled_up("demo-pass-for-tests")


def test_the_demo_shows_october_partly_approved(demo_plan, make_user) -> None:
    """October (the default month: its deadline has passed, reports were sent) is partly
    approved: 农业局 and 残联 have drafts only, 民政局 and 扶贫办 and two counties wait for
    review, 山城区's rural-transfer figure was returned. Those rows are pending; 人社局's
    own rows in the three reviewed districts are judged."""
    from django.test import Client

    assert selectors.default_as_of(demo_plan) == 10
    document = document_of(demo_plan, 10)
    quotas = by_code(document["quotas"])
    assert document["reported"]["approved"] < document["reported"]["expected"]
    assert {quota["status"] for quota in quotas.values()} == {"pending"}
    rural = {r["code"]: r for r in quotas["rural-transfer"]["regions"]}
    assert rural["410603"]["status"] == "pending"  # returned
    assert rural["410621"]["status"] == "pending"  # waiting for review
    assert rural["410611"]["status"] in ("green", "amber", "red")  # approved: judged
    client = Client()
    client.force_login(make_user("leader"))
    page = client.get("/dashboard/").content.decode()
    approved, expected = document["reported"]["approved"], document["reported"]["expected"]
    assert f"截至2015年10月 · 已审核 {approved}/{expected} 份" in page
    assert "status--pending" in page
