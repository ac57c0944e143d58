"""A malformed plan definition is refused as a whole: the loader is one transaction."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from targets.models import Department, Indicator, Milestone, Plan, Region, RegionTarget
from targets.services.plan_definition import DEFAULT_PLAN_FILE, load_plan_definition

PLAN_MODELS = (Plan, Department, Region, Indicator, RegionTarget, Milestone)


def definition() -> dict[str, Any]:
    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def row(rows: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(r for r in rows if r["code"] == code)


def dump() -> dict[str, Any]:
    return {
        model.__name__: serializers.serialize("python", model.objects.order_by("pk"))
        for model in PLAN_MODELS
    }


Spoil = Callable[[dict[str, Any]], None]


def _setting(rows: str, code: str, field: str, value: Any) -> Spoil:
    """A spoiling that sets ``field`` of the row of ``code`` among ``rows``."""

    def spoil(data: dict[str, Any]) -> None:
        row(data[rows], code)[field] = value

    return spoil


def _splits(*splits: tuple[str, str, int]) -> Spoil:
    """A spoiling that replaces the county splits by ``splits`` (indicator, region, target)."""

    def spoil(data: dict[str, Any]) -> None:
        data["region_targets"] = [
            {"indicator": indicator, "region": region, "target": target}
            for indicator, region, target in splits
        ]

    return spoil


def duplicate_indicator_code(data: dict[str, Any]) -> None:
    data["indicators"].append(dict(row(data["indicators"], "disabled"), target=999))


SPOILINGS: dict[str, Spoil] = {
    "unknown_department": _setting("indicators", "new-farmers", "department", "forestry"),
    "unknown_department_in_a_milestone": _setting(
        "milestones", "publicity", "department", "propaganda"
    ),
    "unknown_region_in_a_milestone": _setting(
        "milestones", "heshan-brand-base", "region", "410699"
    ),
    "missing_numerator": _setting(
        "indicators", "veterans-awareness", "numerator", "veterans-informed"
    ),
    "missing_goal": _setting("indicators", "rain-dew", "feeds", "training-grand-total"),
    "circular_reference": _setting("indicators", "training-total", "feeds", "rural-transfer"),
    "split_above_city_target": _splits(
        ("rural-transfer", "410611", 12_000), ("rural-transfer", "410621", 8_001)
    ),
    "single_split_above_city_target": _splits(("disabled", "410622", 1_601)),
    "split_of_an_unknown_indicator": _splits(("forestry-training", "410611", 1)),
    "split_in_an_unknown_region": _splits(("rural-transfer", "410699", 1)),
    "rate_with_a_target_rate_above_one": _setting(
        "indicators", "veterans-pass", "target_rate", "1.5"
    ),
    "duplicate_indicator_code": duplicate_indicator_code,
    "quota_feeding_a_quota": _setting("indicators", "rain-dew", "feeds", "disabled"),
}
# What the refusal of each says.
REFUSALS = {
    "unknown_department": "未知的部门代码",
    "unknown_department_in_a_milestone": "未知的部门代码",
    "unknown_region_in_a_milestone": "未知的县区代码",
    "missing_numerator": "引用了不存在的指标",
    "missing_goal": "引用了不存在的指标",
    "circular_reference": "循环引用",
    "split_above_city_target": "超过全市目标",
    "single_split_above_city_target": "超过全市目标",
    "split_of_an_unknown_indicator": "不存在的指标",
    "split_in_an_unknown_region": "未知的县区代码",
    "rate_with_a_target_rate_above_one": "目标比率必须在 0 到 1 之间",
    "duplicate_indicator_code": "指标代码重复：disabled",
    "quota_feeding_a_quota": "只能计入同一年度方案中的全市目标",
}
MALFORMED: list[tuple[Spoil, str]] = [(SPOILINGS[name], REFUSALS[name]) for name in SPOILINGS]
IDS = list(SPOILINGS)
# Spoilings that name the region 410699, which only a valid part of the load adds.
NAMING_THE_NEW_REGION = (
    SPOILINGS["unknown_region_in_a_milestone"],
    SPOILINGS["split_in_an_unknown_region"],
)


def malformed(spoil: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The 2015 definition, spoiled, after changes that a partial load would leave behind."""
    data = copy.deepcopy(definition())
    data["plan"]["title"] = "被篡改的标题"
    row(data["departments"], "hrss")["short_name"] = "人社"
    data["regions"].append({"code": "410699", "name": "测试新区", "kind": "district", "order": 9})
    row(data["indicators"], "in-service")["target"] = 23_456
    row(data["milestones"], "project-ledger")["title"] = "被篡改的重点工作"
    spoil(data)
    # The region the spoiled rows may name is only added by a valid part of the load above:
    # drop it again where the spoiling relies on it being unknown.
    if spoil in NAMING_THE_NEW_REGION:
        data["regions"] = [r for r in data["regions"] if r["code"] != "410699"]
    return data


