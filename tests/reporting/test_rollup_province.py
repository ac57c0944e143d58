"""A province's plan rolls up its cities' plans of the same year (by indicator code).

Test data: 河南省 (410000) with 鹤壁市 (the 2015 plan) and 安阳市 (the same indicators under
another city, two of its places: real GB/T 2260 codes, made-up figures).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from reporting.models import CompletenessRollup, ReminderRun, Rollup, RollupRun
from reporting.rollup import rebuild, rebuild_after_change, rebuild_plans
from reporting.rollup.reference import compute_province
from reporting.rows import ROW_FIELDS
from targets import services
from targets.models import HOME_PROVINCE, HOME_UNIT, Indicator, Plan, Region, places_of
from targets.services import load_plan_definition

from ..targets.test_unit_tree import OTHER_CITY, other_city_definition

PROVINCE = {"code": HOME_PROVINCE[0], "name": HOME_PROVINCE[1], "kind": "province"}
CITIES = [
    {"code": HOME_UNIT[0], "name": HOME_UNIT[1], "kind": "prefecture", "order": 1},
    {"code": OTHER_CITY["code"], "name": OTHER_CITY["name"], "kind": "prefecture", "order": 2},
]


def province_definition(status: str = "active") -> dict[str, Any]:
    data = other_city_definition()
    data["unit"] = PROVINCE
    data["regions"] = CITIES
    data["plan"].update(
        doc_number="豫政办〔2015〕62号（测试）",
        title="河南省2015年方案（测试数据）",
        status=status,
    )
    return data


@pytest.fixture
def other_plan(plan: Plan) -> Plan:
    return load_plan_definition(other_city_definition())


@pytest.fixture
def province(plan: Plan, other_plan: Plan) -> Plan:
    return load_plan_definition(province_definition())


def row(plan: Plan, code: str, place: str | None, month: int) -> Rollup:
    rows = Rollup.objects.filter(plan=plan, indicator__code=code, month=month)
    return rows.get(region=None) if place is None else rows.get(region__code=place)


@pytest.fixture
def figures(plan, other_plan, province, enter) -> None:
    for values in (
        (plan, "rural-transfer", "410611", 3, 1200),
        (plan, "rural-transfer", "410621", 4, 300),
        (plan, "veterans-trained", "410621", 3, 40),
        (plan, "veterans-registered", "410621", 3, 50),
        (other_plan, "rural-transfer", "410502", 3, 700),
        (other_plan, "veterans-trained", "410522", 3, 9),
        (other_plan, "veterans-registered", "410522", 3, 10),
    ):
        enter(*values)


def test_the_province_plans_places_are_its_cities(province: Plan) -> None:
    assert province.unit.kind == Region.Kind.PROVINCE
    assert [c.code for c in places_of(province)] == [HOME_UNIT[0], OTHER_CITY["code"]]


def test_each_city_row_is_the_city_plans_own_and_the_province_their_sum(
    plan, other_plan, province, figures
) -> None:
    rebuild(plan)
    rebuild(other_plan)
    hebi, anyang = row(plan, "rural-transfer", None, 4), row(other_plan, "rural-transfer", None, 4)
    assert (hebi.actual, anyang.actual) == (1500, 700)
    assert row(province, "rural-transfer", HOME_UNIT[0], 4).actual == 1500
    assert row(province, "rural-transfer", OTHER_CITY["code"], 4).actual == 700
    total = row(province, "rural-transfer", None, 4)
    assert total.actual == 2200
    assert total.target == Indicator.objects.get(plan=province, code="rural-transfer").target
    # A city's target is its own plan's where the province sets no split.
    assert row(province, "rural-transfer", HOME_UNIT[0], 4).target == hebi.target
    # A rate: the counts summed, never the rates averaged (40/50 and 9/10 → 49/60).
    rate = row(province, "veterans-participation", None, 3)
    assert (rate.numerator, rate.denominator, rate.actual) == (49, 60, None)
    assert float(rate.completion) == pytest.approx(49 / (60 * 0.9), abs=1e-6)
    assert row(province, "veterans-participation", OTHER_CITY["code"], 3).denominator == 10


def test_a_province_split_is_the_citys_target(plan, other_plan, province, figures) -> None:
    quota = Indicator.objects.get(plan=province, code="rural-transfer")
    services.region_target_set(
        indicator=quota, region=Region.objects.get(code=HOME_UNIT[0]), target=3000, reason="测试"
    )
    rebuild(other_plan)
    rebuild(plan)
    split = row(province, "rural-transfer", HOME_UNIT[0], 4)
    assert (split.target, split.completion) == (3000, pytest.approx(0.5))
    assert row(province, "rural-transfer", OTHER_CITY["code"], 4).target == (
        row(other_plan, "rural-transfer", None, 4).target
    )


def test_an_approval_in_a_city_reaches_the_province(
    plan, other_plan, province, figures, enter
) -> None:
    rebuild(plan)
    rebuild(other_plan)
    before = row(province, "rural-transfer", None, 5).actual
    enter(plan, "rural-transfer", "410622", 5, 55)
    quota = Indicator.objects.get(plan=plan, code="rural-transfer")
    rebuild_after_change(plan, series_ids=[quota.pk], from_month=5)
    assert row(province, "rural-transfer", None, 5).actual == before + 55
    assert row(province, "rural-transfer", HOME_UNIT[0], 5).actual == (
        row(plan, "rural-transfer", None, 5).actual
    )
    assert row(province, "training-total", None, 5).actual == (
        row(plan, "training-total", None, 5).actual
        + row(other_plan, "training-total", None, 5).actual
    )
    # Only what the approval touched: the quota and the goal it feeds, from its month on.
    last = RollupRun.objects.filter(plan=province).latest("pk")
    assert (last.kind, last.from_month) == (RollupRun.Kind.INCREMENTAL, 5)
    assert last.indicator_codes == "rural-transfer,training-total"
    stored = Rollup.objects.filter(plan=province, month__gte=5).values_list(*ROW_FIELDS)
    assert {tuple(values) for values in stored} == {
        tuple(getattr(r, name) for name in ROW_FIELDS)
        for r in compute_province(province, months=range(5, 13))
    }


def test_a_province_is_owed_no_reports(plan, other_plan, province, figures) -> None:
    rebuild(plan)
    assert RollupRun.objects.filter(plan=province).exists()
    assert not CompletenessRollup.objects.filter(plan=province).exists()
    assert CompletenessRollup.objects.filter(plan=plan).exists()


def test_no_notices_or_reminders_for_a_province(plan, other_plan, province, figures) -> None:
    from reporting.reminders import send_due_reminders
    from reporting.supervision import sync_after_rollup
    from targets.models import SupervisionNotice

    rebuild(plan)
    assert sync_after_rollup(province) is None
    assert sync_after_rollup(other_plan) is None
    runs = send_due_reminders()
    assert not SupervisionNotice.objects.filter(plan__in=[province, other_plan]).exists()
    assert not ReminderRun.objects.filter(plan__in=[province, other_plan]).exists()
    assert {run.plan_id for run in runs} <= {plan.pk}


def test_a_draft_province_plan_is_left_alone(plan: Plan, other_plan: Plan) -> None:
    draft = load_plan_definition(province_definition(status="draft"))
    rebuild(plan)
    assert not Rollup.objects.filter(plan=draft).exists()


def test_rebuilding_several_plans_does_each_province_once_after_its_cities(
    plan, other_plan, province, figures
) -> None:
    runs = rebuild_plans([province, plan, other_plan], jobs=1)
    assert [run.plan_id for run in runs] == [plan.pk, other_plan.pk, province.pk]
    assert RollupRun.objects.filter(plan=province).count() == 1
    assert row(province, "rural-transfer", None, 12).actual == 2200
    rows = Rollup.objects.filter(plan=province)
    indicators = Indicator.objects.filter(plan=province).count()
    assert rows.count() == indicators * (2 + 1) * 12


def test_the_stored_province_rows_are_the_references(plan, other_plan, province, figures) -> None:
    """On PostgreSQL the rows come from province.sql; on SQLite from the reference itself."""
    rebuild_plans([plan, other_plan, province], jobs=1)
    stored = {
        tuple(values[:3]): values
        for values in Rollup.objects.filter(plan=province).values_list(*ROW_FIELDS)
    }
    reference = {
        tuple(getattr(r, name) for name in ROW_FIELDS[:3]): tuple(
            getattr(r, name) for name in ROW_FIELDS
        )
        for r in compute_province(province)
    }
    assert stored.keys() == reference.keys()
    differing = [key for key in reference if tuple(stored[key]) != reference[key]]
    assert differing == [], (connection.vendor, differing[:3])
