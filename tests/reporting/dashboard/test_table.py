"""The dashboard's table and cards: the page's numbers are the API's."""

from __future__ import annotations

import pytest

from reporting import api as progress_api
from reporting.models import Rollup
from reporting.rollup import rebuild
from tests.helpers import client_for
from tests.reporting.dashboard.pages import URLS, api_document, page_text

pytestmark = pytest.mark.django_db

# The page's numbers are the API's -------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2015-01", "2015-02", "2015-03", "2015-06", "2015-12"])
def test_cards_and_table_equal_the_api(figures, leader, as_of) -> None:
    client = client_for(leader)
    api = api_document(client, as_of)
    response = client.get("/dashboard/", {"as_of": as_of})
    # The API's goals, each with who is missing besides (the page names them)
    goals = response.context["goals"]
    assert [progress_api.goal_item(goal) for goal in goals] == api["goals"]
    table = {row.code: row for row in response.context["table"].data.data}
    assert set(table) == {quota["code"] for quota in api["quotas"]}
    for quota in api["quotas"]:
        row = table[quota["code"]]
        for key in ("target", "actual", "completion", "expected", "status", "projected"):
            assert getattr(row, key) == quota[key], (quota["code"], key)
        assert row.place is None  # the city-wide row
    page = page_text(response)
    for goal in api["goals"]:
        assert f">{goal['actual']:,}<" in page
        assert f">{goal['target']:,}<" in page


@pytest.mark.parametrize("as_of", ["2015-02", "2015-04"])
def test_county_filter_shows_the_api_county_rows(figures, leader, as_of) -> None:
    client = client_for(leader)
    api = api_document(client, as_of)
    response = client.get("/dashboard/", {"as_of": as_of, "county": "410611"})
    rows = {row.code: row for row in response.context["table"].data.data}
    for quota in api["quotas"]:
        county = next(r for r in quota["regions"] if r["code"] == "410611")
        for key in ("target", "actual", "completion", "status", "projected"):
            assert getattr(rows[quota["code"]], key) == county[key], (quota["code"], key)
        assert rows[quota["code"]].place == "淇滨区"


def test_hand_computed_numbers(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03", "county": "410611"})
    row = next(r for r in response.context["table"].data.data if r.code == "rural-transfer")
    assert (row.target, row.actual) == (6000, 1500)
    assert row.completion == 0.25
    assert row.expected == 0.25
    assert row.status == "green"
    assert row.projected == 6000


def test_department_and_status_filters(figures, leader) -> None:
    client = client_for(leader)
    rows = (
        client.get("/dashboard/", {"as_of": "2015-03", "department": "civil"})
        .context["table"]
        .data.data
    )
    assert [row.code for row in rows] == [
        "veterans-awareness",
        "veterans-registration",
        "veterans-participation",
        "veterans-pass",
    ]
    api = api_document(client, "2015-03")
    for status in ("green", "amber", "red"):
        response = client.get("/dashboard/", {"as_of": "2015-03", "status": status})
        shown = sorted(row.code for row in response.context["table"].data.data)
        assert shown == sorted(q["code"] for q in api["quotas"] if q["status"] == status)


def test_table_is_sortable_and_links_to_the_drill_down(figures, leader) -> None:
    client = client_for(leader)
    response = client.get("/dashboard/", {"as_of": "2015-03", "sort": "-completion"})
    rows = list(response.context["table"].rows)
    completions = [row.record.completion for row in rows if row.record.completion]
    assert completions == sorted(completions, reverse=True)
    page = page_text(response)
    assert 'href="/dashboard/quota/rural-transfer/?year=2015&amp;as_of=2015-03"' in page
    assert "sort=completion" in page  # the header links sort


def test_the_8550_no_department_carries(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/")
    training = next(g for g in response.context["goals"] if g.code == "training-total")
    assert training.unallocated == 8550
    page = page_text(response)
    assert '<span class="goal-unallocated">8,550</span>' in page
    assert "合计 61,450 人次" in page
    assert "另有 8,550 人次未分配到任何部门" in page


def test_rates_show_as_percentages_with_their_counts(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    rows = {row.code: row for row in response.context["table"].data.data}
    # awareness 38/40 = 95 %, registration 32/40 = 80 %, participation 28/32, pass 21/28.
    assert rows["veterans-awareness"].actual == 0.95
    assert rows["veterans-participation"].actual == 0.875
    assert rows["veterans-pass"].actual == 0.75
    page = page_text(response)
    assert "95.0%" in page
    assert "（38/40）" in page
    assert "87.5%" in page
    assert "（28/32）" in page
    assert "（21/28）" in page


def test_rate_without_denominator_is_no_data(plan, figure, complete, leader) -> None:
    figure("rural-transfer", "410611", 1, 10)
    complete(1)  # every report of January approved: judged, and no eligible veterans
    rebuild(plan)
    rows = {
        row.code: row for row in client_for(leader).get("/dashboard/").context["table"].data.data
    }
    assert rows["veterans-awareness"].actual is None
    assert rows["veterans-awareness"].status is None


def test_without_a_rollup_a_chinese_message(plan, figure, leader) -> None:
    figure("rural-transfer", "410611", 1, 10)  # approved, but not rolled up
    assert not Rollup.objects.exists()
    response = client_for(leader).get("/dashboard/")
    assert response.status_code == 200
    page = page_text(response)
    assert "进度汇总尚未生成" in page
    assert "另有 8,550 人次未分配到任何部门" in page  # the plan's definitions still show
    for url in URLS[1:]:
        response = client_for(leader).get(url)
        assert response.status_code == 200
        assert "进度汇总尚未生成" in page_text(response)


def test_milestones_still_listed(figures, leader) -> None:
    page = page_text(client_for(leader).get("/dashboard/"))
    assert "省级技能人才公共实训鉴定示范基地项目" in page
    assert "未开始" in page
