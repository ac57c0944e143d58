"""The leaders' dashboard (/dashboard/): who may open it, and that its numbers are the API's."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.middleware import csrf
from django.test import Client

from reporting import charts
from reporting.models import Rollup
from reporting.rollup import rebuild
from targets import services
from targets.models import Indicator, Plan, Region

pytestmark = pytest.mark.django_db

URLS = [
    "/dashboard/",
    "/dashboard/quota/rural-transfer/",
    "/dashboard/county/410611/",
    "/dashboard/department/hrss/",
]
COUNTIES = ["410602", "410603", "410611", "410621", "410622", "410601"]  # and 市直


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(client: Client, as_of: str) -> dict[str, Any]:
    response = client.get(f"/api/progress/2015/?as_of={as_of}")
    assert response.status_code == 200
    return response.json()


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def figures(plan: Plan, figure: Any) -> None:
    """Hand-made figures over three months, a county split, the veterans' counts; rolled up."""
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410611", 3, 500)
    figure("rural-transfer", "410621", 2, 300)
    figure("rural-transfer", "410622", 4, 900)
    figure("in-service", "410603", 2, 2300)
    figure("training-total", "410602", 2, 2000)
    figure("rain-dew", "410622", 3, 400, status="submitted")  # not counted
    figure("vocational-enrolment", "410611", 1, 10000)
    figure("vocational-enrolment", "410611", 3, 12000)
    figure("vocational-enrolment", "410621", 2, 8000)
    figure("veterans-eligible", "410611", 1, 40)
    figure("veterans-aware", "410611", 1, 38)
    figure("veterans-registered", "410611", 2, 32)
    figure("veterans-trained", "410611", 3, 28)
    figure("veterans-passed", "410611", 3, 21)
    services.region_target_set(
        reason="测试：县区分解",
        indicator=Indicator.objects.get(plan=plan, code="rural-transfer"),
        region=Region.objects.get(code="410611"),
        target=6000,
    )
    services.region_target_set(
        reason="测试：县区分解",
        indicator=Indicator.objects.get(plan=plan, code="rural-transfer"),
        region=Region.objects.get(code="410621"),
        target=5000,
    )
    rebuild(plan)


@pytest.fixture
def leader(make_user: Any, plan: Plan) -> Any:
    return make_user("leader")


# Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["leader", "reviewer", "auditor", "administrator"])
def test_dashboard_roles_may_open_every_page(figures, make_user, role, url) -> None:
    assert _client(make_user(role)).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_superuser_may_open_every_page(figures, django_user_model, url) -> None:
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert _client(admin).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_it_checks_the_role(figures, make_user, url) -> None:
    assert _client(make_user("clerk", department="hrss")).get(url).status_code == 403
    assert _client(make_user("clerk", "hrss", "410621")).get(url).status_code == 403
    assert _client(make_user(None)).get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_the_login(figures, url) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_only_get(figures, leader) -> None:
    assert _client(leader).post("/dashboard/").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/quota/no-such-quota/",
        "/dashboard/quota/training-total/",  # a goal, not a quota
        "/dashboard/quota/veterans-eligible/",  # a count series
        "/dashboard/county/410600/",
        "/dashboard/county/abc/",
        "/dashboard/department/no-such-department/",
    ],
)
def test_unknown_codes_are_404(figures, leader, url) -> None:
    assert _client(leader).get(url).status_code == 404


# As-of month ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("as_of", ["2015-13", "2014-09", "abc", "2015-9", "2015-00"])
def test_bad_as_of_is_a_chinese_400_page(figures, leader, url, as_of) -> None:
    response = _client(leader).get(url, {"as_of": as_of})
    assert response.status_code == 400
    page = _text(response)
    assert "截止月份" in page
    assert "<html" in page


def test_default_as_of_is_the_latest_reported_month(figures, leader) -> None:
    response = _client(leader).get("/dashboard/")
    assert response.context["month"] == 4
    assert 'value="2015-04" selected' in _text(response)


