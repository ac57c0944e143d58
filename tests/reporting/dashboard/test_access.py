"""Who may open the dashboard's pages, what they refuse, and the as-of month they show."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers import client_for
from tests.reporting.dashboard.pages import URLS, page_text

pytestmark = pytest.mark.django_db

# Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["leader", "reviewer", "auditor", "administrator"])
def test_dashboard_roles_may_open_every_page(figures, make_user, role, url) -> None:
    assert client_for(make_user(role)).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_superuser_may_open_every_page(figures, django_user_model, url) -> None:
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert client_for(admin).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_it_checks_the_role(figures, make_user, url) -> None:
    assert client_for(make_user("clerk", department="hrss")).get(url).status_code == 403
    assert client_for(make_user("clerk", "hrss", "410621")).get(url).status_code == 403
    assert client_for(make_user(None)).get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_the_login(figures, url) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_only_get(figures, leader) -> None:
    assert client_for(leader).post("/dashboard/").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/quota/no-such-quota/",
        "/dashboard/quota/training-total/",  # a goal, not a quota
        "/dashboard/quota/veterans-eligible/",  # a count series
        "/dashboard/county/410600/",
        "/dashboard/county/abc/",
        "/dashboard/department/no-such-department/",
    ],
)
def test_unknown_codes_are_404(figures, leader, url) -> None:
    assert client_for(leader).get(url).status_code == 404


# As-of month ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("as_of", ["2015-13", "2014-09", "abc", "2015-9", "2015-00"])
def test_bad_as_of_is_a_chinese_400_page(figures, leader, url, as_of) -> None:
    response = client_for(leader).get(url, {"as_of": as_of})
    assert response.status_code == 400
    page = page_text(response)
    assert "截止月份" in page
    assert "<html" in page


def test_default_as_of_is_the_latest_reported_month(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/")
    assert response.context["month"] == 4
    assert 'value="2015-04" selected' in page_text(response)


def test_as_of_changes_the_numbers(figures, leader) -> None:
    client = client_for(leader)
    goals = {}
    for as_of in ("2015-01", "2015-02", "2015-04"):
        response = client.get("/dashboard/", {"as_of": as_of})
        goals[as_of] = {g.code: g.actual for g in response.context["goals"]}
    assert goals["2015-01"]["training-total"] == 1000
    assert goals["2015-02"]["training-total"] == 1000 + 300 + 2300 + 2000
    assert goals["2015-04"]["training-total"] == 1000 + 300 + 2300 + 2000 + 500 + 900
    assert goals["2015-01"]["vocational-enrolment"] == 10000
    assert goals["2015-04"]["vocational-enrolment"] == 12000 + 8000  # levels, not sums
