"""The dashboard's drill-downs: by quota, county and department."""

from __future__ import annotations

import pytest

from tests.helpers import client_for
from tests.reporting.dashboard.pages import COUNTIES, api_document, page_text

pytestmark = pytest.mark.django_db

# Drill-downs ----------------------------------------------------------------------------


def test_quota_drill_down_by_county_and_by_month(figures, leader) -> None:
    client = client_for(leader)
    response = client.get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    api = api_document(client, "2015-03")
    quota = next(q for q in api["quotas"] if q["code"] == "rural-transfer")
    by_county = {row.region_code: row for row in response.context["by_county"]}
    assert by_county[None].actual == quota["actual"] == 1800
    for region in quota["regions"]:
        assert by_county[region["code"]].actual == region["actual"]
        assert by_county[region["code"]].target == region["target"]
    months = [(row.month, row.actual) for row in response.context["by_month"]]
    assert months == [(1, 1000), (2, 1300), (3, 1800)]
    for month, actual in months:
        assert api_document(client, f"2015-{month:02d}")["quotas"][0]["actual"] == actual


def test_quota_drill_down_lists_the_figures_behind_it(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    shown = [(s.month, s.region.code, s.value) for s in response.context["figures"]]
    assert shown == [(1, "410611", 1000), (2, "410621", 300), (3, "410611", 500)]
    rate = client_for(leader).get("/dashboard/quota/veterans-pass/", {"as_of": "2015-03"})
    series = {s.indicator.code for s in rate.context["figures"]}
    assert series == {"veterans-trained", "veterans-passed"}
    assert "（21/28）" in page_text(rate)


def test_county_drill_down(figures, leader) -> None:
    client = client_for(leader)
    response = client.get("/dashboard/county/410621/", {"as_of": "2015-02"})
    api = api_document(client, "2015-02")
    rows = {row.code: row for row in response.context["rows"]}
    assert len(rows) == 12
    for quota in api["quotas"]:
        county = next(r for r in quota["regions"] if r["code"] == "410621")
        assert rows[quota["code"]].actual == county["actual"]
        assert rows[quota["code"]].completion == county["completion"]
    assert rows["rural-transfer"].actual == 300
    assert "浚县" in page_text(response)


def test_department_drill_down(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/department/civil/", {"as_of": "2015-03"})
    rows = response.context["rows"]
    assert {row.code for row in rows} == {
        "veterans-awareness",
        "veterans-registration",
        "veterans-participation",
        "veterans-pass",
    }
    assert len(rows) == 4 * (1 + len(COUNTIES))
    hrss = client_for(leader).get("/dashboard/department/hrss/", {"as_of": "2015-03"})
    assert {row.department_code for row in hrss.context["rows"]} == {"hrss"}
