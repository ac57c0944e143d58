"""The header's navigation for a province's leader (省级领导): their province's page, none of
the city's pages or a county's, and every link it shows opens."""

from __future__ import annotations

import pytest

from tests.helpers import client_for
from tests.test_navigation_county import nav_items

pytestmark = pytest.mark.django_db


def test_a_provinces_leader_is_shown_their_provinces_page_only(
    province_plan, province_leader
) -> None:
    items = nav_items(province_leader)
    dashboards = [item for item in items if item["url_name"].startswith("dashboard")]
    assert [(item["url_name"], item["url"]) for item in dashboards] == [
        ("dashboard-province", "/dashboard/province/410000/")
    ]
    assert [item["url_name"] for item in items] == ["dashboard-province"]


def test_every_link_a_provinces_leader_is_shown_opens(province_plan, province_leader) -> None:
    client = client_for(province_leader)
    for item in nav_items(province_leader):
        assert client.get(item["url"]).status_code == 200, item["url_name"]


def test_the_citys_leader_is_not_shown_the_provinces_page(leader, plan) -> None:
    names = [item["url_name"] for item in nav_items(leader)]
    assert "dashboard" in names and "dashboard-province" not in names
