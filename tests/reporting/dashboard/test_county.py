"""A county's dashboard (``/dashboard/county/<code>/``): the city's readers open every county's,
a county's own people (县区人社局) theirs only, sent there from ``/dashboard/``; its numbers are
the county's alone, judged as the city's are, and equal the progress API's county document."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from reporting.rollup import rebuild
from targets import completeness
from targets.models import Indicator, Region
from targets.services import submission_approve, submission_save, submission_submit
from tests.helpers import client_for
from tests.reporting.dashboard.pages import page_text

pytestmark = pytest.mark.django_db

XUN = "/dashboard/county/410621/"
COUNTY_ROLES = ["reviewer", "leader", "auditor"]


@pytest.fixture(params=COUNTY_ROLES)
def county_person(request: Any, county_people: dict[str, Any]) -> Any:
    """Each of 浚县's own people in turn."""
    return county_people[request.param]


def rows_of(response: Any) -> dict[str, Any]:
    return {row.code: row for row in response.context["rows"]}


def goals_of(response: Any) -> dict[str, Any]:
    return {goal.code: goal for goal in response.context["goals"]}


def county_document(client: Client, as_of: str, unit: str | None = "410621") -> dict[str, Any]:
    query = {"as_of": as_of} | ({"unit": unit} if unit else {})
    response = client.get("/api/progress/2015/", query)
    assert response.status_code == 200, response.content
    return response.json()


# Who opens it ---------------------------------------------------------------------------------


def test_the_city_dashboard_sends_a_county_person_to_their_county(
    xun_figures, county_person
) -> None:
    response = client_for(county_person).get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == XUN


def test_the_redirect_keeps_the_year_month_and_comparison(xun_figures, county_person) -> None:
    query = {"year": "2015", "as_of": "2015-02", "compare": "none", "department": "hrss"}
    response = client_for(county_person).get("/dashboard/", query)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == XUN
    assert parse_qs(location.query) == {"year": ["2015"], "as_of": ["2015-02"], "compare": ["none"]}
    assert client_for(county_person).get(response["Location"]).status_code == 200


def test_the_city_readers_still_get_the_city_dashboard(xun_figures, leader, reviewer) -> None:
    for person in (leader, reviewer):
        response = client_for(person).get("/dashboard/")
        assert response.status_code == 200
        # the city's page, not a county's
        assert "reporting/dashboard.html" in [t.name for t in response.templates]


def test_a_county_person_opens_their_county(xun_figures, county_person) -> None:
    response = client_for(county_person).get(XUN, {"as_of": "2015-02"})
    assert response.status_code == 200
    assert response.context["region"].code == "410621"
    assert response.context["city_pages"] is False
    assert "浚县进度看板" in page_text(response)


@pytest.mark.parametrize("code", ["410611", "410622", "410601"])
def test_it_checks_the_county(xun_figures, county_person, code) -> None:
    """Another county (or 市直) is refused: 403, as the API's ``unit`` (codes are public)."""
    response = client_for(county_person).get(f"/dashboard/county/{code}/")
    assert response.status_code == 403
    assert "淇滨区" not in page_text(response)


@pytest.mark.parametrize("code", ["999999", "410600", "abc"])
def test_an_unknown_county_is_404_for_everyone(xun_figures, county_person, leader, code) -> None:
    assert client_for(county_person).get(f"/dashboard/county/{code}/").status_code == 404
    assert client_for(leader).get(f"/dashboard/county/{code}/").status_code == 404


def test_clerks_are_refused_before_any_county_is_looked_up(xun_figures, make_user) -> None:
    county_clerk = make_user("clerk", "hrss", "410621")
    for code in ("410621", "999999"):
        assert client_for(county_clerk).get(f"/dashboard/county/{code}/").status_code == 403


@pytest.mark.parametrize(
    "name,args",
    [
        ("dashboard-quota", ["rural-transfer"]),
        ("dashboard-department", ["hrss"]),
        ("dashboard-workitem", ["three-matchings"]),
        ("summaries", []),
        ("notices", []),
        ("report-status", []),
    ],
)
def test_the_citys_pages_are_refused(xun_figures, county_person, name, args) -> None:
    assert client_for(county_person).get(reverse(name, args=args)).status_code == 403


# What it shows --------------------------------------------------------------------------------


def test_the_countys_own_numbers(xun_figures, county_person) -> None:
    response = client_for(county_person).get(XUN, {"as_of": "2015-02"})
    rows = rows_of(response)
    assert len(rows) == 12
    assert {row.region_code for row in rows.values()} == {"410621"}
    rural = rows["rural-transfer"]
    assert (rural.target, rural.actual, rural.completion) == (5000, 700, 0.14)
    assert (rows["in-service"].target, rows["in-service"].actual) == (4000, 1000)
    assert rows["reemployment"].target is None  # not split to 浚县: no county target
    assert rows["veterans-awareness"].actual == 0.9  # 18/20, not 淇滨区's 10/40
    goals = goals_of(response)
    # 浚县's training: its quotas' figures and those reported against the goal itself.
    assert goals["training-total"].actual == 400 + 300 + 1000 + 200
    assert goals["training-total"].target is None  # the goal is not split to counties
    assert goals["vocational-enrolment"].actual == 3500  # the level, not 3,000 + 3,500
    # The month's reports in the header are 浚县's: 17 series, 4 of them approved.
    assert response.context["reported"] == completeness.Reported(expected=17, approved=4)
    assert response.context["elapsed"] == 2 / 12


