"""GET /api/progress/<year>/?unit=<code>: one organisation unit's document (CONTRACT.md), in the
city's shape, for the city's readers and that county's own people (县区人社局)."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.rollup import rebuild
from tests.helpers import client_for
from tests.reporting.items import TRAINING_QUOTAS
from tests.reporting.test_api import CHINESE, GOALS, RATES, assert_error, by_code, regions_of

pytestmark = pytest.mark.django_db

URL = "/api/progress/2015/"
XUN = {"code": "410621", "name": "浚县"}
CITY = {"code": "410600", "name": "鹤壁市"}
SAME_KEYS = ("target", "actual", "completion", "status", "projected", "reported")


@pytest.fixture(params=["reviewer", "leader", "auditor"])
def county_person(request: Any, county_people: dict[str, Any]) -> Any:
    """Each of 浚县's own people in turn."""
    return county_people[request.param]


def get(user: Any, **query: str) -> Any:
    return client_for(user).get(URL, {"as_of": "2015-02", **query})


# The document -------------------------------------------------------------------------------


def test_a_countys_document_has_the_citys_shape(xun_figures, reviewer) -> None:
    city = get(reviewer).json()
    county = get(reviewer, unit="410621").json()
    assert set(county) == set(city)
    assert county["unit"] == XUN and city["unit"] == CITY
    assert (county["plan"], county["as_of"], county["time_elapsed"]) == (
        city["plan"],
        "2015-02",
        city["time_elapsed"],
    )
    assert [goal["code"] for goal in county["goals"]] == GOALS
    assert [quota["code"] for quota in county["quotas"]] == TRAINING_QUOTAS + RATES
    for quota in county["quotas"]:
        assert set(quota) == set(by_code(city["quotas"])[quota["code"]]), quota["code"]
        assert quota["regions"] == [], "a county has no parts recorded: no townships"
    for goal in county["goals"]:
        assert "unallocated" not in goal  # the city's question


def test_a_countys_quotas_are_its_rows_of_the_citys(xun_figures, reviewer) -> None:
    """Each quota of the county's document is the county's row of the city's document."""
    city = by_code(get(reviewer).json()["quotas"])
    county = get(reviewer, unit="410621").json()
    for quota in county["quotas"]:
        row = regions_of(city[quota["code"]])["410621"]
        assert {key: quota[key] for key in SAME_KEYS} == {key: row[key] for key in SAME_KEYS}
        assert quota["expected"] == city[quota["code"]]["expected"]


def test_the_countys_numbers_by_hand(xun_figures, reviewer) -> None:
    body = get(reviewer, unit="410621").json()
    quotas, goals = by_code(body["quotas"]), by_code(body["goals"])
    rural = quotas["rural-transfer"]
    assert (rural["target"], rural["actual"], rural["completion"]) == (5000, 700, 0.14)
    assert rural["reported"] == {"expected": 1, "approved": 1}
    assert quotas["in-service"]["target"] == 4000
    assert quotas["reemployment"]["target"] is None  # not split to 浚县
    awareness = quotas["veterans-awareness"]
    assert (awareness["actual"], awareness["numerator"], awareness["denominator"]) == (0.9, 18, 20)
    assert awareness["target"] == 1.0
    training = goals["training-total"]
    assert training["actual"] == 400 + 300 + 1000 + 200  # its quotas and itself, in 浚县
    assert (training["target"], training["completion"]) == (None, None)
    assert goals["vocational-enrolment"]["actual"] == 3500  # a level: February's, not a sum
    # 浚县's reports of February: 17 series in one county, 4 approved.
    assert body["reported"] == {"expected": 17, "approved": 4}


