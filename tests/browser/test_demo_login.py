"""Every demo account of CONTRACT.md logs in through the real login form and lands on its page."""

from __future__ import annotations

import pytest

from tests.demo_snapshot import demo_rolled_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-2015"
LANDING = {
    "admin": "/admin/",
    "leader": "/dashboard/",
    "reviewer": "/review/",
    "auditor": "/exports/",
    "clerk-hrss": "/entry/",
    "clerk-edu": "/entry/",
    "clerk-agri": "/entry/",
    "clerk-poverty": "/entry/",
    "clerk-civil": "/entry/",
    "clerk-disabled": "/entry/",
    "clerk-hrss-410621": "/entry/",
}


def test_every_demo_account_logs_in_and_lands_on_its_page(live_server, page) -> None:
    demo_rolled_up(PASSWORD)
    for username, landing in LANDING.items():
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/")
        assert page.url.startswith(f"{live_server.url}/accounts/login/"), username
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_url(f"{live_server.url}{landing}**")
        assert page.url.split("?")[0] == f"{live_server.url}{landing}", username
        assert "demo-2015" not in page.content()


def test_wrong_password_is_refused_in_chinese(live_server, page, django_user_model) -> None:
    django_user_model.objects.create_user("leader", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "wrong-password")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert "请输入一个正确的" in page.content()