def test_the_page_shows_what_the_api_gives_for_the_county(xun_figures, county_person) -> None:
    client = client_for(county_person)
    response = client.get(XUN, {"as_of": "2015-02"})
    document = county_document(client, "2015-02")
    rows, goals = rows_of(response), goals_of(response)
    assert [quota["code"] for quota in document["quotas"]] == list(rows)
    for quota in document["quotas"]:
        row = rows[quota["code"]]
        shown = (row.target, row.actual, row.completion, row.status, row.projected)
        assert shown == tuple(
            quota[key] for key in ("target", "actual", "completion", "status", "projected")
        ), quota["code"]
        assert row.reported.as_dict() == quota["reported"]
    assert [goal["code"] for goal in document["goals"]] == list(goals)
    for goal in document["goals"]:
        card = goals[goal["code"]]
        assert (card.target, card.actual, card.status) == (
            goal["target"],
            goal["actual"],
            goal["status"],
        )
    assert document["reported"] == response.context["reported"].as_dict()


def test_a_county_whose_month_is_not_all_approved_is_pending(
    plan, xun_figures, figure, complete, county_person
) -> None:
    figure("reemployment", "410621", 2, 50, status="submitted")  # waiting for review
    complete(2)
    rebuild(plan)
    client = client_for(county_person)
    response = client.get(XUN, {"as_of": "2015-02"})
    rows = rows_of(response)
    assert rows["reemployment"].status == "pending"
    assert rows["rural-transfer"].status == "amber"  # 14 % of 5,000 against 16.7 %: judged
    assert rows["in-service"].status == "green"  # 25 %
    assert goals_of(response)["training-total"].status == "pending"  # fed by reemployment
    page = page_text(response)
    assert re.search(r'data-quota="reemployment".*?status--pending">待报<', page, re.S)
    document = county_document(client, "2015-02")
    statuses = {quota["code"]: quota["status"] for quota in document["quotas"]}
    assert (statuses["reemployment"], statuses["rural-transfer"]) == ("pending", "amber")
    goals = {goal["code"]: goal["status"] for goal in document["goals"]}
    assert goals["training-total"] == "pending"


def test_a_county_row_waits_for_its_own_missing_report(
    xun_figures, complete, county_person, leader
) -> None:
    complete(2, leave=(("in-service", "410622"), ("new-farmers", "410621")))
    rows = rows_of(client_for(county_person).get(XUN, {"as_of": "2015-02"}))
    assert rows["in-service"].status == "green", "淇县's missing report is not 浚县's"
    assert rows["new-farmers"].status == "pending"
    city = client_for(leader).get("/dashboard/", {"as_of": "2015-02"})
    city_rows = {row.record.code: row.record for row in city.context["table"].rows}
    assert city_rows["in-service"].status == "pending", "the city's row waits for 淇县"


def test_under_two_levels_the_countys_approval_alone_does_not_count(
    xun_figures, two_levels, county_clerk, county_people, reviewer
) -> None:
    assert two_levels.review_levels == 2
    rural = Indicator.objects.get(plan=two_levels, code="rural-transfer")
    xun = Region.objects.get(code="410621")
    figure = submission_save(actor=county_clerk, indicator=rural, region=xun, month=3, value=600)
    submission_submit(actor=county_clerk, submission=figure)
    submission_approve(actor=county_people["reviewer"], submission=figure)
    rebuild(two_levels)
    client = client_for(county_people["leader"])

    def shown() -> tuple[int, int, str | None]:
        row = rows_of(client.get(XUN, {"as_of": "2015-03"}))["rural-transfer"]
        quota = next(
            q for q in county_document(client, "2015-03")["quotas"] if q["code"] == "rural-transfer"
        )
        assert quota["actual"] == row.actual
        return row.actual, row.reported.approved, row.status

    assert shown() == (700, 0, "pending"), "approved by the county only: not counted"
    submission_approve(actor=reviewer, submission=figure)
    rebuild(two_levels)
    assert shown()[:2] == (1300, 1), "accepted by the city: counted"


# Links ----------------------------------------------------------------------------------------


def _links(page: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'<a [^>]*href="([^"#]+)"', page)]


def test_every_link_a_county_person_is_shown_opens_for_them(xun_figures, county_person) -> None:
    client = client_for(county_person)
    response = client.get(XUN, {"as_of": "2015-02"})
    links = _links(page_text(response))
    assert links
    for link in links:
        if link.startswith("?"):
            link = XUN + link
        answer = client.get(link, follow=True)
        assert answer.status_code == 200, (link, answer.status_code)
    # The bulletins and exports pages are theirs too (their county's: test_bulletin_county_pages,
    # test_exports_county_views); the drill-downs are the city's.
    city_only = ("/dashboard/quota/", "/dashboard/department/")
    assert not [link for link in links if link.startswith(city_only)]
    assert not [link for link in links if urlsplit(link).path == "/dashboard/"]


def test_the_city_readers_keep_the_links_to_the_citys_pages(xun_figures, leader) -> None:
    page = page_text(client_for(leader).get(XUN, {"as_of": "2015-02"}))
    assert 'href="/dashboard/?year=2015&amp;as_of=2015-02"' in page
    assert 'href="/dashboard/quota/rural-transfer/?year=2015&amp;as_of=2015-02"' in page
