"""Pending on a phone (390 px): the dashboard's header count and 待报 rows, and the notices
page with its 催报 list, fit the screen without sideways scroll (demo data, October)."""

from __future__ import annotations

import pytest

from tests.browser.pages import demo_rolled_up, log_in, phone_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager"),  # load_demo's rollup in process, as on the demo
]

PASSWORD = "pending-password"
WIDTH = 390


def _sign_in(browser, live_server, request, username: str):
    page = phone_page(browser, request, WIDTH)
    log_in(page, live_server, username, PASSWORD)
    return page


def _no_sideways_scroll(page) -> None:
    # The page itself: wide tables scroll inside their own box (.table-wrap).
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


def test_pending_fits_a_phone(live_server, browser, request) -> None:
    demo_rolled_up(PASSWORD)

    page = _sign_in(browser, live_server, request, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    header = page.locator(".as-of-line")
    assert header.inner_text().startswith("截至2015年10月 · 已审核 35/102 份")
    assert page.locator(".quota-table .status--pending").count() > 0
    assert page.locator(".quota-table .status--red").count() == 0
    _no_sideways_scroll(page)

    page = _sign_in(browser, live_server, request, "reviewer")
    page.goto(f"{live_server.url}/review/notices/")
    assert page.locator("#reminders").is_visible()
    _no_sideways_scroll(page)
