"""A county's own papers on a phone (360 and 390 px): its bulletin, its list of months and its
exports page fit the screen without sideways scroll (demo data; 浚县's leader and auditor)."""

from __future__ import annotations

import pytest

from tests.browser.pages import demo_rolled_up, log_in, phone_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager"),  # load_demo's rollup in process, as on the demo
]

PASSWORD = "county-paper-password"


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


@pytest.mark.parametrize("width", [360, 390])
def test_a_countys_papers_fit_a_phone(live_server, browser, request, width) -> None:
    demo_rolled_up(PASSWORD)  # 浚县's leader and auditor are demo accounts

    page = phone_page(browser, request, width)
    log_in(page, live_server, "leader-410621", PASSWORD)
    page.goto(f"{live_server.url}/bulletins/2015/9/")
    assert "浚县全民技能振兴工程" in page.locator(".bulletin__title").inner_text()
    assert page.locator(".bulletin__issuer").inner_text() == "浚县全民技能振兴工程领导小组办公室"
    _no_sideways_scroll(page)
    page.goto(f"{live_server.url}/bulletins/")
    assert page.locator("h1").inner_text() == "浚县月度通报"
    _no_sideways_scroll(page)

    log_in(page, live_server, "auditor-410621", PASSWORD)
    page.goto(f"{live_server.url}/exports/")
    assert page.locator("#download").is_visible()
    assert "unit=410621" in page.locator("#download").get_attribute("href")
    _no_sideways_scroll(page)

    log_in(page, live_server, "auditor", PASSWORD)  # the city's, choosing a county
    page.goto(f"{live_server.url}/exports/?unit=410621")
    assert page.locator("#export-unit").is_visible()
    _no_sideways_scroll(page)
