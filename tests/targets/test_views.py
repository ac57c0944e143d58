"""The pages: who may open which, what the placeholders show, the demo banner, the language."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from targets import services
from targets.models import Department, Indicator, Membership, Plan, Region
from targets.services.plan_definition import load_plan_file
from tests.helpers import HRSS_CODES

Role = Membership.Role

PAGES = ["entry", "review", "dashboard", "exports", "no-role"]

# What each kind of user gets on each page: the policy's table (targets/policy.py).
EXPECTED_STATUS: dict[str, dict[str, int]] = {
    "clerk": {"entry": 200, "review": 403, "dashboard": 403, "exports": 403, "no-role": 302},
    "county_clerk": {"entry": 200, "review": 403, "dashboard": 403, "exports": 403, "no-role": 302},
    "reviewer": {"entry": 403, "review": 200, "dashboard": 200, "exports": 403, "no-role": 302},
    "leader": {"entry": 403, "review": 403, "dashboard": 200, "exports": 403, "no-role": 302},
    "auditor": {"entry": 403, "review": 403, "dashboard": 200, "exports": 200, "no-role": 302},
    "administrator": {
        "entry": 403,
        "review": 403,
        "dashboard": 200,
        "exports": 200,
        "no-role": 302,
    },
    "superuser": {"entry": 403, "review": 403, "dashboard": 200, "exports": 200, "no-role": 302},
    "nobody": {"entry": 403, "review": 403, "dashboard": 403, "exports": 403, "no-role": 200},
}

HOME_OF = {
    "clerk": "/entry/",
    "county_clerk": "/entry/",
    "reviewer": "/review/",
    "leader": "/dashboard/",
    "auditor": "/exports/",
    "administrator": "/admin/",
    "superuser": "/admin/",
    "nobody": "/no-role/",
}

BANNER = "演示数据：本系统中的月度数据为虚构的合成数据，仅供演示，不代表鹤壁市实际完成情况。"


@pytest.fixture
def plan_2015(db: None) -> Plan:
    return load_plan_file()


def _department(code: str) -> Department:
    return Department.objects.get(code=code)


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def _make(
    username: str,
    role: str | None,
    department: str | None = None,
    region: str | None = None,
    **fields: Any,
) -> User:
    user = User.objects.create_user(username=username, password="pw-2015-test", **fields)
    if role is not None:
        services.membership_assign(
            user=user,
            role=role,
            department=_department(department) if department else None,
            region=_region(region) if region else None,
        )
    return user


@pytest.fixture
def users(plan_2015: Plan) -> dict[str, User]:
    return {
        "clerk": _make("clerk-hrss", Role.CLERK, "hrss", first_name="小李"),
        "county_clerk": _make("clerk-hrss-410621", Role.CLERK, "hrss", "410621"),
        "reviewer": _make("reviewer", Role.REVIEWER),
        "leader": _make("leader", Role.LEADER),
        "auditor": _make("auditor", Role.AUDITOR),
        "administrator": _make("admin-member", Role.ADMINISTRATOR),
        "superuser": User.objects.create_superuser("root", password="pw-2015-test"),
        "nobody": _make("nobody", None),
    }


def _client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", list(EXPECTED_STATUS))
def test_it_checks_the_policy(users: dict[str, User], who: str, page: str) -> None:
    response = _client_for(users[who]).get(reverse(page))
    assert response.status_code == EXPECTED_STATUS[who][page]
    if response.status_code == 403:
        assert "无权访问此页面" in _text(response)
    if response.status_code == 302:
        assert response["Location"] == "/"


@pytest.mark.parametrize("page", [*PAGES, "home"])
def test_anonymous_users_are_sent_to_login(plan_2015: Plan, page: str) -> None:
    url = reverse(page)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("who", list(HOME_OF))
def test_home_sends_each_role_to_its_page(users: dict[str, User], who: str) -> None:
    response = _client_for(users[who]).get("/")
    assert response.status_code == 302
    assert response["Location"] == HOME_OF[who]


def test_pages_refuse_post(users: dict[str, User]) -> None:
    response = _client_for(users["leader"]).post("/dashboard/")
    assert response.status_code == 405


def test_nav_shows_only_what_the_role_may_open(users: dict[str, User]) -> None:
    clerk_page = _text(_client_for(users["clerk"]).get("/entry/"))
    assert 'href="/entry/"' in clerk_page
    for other in ('href="/review/"', 'href="/dashboard/"', 'href="/exports/"', 'href="/admin/"'):
        assert other not in clerk_page

    auditor_page = _text(_client_for(users["auditor"]).get("/exports/"))
    for shown in ('href="/dashboard/"', 'href="/exports/"', 'href="/admin/"'):
        assert shown in auditor_page
    assert 'href="/entry/"' not in auditor_page
    assert 'href="/review/"' not in auditor_page

    reviewer_page = _text(_client_for(users["reviewer"]).get("/review/"))
    assert 'href="/review/"' in reviewer_page
    assert 'href="/dashboard/"' in reviewer_page
    assert 'href="/admin/"' not in reviewer_page


def test_header_shows_plan_user_role_and_logout(users: dict[str, User]) -> None:
    page = _text(_client_for(users["clerk"]).get("/entry/"))
    for shown in (
        "鹤壁市全民技能振兴工程目标管理系统",
        "鹤壁市2015年深入实施全民技能振兴工程工作方案",
        "鹤政办〔2015〕39号",
        "小李",
        "填报员",
        'action="/accounts/logout/"',
        'action="/i18n/setlang/"',
    ):
        assert shown in page, shown


def test_logout_is_a_post(users: dict[str, User]) -> None:
    client = _client_for(users["leader"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_login_page_and_login(users: dict[str, User]) -> None:
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    text = _text(page)
    assert "用户名" in text and "密码" in text
    assert 'name="username"' in text and 'name="password"' in text

    response = client.post(
        "/accounts/login/", {"username": "leader", "password": "pw-2015-test"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"


def test_login_with_a_wrong_password_shows_an_error(users: dict[str, User]) -> None:
    response = Client().post("/accounts/login/", {"username": "leader", "password": "wrong"})
    assert response.status_code == 200
    assert "form-errors" in _text(response)


def test_entry_shows_the_clerks_series_and_all_counties(users: dict[str, User]) -> None:
    index = _text(_client_for(users["clerk"]).get("/entry/"))
    assert "人力资源社会保障局" in index
    assert "全市各县区" in index
    assert "48 个数据" in index  # 8 series × 6 places (five counties and 市直)
    assert 'href="/entry/2015/12/"' in index  # 2015 is over: every month is open
    response = _client_for(users["clerk"]).get("/entry/2015/3/")
    page = _text(response)
    codes = [indicator.code for indicator in response.context["grid"].series]
    assert codes == HRSS_CODES
    assert "其他职业技能培训（未列入部门任务" in page
    assert "农村劳动力转移就业技能培训" in page
    assert "新型职业农民教育培训" not in page  # the agriculture bureau's
    for county in ("淇滨区", "山城区", "鹤山区", "浚县", "淇县", "市直"):
        assert county in page
    assert len(response.context["grid"].cells) == 48


def test_entry_of_a_county_clerk_shows_one_county(users: dict[str, User]) -> None:
    index = _text(_client_for(users["county_clerk"]).get("/entry/"))
    assert "浚县（410621）" in index
    assert "8 个数据" in index
    response = _client_for(users["county_clerk"]).get("/entry/2015/3/")
    assert [region.code for region in response.context["grid"].regions] == ["410621"]
    assert "淇滨区" not in _text(response)


def test_entry_of_civil_affairs_lists_counts_not_rates(plan_2015: Plan) -> None:
    clerk = _make("clerk-civil", Role.CLERK, "civil")
    page = _text(_client_for(clerk).get("/entry/2015/3/"))
    assert "退役士兵人数" in page
    assert "培训合格的退役士兵人数" in page
    assert "退役士兵政策知晓率" not in page


def test_entry_explains_that_enrolment_is_a_level(plan_2015: Plan) -> None:
    clerk = _make("clerk-edu", Role.CLERK, "edu")
    page = _text(_client_for(clerk).get("/entry/2015/3/"))
    assert "职业教育在校生规模" in page
    assert "月末实有数" in page


def test_dashboard_without_a_rollup_shows_the_plan_gap_and_milestones(
    users: dict[str, User],
) -> None:
    # The dashboard itself is tested in tests/reporting/test_dashboard.py; before any rollup
    # it still shows what the plan sets.
    response = _client_for(users["leader"]).get("/dashboard/")
    page = _text(response)
    for shown in (
        "进度汇总尚未生成",
        "合计 61,450 人次",
        "另有 8,550 人次未分配到任何部门",
        "省级技能人才公共实训鉴定示范基地项目",
        "未开始",
    ):
        assert shown in page, shown


@pytest.mark.parametrize(
    ("who", "page", "bound"),
    [
        # with no rollup yet (see tests/reporting); 3 for the header's completeness of the month
        # +2: who has not sent an annual plan; +3 since #20: the rosters' backing, read live
        ("leader", "/dashboard/", 21),
        ("reviewer", "/review/", 13),
        ("clerk", "/entry/", 9),
        # +1 since #19: this month's figures whole, the earlier months' values alone
        ("clerk", "/entry/2015/3/", 11),
    ],
)
def test_pages_read_a_fixed_number_of_queries(
    users: dict[str, User], django_assert_max_num_queries: Any, who: str, page: str, bound: int
) -> None:
    # Session, user, membership, plan (view and header), demo flag, and the page's own reads;
    # the same whatever the number of figures (the entry tests fill a month and count again).
    client = _client_for(users[who])
    with django_assert_max_num_queries(bound):
        assert client.get(page).status_code == 200


def test_review_counts_submitted_figures_by_department_and_month(
    users: dict[str, User],
) -> None:
    clerk = users["clerk"]
    qibin, xunxian = _region("410611"), _region("410621")
    rural = _indicator("rural-transfer")
    for region, month in ((qibin, 3), (xunxian, 3), (qibin, 4)):
        figure = services.submission_save(
            actor=clerk, indicator=rural, region=region, month=month, value=100
        )
        services.submission_submit(actor=clerk, submission=figure)
    # A draft and an approved figure are not waiting.
    services.submission_save(actor=clerk, indicator=rural, region=qibin, month=5, value=1)
    approved = services.submission_save(
        actor=clerk, indicator=rural, region=qibin, month=1, value=1
    )
    services.submission_submit(actor=clerk, submission=approved)
    services.submission_approve(actor=users["reviewer"], submission=approved)

    response = _client_for(users["reviewer"]).get("/review/")
    page = _text(response)
    assert "审核功能正在建设中" not in page  # the review pages have landed
    assert "待审核数据：3 条" in page
    hrss = next(r for r in response.context["rows"] if r["department"].code == "hrss")
    assert hrss["months"][:5] == [0, 0, 2, 1, 0]
    assert hrss["total"] == 3
    assert response.context["total"] == 3


def test_review_without_waiting_figures(users: dict[str, User]) -> None:
    page = _text(_client_for(users["reviewer"]).get("/review/"))
    assert "目前没有等待审核的数据。" in page


def test_exports_describes_the_workbook(users: dict[str, User]) -> None:
    page = _text(_client_for(users["auditor"]).get("/exports/"))
    assert "Excel 导出功能正在建设中" not in page  # the placeholder is gone
    assert 'href="/exports/2015/summary.xlsx?as_of=' in page
    assert "修改记录" in page
    assert "已审核数据" in page


def test_no_role_page_explains_what_to_do(users: dict[str, User]) -> None:
    page = _text(_client_for(users["nobody"]).get("/no-role/"))
    assert "账号尚未分配角色" in page
    assert "请联系系统管理员" in page


def test_not_found_page_is_chinese(users: dict[str, User]) -> None:
    response = _client_for(users["leader"]).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in _text(response)


def _february_draft(users: dict[str, User], **fields: Any) -> None:
    """The clerk's draft of 10 for in-service in 淇滨区, February."""
    services.submission_save(
        actor=users["clerk"],
        indicator=_indicator("in-service"),
        region=_region("410611"),
        month=2,
        value=10,
        **fields,
    )