def test_as_of_changes_the_numbers(figures, leader) -> None:
    client = _client(leader)
    goals = {}
    for as_of in ("2015-01", "2015-02", "2015-04"):
        response = client.get("/dashboard/", {"as_of": as_of})
        goals[as_of] = {g["code"]: g["actual"] for g in response.context["goals"]}
    assert goals["2015-01"]["training-total"] == 1000
    assert goals["2015-02"]["training-total"] == 1000 + 300 + 2300 + 2000
    assert goals["2015-04"]["training-total"] == 1000 + 300 + 2300 + 2000 + 500 + 900
    assert goals["2015-01"]["vocational-enrolment"] == 10000
    assert goals["2015-04"]["vocational-enrolment"] == 12000 + 8000  # levels, not sums


# The page's numbers are the API's -------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2015-01", "2015-02", "2015-03", "2015-06", "2015-12"])
def test_cards_and_table_equal_the_api(figures, leader, as_of) -> None:
    client = _client(leader)
    api = _api(client, as_of)
    response = client.get("/dashboard/", {"as_of": as_of})
    # The API's goals, each with who is missing besides (the page names them)
    goals = response.context["goals"]
    assert [{k: v for k, v in goal.items() if k != "missing"} for goal in goals] == api["goals"]
    table = {row["code"]: row for row in response.context["table"].data.data}
    assert set(table) == {quota["code"] for quota in api["quotas"]}
    for quota in api["quotas"]:
        row = table[quota["code"]]
        for key in ("target", "actual", "completion", "expected", "status", "projected"):
            assert row[key] == quota[key], (quota["code"], key)
        assert row["place"] is None  # the city-wide row
    page = _text(response)
    for goal in api["goals"]:
        assert f">{goal['actual']:,}<" in page
        assert f">{goal['target']:,}<" in page


@pytest.mark.parametrize("as_of", ["2015-02", "2015-04"])
def test_county_filter_shows_the_api_county_rows(figures, leader, as_of) -> None:
    client = _client(leader)
    api = _api(client, as_of)
    response = client.get("/dashboard/", {"as_of": as_of, "county": "410611"})
    rows = {row["code"]: row for row in response.context["table"].data.data}
    for quota in api["quotas"]:
        county = next(r for r in quota["regions"] if r["code"] == "410611")
        for key in ("target", "actual", "completion", "status", "projected"):
            assert rows[quota["code"]][key] == county[key], (quota["code"], key)
        assert rows[quota["code"]]["place"] == "淇滨区"


def test_hand_computed_numbers(figures, leader) -> None:
    response = _client(leader).get("/dashboard/", {"as_of": "2015-03", "county": "410611"})
    row = next(r for r in response.context["table"].data.data if r["code"] == "rural-transfer")
    assert (row["target"], row["actual"]) == (6000, 1500)
    assert row["completion"] == 0.25
    assert row["expected"] == 0.25
    assert row["status"] == "green"
    assert row["projected"] == 6000


def test_department_and_status_filters(figures, leader) -> None:
    client = _client(leader)
    rows = (
        client.get("/dashboard/", {"as_of": "2015-03", "department": "civil"})
        .context["table"]
        .data.data
    )
    assert [row["code"] for row in rows] == [
        "veterans-awareness",
        "veterans-registration",
        "veterans-participation",
        "veterans-pass",
    ]
    api = _api(client, "2015-03")
    for status in ("green", "amber", "red"):
        response = client.get("/dashboard/", {"as_of": "2015-03", "status": status})
        shown = sorted(row["code"] for row in response.context["table"].data.data)
        assert shown == sorted(q["code"] for q in api["quotas"] if q["status"] == status)


def test_table_is_sortable_and_links_to_the_drill_down(figures, leader) -> None:
    client = _client(leader)
    response = client.get("/dashboard/", {"as_of": "2015-03", "sort": "-completion"})
    rows = list(response.context["table"].rows)
    completions = [row.record["completion"] for row in rows if row.record["completion"]]
    assert completions == sorted(completions, reverse=True)
    page = _text(response)
    assert 'href="/dashboard/quota/rural-transfer/?year=2015&amp;as_of=2015-03"' in page
    assert "sort=completion" in page  # the header links sort


