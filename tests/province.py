"""A province's plan for tests: the 2015 plan file's indicators under 河南省, whose places are
two of its cities (鹤壁市, 安阳市); and 安阳市's own 2015 plan, in which one series takes figures.

The page's tests that need a particular picture (a ranking, a rate, a city without data) write
the province plan's ``Rollup`` rows themselves (``province_rollup``), in the shape
``reporting.rollup.rebuild`` gives them (``region`` a city, or empty for the province's total);
``test_dashboard_province`` also goes from figures through the real rollup to the page.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from reporting.models import Rollup
from targets.models import HOME_PROVINCE, Indicator, Plan, Region
from targets.services import load_plan_definition
from targets.services.plan_definition import DEFAULT_PLAN_FILE

PROVINCE = {"code": HOME_PROVINCE[0], "name": HOME_PROVINCE[1], "kind": "province"}
CITIES = [
    {"code": "410600", "name": "鹤壁市", "kind": "prefecture", "order": 1},
    {"code": "410500", "name": "安阳市", "kind": "prefecture", "order": 2},
]
ANYANG_PLACES = [
    {"code": "410502", "name": "文峰区", "kind": "district", "order": 1},
    {"code": "410522", "name": "安阳县", "kind": "county", "order": 2},
]
# The one series 安阳市's plan takes figures for: two reports a month (one per place).
ANYANG_SERIES = "rural-transfer"


def _definition() -> dict[str, Any]:
    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        data = copy.deepcopy(json.load(handle))
    data["region_targets"], data["milestones"], data["work_units"] = [], [], []
    return data


def province_definition() -> dict[str, Any]:
    """The 2015 indicators under 河南省, its places two cities (test data)."""
    data = _definition()
    data["unit"] = PROVINCE
    data["regions"] = CITIES
    data["plan"].update(doc_number="豫政办〔2015〕（测试）", title="河南省2015年方案（测试数据）")
    return data


def anyang_definition() -> dict[str, Any]:
    """安阳市's 2015 plan (test data): only ``ANYANG_SERIES`` takes figures."""
    data = _definition()
    data["unit"] = {**CITIES[1], "parent": PROVINCE}
    del data["unit"]["order"]
    data["regions"] = ANYANG_PLACES
    data["plan"].update(doc_number="安政办〔2015〕（测试）", title="安阳市2015年方案（测试数据）")
    for row in data["indicators"]:
        row["accepts_figures"] = row["code"] == ANYANG_SERIES
    return data


def load_province_plan() -> Plan:
    return load_plan_definition(province_definition())


def province_rollup(
    plan: Plan,
    code: str,
    city: str | None,
    month: int,
    *,
    actual: int | None = None,
    target: int | None = None,
    ratio: tuple[int, int] | None = None,
    target_rate: str | None = None,
    status: str | None = None,
) -> Rollup:
    """One row of the province plan's rollup (``city``: a city's code, None for the total),
    with its completion worked out as the rollup does: actual ÷ target, for a rate the rate ÷
    the target rate."""
    indicator = Indicator.objects.get(plan=plan, code=code)
    numerator, denominator = ratio or (None, None)
    completion = None
    if ratio is not None and denominator and target_rate:
        completion = Decimal(numerator) / Decimal(denominator) / Decimal(target_rate)
    elif actual is not None and target:
        completion = Decimal(actual) / Decimal(target)
    return Rollup.objects.create(
        plan=plan,
        indicator=indicator,
        region=Region.objects.get(code=city) if city else None,
        month=month,
        actual=actual,
        numerator=numerator,
        denominator=denominator,
        target=target,
        target_rate=Decimal(target_rate) if target_rate else None,
        completion=None if completion is None else round(completion, 6),
        expected=round(Decimal(month) / 12, 6),
        status=status,
    )
