"""The dashboard's charts: JSON data on the page, the lines, the goal, heatmap and ranking."""

from __future__ import annotations

import html
import re

import pytest

from reporting import chart_scales, charts, formatting
from reporting.models import Rollup
from reporting.rollup import rebuild
from targets.models import Indicator, Plan
from tests.helpers import client_for
from tests.reporting.dashboard.pages import api_document, chart_figures

pytestmark = pytest.mark.django_db

# Charts ---------------------------------------------------------------------------------


def test_charts_are_json_data_on_the_page(figures, leader) -> None:
    found = chart_figures(client_for(leader).get("/dashboard/", {"as_of": "2015-03"}))
    assert set(found) == {
        "chart-goal-progress",
        "chart-heatmap",
        "chart-ranking",
        "chart-veterans",
        "chart-completeness",
    }
    for figure in found.values():
        assert figure["data"] and "layout" in figure


def test_cumulative_line_is_the_rollup_and_the_time_line_target_by_m_over_12(
    figures, leader
) -> None:
    response = client_for(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    figure = chart_figures(response)["chart-quota-progress"]
    actual, time_line, projection = figure["data"]
    stored = Rollup.objects.filter(
        indicator__code="rural-transfer", region__isnull=True, month__lte=3
    ).order_by("month")
    assert actual["x"] == [1, 2, 3]
    assert actual["y"] == [row.actual for row in stored] == [1000, 1300, 1800]
    assert time_line["x"] == list(range(1, 13))
    assert time_line["y"] == [round(20000 * m / 12, 2) for m in range(1, 13)]
    assert projection["line"]["dash"] == "dash"
    assert projection["x"] == [3, 12]
    assert projection["y"] == [1800, 7200]


def test_goal_chart_and_a_level(figures, leader) -> None:
    found = chart_figures(client_for(leader).get("/dashboard/", {"as_of": "2015-02"}))
    actual, time_line, projection = found["chart-goal-progress"]["data"]
    assert actual["y"] == [1000, 5600]
    assert time_line["y"][11] == 70000
    assert projection["y"] == [5600, 33600]
    plan = Plan.objects.get(year=2015)
    enrolment = Indicator.objects.get(plan=plan, code="vocational-enrolment")
    level = charts.progress_figure(
        enrolment, list(Rollup.objects.filter(indicator=enrolment, region__isnull=True)), 3
    )
    assert level["data"][0]["y"] == [10000, 18000, 20000]
    assert level["data"][1]["y"] == [40000.0] * 12  # a level is judged on its whole target


def test_heatmap_ranking_veterans_and_completeness(plan, figures, complete, leader) -> None:
    complete(3)  # March approved everywhere but 淇县's rain-dew figure (waiting for review)
    rebuild(plan)
    client = client_for(leader)
    api = api_document(client, "2015-03")
    found = chart_figures(client.get("/dashboard/", {"as_of": "2015-03"}))
    heat = found["chart-heatmap"]["data"][0]
    hrss, qibin = heat["y"].index("人力资源社会保障局"), heat["x"].index("淇滨区")
    rural = next(q for q in api["quotas"] if q["code"] == "rural-transfer")
    qibin_rural = next(r for r in rural["regions"] if r["code"] == "410611")
    # Completion against time: 25 % done in March (expected 3/12 = 25 %) is on time, 0 points,
    # the middle of the diverging scale; the cell prints the completion.
    assert qibin_rural["completion"] == 0.25
    assert heat["z"][hrss][qibin] == 0.0
    assert heat["text"][hrss][qibin] == "25.0%"
    assert "序时进度 25.0%" in heat["customdata"][hrss][qibin]
    assert heat["zmid"] == 0 and heat["zmin"] == -heat["zmax"]
    # Rates are never averaged with counts: 民政局's quotas are all rates, it has no row.
    assert "民政局" not in heat["y"]
    # 扶贫办 in 淇县 is not judged: no value, says 待报.
    poverty, qi = heat["y"].index("扶贫办"), heat["x"].index("淇县")
    assert heat["z"][poverty][qi] is None
    assert heat["text"][poverty][qi] == "待报"

    ranking = found["chart-ranking"]["data"][0]
    # 淇滨区 1500/6000 = 25 %, 浚县 300/5000 = 6 %: best first; the others have no split.
    assert ranking["y"] == ["淇滨区", "浚县"]
    assert ranking["x"] == [25.0, 6.0]
    assert ranking["text"] == ["25.0% ✓ 正常", "6.0% ✗ 滞后"]
    assert ranking["marker"]["pattern"]["shape"] == ["", "x"]
    summary = found["chart-ranking"]["summary"]
    assert summary == "1. 淇滨区 25.0% ✓ 正常；2. 浚县 6.0% ✗ 滞后"

    targets, actual = found["chart-veterans"]["data"]
    assert actual["x"] == [95.0, 80.0, 87.5, 75.0]
    assert targets["x"] == [100.0, 100.0, 90.0, 90.0]
    assert [label.split(" ")[0] for label in actual["text"]] == ["95.0%", "80.0%", "87.5%", "75.0%"]
    # The axis runs around the targets, not from 0: 87.5 % against 90 % shows.
    low, high = found["chart-veterans"]["layout"]["xaxis"]["range"]
    assert 50 <= low <= 75 and 100 <= high <= 110

    completeness = found["chart-completeness"]["data"]
    assert completeness[0]["x"] == [1, 2, 3]
    assert all(value is None or 0 <= value <= 100 for value in completeness[0]["y"])


def test_counts_read_in_wan_and_every_point_as_the_formatter_writes_it(figures, leader) -> None:
    found = chart_figures(client_for(leader).get("/dashboard/", {"as_of": "2015-02"}))
    figure = found["chart-goal-progress"]
    axis = figure["layout"]["yaxis"]
    # Ticks from 0 past the 70,000 goal, written as the pages write counts (not 20k, 52.678k).
    assert axis["tickvals"][0] == 0 and axis["tickvals"][-1] >= 70000
    assert axis["ticktext"] == [formatting.amount(tick) for tick in axis["tickvals"]]
    assert axis["ticktext"] == ["0", "2万", "4万", "6万", "8万"]
    assert not any("k" in tick for tick in axis["ticktext"])
    actual, time_line, projection = figure["data"]
    assert actual["text"] == ["1000人次", "5600人次"]
    assert time_line["text"][11] == "7万人次"
    assert projection["text"] == ["5600人次", "3.36万人次"]
    assert figure["summary"] == "截至2月：实际5600人次，序时进度1.17万人次；预计全年3.36万人次。"


def test_each_chart_has_its_text_alternative_on_the_page(figures, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    page = response.content.decode()
    for chart_id, figure in chart_figures(response).items():
        assert figure["summary"]
        label = re.search(rf'id="{chart_id}"[^>]*aria-label="([^"]*)"', page)
        assert label, chart_id
        assert html.unescape(label.group(1)).endswith("：" + figure["summary"])


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (70000, [0, 20000, 40000, 60000, 80000]),
        (1600, [0, 500, 1000, 1500, 2000]),
        (3, [0, 1, 2, 3]),
        (0, [0, 1]),
    ],
)
def test_nice_ticks(top: float, ticks: list[int]) -> None:
    assert chart_scales.nice_ticks(top) == ticks


def test_rate_axis_runs_around_the_targets() -> None:
    assert chart_scales.rate_axis([88.0], [92.0]) == {"ticksuffix": "%", "range": [75, 100]}
    assert chart_scales.rate_axis([30.0, 40.0], [50.0]) == {"ticksuffix": "%", "range": [20, 55]}
    assert chart_scales.rate_axis([], []) == {"ticksuffix": "%", "range": [0, 100]}
