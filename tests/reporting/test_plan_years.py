"""Choosing the year: dashboards, drill-downs, the API, bulletins and exports of each plan.

Three plans: 2014 closed (figures entered while it was active, then closed), 2015 active,
2016 a draft. The default is the active plan; a closed plan stays readable; a draft is for
administrators only (everyone else gets 404, as for a year with no plan).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from reporting.rollup import rebuild
from reporting.rows import QuotaRow
from targets.models import Plan
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

DRILL_DOWNS = [
    "/dashboard/quota/rural-transfer/",
    "/dashboard/county/410611/",
    "/dashboard/department/hrss/",
]
URLS = ["/dashboard/", *DRILL_DOWNS]


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def plans(plan: Plan, enter: Any, plan_of_year: Any) -> dict[int, Plan]:
    """2014 (closed) with rural transfer 700 by June; 2015 (active) 1,000 by March; 2016 draft."""
    older = plan_of_year(2014, Plan.Status.ACTIVE)
    enter(older, "rural-transfer", "410611", 2, 300)
    enter(older, "rural-transfer", "410621", 6, 400)
    rebuild(older)
    Plan.objects.filter(pk=older.pk).update(status=Plan.Status.CLOSED)
    enter(plan, "rural-transfer", "410611", 1, 600)
    enter(plan, "rural-transfer", "410611", 3, 400)
    rebuild(plan)
    draft = plan_of_year(2016, Plan.Status.DRAFT)
    return {2014: Plan.objects.get(pk=older.pk), 2015: plan, 2016: draft}


def _rural(response: Any) -> QuotaRow:
    return next(r for r in response.context["table"].data.data if r.code == "rural-transfer")


# The default year ---------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_the_default_is_the_active_plan(plans, leader, url) -> None:
    response = client_for(leader).get(url)
    assert response.status_code == 200
    assert response.context["plan"] == plans[2015]
    assert response.context["as_of"] == "2015-03"
    assert response.context["months"][0] == ("2015-01", 1)


def test_the_default_is_the_active_plan_even_when_a_later_one_exists(plans, administrator) -> None:
    # Administrators see the 2016 draft, but the default stays the plan in force.
    response = client_for(administrator).get("/dashboard/")
    assert response.context["plan"] == plans[2015]
    assert [p.year for p in response.context["plans"]] == [2016, 2015, 2014]


def test_the_default_active_plan_is_the_latest_active_one(plans, leader) -> None:
    Plan.objects.filter(pk=plans[2014].pk).update(status=Plan.Status.ACTIVE)
    assert client_for(leader).get("/dashboard/").context["plan"] == plans[2015]


def test_without_an_active_plan_the_latest_plan(plans, leader, administrator) -> None:
    Plan.objects.filter(pk=plans[2015].pk).update(status=Plan.Status.CLOSED)
    response = client_for(leader).get("/dashboard/")
    assert response.context["plan"].year == 2015
    assert "已结束 · 只读" in _text(response)
    # Administrators too: a closed plan with figures before the draft being set up.
    assert client_for(administrator).get("/dashboard/").context["plan"].year == 2015


def test_the_api_without_as_of_and_the_default_plan_agree(plans, leader) -> None:
    client = client_for(leader)
    page = client.get("/dashboard/")
    api = client.get("/api/progress/2015/").json()
    assert api["as_of"] == page.context["as_of"]
    assert _rural(page).actual == next(
        q["actual"] for q in api["quotas"] if q["code"] == "rural-transfer"
    )


# ?year= ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_a_closed_year_is_shown_with_its_own_months(plans, leader, url) -> None:
    response = client_for(leader).get(url, {"year": "2014"})
    assert response.status_code == 200
    assert response.context["plan"] == plans[2014]
    assert response.context["as_of"] == "2014-06"  # its latest reported month
    assert [value for value, _m in response.context["months"]] == [
        f"2014-{m:02d}" for m in range(1, 13)
    ]
    page = _text(response)
    assert 'value="2014-06" selected' in page
    assert "已结束 · 只读" in page
    assert "测试〔2014〕1号" in page


def test_a_closed_years_numbers_are_its_own(plans, leader) -> None:
    client = client_for(leader)
    assert _rural(client.get("/dashboard/", {"year": "2014", "as_of": "2014-06"})).actual == 700
    assert _rural(client.get("/dashboard/", {"year": "2014", "as_of": "2014-03"})).actual == 300
    assert _rural(client.get("/dashboard/", {"year": "2015"})).actual == 1000
    quota = client.get("/dashboard/quota/rural-transfer/", {"year": "2014"})
    assert [(r.month, r.actual) for r in quota.context["by_month"]] == [
        (1, 0),
        (2, 300),
        (3, 300),
        (4, 300),
        (5, 300),
        (6, 700),
    ]


def test_links_keep_the_year_and_month(plans, leader) -> None:
    page = _text(client_for(leader).get("/dashboard/", {"year": "2014", "as_of": "2014-03"}))
    query = "?year=2014&amp;as_of=2014-03"
    assert f'href="/dashboard/quota/rural-transfer/{query}"' in page
    assert f'href="/dashboard/county/410611/{query}"' in page
    assert f'href="/dashboard/department/hrss/{query}"' in page
    quota = _text(
        client_for(leader).get(
            "/dashboard/quota/rural-transfer/", {"year": "2014", "as_of": "2014-03"}
        )
    )
    assert f'href="/dashboard/{query}"' in quota
    assert f'href="/dashboard/county/410611/{query}"' in quota
    # The month's form sends the year with it; the year's form starts the month afresh.
    assert '<input type="hidden" name="year" value="2014">' in page
    assert '<select id="year" name="year">' in page
    assert '<option value="2014" selected>' in page


def test_filters_keep_the_year(plans, leader) -> None:
    response = client_for(leader).get(
        "/dashboard/", {"year": "2014", "as_of": "2014-06", "county": "410621"}
    )
    assert _rural(response).actual == 400
    assert _rural(response).place == "浚县"


@pytest.mark.parametrize("url", URLS)
def test_a_month_outside_the_chosen_year_is_a_chinese_400(plans, leader, url) -> None:
    response = client_for(leader).get(url, {"year": "2014", "as_of": "2015-03"})
    assert response.status_code == 400
    assert "截止月份必须在 2014 年度内" in _text(response)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("year", ["abc", "15", "20145", "2014-01"])
def test_a_malformed_year_is_a_chinese_400(plans, leader, url, year) -> None:
    response = client_for(leader).get(url, {"year": year})
    assert response.status_code == 400
    assert "年度格式应为四位数字" in _text(response)


@pytest.mark.parametrize("url", URLS)
def test_a_year_without_a_plan_is_404(plans, leader, url) -> None:
    assert client_for(leader).get(url, {"year": "2013"}).status_code == 404


# Draft plans: administrators only ------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["leader", "reviewer", "auditor"])
def test_a_draft_is_not_there_for_others(plans, make_user, role, url) -> None:
    client = client_for(make_user(role))
    assert client.get(url, {"year": "2016"}).status_code == 404
    assert 2016 not in [p.year for p in client.get("/dashboard/").context["plans"]]
    assert client.get("/api/progress/2016/").status_code == 404
    assert client.get("/bulletins/2016/1/").status_code == 404
    assert "测试〔2016〕1号" not in _text(client.get("/bulletins/"))


def test_administrators_see_a_draft(plans, administrator) -> None:
    client = client_for(administrator)
    response = client.get("/dashboard/", {"year": "2016"})
    assert response.status_code == 200
    page = _text(response)
    assert "草稿 · 仅管理员可见" in page
    assert "进度汇总尚未生成" in page  # a draft has no figures
    assert "另有 8,550 人次未分配到任何部门" in page  # but its definitions show
    assert client.get("/dashboard/quota/rural-transfer/", {"year": "2016"}).status_code == 200
    assert client.get("/api/progress/2016/").status_code == 503  # no rollup yet
    assert client.get("/bulletins/2016/1/").status_code == 200
    assert "测试〔2016〕1号" in _text(client.get("/bulletins/"))


def test_a_superuser_is_an_administrator_here_too(plans, django_user_model) -> None:
    root = django_user_model.objects.create_superuser("root", password="x")
    assert client_for(root).get("/dashboard/", {"year": "2016"}).status_code == 200


# A closed plan: read-only, still readable ---------------------------------------------


@pytest.mark.parametrize("role", ["leader", "reviewer", "auditor", "administrator"])
def test_a_closed_plans_pages_stay_available(plans, make_user, role) -> None:
    client = client_for(make_user(role))
    for url in URLS:
        assert client.get(url, {"year": "2014"}).status_code == 200, url
    api = client.get("/api/progress/2014/", {"as_of": "2014-06"})
    assert api.status_code == 200
    rural = next(q for q in api.json()["quotas"] if q["code"] == "rural-transfer")
    assert rural["actual"] == 700
    assert client.get("/bulletins/").status_code == 200
    assert "测试〔2014〕1号" in _text(client.get("/bulletins/"))
    bulletin = client.get("/bulletins/2014/6/")
    assert bulletin.status_code == 200
    assert "700" in _text(bulletin)


def test_a_closed_plans_exports_stay_available(plans, make_user) -> None:
    client = client_for(make_user("auditor"))
    response = client.get("/exports/2014/summary.xlsx", {"as_of": "2014-06"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/exports/", {"year": "2014"}).status_code == 200


def test_bulletins_list_the_default_plan_first(plans, leader) -> None:
    page = _text(client_for(leader).get("/bulletins/"))
    assert page.index("bulletins-2015") < page.index("bulletins-2014")
    assert "已结束 · 只读" in page


def test_queries_do_not_grow_with_the_plans(
    plans, leader, plan_of_year, django_assert_max_num_queries
) -> None:
    """Choosing among plans costs one query, however many there are (without a comparison,
    which 2014 would otherwise get with 2013 once there is one)."""
    client = client_for(leader)
    client.get("/dashboard/")
    cache.clear()
    with django_assert_max_num_queries(30) as three:
        client.get("/dashboard/", {"year": "2014", "compare": "none"})
    for year in (2010, 2011, 2012, 2013):
        plan_of_year(year, Plan.Status.CLOSED)
    cache.clear()
    with django_assert_max_num_queries(30) as seven:
        client.get("/dashboard/", {"year": "2014", "compare": "none"})
    assert len(seven.captured_queries) == len(three.captured_queries)
