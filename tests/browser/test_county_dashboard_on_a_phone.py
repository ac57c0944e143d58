"""A county's own leader (浚县) on a phone (360 and 390 px), on the demo data: sent from the
city's dashboard to their county's, which fits the screen without sideways scroll, with no
console error and no refused request."""

from __future__ import annotations

import pytest

from targets import services
from targets.models import Membership, Region
from tests.browser.pages import demo_rolled_up, log_in, phone_page, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "county-phone-password"


@pytest.mark.parametrize("width", [360, 390])
def test_a_county_leaders_dashboard_fits_a_phone(
    live_server, browser, request, django_user_model, width
) -> None:
    demo_rolled_up(PASSWORD)
    leader = django_user_model.objects.create_user("leader-xun-phone", password=PASSWORD)
    services.membership_assign(
        user=leader, role=Membership.Role.LEADER, region=Region.objects.get(code="410621")
    )
    page = phone_page(browser, request, width)
    problems = watch_problems(page)
    log_in(page, live_server, "leader-xun-phone", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of=2015-10")
    assert page.url.startswith(f"{live_server.url}/dashboard/county/410621/")
    assert "浚县" in page.locator("h1").inner_text()
    assert page.locator(".goal-card").count() == 4
    assert page.locator(".quota-table tbody tr").count() == 12
    width_now, inner = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width_now <= inner, (width_now, inner)
    assert not problems, problems
