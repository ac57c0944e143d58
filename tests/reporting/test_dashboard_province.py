"""A province's page (``/dashboard/province/<code>/``): the province's total and its cities
ranked by completion for each goal and quota; a city whose own reports of the month are not all
approved is 待报, never coloured; who may open it, and ``/dashboard/`` sending a province's
leader there.

Most tests write the province plan's rollup rows for the picture they need
(``tests.province.province_rollup``); ``test_from_the_cities_figures_to_the_ranking`` goes
from approved figures through the real rollup (``reporting.rollup.rebuild``) to the page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.province import province_progress
from reporting.rollup import rebuild
from targets import completeness
from targets.models import Indicator, Plan, Region
from targets.services import (
    load_plan_definition,
    submission_approve,
    submission_save,
    submission_submit,
)
from tests.helpers import assert_sent_to_log_in, client_for
from tests.province import ANYANG_SERIES, anyang_definition, province_rollup

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/province/410000/"
MARCH = {"as_of": "2015-03"}


@pytest.fixture
def anyang_plan(province_plan: Plan) -> Plan:
    """安阳市's own 2015 plan: one series, two places, so two reports a month."""
    return load_plan_definition(anyang_definition())


@pytest.fixture
def anyang_march(anyang_plan: Plan, clerk_of: Any, reviewer: Any) -> None:
    """安阳市's two reports of March, approved: its rows are judged."""
    indicator = Indicator.objects.get(plan=anyang_plan, code=ANYANG_SERIES)
    clerk = clerk_of(indicator.department.code)
    for code in ("410502", "410522"):
        submission = submission_save(
            actor=clerk,
            indicator=indicator,
            region=Region.objects.get(code=code),
            month=3,
            value=50,
        )
        submission_submit(actor=clerk, submission=submission)
        submission_approve(actor=reviewer, submission=submission)


@pytest.fixture
def march(province_plan: Plan, anyang_march: None) -> Plan:
    """The province's rollup as of March (written for the picture, see the module's docstring):
    training-total for both cities (安阳 ahead), a rate quota, and a quota 安阳 has no row of.
    鹤壁's own plan has no report of March approved: its rows are pending."""
    rows = [
        ("training-total", None, {"actual": 30000, "target": 140000, "status": "red"}),
        ("training-total", "410600", {"actual": 10000, "target": 70000, "status": "red"}),
        ("training-total", "410500", {"actual": 20000, "target": 70000, "status": "green"}),
        ("rural-transfer", None, {"actual": 5000, "target": 40000, "status": "red"}),
        ("rural-transfer", "410600", {"actual": 5000, "target": 20000, "status": "green"}),
    ]
    for code, city, values in rows:
        province_rollup(province_plan, code, city, 3, **values)
    for city, ratio, status in ((None, (85, 100), "amber"), ("410600", (45, 50), "green")):
        province_rollup(
            province_plan, "veterans-pass", city, 3, ratio=ratio, target_rate="0.9", status=status
        )
    province_rollup(
        province_plan,
        "veterans-pass",
        "410500",
        3,
        ratio=(40, 50),
        target_rate="0.9",
        status="amber",
    )
    return province_plan


