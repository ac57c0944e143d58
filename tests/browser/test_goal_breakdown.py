"""The dashboard's goal breakdown on a phone (375 px): visible, and it fits without scrolling."""

from __future__ import annotations

import pytest

from tests.browser.pages import demo_rolled_up, log_in, phone_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager"),  # load_demo's rollup in process, as on the demo
]

PASSWORD = "breakdown-password"


def test_goal_breakdown_fits_a_phone(live_server, browser, request) -> None:
    demo_rolled_up(PASSWORD)
    page = phone_page(browser, request, 375)
    log_in(page, live_server, "leader", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/")
    own = page.locator('[data-breakdown="training-total"] tr.goal-breakdown__own')
    assert own.locator("th").inner_text().startswith("其他职业技能培训")
    assert own.locator(".breakdown-target").inner_text() == "8,550"
    # The breakdown fits the screen as it is: no sideways scroll, not even inside its box.
    box = page.locator('[data-breakdown="training-total"]')
    right = box.evaluate("e => e.getBoundingClientRect().right")
    inner = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert right <= 375
    assert inner[0] <= inner[1], inner
