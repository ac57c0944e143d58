"""Two-level review in Chromium: a 浚县 clerk sends, the 浚县 reviewer approves, the city's
reviewer accepts, and the 浚县 leader sees the figures on the county's own dashboard, not
before the city has accepted them."""

from __future__ import annotations

import pytest

from targets import services
from targets.models import Membership, Plan, Region, Submission
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in, xun_clerk_and_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "two-level-password"
AS_OF = "?year=2015&as_of=2015-03"


def county_person(django_user_model, username: str, role: str) -> None:
    user = django_user_model.objects.create_user(username, password=PASSWORD)
    services.membership_assign(user=user, role=role, region=Region.objects.get(code="410621"))


@pytest.mark.usefixtures("eager")  # approvals roll up in the live server's thread
def test_a_county_figure_goes_through_both_levels_to_the_county_dashboard(
    live_server, page, django_user_model
) -> None:
    load_plan_file()
    Plan.objects.filter(year=2015).update(review_levels=2)
    xun_clerk_and_reviewer(django_user_model, PASSWORD)
    county_person(django_user_model, "reviewer-410621", Membership.Role.REVIEWER)
    county_person(django_user_model, "leader-410621", Membership.Role.LEADER)

    # The 浚县 clerk sends March.
    log_in(page, live_server, "clerk-xunxian", PASSWORD)
    page.goto(f"{live_server.url}/entry/2015/3/")
    inputs = page.locator("input.entry-input")
    for index in range(inputs.count()):
        inputs.nth(index).fill("4321")
    page.get_by_role("button", name="保存并报送审核").click()
    page.wait_for_load_state()
    assert Submission.objects.filter(status="submitted").count() == 8

    # The city's reviewer sees them coming, but they are the county's to approve first.
    log_in(page, live_server, "reviewer", PASSWORD)
    page.goto(f"{live_server.url}/review/")
    assert "另有 8 条县区数据已报送，正在等待县区审核员审核" in page.content()

    # 浚县's reviewer approves them: approved by the county, not counted yet.
    log_in(page, live_server, "reviewer-410621", PASSWORD)
    page.goto(f"{live_server.url}/review/")
    assert "审核（浚县）" in page.content()
    page.get_by_role("link", name="人力资源社会保障局 3月：8 条待审核").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="全部审核通过（8 条）").click()
    page.wait_for_load_state()
    assert "县区审核通过 8 条数据，待市人社局确认后计入统计。" in page.content()
    assert Submission.objects.filter(status="verified", is_counted=False).count() == 8

    # The 浚县 leader: the county's dashboard does not count them yet.
    log_in(page, live_server, "leader-410621", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/{AS_OF}")
    page.wait_for_url("**/dashboard/county/410621/**")
    assert "4,321" not in page.locator("main").inner_text()

    # The city's reviewer accepts them.
    log_in(page, live_server, "reviewer", PASSWORD)
    page.goto(f"{live_server.url}/review/")
    page.get_by_role("link", name="人力资源社会保障局 3月：8 条待审核").click()
    page.wait_for_load_state()
    assert "县区已审核（reviewer-410621）" in page.content()
    page.get_by_role("button", name="全部审核通过（8 条）").click()
    page.wait_for_load_state()
    assert Submission.objects.filter(status="approved", is_counted=True).count() == 8

    # The 浚县 leader now sees them on the county's own dashboard, and nothing of the city's.
    log_in(page, live_server, "leader-410621", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/{AS_OF}")
    page.wait_for_url("**/dashboard/county/410621/**")
    main = page.locator("main").inner_text()
    assert "浚县" in main and "4,321" in main
    refused = page.goto(f"{live_server.url}/dashboard/county/410611/{AS_OF}")
    assert refused.status in (403, 404)