def section(response: Any, code: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<section[^>]*data-indicator="{code}".*?</section>', html, re.S)
    assert match, code
    return match[0]


def places_in_order(html: str) -> list[str]:
    return re.findall(r'<tr[^>]*data-place="([^"]+)"', html)


def row_html(html: str, place: str) -> str:
    match = re.search(rf'<tr[^>]*data-place="{place}".*?</tr>', html, re.S)
    assert match, place
    return match[0]


# What it shows ---------------------------------------------------------------------------------


def test_from_the_cities_figures_to_the_ranking(plan, anyang_plan, enter, leader) -> None:
    """Figures approved in each city, each city's plan rolled up (which rolls the province's
    up too): 安阳 9,000 of its 20,000 ranks above 鹤壁's 2,000 of 20,000; the total is 11,000."""
    enter(plan, "rural-transfer", "410611", 3, 2000)
    enter(anyang_plan, ANYANG_SERIES, "410502", 3, 9000)
    rebuild(plan)
    rebuild(anyang_plan)
    rural = section(client_for(leader).get(PAGE, MARCH), "rural-transfer")
    assert places_in_order(rural) == ["total", "410500", "410600"]
    assert "9,000" in row_html(rural, "410500") and "45.0%" in row_html(rural, "410500")
    assert "2,000" in row_html(rural, "410600") and "10.0%" in row_html(rural, "410600")
    assert "11,000" in row_html(rural, "total")
    # Neither city has every report of March approved: both 待报, not coloured.
    assert "待报" in row_html(rural, "410500") and "待报" in row_html(rural, "410600")


def test_the_cities_are_ranked_by_completion_under_the_provinces_total(march, leader) -> None:
    response = client_for(leader).get(PAGE, MARCH)
    assert response.status_code == 200
    training = section(response, "training-total")
    assert places_in_order(training) == ["total", "410500", "410600"]
    anyang = row_html(training, "410500")
    assert ">1<" in anyang and "20,000" in anyang and "70,000" in anyang and "28.6%" in anyang
    assert ">2<" in row_html(training, "410600")
    total = row_html(training, "total")
    assert "河南省合计" in total and "30,000" in total and "140,000" in total and "21.4%" in total


def test_the_citys_dashboard_links_to_its_provinces_ranking(march, plan, leader) -> None:
    page = client_for(leader).get("/dashboard/", {"year": 2015, "as_of": "2015-03"})
    assert f'href="{PAGE}?year=2015&amp;as_of=2015-03"' in page.content.decode()
    assert "河南省各市排名" in page.content.decode()
    march.status = Plan.Status.DRAFT
    march.save(update_fields=["status"])
    assert PAGE not in client_for(leader).get("/dashboard/").content.decode()


def test_a_goal_is_the_provinces_goal(march, leader) -> None:
    training = section(client_for(leader).get(PAGE, MARCH), "training-total")
    assert "全省目标" in training and "全市目标" not in training


def test_goals_come_before_quotas(march, leader) -> None:
    codes = [item.indicator.code for item in province_progress(march, 3).indicators]
    roles = [item.indicator.role for item in province_progress(march, 3).indicators]
    assert codes[0] == "training-total"
    assert roles == sorted(roles, key=lambda role: role != Indicator.Role.GOAL)
    assert "veterans-eligible" not in codes  # a count series behind a rate is no row


def test_a_city_without_data_is_ranked_last_and_says_so(march, leader) -> None:
    rural = section(client_for(leader).get(PAGE, MARCH), "rural-transfer")
    assert places_in_order(rural) == ["total", "410600", "410500"]
    anyang = row_html(rural, "410500")
    assert "无数据" in anyang and "status--none" in anyang
    assert "—" in anyang


def test_a_city_whose_reports_are_not_all_approved_is_pending_and_not_coloured(
    march, leader
) -> None:
    rural = section(client_for(leader).get(PAGE, MARCH), "rural-transfer")
    hebi = row_html(rural, "410600")
    # Its rollup says green; its own plan's March reports are not approved: not judged.
    assert "待报" in hebi and "status--pending" in hebi
    assert not re.search(r"status--(green|amber|red)", hebi)
    assert 'data-status="pending"' in hebi


def test_a_city_whose_reports_are_all_approved_is_judged_in_colour(march, leader) -> None:
    training = section(client_for(leader).get(PAGE, MARCH), "training-total")
    anyang = row_html(training, "410500")
    assert "status--green" in anyang and "正常" in anyang and "待报" not in anyang


def test_the_provinces_total_is_pending_while_any_city_is(march, leader) -> None:
    response = client_for(leader).get(PAGE, MARCH)
    total = row_html(section(response, "training-total"), "total")
    assert "待报" in total and "status--red" not in total
    notice = re.search(r'class="notice pending-cities".*?</p>', response.content.decode(), re.S)
    assert notice and "鹤壁市" in notice[0] and "安阳市" not in notice[0]


def test_a_rate_shows_its_rate_and_its_completion_as_a_comparison(march, leader) -> None:
    rate = section(client_for(leader).get(PAGE, MARCH), "veterans-pass")
    anyang = row_html(rate, "410500")
    # 40/50 = 80%, against a 90% target: 88.9% of it, judged amber (its reports approved).
    assert "80.0%" in anyang and "（40/50）" in anyang and "90%" in anyang
    assert "完成目标的 88.9%" in anyang
    assert "status--amber" in anyang and "预警" in anyang
    assert places_in_order(rate) == ["total", "410600", "410500"]  # 100% before 88.9%


def test_the_header_counts_every_citys_reports(march, plan, leader) -> None:
    response = client_for(leader).get(PAGE, MARCH)
    reported = response.context["reported"]
    hebi = completeness.Coverage(plan, 3).totals()
    assert (reported.expected, reported.approved) == (hebi.expected + 2, 2)


def test_cities_reported_counts_each_citys_own_plan(march, plan, figure) -> None:
    figure("rural-transfer", "410611", 3)  # approved
    figure("in-service", "410611", 3, status="submitted")  # not yet
    found = completeness.cities_reported(march, 3)
    hebi = Region.objects.get(code="410600")
    anyang = Region.objects.get(code="410500")
    assert found[hebi.pk] == completeness.Reported(
        expected=completeness.Coverage(plan, 3).totals().expected, approved=1
    )
    assert found[anyang.pk] == completeness.Reported(expected=2, approved=2)


def test_cities_reported_for_a_city_without_a_plan_owes_nothing(province_plan) -> None:
    anyang = Region.objects.get(code="410500")
    assert anyang.pk not in completeness.cities_reported(province_plan, 3)


def test_the_page_makes_the_same_number_of_queries_whatever_the_data(
    march, leader, make_user
) -> None:
    client = client_for(leader)
    client.get(PAGE, MARCH)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE, MARCH).status_code == 200
    for code in ("in-service", "reemployment", "disabled"):
        for city in (None, "410600", "410500"):
            province_rollup(march, code, city, 3, actual=10, target=100, status="red")
    with CaptureQueriesContext(connection) as more:
        assert client.get(PAGE, MARCH).status_code == 200
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]


