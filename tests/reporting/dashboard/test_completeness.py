"""Completeness on the dashboard: the header, pending rows and who is missing."""

from __future__ import annotations

import re

import pytest

from reporting import charts
from reporting.rollup import rebuild
from tests.helpers import client_for
from tests.reporting.dashboard.pages import chart_figures, page_text

pytestmark = pytest.mark.django_db

# Completeness: the header, pending rows and who is missing --------------------------------


def test_header_says_the_month_and_how_many_reports_are_approved(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    page = page_text(response)
    # March: 17 series × 6 places (5 counties, 市直); approved: rural-transfer and
    # vocational-enrolment in 淇滨区, the veterans' trained and passed counts there (rain-dew
    # is only submitted).
    assert "截至2015年3月 · 已审核 4/102 份" in page
    assert response.context["reported"].approved == 4


def test_pending_rows_are_grey_and_name_who_is_missing(plan, figures, complete, leader) -> None:
    complete(3, leave=(("rural-transfer", "410621"),))
    rebuild(plan)
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    rows = {row.code: row for row in response.context["table"].data.data}
    rural = rows["rural-transfer"]
    assert rural.status == "pending"
    assert rural.missing == ("人社局 · 浚县",)
    rain = rows["rain-dew"]
    assert rain.status == "pending" and rain.missing == ("扶贫办 · 淇县",)
    assert rows["in-service"].status == "red"  # judged: 2,300 of 23,000 by March
    page = page_text(response)
    row = re.search(r'<tr[^>]*data-quota="rural-transfer".*?</tr>', page, re.S)[0]
    assert "status--pending" in row and "数据不全" in row and "已审核 5/6" in row
    assert "人社局 · 浚县" in row
    assert not re.search(r"status--(red|amber|green)", row)
    goals = {goal.code: goal for goal in response.context["goals"]}
    assert goals["training-total"].status == "pending"
    assert goals["training-total"].missing == ("人社局 · 浚县", "扶贫办 · 淇县")
    card = re.search(r'<article[^>]*data-goal="training-total".*?</article>', page, re.S)[0]
    assert "goal-card--pending" in card and "status--red" not in card
    assert "已审核 52/54" in card and "人社局 · 浚县" in card


def test_status_filter_offers_pending(plan, figures, complete, leader) -> None:
    complete(3, leave=(("rural-transfer", "410621"),))
    rebuild(plan)
    client = client_for(leader)
    response = client.get("/dashboard/", {"as_of": "2015-03", "status": "pending"})
    assert '<option value="pending" selected>' in page_text(response)
    codes = {row.code for row in response.context["table"].data.data}
    assert codes == {"rural-transfer", "rain-dew"}
    red = client.get("/dashboard/", {"as_of": "2015-03", "status": "red"})
    assert "rural-transfer" not in {row.code for row in red.context["table"].data.data}


def test_nothing_approved_is_waiting_not_red(plan, figure, leader) -> None:
    figure("rural-transfer", "410611", 3, 100)
    rebuild(plan)
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    rows = {row.code: row for row in response.context["table"].data.data}
    assert rows["in-service"].status == "pending"
    assert rows["in-service"].reported.as_dict() == {"expected": 6, "approved": 0}
    assert len(rows["in-service"].missing) == 6
    row = re.search(r'<tr[^>]*data-quota="in-service".*?</tr>', page_text(response), re.S)[0]
    assert "待报" in row and "等 6 处" in row


def test_quota_drill_down_judges_each_month_and_county(plan, figures, complete, leader) -> None:
    complete(2)
    rebuild(plan)
    response = client_for(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    by_month = {item.month: item for item in response.context["by_month"]}
    assert by_month[2].status == "red"  # all of February approved: judged
    assert by_month[3].status == "pending"
    counties = {item.region_code: item for item in response.context["by_county"]}
    assert counties["410611"].status == "green"  # 1,500 of 6,000: the 25 % due by March
    assert counties["410621"].status == "pending"
    assert "status--pending" in page_text(response)


def test_ranking_and_veterans_charts_colour_pending_grey(figures, leader) -> None:
    found = chart_figures(client_for(leader).get("/dashboard/", {"as_of": "2015-03"}))
    ranking = found["chart-ranking"]["data"][0]
    # 淇滨区's split quota is reported there (green); 浚县's March report is not in: grey.
    assert ranking["y"] == ["淇滨区", "浚县"]
    assert ranking["marker"]["color"] == [charts.GREEN, charts.PENDING_GREY]
    # Not by colour alone: each bar says its status, and a pending one is patterned.
    assert [label.split(" ", 1)[1] for label in ranking["text"]] == ["✓ 正常", "… 待报"]
    assert ranking["marker"]["pattern"]["shape"] == ["", "."]
    actual = found["chart-veterans"]["data"][1]
    assert set(actual["marker"]["color"]) == {charts.PENDING_GREY}
    assert all(label.endswith("… 待报") for label in actual["text"])
