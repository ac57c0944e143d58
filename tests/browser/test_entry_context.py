"""What the clerk and the reviewer are told about a figure, in Chromium, at desk and phone width.

The clerk cannot miss a returned figure (a banner on /entry/ and on the month, a badge on the
month's row); a month fully sent is read-only with 撤回, which makes it editable again; the
reviewer sees the previous month even while it waits (marked 待审) and, for a figure returned
and sent again, what was returned and why.
"""

from __future__ import annotations

import pytest

from targets import services
from targets.models import Department, Indicator, Region, Submission
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in, xun_clerk_and_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "context-password"
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page, url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(url)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{url}: {width}px wide in a {inner}px window"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_returned_banner_withdraw_and_the_reviewers_context(
    live_server, page, django_user_model
) -> None:
    plan = load_plan_file()
    clerk, reviewer = xun_clerk_and_reviewer(django_user_model, PASSWORD)
    xun = Region.objects.get(code="410621")
    series = list(
        Indicator.objects.filter(plan=plan, department__code="hrss", accepts_figures=True)
    )
    rural = next(s for s in series if s.code == "rural-transfer")
    # February's rural-transfer is sent and still waiting; March is sent whole.
    february = services.submission_save(
        actor=clerk, indicator=rural, region=xun, month=2, value=100
    )
    services.submission_submit(actor=clerk, submission=february)
    for indicator in series:
        figure = services.submission_save(
            actor=clerk, indicator=indicator, region=xun, month=3, value=12
        )
        services.submission_submit(actor=clerk, submission=figure)
    returned = Submission.objects.get(indicator=rural, region=xun, month=3)
    services.submission_return(actor=reviewer, submission=returned, comment="与培训台账不符")

    # The clerk: a banner on /entry/, a badge on March's row, a banner on March.
    log_in(page, live_server, "clerk-xunxian", PASSWORD)
    page.goto(f"{live_server.url}/entry/")
    banner = page.locator("#returned-banner")
    assert banner.is_visible()
    assert "有 1 个数据被审核员退回" in banner.inner_text()
    assert page.locator("#entry-months .badge--returned").inner_text() == "退回 1"
    no_sideways_scroll(page, f"{live_server.url}/entry/")
    page.goto(f"{live_server.url}/entry/")
    page.locator("#returned-banner a").click()
    page.wait_for_url("**/entry/2015/3/")
    month_banner = page.locator("#returned-banner")
    assert "与培训台账不符" in month_banner.inner_text()
    no_sideways_scroll(page, f"{live_server.url}/entry/2015/3/")

    # It fixes the figure and sends it again: the month is fully sent, read-only, with 撤回.
    page.goto(f"{live_server.url}/entry/2015/3/")
    assert page.locator("input.entry-input").count() == 1
    page.locator("input.entry-input").fill("15")
    page.get_by_role("button", name="保存并报送审核").click()
    page.wait_for_load_state()
    assert page.locator("#sent-state").is_visible()
    assert page.get_by_role("button", name="保存草稿").count() == 0
    assert page.locator("input.entry-input").count() == 0
    assert page.locator("#returned-banner").count() == 0

    # The reviewer: February waiting is shown and marked; March's resent figure, its story.
    log_in(page, live_server, "reviewer", PASSWORD)
    hrss = Department.objects.get(code="hrss")
    page.goto(f"{live_server.url}/review/{hrss.pk}/3/")
    row = page.locator(f"#figure-{returned.pk}")
    assert "待审" in row.locator(".review-pending").inner_text()
    assert "（上月 100）" in row.inner_text()
    assert "退回后重报：12 → 15" in row.inner_text()
    assert "退回意见：与培训台账不符" in row.inner_text()
    no_sideways_scroll(page, f"{live_server.url}/review/{hrss.pk}/3/")

    # The clerk takes March back before review: every cell can be typed in again.
    log_in(page, live_server, "clerk-xunxian", PASSWORD)
    page.goto(f"{live_server.url}/entry/2015/3/")
    page.get_by_role("button", name="撤回").click()
    page.wait_for_load_state()
    assert "已撤回 8 个数据" in page.content()
    assert page.locator("input.entry-input").count() == len(series) == 8
    assert page.locator("#sent-state").count() == 0
    assert page.get_by_role("button", name="保存并报送审核").is_visible()
    assert Submission.objects.filter(month=3, status="draft").count() == 8