def test_without_a_rollup_the_page_says_so(province_plan, leader) -> None:
    response = client_for(leader).get(PAGE, MARCH)
    assert response.status_code == 200
    assert "进度汇总尚未生成" in response.content.decode()


def test_a_bad_month_or_year_is_a_chinese_400(province_plan, leader) -> None:
    client = client_for(leader)
    assert client.get(PAGE, {"as_of": "2016-03"}).status_code == 400
    response = client.get(PAGE, {"year": "20x5"})
    assert response.status_code == 400 and "四位数字" in response.content.decode()


def test_a_year_without_a_province_plan_is_404(province_plan, leader) -> None:
    assert client_for(leader).get(PAGE, {"year": "2016"}).status_code == 404


def test_no_province_plan_is_a_chinese_404(plan, leader) -> None:
    response = client_for(leader).get(PAGE)
    assert response.status_code == 404
    assert "目前没有可查看的省级方案。" in response.content.decode()


def test_a_draft_province_plan_is_the_administrators_only(province_plan, leader, administrator):
    province_plan.status = Plan.Status.DRAFT
    province_plan.save(update_fields=["status"])
    assert client_for(leader).get(PAGE).status_code == 404
    assert client_for(administrator).get(PAGE).status_code == 200


# Who opens it ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor", "administrator"])
def test_the_citys_readers_open_it(province_plan, people, role) -> None:
    assert client_for(people[role]).get(PAGE).status_code == 200


def test_the_provinces_leader_opens_it(province_plan, province_leader) -> None:
    assert client_for(province_leader).get(PAGE).status_code == 200


@pytest.mark.parametrize("role", ["clerk", "county_clerk", "outsider"])
def test_clerks_and_people_without_a_role_are_refused_before_any_lookup(
    province_plan, people, role
) -> None:
    client = client_for(people[role])
    assert client.get(PAGE).status_code == 403
    assert client.get("/dashboard/province/999999/").status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_a_countys_people_are_refused(province_plan, county_people, role) -> None:
    assert client_for(county_people[role]).get(PAGE).status_code == 403


def test_another_provinces_leader_is_refused(province_plan, make_user) -> None:
    hebei = Region.objects.create(code="130000", name="河北省", kind=Region.Kind.PROVINCE)
    other = make_user("leader", region=hebei)
    assert client_for(other).get(PAGE).status_code == 403


def test_anonymous_is_sent_to_log_in(province_plan) -> None:
    assert_sent_to_log_in(client_for(None).get(PAGE))


@pytest.mark.parametrize("code", ["410600", "410611", "999999", "abc"])
def test_a_code_that_is_no_province_is_404(province_plan, leader, code) -> None:
    assert client_for(leader).get(f"/dashboard/province/{code}/").status_code == 404


# Where a province's leader starts and what they are refused --------------------------------------


def test_the_dashboard_sends_a_provinces_leader_to_their_province(province_leader) -> None:
    client = client_for(province_leader)
    response = client.get("/dashboard/", {"year": "2015", "as_of": "2015-03"})
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?year=2015&as_of=2015-03"
    assert client.get("/dashboard/")["Location"] == PAGE
    assert client.get("/", follow=True).redirect_chain[-1][0] == PAGE


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/quota/rural-transfer/",
        "/dashboard/county/410621/",
        "/dashboard/county/410601/",
        "/dashboard/department/hrss/",
        "/bulletins/",
        "/bulletins/?unit=410621",
        "/api/progress/2015/",
        "/api/progress/2015/?unit=410621",
        "/review/reports/",
        "/review/notices/",
        "/exports/",
        "/summaries/",
        "/registers/",
        "/projects/",
    ],
)
def test_a_provinces_leader_is_refused_the_citys_and_the_counties_pages(
    province_plan, province_leader, url
) -> None:
    assert client_for(province_leader).get(url).status_code == 403, url


@pytest.mark.parametrize("url", ["/bulletins/2015/3/", "/summaries/2015/6/"])
def test_the_citys_papers_of_a_year_are_its_own_plans_beside_a_provinces(
    province_plan, leader, url
) -> None:
    """A province's plan of the same year is not the city's: its bulletin and summary open."""
    assert client_for(leader).get(url).status_code == 200
