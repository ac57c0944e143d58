"""A province's leader (河南省) on a phone (360 and 390 px), on the demo data with a province
plan of test data above it: sent from ``/dashboard/`` to the province's page, which ranks the
cities (鹤壁 rolled up from the demo's figures) and fits the screen without sideways scroll,
with no console error and no refused request."""

from __future__ import annotations

import pytest

from reporting.rollup import rebuild
from targets import services
from targets.models import Membership, Region
from tests.browser.pages import demo_rolled_up, log_in, phone_page, watch_problems
from tests.province import load_province_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "province-phone-password"


@pytest.mark.parametrize("width", [360, 390])
def test_a_province_leaders_page_fits_a_phone(
    live_server, browser, request, django_user_model, width
) -> None:
    plan = demo_rolled_up(PASSWORD)
    load_province_plan()
    rebuild(plan)  # the city's rollup brings the province's with it
    leader = django_user_model.objects.create_user("leader-henan-phone", password=PASSWORD)
    services.membership_assign(
        user=leader, role=Membership.Role.LEADER, region=Region.objects.get(code="410000")
    )
    page = phone_page(browser, request, width)
    problems = watch_problems(page)
    log_in(page, live_server, "leader-henan-phone", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of=2015-10")
    assert page.url.startswith(f"{live_server.url}/dashboard/province/410000/")
    assert "河南省" in page.locator("h1").inner_text()
    training = page.locator('section[data-indicator="training-total"]')
    assert training.locator('tr[data-place="410600"]').count() == 1
    assert "鹤壁市" in training.inner_text()
    width_now, inner = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width_now <= inner, (width_now, inner)
    assert not problems, problems
