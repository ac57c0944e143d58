"""The bulletin on paper (A4, nothing clipped) and on a phone (390 px, no sideways scroll)."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import demo_rolled_up, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager"),  # load_demo's rollup in process, as on the demo
]

PASSWORD = "bulletin-password"
# A4 less the margins of print.css (GB/T 9704: 28 mm left, 26 mm right): 156 mm in CSS px.
TEXT_BLOCK_PX = 156 / 25.4 * 96

WIDEST = """() => {
  const widest = [document.documentElement.scrollWidth];
  for (const element of document.querySelectorAll('#bulletin, #bulletin *')) {
    widest.push(Math.ceil(element.getBoundingClientRect().right));
  }
  return Math.max(...widest);
}"""


@pytest.fixture
def september(live_server, page):
    demo_rolled_up(PASSWORD)
    log_in(page, live_server, "leader", PASSWORD)
    page.goto(f"{live_server.url}/bulletins/2015/9/")
    return page


def test_the_printed_bulletin_fits_a4(september) -> None:
    page = september
    page.set_viewport_size({"width": round(TEXT_BLOCK_PX), "height": 1100})
    page.emulate_media(media="print")

    assert page.evaluate(WIDEST) <= TEXT_BLOCK_PX + 1
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("#bulletin-publish").is_visible()
    assert page.locator(".bulletin__number").inner_text() == "第1期（草稿）"

    pdf = page.pdf(format="A4", prefer_css_page_size=True)

    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(
        (round(float(w)), round(float(h))) == (595, 842) for w, h in boxes
    )  # A4 in points
    assert len(boxes) >= 2  # the September text runs over more than one page


def test_the_bulletin_reads_at_390_px_without_sideways_scroll(september) -> None:
    page = september
    page.set_viewport_size({"width": 390, "height": 844})

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(WIDEST) <= 390
    assert page.locator(".bulletin__title").is_visible()