def test_the_8550_no_department_carries(figures, leader) -> None:
    response = _client(leader).get("/dashboard/")
    training = next(g for g in response.context["goals"] if g["code"] == "training-total")
    assert training["unallocated"] == 8550
    page = _text(response)
    assert '<span class="goal-unallocated">8,550</span>' in page
    assert "合计 61,450 人次" in page
    assert "另有 8,550 人次未分配到任何部门" in page


def test_rates_show_as_percentages_with_their_counts(figures, leader) -> None:
    response = _client(leader).get("/dashboard/", {"as_of": "2015-03"})
    rows = {row["code"]: row for row in response.context["table"].data.data}
    # awareness 38/40 = 95 %, registration 32/40 = 80 %, participation 28/32, pass 21/28.
    assert rows["veterans-awareness"]["actual"] == 0.95
    assert rows["veterans-participation"]["actual"] == 0.875
    assert rows["veterans-pass"]["actual"] == 0.75
    page = _text(response)
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
        row["code"]: row for row in _client(leader).get("/dashboard/").context["table"].data.data
    }
    assert rows["veterans-awareness"]["actual"] is None
    assert rows["veterans-awareness"]["status"] is None


def test_without_a_rollup_a_chinese_message(plan, figure, leader) -> None:
    figure("rural-transfer", "410611", 1, 10)  # approved, but not rolled up
    assert not Rollup.objects.exists()
    response = _client(leader).get("/dashboard/")
    assert response.status_code == 200
    page = _text(response)
    assert "进度汇总尚未生成" in page
    assert "另有 8,550 人次未分配到任何部门" in page  # the plan's definitions still show
    for url in URLS[1:]:
        response = _client(leader).get(url)
        assert response.status_code == 200
        assert "进度汇总尚未生成" in _text(response)


def test_milestones_still_listed(figures, leader) -> None:
    page = _text(_client(leader).get("/dashboard/"))
    assert "省级技能人才公共实训鉴定示范基地项目" in page
    assert "未开始" in page


# Drill-downs ----------------------------------------------------------------------------


def test_quota_drill_down_by_county_and_by_month(figures, leader) -> None:
    client = _client(leader)
    response = client.get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    api = _api(client, "2015-03")
    quota = next(q for q in api["quotas"] if q["code"] == "rural-transfer")
    by_county = {row["region_code"]: row for row in response.context["by_county"]}
    assert by_county[None]["actual"] == quota["actual"] == 1800
    for region in quota["regions"]:
        assert by_county[region["code"]]["actual"] == region["actual"]
        assert by_county[region["code"]]["target"] == region["target"]
    months = [(row["month"], row["actual"]) for row in response.context["by_month"]]
    assert months == [(1, 1000), (2, 1300), (3, 1800)]
    for month, actual in months:
        assert _api(client, f"2015-{month:02d}")["quotas"][0]["actual"] == actual


