"""GET /api/progress/<year>/?as_of=YYYY-MM: the shape CONTRACT.md promises, numbers by hand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.rollup import rebuild
from tests.reporting.items import TRAINING_QUOTAS

pytestmark = pytest.mark.django_db

URL = "/api/progress/2015/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
COUNTIES = [  # in the plan's order (fixtures/plan-2015.json)
    ("410602", "鹤山区"),
    ("410603", "山城区"),
    ("410611", "淇滨区"),
    ("410621", "浚县"),
    ("410622", "淇县"),
    ("410601", "市直"),  # city-level units, after the counties
]
GOALS = ["training-total", "vocational-enrolment", "high-skill-talent", "skill-appraisal"]
RATES = [
    "veterans-awareness",
    "veterans-registration",
    "veterans-participation",
    "veterans-pass",
]
ITEM_KEYS = {"code", "name", "kind", "unit", "target", "actual", "completion", "status"}
ITEM_KEYS |= {"projected"}


@pytest.fixture
def reader(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def march(plan, figure, split) -> None:
    """A few figures in every state, rolled up; the numbers the tests expect follow from these."""
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410611", 3, 500)
    figure("rural-transfer", "410611", 4, 900)  # after the as-of month
    figure("rural-transfer", "410621", 2, 300, status="submitted")
    figure("rural-transfer", "410622", 3, 200, status="draft")
    figure("rural-transfer", "410603", 3, 100, status="returned")
    figure("training-total", "410602", 2, 2000)  # reported for the goal itself
    figure("rain-dew", "410622", 3, 400)
    figure("vocational-enrolment", "410611", 1, 10000)
    figure("vocational-enrolment", "410611", 3, 12000)
    figure("vocational-enrolment", "410621", 2, 8000)
    figure("veterans-registered", "410611", 2, 8)
    figure("veterans-trained", "410611", 3, 7)
    split("rural-transfer", "410621", 6000)
    rebuild(plan)


@pytest.fixture
def rolled_up(plan, figure) -> None:
    """One approved figure, rolled up once for every example of a hypothesis test."""
    figure("rural-transfer", "410611", 1, 1000)
    rebuild(plan)


def by_code(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in items}


def regions_of(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {region["code"]: region for region in item["regions"]}


def assert_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("error"), str)
    assert CHINESE.search(body["error"]), body["error"]


class TestShape:
    def test_document(self, march, reader) -> None:
        response = reader.get(URL, {"as_of": "2015-03"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"plan", "unit", "as_of", "time_elapsed", "reported", "goals", "quotas"}
        assert body["unit"] == {"code": "410600", "name": "鹤壁市"}  # without ?unit=, the city
        # March: 102 reports expected (17 series × 5 counties and 市直), 4 of them approved.
        assert body["reported"] == {"expected": 102, "approved": 4}
        assert body["plan"] == {
            "year": 2015,
            "doc_number": "鹤政办〔2015〕39号",
            "title": "鹤壁市2015年深入实施全民技能振兴工程工作方案",
        }
        assert body["as_of"] == "2015-03"
        assert body["time_elapsed"] == 0.25

    def test_goals_and_quotas_in_plan_order(self, march, reader) -> None:
        body = reader.get(URL, {"as_of": "2015-03"}).json()

        assert [goal["code"] for goal in body["goals"]] == GOALS
        assert [quota["code"] for quota in body["quotas"]] == TRAINING_QUOTAS + RATES
        for item in body["goals"] + body["quotas"]:
            assert set(item) >= ITEM_KEYS, item["code"]
        for quota in body["quotas"]:
            assert quota["department"]
            assert [(r["code"], r["name"]) for r in quota["regions"]] == COUNTIES
            for region in quota["regions"]:
                assert {"code", "name", "target", "actual"} <= set(region)

    def test_kinds_units_and_departments(self, march, reader) -> None:
        body = reader.get(URL, {"as_of": "2015-03"}).json()
        goals, quotas = by_code(body["goals"]), by_code(body["quotas"])

        assert (goals["training-total"]["kind"], goals["training-total"]["unit"]) == (
            "flow",
            "人次",
        )
        assert goals["vocational-enrolment"]["kind"] == "stock"
        assert quotas["rural-transfer"]["department"] == "人力资源社会保障局"
        assert quotas["rain-dew"]["department"] == "扶贫办"
        assert quotas["disabled"]["department"] == "残联"
        assert quotas["veterans-pass"]["department"] == "民政局"
        assert {quotas[code]["kind"] for code in RATES} == {"rate"}


class TestNumbers:
    def test_flow_quota(self, march, reader) -> None:
        quota = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["quotas"])["rural-transfer"]

        # Approved: Jan 1000 + Mar 500 in 淇滨区; April, the draft, the submitted and the
        # returned figures do not count.
        assert quota["target"] == 20000
        assert quota["actual"] == 1500
        assert quota["completion"] == 0.075  # 1500 / 20000
        assert quota["projected"] == 6000  # 1500 × 12 / 3
        # 7.5 % against 25 % expected would be red, but only 淇滨区's March report of the five
        # is approved (a draft, a returned one, three not sent): not judged.
        assert quota["status"] == "pending"
        assert quota["reported"] == {"expected": 6, "approved": 1}
        counties = regions_of(quota)
        assert counties["410611"]["reported"] == {"expected": 1, "approved": 1}
        assert counties["410611"]["status"] is None  # judged, but no split target: no colour
        assert counties["410603"]["reported"] == {"expected": 1, "approved": 0}
        assert counties["410603"]["status"] == "pending"  # returned
        assert counties["410611"]["actual"] == 1500
        assert counties["410611"]["target"] is None  # no split target
        assert counties["410621"]["target"] == 6000
        assert counties["410621"]["actual"] == 0  # its February figure is only submitted
        assert counties["410622"]["actual"] == 0  # a draft
        assert counties["410603"]["actual"] == 0  # returned

    def test_county_with_a_split_target(self, plan, figure, reader, split) -> None:
        split("rural-transfer", "410621", 6000)
        figure("rural-transfer", "410621", 1, 900)
        figure("rural-transfer", "410621", 3, 600)
        rebuild(plan)

        quota = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["quotas"])["rural-transfer"]
        county = regions_of(quota)["410621"]

        assert county["target"] == 6000
        assert county["actual"] == 1500
        assert county["completion"] == 0.25  # 1500 / 6000
        assert county["status"] == "green"  # exactly the 3/12 expected
        assert regions_of(quota)["410602"]["target"] is None

    def test_training_goal_is_its_own_figures_plus_the_quotas(self, march, reader) -> None:
        goal = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["goals"])["training-total"]

        assert goal["target"] == 70000
        assert goal["unallocated"] == 8550  # 70000 − 61450 carried by the eight quotas
        assert goal["actual"] == 3900  # 2000 direct + 1500 rural-transfer + 400 rain-dew
        assert goal["completion"] == 0.0557  # 3900 / 70000 = 0.05571…
        assert goal["projected"] == 15600  # 3900 × 4
        # its own series and its eight quotas' in six places: 54 reports, 2 approved
        assert goal["reported"] == {"expected": 54, "approved": 2}
        assert goal["status"] == "pending"

    def test_unallocated_only_on_the_training_goal(self, march, reader) -> None:
        goals = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["goals"])

        for code in GOALS[1:]:
            assert goals[code].get("unallocated") is None

    def test_stock_goal_is_the_latest_level(self, march, reader) -> None:
        goal = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["goals"])[
            "vocational-enrolment"
        ]

        # 淇滨区's March level 12000 (not 10000 + 12000) plus 浚县's February level 8000.
        assert goal["actual"] == 20000
        assert goal["completion"] == 0.5
        assert goal["projected"] == 20000
        # a level is judged against the whole target, once every county's level is approved;
        # only 淇滨区's March level is
        assert goal["reported"] == {"expected": 6, "approved": 1}
        assert goal["status"] == "pending"

    def test_goal_without_figures(self, march, reader) -> None:
        goal = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["goals"])["high-skill-talent"]

        assert (goal["target"], goal["actual"], goal["completion"]) == (2000, 0, 0)
        assert goal["reported"] == {"expected": 6, "approved": 0}
        assert goal["status"] == "pending"  # nothing approved: 待报, not red

    def test_rates_are_fractions(self, march, reader) -> None:
        quotas = by_code(reader.get(URL, {"as_of": "2015-03"}).json()["quotas"])

        participation = quotas["veterans-participation"]  # trained / registered
        assert participation["target"] == 0.9
        assert participation["actual"] == 0.875  # 7 of 8
        assert participation["completion"] == 0.9722  # 0.875 / 0.9
        # trained and registered in six places: only 淇滨区's March trained count is in
        assert participation["reported"] == {"expected": 12, "approved": 1}
        assert participation["status"] == "pending"
        assert regions_of(participation)["410611"]["actual"] == 0.875
        assert regions_of(participation)["410602"]["actual"] is None

        passed = quotas["veterans-pass"]  # passed / trained: none passed yet of 7
        assert passed["target"] == 0.9
        assert passed["actual"] == 0
        assert passed["status"] == "pending"

        awareness = quotas["veterans-awareness"]  # aware / eligible: nobody reported eligible
        assert awareness["target"] == 1
        assert awareness["actual"] is None
        assert awareness["completion"] is None
        assert awareness["status"] == "pending"  # no data, and nothing approved

    def test_a_later_month_counts_april(self, march, reader) -> None:
        quota = by_code(reader.get(URL, {"as_of": "2015-04"}).json()["quotas"])["rural-transfer"]

        assert quota["actual"] == 2400  # 1000 + 500 + 900
        assert quota["projected"] == 7200  # 2400 × 12 / 4


class TestAccess:
    def test_anonymous_is_asked_to_log_in(self, march, client) -> None:
        assert_error(client.get(URL, {"as_of": "2015-03"}), 401)

    def test_user_without_a_role_is_refused(self, march, client, make_user) -> None:
        client.force_login(make_user(None))
        assert_error(client.get(URL, {"as_of": "2015-03"}), 403)

    def test_clerk_is_refused(self, march, client, clerk_of) -> None:
        client.force_login(clerk_of("hrss"))
        assert_error(client.get(URL, {"as_of": "2015-03"}), 403)

    def test_county_clerk_is_refused(self, march, client, make_user) -> None:
        client.force_login(make_user("clerk", department="hrss", region="410621"))
        assert_error(client.get(URL, {"as_of": "2015-03"}), 403)

    @pytest.mark.parametrize("role", ["reviewer", "leader", "auditor", "administrator"])
    def test_dashboard_roles_may_read(self, march, client, make_user, role) -> None:
        client.force_login(make_user(role))
        response = client.get(URL, {"as_of": "2015-03"})
        assert response.status_code == 200
        assert response.json()["as_of"] == "2015-03"

    def test_superuser_may_read(self, march, client) -> None:
        client.force_login(get_user_model().objects.create_superuser("root", password="x"))
        assert client.get(URL, {"as_of": "2015-03"}).status_code == 200

    def test_inactive_reviewer_is_refused(self, march, reviewer) -> None:
        reviewer.is_active = False
        reviewer.save()
        client = Client()
        client.force_login(reviewer)
        assert client.get(URL, {"as_of": "2015-03"}).status_code in (401, 403)


class TestErrors:
    def test_unknown_year(self, march, reader) -> None:
        assert_error(reader.get("/api/progress/2099/", {"as_of": "2099-03"}), 404)

    @pytest.mark.parametrize("as_of", ["2015-13", "2015-00", "abc", "2015-9", "2014-09"])
    def test_bad_as_of(self, march, reader, as_of) -> None:
        assert_error(reader.get(URL, {"as_of": as_of}), 400)

    def test_as_of_of_another_year_names_the_plan_year(self, march, reader) -> None:
        body = reader.get(URL, {"as_of": "2014-09"}).json()
        assert "2015" in body["error"]

    def test_no_as_of_is_the_latest_approved_month(self, march, reader) -> None:
        # The latest approved figure is April's (the draft/returned ones are March's).
        for params in ({"as_of": ""}, {}):
            response = reader.get(URL, params)
            assert response.status_code == 200
            assert response.json()["as_of"] == "2015-04"

    def test_default_month_is_the_latest_due_with_reports_sent(self, plan, figure, reader) -> None:
        figure("rural-transfer", "410611", 2, 10)
        figure("rural-transfer", "410611", 7, 10, status="draft")  # not sent
        rebuild(plan)
        assert reader.get(URL).json()["as_of"] == "2015-02"
        figure("rural-transfer", "410611", 5, 10, status="submitted")  # sent, not approved
        rebuild(plan)
        body = reader.get(URL).json()
        assert body["as_of"] == "2015-05"
        quota = by_code(body["quotas"])["rural-transfer"]
        assert (quota["status"], quota["reported"]) == ("pending", {"expected": 6, "approved": 0})

    def test_post_is_not_allowed(self, march, reader) -> None:
        response = reader.post(URL, {"as_of": "2015-03"})
        assert_error(response, 405)
        assert "GET" in response["Allow"]

    def test_before_any_rollup(self, plan, figure, reader) -> None:
        figure("rural-transfer", "410611", 1, 1000)
        assert_error(reader.get(URL, {"as_of": "2015-03"}), 503)
        assert_error(reader.get(URL), 503)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(as_of=st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_any_as_of_text_is_answered_never_a_500(rolled_up, reader, as_of) -> None:
    response = reader.get(URL, {"as_of": as_of})

    assert response.status_code in (200, 400), (as_of, response.status_code)
    body = response.json()
    if response.status_code == 400:
        assert CHINESE.search(body["error"])
    else:
        assert re.fullmatch(r"2015-(0[1-9]|1[0-2])", body["as_of"])


def test_the_document_is_cached_until_the_next_rollup_run(plan, figure) -> None:
    from reporting.models import Rollup
    from reporting.rollup import rebuild
    from reporting.selectors import progress

    def rural(document):
        return next(q for q in document.quotas if q.code == "rural-transfer").actual

    figure("rural-transfer", "410611", 3, 100)
    rebuild(plan)
    first = progress(plan, 3)
    assert rural(first) == 100
    # Rows changed behind the rollup's back are not seen: the document comes from the cache.
    Rollup.objects.filter(plan=plan, month=3, region__isnull=True).update(actual=1)
    assert progress(plan, 3) == first

    figure("rural-transfer", "410621", 3, 50)
    rebuild(plan)  # a new run: a new document, from the rows as they now are
    assert rural(progress(plan, 3)) == 150