def test_the_county_is_judged_by_its_own_reports(xun_figures, complete, reviewer) -> None:
    """淇县's missing report leaves the city's row pending, not 浚县's; 浚县's own does."""
    complete(2, leave=(("in-service", "410622"), ("new-farmers", "410621")))
    county = by_code(get(reviewer, unit="410621").json()["quotas"])
    city = by_code(get(reviewer).json()["quotas"])
    assert county["in-service"]["status"] == "green"  # 1,000 of 4,000 by February
    assert city["in-service"]["status"] == "pending"
    assert county["new-farmers"]["status"] == "pending"
    assert county["rural-transfer"]["status"] == "amber"


def test_a_row_whose_reports_are_not_all_approved_is_pending(xun_figures, reviewer) -> None:
    quotas = by_code(get(reviewer, unit="410621").json()["quotas"])
    for quota in quotas.values():
        reported = quota["reported"]
        waiting = reported["approved"] < reported["expected"]
        assert (quota["status"] == "pending") == waiting, quota["code"]
    assert quotas["reemployment"]["status"] == "pending"  # nothing sent for February
    assert quotas["rural-transfer"]["status"] == "amber"  # 浚县's one report is approved


def test_a_countys_goal_adds_its_quotas_as_they_are_approved(
    plan, xun_figures, figure, reviewer
) -> None:
    figure("reemployment", "410621", 2, 50, status="submitted")  # not approved: not counted
    figure("entrepreneurship", "410621", 2, 30)
    figure("entrepreneurship", "410611", 2, 70)  # 淇滨区's: not 浚县's
    rebuild(plan)
    body = get(reviewer, unit="410621").json()
    assert by_code(body["goals"])["training-total"]["actual"] == 1900 + 30
    assert by_code(body["quotas"])["reemployment"]["actual"] == 0


# Who may read which unit ----------------------------------------------------------------------


def test_the_city_for_city_readers_with_or_without_unit(xun_figures, leader, auditor) -> None:
    for person in (leader, auditor):
        plain, city = get(person).json(), get(person, unit="410600").json()
        assert plain == city
        assert plain["unit"] == CITY
        assert len(plain["quotas"][0]["regions"]) == 6


def test_a_county_person_gets_their_county_without_unit(xun_figures, county_person) -> None:
    plain = get(county_person)
    assert plain.status_code == 200
    assert plain.json()["unit"] == XUN
    assert plain.json() == get(county_person, unit="410621").json()


@pytest.mark.parametrize("unit", ["410611", "410622", "410601", "410600"])
def test_it_checks_the_county(xun_figures, county_person, unit) -> None:
    response = get(county_person, unit=unit)
    assert_error(response, 403)
    assert "浚县" in response.json()["error"]


def test_city_readers_read_every_county(xun_figures, leader) -> None:
    for code in ("410611", "410601"):
        assert get(leader, unit=code).json()["unit"]["code"] == code
    qibin = by_code(get(leader, unit="410611").json()["quotas"])
    assert qibin["rural-transfer"]["actual"] == 3500


@pytest.mark.parametrize("unit", ["999999", "410699", "100000"])
def test_an_unknown_unit_is_404(xun_figures, leader, county_person, unit) -> None:
    assert_error(get(leader, unit=unit), 404)
    assert_error(get(county_person, unit=unit), 404)


@pytest.mark.parametrize(
    "unit", ["abc", "41062", "4106211", "041062", "410621 ", "４１０６２１", "410621\n"]
)
def test_a_malformed_unit_is_400(xun_figures, leader, unit) -> None:
    response = get(leader, unit=unit)
    assert_error(response, 400)
    assert "410621" in response.json()["error"]  # the example


def test_clerks_are_refused_with_or_without_unit(xun_figures, make_user) -> None:
    for clerk in (make_user("clerk", "hrss"), make_user("clerk", "hrss", "410621")):
        assert_error(get(clerk), 403)
        assert_error(get(clerk, unit="410621"), 403)


def test_anonymous_is_asked_to_log_in(xun_figures, client) -> None:
    response = client.get(URL, {"unit": "410621"})
    assert response.status_code == 401
    assert CHINESE.search(response.json()["error"])