def test_quota_drill_down_lists_the_figures_behind_it(figures, leader) -> None:
    response = _client(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    shown = [(s.month, s.region.code, s.value) for s in response.context["figures"]]
    assert shown == [(1, "410611", 1000), (2, "410621", 300), (3, "410611", 500)]
    rate = _client(leader).get("/dashboard/quota/veterans-pass/", {"as_of": "2015-03"})
    series = {s.indicator.code for s in rate.context["figures"]}
    assert series == {"veterans-trained", "veterans-passed"}
    assert "（21/28）" in _text(rate)


def test_county_drill_down(figures, leader) -> None:
    client = _client(leader)
    response = client.get("/dashboard/county/410621/", {"as_of": "2015-02"})
    api = _api(client, "2015-02")
    rows = {row["code"]: row for row in response.context["rows"]}
    assert len(rows) == 12
    for quota in api["quotas"]:
        county = next(r for r in quota["regions"] if r["code"] == "410621")
        assert rows[quota["code"]]["actual"] == county["actual"]
        assert rows[quota["code"]]["completion"] == county["completion"]
    assert rows["rural-transfer"]["actual"] == 300
    assert "浚县" in _text(response)


def test_department_drill_down(figures, leader) -> None:
    response = _client(leader).get("/dashboard/department/civil/", {"as_of": "2015-03"})
    rows = response.context["rows"]
    assert {row["code"] for row in rows} == {
        "veterans-awareness",
        "veterans-registration",
        "veterans-participation",
        "veterans-pass",
    }
    assert len(rows) == 4 * (1 + len(COUNTIES))
    hrss = _client(leader).get("/dashboard/department/hrss/", {"as_of": "2015-03"})
    assert {row["department_code"] for row in hrss.context["rows"]} == {"hrss"}


# Charts ---------------------------------------------------------------------------------


def _figures(response: Any) -> dict[str, dict[str, Any]]:
    page = _text(response)
    found = {}
    for chart in response.context["charts"]:
        # The figure travels as json_script data, read back from the page itself.
        match = re.search(
            rf'<script id="{chart["data_id"]}" type="application/json">(.*?)</script>', page, re.S
        )
        assert match, chart["id"]
        found[chart["id"]] = json.loads(match[1])
        assert f'data-chart="{chart["data_id"]}"' in page
    return found


def test_charts_are_json_data_on_the_page(figures, leader) -> None:
    found = _figures(_client(leader).get("/dashboard/", {"as_of": "2015-03"}))
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
    response = _client(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    figure = _figures(response)["chart-quota-progress"]
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
    found = _figures(_client(leader).get("/dashboard/", {"as_of": "2015-02"}))
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
    client = _client(leader)
    api = _api(client, "2015-03")
    found = _figures(client.get("/dashboard/", {"as_of": "2015-03"}))
    heat = found["chart-heatmap"]["data"][0]
    hrss, qibin = heat["y"].index("人力资源社会保障局"), heat["x"].index("淇滨区")
    rural = next(q for q in api["quotas"] if q["code"] == "rural-transfer")
    qibin_rural = next(r for r in rural["regions"] if r["code"] == "410611")
    assert heat["z"][hrss][qibin] == round(qibin_rural["completion"] * 100, 2) == 25.0
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

    veterans = found["chart-veterans"]["data"]
    assert veterans[0]["y"] == [95.0, 80.0, 87.5, 75.0]
    assert veterans[1]["y"] == [100.0, 100.0, 90.0, 90.0]

    completeness = found["chart-completeness"]["data"]
    assert completeness[0]["x"] == [1, 2, 3]
    assert all(value is None or 0 <= value <= 100 for value in completeness[0]["y"])


# Content-Security-Policy and static plotly ----------------------------------------------


@pytest.mark.parametrize(
    "url", [*URLS, "/entry/", "/review/", "/accounts/login/", "/admin/", "/no-such-page/"]
)
def test_csp_header_on_html_pages(figures, django_user_model, url, settings) -> None:
    admin = django_user_model.objects.create_superuser("root", password="x")
    response = _client(admin).get(url)
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy


def test_csp_not_on_json_and_configurable(figures, leader, settings) -> None:
    client = _client(leader)
    assert "Content-Security-Policy" not in client.get("/api/progress/2015/")
    settings.CONTENT_SECURITY_POLICY = "default-src 'none'"
    assert client.get("/dashboard/")["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get("/dashboard/")


class _Scripts(HTMLParser):
    """Every <script> of a page: its attributes and its inline body."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append((dict(attrs), ""))
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            attributes, body = self.found[-1]
            self.found[-1] = (attributes, body + data)


def _scripts(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    return parser.found


@pytest.mark.parametrize("url", URLS)
def test_plotly_from_our_static_files_no_cdn_no_inline_script(
    figures, leader, url, monkeypatch
) -> None:
    """Where each script comes from, read from the parsed tags: a substring such as "cdn" can
    be part of the page's random CSRF token, as it is here on purpose."""
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: ("cdn" * 11)[:32])
    page = _text(_client(leader).get(url, {"as_of": "2015-03"}))
    assert "cdncdn" in page  # the worst case the old substring check met by chance
    scripts = _scripts(page)
    sources = [attributes["src"] for attributes, _body in scripts if attributes.get("src")]
    for attributes, body in scripts:
        # Either a file of ours, or data (json_script) that a browser never runs.
        if attributes.get("src"):
            source = urlsplit(attributes["src"] or "")
            assert (source.scheme, source.netloc) == ("", "")
            assert source.path.startswith("/static/")
            assert not body.strip()
        else:
            assert attributes.get("type") == "application/json"
    assert "/static/js/charts.js" in sources
    if url in ("/dashboard/", "/dashboard/quota/rural-transfer/"):
        assert "/static/vendor/plotly.min.js" in sources


def test_a_script_from_elsewhere_or_inline_is_seen_by_that_check() -> None:
    """The parser the check relies on finds what the old substring check was after."""
    page = (
        '<script src="https://cdn.example.com/plotly.js"></script><script>alert(1)</script>'
        '<script id="d" type="application/json">{"a": 1}</script>'
        '<input name="csrfmiddlewaretoken" value="xcdnX">'
    )
    assert _scripts(page) == [
        ({"src": "https://cdn.example.com/plotly.js"}, ""),
        ({}, "alert(1)"),
        ({"id": "d", "type": "application/json"}, '{"a": 1}'),
    ]


def test_the_plotly_bundle_is_the_wheels() -> None:
    import plotly

    ours = finders.find("vendor/plotly.min.js")
    assert ours
    with open(ours, "rb") as mine:
        bundle = mine.read()
    with open(f"{plotly.__path__[0]}/package_data/plotly.min.js", "rb") as wheel:
        assert bundle == wheel.read()


# Bounded queries ------------------------------------------------------------------------


def _more_figures(plan: Plan, figure: Any) -> None:
    """Every training quota in every county for nine months, rolled up."""
    codes = ("rural-transfer", "in-service", "rain-dew", "veterans-trained", "veterans-passed")
    for code in codes:
        for region in COUNTIES:
            for month in range(1, 10):
                figure(code, region, month, 10 * month)
    rebuild(plan)


QUERY_BOUND = 24


@pytest.mark.parametrize(
    "url",
    [
        *URLS,
        "/dashboard/?county=410611&department=hrss&status=green&sort=-completion",
        "/dashboard/quota/veterans-pass/",
    ],
)
def test_queries_do_not_grow_with_the_data(
    plan, figure, leader, django_assert_max_num_queries, url
) -> None:
    figure("new-farmers", "410611", 1, 10)
    rebuild(plan)
    client = _client(leader)
    client.get(url)  # warm the session
    cache.clear()  # measure the uncached page (the progress document is cached per rollup run)
    with django_assert_max_num_queries(QUERY_BOUND) as small:
        assert client.get(url).status_code == 200
    _more_figures(plan, figure)
    cache.clear()
    with django_assert_max_num_queries(QUERY_BOUND) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# Completeness: the header, pending rows and who is missing --------------------------------


def test_header_says_the_month_and_how_many_reports_are_approved(figures, leader) -> None:
    response = _client(leader).get("/dashboard/", {"as_of": "2015-03"})
    page = _text(response)
    # March: 17 series × 6 places (5 counties, 市直); approved: rural-transfer and
    # vocational-enrolment in 淇滨区, the veterans' trained and passed counts there (rain-dew
    # is only submitted).
    assert "截至2015年3月 · 已审核 4/102 份" in page
    assert response.context["reported"].approved == 4


def test_pending_rows_are_grey_and_name_who_is_missing(plan, figures, complete, leader) -> None:
    complete(3, leave=(("rural-transfer", "410621"),))
    rebuild(plan)
    response = _client(leader).get("/dashboard/", {"as_of": "2015-03"})
    rows = {row["code"]: row for row in response.context["table"].data.data}
    rural = rows["rural-transfer"]
    assert rural["status"] == "pending"
    assert rural["missing"] == ["人社局 · 浚县"]
    rain = rows["rain-dew"]
    assert rain["status"] == "pending" and rain["missing"] == ["扶贫办 · 淇县"]
    assert rows["in-service"]["status"] == "red"  # judged: 2,300 of 23,000 by March
    page = _text(response)
    row = re.search(r'<tr[^>]*data-quota="rural-transfer".*?</tr>', page, re.S)[0]
    assert "status--pending" in row and "数据不全" in row and "已审核 5/6" in row
    assert "人社局 · 浚县" in row
    assert not re.search(r"status--(red|amber|green)", row)
    goals = {goal["code"]: goal for goal in response.context["goals"]}
    assert goals["training-total"]["status"] == "pending"
    assert goals["training-total"]["missing"] == ["人社局 · 浚县", "扶贫办 · 淇县"]
    card = re.search(r'<article[^>]*data-goal="training-total".*?</article>', page, re.S)[0]
    assert "goal-card--pending" in card and "status--red" not in card
    assert "已审核 52/54" in card and "人社局 · 浚县" in card


def test_status_filter_offers_pending(plan, figures, complete, leader) -> None:
    complete(3, leave=(("rural-transfer", "410621"),))
    rebuild(plan)
    client = _client(leader)
    response = client.get("/dashboard/", {"as_of": "2015-03", "status": "pending"})
    assert '<option value="pending" selected>' in _text(response)
    codes = {row["code"] for row in response.context["table"].data.data}
    assert codes == {"rural-transfer", "rain-dew"}
    red = client.get("/dashboard/", {"as_of": "2015-03", "status": "red"})
    assert "rural-transfer" not in {row["code"] for row in red.context["table"].data.data}


def test_nothing_approved_is_waiting_not_red(plan, figure, leader) -> None:
    figure("rural-transfer", "410611", 3, 100)
    rebuild(plan)
    response = _client(leader).get("/dashboard/", {"as_of": "2015-03"})
    rows = {row["code"]: row for row in response.context["table"].data.data}
    assert rows["in-service"]["status"] == "pending"
    assert rows["in-service"]["reported"] == {"expected": 6, "approved": 0}
    assert len(rows["in-service"]["missing"]) == 6
    row = re.search(r'<tr[^>]*data-quota="in-service".*?</tr>', _text(response), re.S)[0]
    assert "待报" in row and "等 6 处" in row


def test_quota_drill_down_judges_each_month_and_county(plan, figures, complete, leader) -> None:
    complete(2)
    rebuild(plan)
    response = _client(leader).get("/dashboard/quota/rural-transfer/", {"as_of": "2015-03"})
    by_month = {item["month"]: item for item in response.context["by_month"]}
    assert by_month[2]["status"] == "red"  # all of February approved: judged
    assert by_month[3]["status"] == "pending"
    counties = {item["region_code"]: item for item in response.context["by_county"]}
    assert counties["410611"]["status"] == "green"  # 1,500 of 6,000: the 25 % due by March
    assert counties["410621"]["status"] == "pending"
    assert "status--pending" in _text(response)


def test_ranking_and_veterans_charts_colour_pending_grey(figures, leader) -> None:
    found = _figures(_client(leader).get("/dashboard/", {"as_of": "2015-03"}))
    ranking = found["chart-ranking"]["data"][0]
    # 淇滨区's split quota is reported there (green); 浚县's March report is not in: grey.
    assert ranking["y"] == ["淇滨区", "浚县"]
    assert ranking["marker"]["color"] == [charts.GREEN, charts.PENDING_GREY]
    veterans = found["chart-veterans"]["data"][0]
    assert set(veterans["marker"]["color"]) == {charts.PENDING_GREY}
