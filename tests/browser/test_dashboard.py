"""The leader's dashboard on the demo data, in Chromium, under the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest

from targets.services.plan_definition import load_plan_file
from tests.browser.pages import demo_rolled_up, log_in, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "dashboard-password"
CHARTS = [
    "chart-goal-progress",
    "chart-heatmap",
    "chart-ranking",
    "chart-veterans",
    "chart-completeness",
]


def _watch(page) -> list[str]:
    """Console errors and CSP violations the page reports."""
    problems: list[str] = []

    def console(message) -> None:
        # A missing resource is reported with its URL below (the browser asks for a favicon).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", response)
    return problems


def _card(page, code: str) -> str:
    return page.locator(f'[data-goal="{code}"] .goal-actual').inner_text()


@pytest.mark.usefixtures("eager")  # load_demo's rollup in process; built here all the same
def test_the_leader_reads_the_dashboard(live_server, page) -> None:
    demo_rolled_up(PASSWORD)
    problems = _watch(page)

    log_in(page, live_server, "leader", PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/**")
    response = page.goto(f"{live_server.url}/dashboard/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text() == "进度看板"
    assert page.locator("[data-goal]").count() == 4
    training = _card(page, "training-total")
    assert re.fullmatch(r"[\d,]+", training)
    assert page.locator('[data-goal="training-total"] .goal-unallocated').inner_text() == "8,550"

    # Every chart draws an svg inside its element, with plotly from our static files.
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-rendered=true] svg.main-svg")
    assert page.evaluate("() => typeof window.Plotly") == "object"
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]

    # A different as-of month gives different numbers (the select sends its form).
    page.select_option("#as-of", "2015-03")
    page.wait_for_url("**as_of=2015-03**")
    march = _card(page, "training-total")
    assert march != training
    assert int(march.replace(",", "")) < int(training.replace(",", ""))
    assert page.locator("#as-of").input_value() == "2015-03"
    page.wait_for_selector("#chart-heatmap[data-rendered=true] svg.main-svg")

    # A click on a quota opens its drill-down, whose chart renders too.
    page.locator('tr[data-quota="rural-transfer"] a.quota-link').click()
    page.wait_for_url("**/dashboard/quota/rural-transfer/?year=2015&as_of=2015-03")
    assert page.locator("h1").inner_text() == "农村劳动力转移就业技能培训"
    page.wait_for_selector("#chart-quota-progress[data-rendered=true] svg.main-svg")
    # The city, five counties, 市直, and what no split covers (未分解).
    assert page.locator("table.by-county tbody tr").count() == 8
    assert page.locator('table.by-county tr[data-place="unallocated"]').count() == 1
    assert page.locator("table.figures-behind tbody tr").count() > 0
    assert not problems, problems


def test_admin_and_other_pages_work_under_the_policy(live_server, page, django_user_model) -> None:
    load_plan_file()
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    problems = _watch(page)
    log_in(page, live_server, "root", PASSWORD)
    for path in ("/admin/", "/admin/targets/indicator/", "/admin/targets/plan/1/change/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert response.headers["content-security-policy"]
    assert not [p for p in problems if "Content Security Policy" in p], problems


@pytest.mark.usefixtures("eager")
@pytest.mark.parametrize("width", [360, 390])
def test_the_work_panel_and_a_drill_down_on_a_phone(live_server, browser, request, width) -> None:
    demo_rolled_up(PASSWORD)
    page = phone_page(browser, request, width)
    problems = _watch(page)
    log_in(page, live_server, "leader", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of=2015-10")
    panel = page.locator("#work-panel")
    assert panel.locator('.work-counts [data-status="delayed"]').inner_text() == "3"
    assert panel.locator(".work-overdue").inner_text() == "3"
    assert panel.locator(".work-items tbody tr").count() == 13
    assert panel.locator(".work-latest li").count() == 5
    _fits(page)

    panel.locator('tr[data-code="heshan-brand-base"] a').click()
    page.wait_for_url("**/dashboard/workitem/heshan-brand-base/?year=2015&as_of=2015-10")
    assert page.locator(".work-status").inner_text() == "滞后"
    assert page.locator(".work-step").count() == 2
    assert page.locator(".work-step__overdue").count() == 1  # 落实项目配套资金, due in May
    assert "【演示】" in page.locator(".work-step__report").first.inner_text()
    _fits(page)
    assert not problems, problems


def _fits(page) -> None:
    """No sideways scroll: wide tables scroll inside their own box (.table-wrap)."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
