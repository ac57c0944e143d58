"""The header's navigation for a county's own people (县区人社局): their county's dashboard, and
for a reviewer the review queue; never the city's pages, and every link it shows opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.test_navigation import nav_of

pytestmark = pytest.mark.django_db

# The city's own pages; the bulletins (their county's) and, for an auditor, the exports (their
# county's workbook) are theirs too. The admin reads every county: never a county's people's.
CITY_PAGES = {"dashboard", "notices", "registers", "summaries", "admin:index"}


def nav_items(user: Any) -> list[dict[str, Any]]:
    client = Client()
    client.force_login(user)
    response = client.get("/", follow=True)
    return list(response.context["nav"])


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_a_county_person_is_shown_their_countys_dashboard(county_people, role) -> None:
    person = county_people[role]
    names = [item["url_name"] for item in nav_items(person)]
    assert "dashboard-county" in names
    assert not CITY_PAGES & set(names), names
    dashboard = next(item for item in nav_items(person) if item["url_name"] == "dashboard-county")
    assert dashboard["url"] == "/dashboard/county/410621/"
    assert ("review" in names) == (role == "reviewer")
    assert "bulletins" in names
    assert ("exports" in names) == (role == "auditor")


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_every_link_a_county_person_is_shown_opens_for_them(county_people, role) -> None:
    client = Client()
    client.force_login(county_people[role])
    for item in nav_items(county_people[role]):
        response = client.get(item["url"], follow=True)
        assert response.status_code == 200, (role, item["url_name"], response.status_code)


def test_a_county_leader_starts_on_their_countys_dashboard(county_people) -> None:
    client = Client()
    client.force_login(county_people["leader"])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/county/410621/"
    active = [item["url_name"] for item in response.context["nav"] if item["active"]]
    assert active == ["dashboard-county"]


def test_the_citys_people_are_not_shown_a_county_entry(leader, reviewer, plan) -> None:
    for person in (leader, reviewer):
        names = nav_of(person)
        assert "dashboard" in names and "dashboard-county" not in names