def test_demo_banner_only_with_demo_figures(users: dict[str, User]) -> None:
    client = _client_for(users["leader"])
    assert BANNER not in _text(client.get("/dashboard/"))
    assert BANNER not in _text(Client().get("/accounts/login/"))

    _february_draft(users, is_demo=True)
    assert BANNER in _text(client.get("/dashboard/"))
    assert BANNER in _text(Client().get("/accounts/login/"))
    assert BANNER in _text(_client_for(users["nobody"]).get("/review/"))  # the 403 page too


def test_real_figures_do_not_raise_the_banner(users: dict[str, User]) -> None:
    _february_draft(users)
    assert BANNER not in _text(_client_for(users["leader"]).get("/dashboard/"))


def test_language_switch_to_english(users: dict[str, User]) -> None:
    client = _client_for(users["leader"])
    assert "进度看板" in _text(client.get("/dashboard/"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    page = _text(client.get("/dashboard/"))
    assert "Progress dashboard" in page
    assert "City-wide goals" in page
    assert "8,550" in page
    assert "进度看板" not in page

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/dashboard/"})
    assert "进度看板" in _text(client.get("/dashboard/"))


def test_pages_without_an_active_plan(users: dict[str, User], plan_2015: Plan) -> None:
    Plan.objects.filter(pk=plan_2015.pk).update(status=Plan.Status.CLOSED)
    dashboard = _text(_client_for(users["leader"]).get("/dashboard/"))
    # Without an active plan the dashboard shows the latest plan, read-only.
    assert "鹤政办〔2015〕39号" in dashboard
    assert "已结束 · 只读" in dashboard
    entry = _client_for(users["clerk"]).get("/entry/")
    assert entry.status_code == 200
    assert "目前没有执行中的方案。" in _text(entry)
    assert _client_for(users["reviewer"]).get("/review/").status_code == 200
