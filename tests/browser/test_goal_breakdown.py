"""The dashboard's goal breakdown on a phone (375 px): visible, and it fits without scrolling."""

from __future__ import annotations

import pytest

from reporting.rollup import rebuild
from skills_plan.celery import app
from targets.demo import load_demo
from targets.services.plan_definition import load_plan_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "breakdown-password"


def test_goal_breakdown_fits_a_phone(live_server, browser, request) -> None:
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # load_demo's rollup in process, as on the demo
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", eager))
    plan = load_plan_file()
    load_demo(plan, PASSWORD)
    rebuild(plan)
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
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
