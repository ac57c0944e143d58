"""市直 in the rollup, API, drill-down and workbook; a quota's unallocated split and its history.

市直 (410601) is a Region of kind ``city``: the rollup sums the city from every place, so its
figures count city-wide like a county's, and its split is one of the quota's splits. What is
left of a quota after every split (县区 and 市直) is shown as 未分解 on the quota's page.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from reporting.exports import styles, workbook
from reporting.rollup import compute, rebuild
from targets import services
from targets.models import Indicator, Membership, Plan, Region

pytestmark = pytest.mark.django_db
QUOTA_PAGE = "/dashboard/quota/rural-transfer/"


def _indicator(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


@pytest.fixture
def admin_user(plan: Plan) -> User:
    user = User.objects.create_user("admin-1", first_name="张管理")
    services.membership_assign(user=user, role=Membership.Role.ADMINISTRATOR)
    return user


@pytest.fixture
def city_level(plan: Plan, figure: Any, admin_user: User) -> Plan:
    """Figures of a county and of 市直, splits of both with 2,000 left unallocated; rolled up."""
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410601", 1, 300)
    figure("rural-transfer", "410601", 2, 200)
    rural = _indicator(plan, "rural-transfer")
    for code, target in (("410611", 6000), ("410601", 3000)):
        services.region_target_set(
            actor=admin_user,
            indicator=rural,
            region=Region.objects.get(code=code),
            target=target,
            reason="年初分解",
        )
    services.region_target_set(
        actor=admin_user,
        indicator=rural,
        region=Region.objects.get(code="410601"),
        target=2_500,
        reason="市属企业培训任务下调",
    )
    rebuild(plan)
    return plan


@pytest.fixture
def leader(make_user: Any, plan: Plan) -> Client:
    client = Client()
    client.force_login(make_user("leader"))
    return client


def _quota(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(q for q in document["quotas"] if q["code"] == code)


def test_city_level_figures_count_in_the_city_total(city_level: Plan) -> None:
    rural = _indicator(city_level, "rural-transfer")
    city_level_place = Region.objects.get(code="410601")
    rows = {
        (row.region_id, row.month): row
        for row in compute(city_level, indicator_ids=[rural.pk], months=[2])
    }
    assert rows[(city_level_place.pk, 2)].actual == 500
    assert rows[(city_level_place.pk, 2)].target == 2_500
    assert rows[(None, 2)].actual == 1000 + 500  # the county's and 市直's
    # The goal the quota feeds counts 市直 too.
    goal = _indicator(city_level, "training-total")
    goal_rows = compute(city_level, indicator_ids=[goal.pk], months=[2])
    assert next(r for r in goal_rows if r.region_id is None).actual == 1500


def test_api_regions_carry_their_kind(city_level: Plan, leader: Client) -> None:
    document = leader.get("/api/progress/2015/?as_of=2015-02").json()
    regions = _quota(document, "rural-transfer")["regions"]
    kinds = {r["code"]: r["kind"] for r in regions}
    assert kinds == {
        "410602": "district",
        "410603": "district",
        "410611": "district",
        "410621": "county",
        "410622": "county",
        "410601": "city",
    }
    city_level = next(r for r in regions if r["kind"] == "city")
    assert (city_level["name"], city_level["target"], city_level["actual"]) == ("市直", 2500, 500)


def test_quota_page_shows_the_unallocated_split(city_level: Plan, leader: Client) -> None:
    page = leader.get(QUOTA_PAGE, {"as_of": "2015-02"}).content.decode()
    assert "县区（含市直）" in page
    assert 'data-place="410601"' in page
    # 20,000 − (6,000 + 2,500)
    assert 'data-place="unallocated"' in page and "11,500" in page


def test_no_unallocated_row_when_the_splits_take_it_all(
    plan: Plan, figure: Any, admin_user: User, leader: Client
) -> None:
    figure("rain-dew", "410601", 1, 10)
    services.region_target_set(
        actor=admin_user,
        indicator=_indicator(plan, "rain-dew"),
        region=Region.objects.get(code="410601"),
        target=3000,
        reason="全部由市直承担",
    )
    rebuild(plan)
    page = leader.get("/dashboard/quota/rain-dew/", {"as_of": "2015-01"}).content.decode()
    assert 'data-place="unallocated"' not in page


def test_quota_page_shows_the_history_of_its_targets(city_level: Plan, leader: Client) -> None:
    response = leader.get(QUOTA_PAGE, {"as_of": "2015-02"})
    changes = response.context["target_changes"]
    assert [(c.place, c.old_display, c.new_display, c.reason) for c in changes] == [
        ("淇滨区", "—", "6,000", "年初分解"),
        ("市直", "—", "3,000", "年初分解"),
        ("市直", "3,000", "2,500", "市属企业培训任务下调"),
    ]
    page = response.content.decode()
    assert "目标调整记录" in page and "市属企业培训任务下调" in page and "张管理" in page
    other = leader.get("/dashboard/quota/in-service/", {"as_of": "2015-02"}).content.decode()
    assert "市属企业培训任务下调" not in other


@pytest.mark.parametrize(
    ("role", "department", "status"),
    [("clerk", "hrss", 403), ("clerk", None, None), ("auditor", None, 200)],
)
def test_quota_page_with_its_history_checks_the_role(
    city_level: Plan, make_user: Any, role: str, department: str | None, status: int | None
) -> None:
    if status is None:  # a user without a role
        user, status = make_user(None), 403
    else:
        user = make_user(role, department=department)
    client = Client()
    client.force_login(user)
    response = client.get(QUOTA_PAGE, {"as_of": "2015-02"})
    assert response.status_code == status
    if status == 403:
        assert "市属企业培训任务下调" not in response.content.decode()


def test_workbook_lists_target_changes(city_level: Plan, admin_user: User) -> None:
    services.indicator_target_set(
        actor=admin_user,
        indicator=_indicator(city_level, "veterans-pass"),
        target_rate="0.85",
        reason="=按省厅口径调整",  # typed text that Excel would take for a formula
    )
    out = io.BytesIO()
    counts = workbook.write_summary(out, city_level, 2, exported_by="审计员")
    out.seek(0)
    book = load_workbook(out)
    assert book.sheetnames.index("目标调整记录") == book.sheetnames.index("修改记录") + 1
    assert counts["目标调整记录"] == 4
    rows = list(book["目标调整记录"].iter_rows(min_row=styles.HEADER_ROW, values_only=True))
    header, data = rows[0], rows[1:]
    assert header == (
        "调整时间",
        "操作人",
        "指标",
        "县区",
        "原目标",
        "新目标",
        "单位",
        "调整理由",
        "指标代码",
    )
    rural = ("农村劳动力转移就业技能培训", "rural-transfer")
    assert [row[1:] for row in data] == [
        ("张管理", rural[0], "淇滨区", None, 6000, "人次", "年初分解", rural[1]),
        ("张管理", rural[0], "市直", None, 3000, "人次", "年初分解", rural[1]),
        ("张管理", rural[0], "市直", 3000, 2500, "人次", "市属企业培训任务下调", rural[1]),
        ("张管理", "退役士兵合格率", "全市", 0.9, 0.85, "%", "=按省厅口径调整", "veterans-pass"),
    ]
    reason = book["目标调整记录"].cell(styles.HEADER_ROW + 4, 8)
    assert reason.data_type == "s" and reason.number_format == "@"
    rate = book["目标调整记录"].cell(styles.HEADER_ROW + 4, 6)
    assert rate.number_format == styles.PERCENT
