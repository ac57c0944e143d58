"""The report status page (报送情况与催报) is the city's: every county's gaps and the city's
rates. A county's reviewer is refused it and is not shown links to it (or to the notices) on
the review page, which lists their county's gaps itself."""

from __future__ import annotations

import pytest

from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_it_checks_the_county_people(plan, county_people, reviewer, leader) -> None:
    for person in county_people.values():
        assert client_for(person).get("/review/reports/").status_code == 403
    for person in (reviewer, leader):
        assert client_for(person).get("/review/reports/").status_code == 200


def test_a_county_reviewer_is_shown_no_link_to_the_citys_pages(plan, county_people) -> None:
    response = client_for(county_people["reviewer"]).get("/review/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/review/reports/' not in page
    assert 'href="/review/notices/' not in page


def test_the_citys_reviewer_keeps_them(plan, reviewer) -> None:
    page = client_for(reviewer).get("/review/").content.decode()
    assert 'href="/review/reports/' in page
    assert 'href="/review/notices/' in page
