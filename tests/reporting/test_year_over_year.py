"""Year over year: this year's progress against the same month of an earlier plan.

Two small hand-made plans share quota codes (their targets differ); figures are written by
hand, rolled up, and every expected percentage below is worked out in the comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest
from django.core.cache import cache

from reporting.models import Rollup
from reporting.rollup import rebuild
from reporting.rows import QuotaRow
from targets.models import Plan
from targets.services.plan_definition import load_plan_definition
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

REGIONS = [
    {"code": "410611", "name": "淇滨区", "kind": "district", "order": 3},
    {"code": "410621", "name": "浚县", "kind": "county", "order": 4},
]
DEPARTMENTS = [
    {
        "code": "hrss",
        "name": "人力资源社会保障局",
        "short_name": "人社局",
        "is_lead": True,
        "order": 1,
    },
    {"code": "civil", "name": "民政局", "short_name": "民政局", "is_lead": False, "order": 5},
]


def definition(
    year: int, *, goal: int, rural: int, qibin: int, extra: bool = False
) -> dict[str, Any]:
    """A plan of ``year``: a training goal, the rural-transfer quota feeding it (split to
    淇滨区), the veterans' pass rate over two count series; ``extra`` adds a quota that only
    this plan has."""
    indicators: list[dict[str, Any]] = [
        {
            "code": "training-total",
            "name": "各类职业技能培训",
            "role": "goal",
            "kind": "flow",
            "department": "hrss",
            "unit": "人次",
            "target": goal,
            "accepts_figures": False,
            "order": 1,
        },
        {
            "code": "rural-transfer",
            "name": "农村劳动力转移就业技能培训",
            "role": "quota",
            "kind": "flow",
            "department": "hrss",
            "unit": "人次",
            "target": rural,
            "feeds": "training-total",
            "order": 2,
        },
        {
            "code": "veterans-trained",
            "name": "参加培训的退役士兵人数",
            "role": "count",
            "kind": "flow",
            "department": "civil",
            "unit": "人",
            "order": 5,
        },
        {
            "code": "veterans-passed",
            "name": "培训合格的退役士兵人数",
            "role": "count",
            "kind": "flow",
            "department": "civil",
            "unit": "人",
            "order": 6,
        },
        {
            "code": "veterans-pass",
            "name": "退役士兵合格率",
            "role": "quota",
            "kind": "rate",
            "department": "civil",
            "unit": "%",
            "target_rate": "0.9",
            "numerator": "veterans-passed",
            "denominator": "veterans-trained",
            "accepts_figures": False,
            "order": 4,
        },
    ]
    if extra:
        indicators.append(
            {
                "code": "entrepreneurship",
                "name": "创业培训",
                "role": "quota",
                "kind": "flow",
                "department": "hrss",
                "unit": "人",
                "target": 100,
                "order": 3,
            }
        )
    return {
        "plan": {
            "year": year,
            "title": f"测试{year}年技能振兴方案",
            "doc_number": f"测试〔{year}〕1号",
            "written_on": f"{year}-01-01",
            "published_on": f"{year}-01-01",
            "starts_on": f"{year}-01-01",
            "ends_on": f"{year}-12-31",
            "status": "active",
        },
        "departments": DEPARTMENTS,
        "regions": REGIONS,
        "indicators": indicators,
        "region_targets": [{"indicator": "rural-transfer", "region": "410611", "target": qibin}],
    }


@pytest.fixture
def two_years(db: None, enter: Any) -> dict[int, Plan]:
    """2014 (closed once its figures were in) and 2015 (active).

    2014, rural transfer, target 400 (淇滨区 200): 淇滨区 Jan 50, Feb 30, Mar 40; 浚县 Mar 60.
      City to date: Jan 50, Feb 80, Mar 180 → March 180/400 = 45 %, February 80/400 = 20 %;
      淇滨区 in March 120/200 = 60 %.
      Veterans in March: 20 trained, 15 passed → 75 %, against 90 %: 0.75/0.9 = 83.33 %.
    2015, rural transfer, target 600 (淇滨区 300): 淇滨区 Jan 100, Mar 50; 浚县 Feb 90.
      City to date: Jan 100, Feb 190, Mar 240 → March 240/600 = 40 %.
      Veterans in March: 40 trained, 36 passed → 90 % → 100 %. Entrepreneurship (2015 only):
      30 of 100.
    """
    older = load_plan_definition(definition(2014, goal=800, rural=400, qibin=200))
    for region, month, value in (("410611", 1, 50), ("410611", 2, 30), ("410611", 3, 40)):
        enter(older, "rural-transfer", region, month, value)
    enter(older, "rural-transfer", "410621", 3, 60)
    enter(older, "veterans-trained", "410611", 3, 20)
    enter(older, "veterans-passed", "410611", 3, 15)
    rebuild(older)
    Plan.objects.filter(pk=older.pk).update(status=Plan.Status.CLOSED)

    plan = load_plan_definition(definition(2015, goal=1000, rural=600, qibin=300, extra=True))
    enter(plan, "rural-transfer", "410611", 1, 100)
    enter(plan, "rural-transfer", "410611", 3, 50)
    enter(plan, "rural-transfer", "410621", 2, 90)
    enter(plan, "veterans-trained", "410611", 3, 40)
    enter(plan, "veterans-passed", "410611", 3, 36)
    enter(plan, "entrepreneurship", "410611", 3, 30)
    rebuild(plan)
    return {2014: Plan.objects.get(pk=older.pk), 2015: plan}


def _rows(response: Any) -> dict[str, QuotaRow]:
    return {row.code: row for row in response.context["table"].data.data}


def _figures(response: Any) -> dict[str, dict[str, Any]]:
    page = response.content.decode()
    found = {}
    for chart in response.context["charts"]:
        match = re.search(
            rf'<script id="{chart["data_id"]}" type="application/json">(.*?)</script>', page, re.S
        )
        found[chart["id"]] = json.loads(match[1])
    return found


def _trace(figure: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((trace for trace in figure["data"] if trace["name"] == name), None)


# The column ---------------------------------------------------------------------------


def test_the_previous_plan_by_default_same_month(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    assert response.context["plan"] == two_years[2015]
    assert response.context["compare"] == two_years[2014]
    rows = _rows(response)
    assert rows["rural-transfer"].completion == 0.4  # 240 / 600
    assert rows["rural-transfer"].previous_completion == 0.45  # 180 / 400
    assert rows["rural-transfer"].previous_actual == 180
    assert rows["veterans-pass"].completion == 1.0  # 36/40 = 0.9, / 0.9
    assert rows["veterans-pass"].previous_completion == 0.8333  # 15/20 = 0.75, / 0.9
    assert rows["veterans-pass"].previous_actual == 0.75
    assert rows["entrepreneurship"].previous_completion is None  # no such quota in 2014
    page = response.content.decode()
    assert "上年同期完成率" in page
    assert "45.0%" in page
    assert "83.3%" in page


def test_the_same_month_follows_the_as_of_month(two_years, leader) -> None:
    rows = _rows(client_for(leader).get("/dashboard/", {"as_of": "2015-02"}))
    assert rows["rural-transfer"].previous_completion == 0.2  # 80 / 400
    assert rows["veterans-pass"].previous_completion is None  # nobody trained yet in 2014


def test_the_county_row_compares_with_the_same_county(two_years, leader) -> None:
    rows = _rows(client_for(leader).get("/dashboard/", {"as_of": "2015-03", "county": "410611"}))
    assert rows["rural-transfer"].completion == 0.5  # 150 / 300
    assert rows["rural-transfer"].previous_completion == 0.6  # 120 / 200


def test_drill_down_tables_carry_the_column(two_years, leader) -> None:
    client = client_for(leader)
    county = _rows(client.get("/dashboard/county/410611/", {"as_of": "2015-03"}))
    assert county["rural-transfer"].previous_completion == 0.6
    department = client.get("/dashboard/department/hrss/", {"as_of": "2015-03"})
    by_place = {
        (row.code, row.region_code): row.previous_completion
        for row in department.context["table"].data.data
    }
    assert by_place[("rural-transfer", None)] == 0.45
    assert by_place[("rural-transfer", "410611")] == 0.6
    assert by_place[("rural-transfer", "410621")] is None  # no split in 浚县: no completion
    assert "上年同期完成率" in department.content.decode()


def test_the_numbers_are_the_earlier_plans_rollup(two_years, leader) -> None:
    client = client_for(leader)
    api = client.get("/api/progress/2014/", {"as_of": "2014-03"}).json()
    rural = next(q for q in api["quotas"] if q["code"] == "rural-transfer")
    assert (
        _rows(client.get("/dashboard/"))["rural-transfer"].previous_completion
        == (rural["completion"])
    )
    # Without the earlier plan's rollup there is nothing to compare with, figures or not.
    Rollup.objects.filter(plan=two_years[2014]).delete()
    cache.clear()  # rows deleted by hand, without a rollup run: the pages' figures are cached
    assert _rows(client.get("/dashboard/"))["rural-transfer"].previous_completion is None


def test_no_comparison(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03", "compare": "none"})
    assert response.context["compare"] is None
    assert "previous_completion" not in [c.name for c in response.context["table"].columns]
    assert "上年同期完成率" not in response.content.decode()
    goal = _figures(response)["chart-goal-progress"]
    assert _trace(goal, "2014年实际完成（累计）") is None
    assert len(goal["data"]) == 3


def test_without_an_earlier_plan_no_comparison(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"year": "2014"})
    assert response.context["compare"] is None
    assert "上年同期完成率" not in response.content.decode()
    assert 'id="compare"' not in response.content.decode()


def test_an_older_plan_is_named_by_its_year(two_years, leader) -> None:
    older = definition(2013, goal=500, rural=300, qibin=100)
    older["plan"]["status"] = "closed"
    load_plan_definition(older)
    client = client_for(leader)
    response = client.get("/dashboard/", {"as_of": "2015-03", "compare": "2013"})
    assert response.context["compare"].year == 2013
    page = response.content.decode()
    assert "2013年同期完成率" in page
    assert "上年同期完成率" not in page
    assert _rows(response)["rural-transfer"].previous_completion is None  # never rolled up
    # The default is still the latest earlier plan, and the choice lists both.
    default = client.get("/dashboard/", {"as_of": "2015-03"})
    assert default.context["compare"].year == 2014
    assert [p.year for p in default.context["compare_choices"]] == [2014, 2013]


@pytest.mark.parametrize("compare", ["2015", "2016", "2012", "abc", "2014-03"])
def test_a_comparison_that_is_not_an_earlier_plan_is_a_chinese_400(
    two_years, leader, compare
) -> None:
    response = client_for(leader).get("/dashboard/", {"compare": compare})
    assert response.status_code == 400
    assert "比较年度必须是早于 2015 年" in response.content.decode()


def test_a_draft_is_never_compared_with(two_years, leader, make_user) -> None:
    older = definition(2013, goal=500, rural=300, qibin=100)
    older["plan"]["status"] = "draft"
    load_plan_definition(older)
    admin = client_for(make_user("administrator"))
    response = admin.get("/dashboard/")
    assert [p.year for p in response.context["compare_choices"]] == [2014]
    assert admin.get("/dashboard/", {"compare": "2013"}).status_code == 400


def test_links_keep_an_explicit_comparison(two_years, leader) -> None:
    page = client_for(leader).get("/dashboard/", {"as_of": "2015-03", "compare": "none"})
    text = page.content.decode()
    assert (
        'href="/dashboard/quota/rural-transfer/?year=2015&amp;as_of=2015-03&amp;compare=none"'
        in (text)
    )
    assert '<option value="none" selected>' in text


# The chart ----------------------------------------------------------------------------


def test_a_line_for_the_earlier_year_on_the_quota_chart(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    figure = _figures(response)["chart-quota-progress"]
    this_year = figure["data"][0]
    assert (this_year["x"], this_year["y"]) == ([1, 2, 3], [100, 190, 240])
    earlier = _trace(figure, "2014年实际完成（累计）")
    assert earlier is not None
    assert earlier["x"] == list(range(1, 13))
    # 50, 50+30, 50+30+40+60, and no more figures after March.
    assert earlier["y"] == [50, 80, 180, *[180] * 9]
    assert earlier["line"]["dash"] == "dot"


def test_a_line_for_the_earlier_year_on_the_goal_chart(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    goal = _figures(response)["chart-goal-progress"]
    earlier = _trace(goal, "2014年实际完成（累计）")
    assert earlier["y"][:3] == [50, 80, 180]  # the goal is fed by its quota
    assert "点线为 2014 年同一任务" in response.content.decode()


def test_a_rate_compares_in_percent(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/quota/veterans-pass/", {"as_of": "2015-03"})
    figure = _figures(response)["chart-quota-progress"]
    assert figure["data"][0]["y"] == [None, None, 90.0]
    earlier = _trace(figure, "2014年实际完成")
    assert earlier["y"][:3] == [None, None, 75.0]


def test_a_quota_the_earlier_plan_lacks_has_no_line(two_years, leader) -> None:
    response = client_for(leader).get("/dashboard/quota/entrepreneurship/", {"as_of": "2015-03"})
    earlier = _trace(_figures(response)["chart-quota-progress"], "2014年实际完成（累计）")
    assert earlier is not None and earlier["y"] == []


# Bounded queries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/?county=410611",
        "/dashboard/quota/rural-transfer/",
        "/dashboard/county/410611/",
        "/dashboard/department/hrss/",
    ],
)
def test_the_comparison_costs_a_fixed_number_of_queries(
    two_years, leader, enter, django_assert_max_num_queries, url
) -> None:
    client = client_for(leader)
    client.get(url)
    cache.clear()
    # 32: the dashboard reads 2 more for who has not sent an annual plan (issue #17), 1 for a
    # province's plan above the city's (issue #18: the link to the cities' ranking) and 3 for
    # the rosters' backing of the training goal, read live (issue #20).
    with django_assert_max_num_queries(32) as small:
        assert client.get(url).status_code == 200
    cache.clear()
    with django_assert_max_num_queries(32) as without:
        client.get(url + ("&" if "?" in url else "?") + "compare=none")
    # More figures in both years, more rollup rows to compare: the same number of queries.
    Plan.objects.filter(pk=two_years[2014].pk).update(status=Plan.Status.ACTIVE)
    for plan in two_years.values():
        for month in range(4, 10):
            for region in ("410611", "410621"):
                enter(plan, "rural-transfer", region, month, month)
                enter(plan, "veterans-trained", region, month, 10)
        rebuild(plan)
    Plan.objects.filter(pk=two_years[2014].pk).update(status=Plan.Status.CLOSED)
    cache.clear()
    with django_assert_max_num_queries(32) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) - len(without.captured_queries) <= 2


def test_the_earlier_years_completion_is_printed_from_its_exact_ratio(two_years, leader) -> None:
    """The column rounds once from the earlier plan's own figures, not from the API's four
    places: 150,498 of 200,000 is 75.2 %, where 0.7525 would print 75.3 %."""
    table = client_for(leader).get("/dashboard/").context["table"]
    record = replace(
        table.data[0],
        previous_completion=0.7525,
        previous_completion_exact=Fraction(150_498, 200_000),
    )
    assert table.render_previous_completion(0.7525, record) == "75.2%"
    rows = {row.code: row for row in table.data}
    assert rows["rural-transfer"].previous_completion_exact == Fraction(180, 400)
    assert rows["veterans-pass"].previous_completion_exact == Fraction(15, 20) / Fraction(9, 10)
