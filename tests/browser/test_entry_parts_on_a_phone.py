"""A county's figure broken down by its parts on a 360 px phone: 浚县's clerk opens the page
from the month grid, types each part's figure into inputs large enough not to zoom (16 px),
saves, and is back on the month; the reviewer reads the breakdown in the cell's history. No
sideways scroll, no console error, no refused request."""

from __future__ import annotations

import pytest

from targets import services
from targets.models import Indicator, Region
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in, phone_page, watch_problems, xun_clerk_and_reviewer
from tests.helpers import parts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "parts-phone-password"
WIDTH = 360


def _fits(page, what: str) -> None:
    width, inner = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= inner, (what, width, inner)


def test_the_clerk_breaks_a_figure_down_on_a_phone(
    live_server, browser, request, django_user_model
) -> None:
    plan = load_plan_file()
    clerk, _reviewer = xun_clerk_and_reviewer(django_user_model, PASSWORD)
    parts_for("410621", "示例镇一", "示例镇二", "示例街道一（名称较长的责任单位）")
    figure = services.submission_save(
        actor=clerk,
        indicator=Indicator.objects.get(plan=plan, code="rural-transfer"),
        region=Region.objects.get(code="410621"),
        month=3,
        value=100,
    )
    page = phone_page(browser, request, WIDTH)
    problems = watch_problems(page)
    log_in(page, live_server, "clerk-xunxian", PASSWORD)

    page.goto(f"{live_server.url}/entry/2015/3/")
    page.get_by_role("link", name="乡镇分解").click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == "乡镇（责任单位）分解"
    _fits(page, "parts page")
    inputs = page.locator("form.parts-form input[name^=p-]")
    assert inputs.count() == 3
    sizes = inputs.evaluate_all("(all) => all.map((i) => parseFloat(getComputedStyle(i).fontSize))")
    assert min(sizes) >= 16, sizes
    for field, value in zip(("示例镇一", "示例镇二"), ("60", "30"), strict=True):
        page.get_by_label(field).fill(value)
    page.get_by_label("示例街道一（名称较长的责任单位）").fill("11")
    page.get_by_role("button", name="保存分解").click()
    page.wait_for_load_state()
    assert "与上报数 100 不一致" in page.locator("main").inner_text()  # 101: shown again
    _fits(page, "parts page refused")
    page.get_by_label("示例街道一（名称较长的责任单位）").fill("10")
    page.get_by_role("button", name="保存分解").click()
    page.wait_for_load_state()
    assert page.url.endswith("/entry/2015/3/")
    assert "已保存乡镇（责任单位）分解" in page.locator("main").inner_text()

    log_in(page, live_server, "reviewer", PASSWORD)
    page.goto(f"{live_server.url}/review/cell/{figure.pk}/history/")
    section = page.locator(".history-parts")
    assert "示例镇一" in section.inner_text() and "60" in section.inner_text()
    _fits(page, "history")
    # The refused save answered 400: expected, and the only one.
    assert [p for p in problems if not p.startswith("400 ")] == [], problems
