"""Year over year in Chromium: the earlier plan's line on the drawn chart, and turning it off."""

from __future__ import annotations

import json

import pytest

from reporting.rollup import rebuild
from targets import services
from targets.models import Department, Indicator, Membership, Plan, Region
from targets.services.plan_definition import DEFAULT_PLAN_FILE, load_plan_definition, load_plan_file
from tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "yoy-password"
EARLIER = "2014年实际完成（累计）"


def _plan_2014() -> Plan:
    definition = json.loads(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    definition["plan"].update(
        year=2014, doc_number="测试〔2014〕1号", starts_on="2014-01-01", ends_on="2014-12-31"
    )
    return load_plan_definition(definition)


def _figures(django_user_model) -> None:
    """Rural transfer in 淇滨区: 2014 Jan 300, Feb 200 (then 2014 closes); 2015 Jan 400."""
    clerk = django_user_model.objects.create_user("clerk-yoy")
    services.membership_assign(
        user=clerk, role=Membership.Role.CLERK, department=Department.objects.get(code="hrss")
    )
    reviewer = django_user_model.objects.create_user("reviewer-yoy")
    services.membership_assign(user=reviewer, role=Membership.Role.REVIEWER)
    qibin = Region.objects.get(code="410611")
    for year, month, value in ((2014, 1, 300), (2014, 2, 200), (2015, 1, 400)):
        indicator = Indicator.objects.get(plan__year=year, code="rural-transfer")
        submission = services.submission_save(
            actor=clerk, indicator=indicator, region=qibin, month=month, value=value
        )
        services.submission_submit(actor=clerk, submission=submission)
        services.submission_approve(actor=reviewer, submission=submission)


def _trace_names(page, chart: str) -> list[str]:
    page.wait_for_selector(f"#{chart}[data-rendered=true] svg.main-svg")
    return page.evaluate(
        "(chart) => document.getElementById(chart).data.map((trace) => trace.name)", chart
    )


def test_the_earlier_years_line_is_drawn(live_server, page, django_user_model) -> None:
    plan = load_plan_file()
    older = _plan_2014()
    _figures(django_user_model)
    rebuild(older)
    rebuild(plan)
    Plan.objects.filter(pk=older.pk).update(status=Plan.Status.CLOSED)
    leader = django_user_model.objects.create_user("leader-yoy", password=PASSWORD)
    services.membership_assign(user=leader, role=Membership.Role.LEADER)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, live_server, "leader-yoy", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/quota/rural-transfer/?as_of=2015-02")
    assert EARLIER in _trace_names(page, "chart-quota-progress")
    # Drawn, not only in the data: the legend on the page names it.
    legend = page.locator("#chart-quota-progress .legendtext").all_text_contents()
    assert EARLIER in legend
    earlier_y = page.evaluate(
        "() => document.getElementById('chart-quota-progress').data"
        f".find(t => t.name === '{EARLIER}').y.slice(0, 3)"
    )
    assert earlier_y == [300, 500, 500]
    assert page.locator("#compare").input_value() == "2014"

    # The dashboard's goal chart too, and the quota table's same-month column.
    page.goto(f"{live_server.url}/dashboard/?as_of=2015-02")
    assert EARLIER in _trace_names(page, "chart-goal-progress")
    assert page.locator("table.quota-table th", has_text="上年同期完成率").count() == 1
    rural = page.locator('tr[data-quota="rural-transfer"] td').all_inner_texts()
    assert "2.5%" in rural  # 2014: 500 of 20,000 by February

    # "不比较" sends the form; the line and the column are gone, the year stays.
    page.select_option("#compare", "none")
    page.wait_for_url("**compare=none**")
    assert EARLIER not in _trace_names(page, "chart-goal-progress")
    assert page.locator("table.quota-table th", has_text="上年同期完成率").count() == 0
    assert "year=2015" in page.url

    # Choosing 2014 in the year selector shows the closed plan, read-only, its own months.
    page.select_option("#year", "2014")
    page.wait_for_url("**year=2014**")
    assert page.locator("#as-of").input_value() == "2014-02"
    assert page.locator(".plan-status--closed").count() == 1
    assert not problems, problems