def refused(data: dict[str, Any], text: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        load_plan_definition(data)
    assert text in " ".join(str(m) for m in caught.value.messages)


@pytest.mark.django_db
def test_the_2015_definition_itself_loads(db: None) -> None:
    plan = load_plan_definition(definition())
    assert (plan.year, plan.indicators.count()) == (2015, 21)


@pytest.mark.django_db
@pytest.mark.parametrize(("spoil", "text"), MALFORMED, ids=IDS)
def test_malformed_definition_into_an_empty_database(
    spoil: Callable[[dict[str, Any]], None], text: str
) -> None:
    refused(malformed(spoil), text)
    assert all(not model.objects.exists() for model in PLAN_MODELS)


@pytest.mark.django_db
@pytest.mark.parametrize(("spoil", "text"), MALFORMED, ids=IDS)
def test_malformed_definition_over_the_loaded_plan(
    plan: Plan, spoil: Callable[[dict[str, Any]], None], text: str
) -> None:
    before = dump()
    refused(malformed(spoil), text)
    assert dump() == before
    plan.refresh_from_db()
    assert plan.title == "鹤壁市2015年深入实施全民技能振兴工程工作方案"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("spoil", "text"),
    [MALFORMED[0], MALFORMED[2], MALFORMED[3], MALFORMED[6]],
    ids=[IDS[0], IDS[2], IDS[3], IDS[6]],
)
def test_malformed_definition_rolls_back_a_real_transaction(
    spoil: Callable[[dict[str, Any]], None], text: str
) -> None:
    # Outside any test transaction: the loader's own transaction must undo the partial load.
    load_plan_definition(definition())
    before = dump()
    refused(malformed(spoil), text)
    assert dump() == before
    assert not Region.objects.filter(code="410699").exists()


@pytest.mark.django_db
def test_load_plan_command_reports_a_malformed_file(tmp_path: Any) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(malformed(SPOILINGS["missing_numerator"]), ensure_ascii=False), "utf-8"
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_plan", str(path))
    assert "veterans-informed" in str(caught.value)
    assert all(not model.objects.exists() for model in PLAN_MODELS)


def split_definition() -> dict[str, Any]:
    """The 2015 definition with rural-transfer split: 12,000 to 淇滨区, 8,000 to 浚县."""
    data = definition()
    _splits(("rural-transfer", "410611", 12_000), ("rural-transfer", "410621", 8_000))(data)
    return data


@pytest.mark.django_db
def test_a_valid_split_loads_and_reloads_unchanged(db: None) -> None:
    data = split_definition()
    load_plan_definition(data)
    assert sorted(RegionTarget.objects.values_list("region__code", "target")) == [
        ("410611", 12_000),
        ("410621", 8_000),
    ]
    before = dump()
    load_plan_definition(copy.deepcopy(data))
    assert dump() == before


@pytest.mark.django_db
def test_lowering_a_city_target_below_loaded_splits_is_refused(db: None) -> None:
    data = split_definition()
    load_plan_definition(data)
    before = dump()
    lowered = copy.deepcopy(data)
    row(lowered["indicators"], "rural-transfer")["target"] = 19_000
    refused(lowered, "低于已分解到县区的合计")
    assert dump() == before


@pytest.mark.django_db
def test_a_corrected_definition_updates_in_place(plan: Plan) -> None:
    ids = dict(Indicator.objects.values_list("code", "pk"))
    data = definition()
    row(data["indicators"], "in-service")["target"] = 23_456
    load_plan_definition(data)
    assert Indicator.objects.get(code="in-service").target == 23_456
    assert dict(Indicator.objects.values_list("code", "pk")) == ids


@pytest.mark.django_db
def test_a_closed_plan_is_left_as_it_is(plan: Plan, tmp_path: Any) -> None:
    """As in the admin: a closed plan's definition stays as it was when it closed, and loading
    the usual file again (``make demo``) still works."""
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    before = dump()
    changed = definition()
    row(changed["indicators"], "in-service")["target"] = 23_456
    changed["region_targets"] = [
        {"indicator": "rural-transfer", "region": "410611", "target": 12_000}
    ]
    assert load_plan_definition(changed).pk == plan.pk
    assert dump() == before
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), "utf-8")
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("load_plan", str(path), stdout=out)
    assert "2015年度方案已结束，其定义只读，未作改动。" in out.getvalue()
    assert dump() == before
