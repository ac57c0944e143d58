"""Organisation units as a tree: 河南省 → 鹤壁市 → its places; a plan belongs to a unit.

A second city's plan of the same year (test data: 安阳市 with two of its real GB/T 2260 codes,
no figures of its own) lives beside 鹤壁's without changing anything 鹤壁's people see.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from reporting.models import Rollup
from reporting.rollup import rebuild
from targets.models import (
    HOME_PROVINCE,
    HOME_UNIT,
    Indicator,
    Membership,
    Plan,
    Region,
    local_places,
    local_plans,
    place_by_code,
    place_of,
    places_of,
)
from targets.services import load_plan_definition
from targets.services.plan_definition import DEFAULT_PLAN_FILE

OTHER_CITY = {
    "code": "410500",
    "name": "安阳市",
    "kind": "prefecture",
    "parent": {"code": HOME_PROVINCE[0], "name": HOME_PROVINCE[1], "kind": "province"},
}
OTHER_PLACES = [
    {"code": "410502", "name": "文峰区", "kind": "district", "order": 1},
    {"code": "410522", "name": "安阳县", "kind": "county", "order": 2},
]


def other_city_definition() -> dict[str, Any]:
    """The 2015 plan file's indicators under another city, with that city's places."""
    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    data = copy.deepcopy(data)
    data["unit"] = OTHER_CITY
    data["plan"].update(doc_number="安政办〔2015〕（测试）", title="安阳市2015年方案（测试数据）")
    data["regions"] = OTHER_PLACES
    data["region_targets"], data["milestones"], data["work_units"] = [], [], []
    return data


@pytest.fixture
def other_plan(plan: Plan) -> Plan:
    return load_plan_definition(other_city_definition())


def test_the_plan_belongs_to_the_city_under_its_province(plan: Plan) -> None:
    city = plan.unit
    assert (city.code, city.name, city.kind) == (*HOME_UNIT, Region.Kind.PREFECTURE)
    assert (city.parent.code, city.parent.name, city.parent.kind) == (
        *HOME_PROVINCE,
        Region.Kind.PROVINCE,
    )
    assert city.parent.parent is None
    places = list(places_of(plan))
    assert [p.code for p in places] == ["410602", "410603", "410611", "410621", "410622", "410601"]
    assert all(p.parent_id == city.pk for p in places)
    assert list(local_places()) == places


def test_a_plan_and_its_unit_are_found_by_code(plan: Plan) -> None:
    assert place_of(plan, "410621").name == "浚县"
    assert place_of(plan, "410600") is None  # the city is no place of its own plan
    assert place_by_code("410621").name == "浚县"
    assert place_by_code("410600") is None
    assert place_by_code("410000") is None


def test_a_second_city_of_the_same_year_has_its_own_places(plan: Plan, other_plan: Plan) -> None:
    assert other_plan.pk != plan.pk and other_plan.year == plan.year
    assert other_plan.unit.code == "410500"
    assert other_plan.unit.parent_id == plan.unit.parent_id
    assert [p.code for p in places_of(other_plan)] == ["410502", "410522"]
    assert [p.code for p in places_of(plan)][:1] == ["410602"]
    assert "410502" not in {p.code for p in places_of(plan)}
    assert list(local_plans().filter(year=2015)) == [plan]
    assert place_of(plan, "410502") is None


def test_loading_the_city_plan_again_keeps_one_plan_a_unit_and_year(
    plan: Plan, other_plan: Plan
) -> None:
    assert load_plan_definition(other_city_definition()).pk == other_plan.pk
    assert Plan.objects.filter(year=2015).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            unit=plan.unit,
            year=2015,
            title="重复",
            doc_number="重复〔2015〕1号",
            written_on=plan.written_on,
            published_on=plan.published_on,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
        )


def test_a_plan_made_without_a_unit_is_the_citys(plan: Plan) -> None:
    made = Plan.objects.create(
        year=2016,
        title="2016",
        doc_number="〔2016〕测试",
        written_on=plan.written_on,
        published_on=plan.published_on,
        starts_on=plan.starts_on.replace(year=2016),
        ends_on=plan.ends_on.replace(year=2016),
    )
    assert made.unit == plan.unit


def test_rollups_of_each_city_cover_its_own_places(plan: Plan, other_plan: Plan) -> None:
    rebuild(plan)
    rebuild(other_plan)
    for each, places in ((plan, 6), (other_plan, 2)):
        indicators = Indicator.objects.filter(plan=each).count()
        rows = Rollup.objects.filter(plan=each)
        assert rows.count() == indicators * (places + 1) * 12
        own = set(places_of(each).values_list("pk", flat=True))
        assert set(rows.exclude(region=None).values_list("region", flat=True)) == own


def test_the_citys_pages_do_not_show_another_citys_places(
    plan: Plan, other_plan: Plan, client: Client, make_user: Any
) -> None:
    rebuild(plan)
    client.force_login(make_user("leader"))
    page = client.get("/dashboard/", {"year": 2015}).content.decode()
    assert "淇滨区" in page and "文峰区" not in page
    assert client.get("/dashboard/county/410502/", {"year": 2015}).status_code == 404
    document = client.get("/api/progress/2015/").json()
    assert document["plan"]["doc_number"] == plan.doc_number


@pytest.mark.parametrize(
    ("kind", "parent", "fine"),
    [
        ("county", HOME_UNIT[0], True),
        ("county", HOME_PROVINCE[0], False),
        ("prefecture", HOME_PROVINCE[0], True),
        ("prefecture", HOME_UNIT[0], False),
        ("province", HOME_UNIT[0], False),
    ],
)
def test_a_units_parent_is_the_level_above(plan: Plan, kind: str, parent: str, fine: bool) -> None:
    unit = Region(code="419999", name="测试单位", kind=kind, parent=Region.objects.get(code=parent))
    if fine:
        unit.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            unit.full_clean()
        assert "上级单位" in str(refused.value)


@pytest.mark.parametrize("code", [HOME_UNIT[0], HOME_PROVINCE[0]])
def test_a_membership_names_a_place_not_a_city_or_province(
    plan: Plan, make_user: Any, code: str
) -> None:
    # (A leader may belong to a province: tests/targets/test_policy_province.py.)
    membership = Membership.objects.get(user=make_user("reviewer"))
    membership.region = Region.objects.get(code=code)
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "请选择一个县区或市直" in str(refused.value)


def test_the_migration_hangs_existing_places_and_plans_under_the_city(plan: Plan) -> None:
    """0021's data step, run on places that have no parent (as before the tree)."""
    step = __import__("targets.migrations.0021_unit_tree", fromlist=["attach"])
    Region.objects.filter(kind__in=Region.PLACE_KINDS).update(parent=None)
    step.attach(apps, None)
    city = Region.objects.get(code=HOME_UNIT[0])
    assert set(places_of(plan)) == set(Region.objects.filter(kind__in=Region.PLACE_KINDS))
    assert places_of(plan).count() == 6
    assert Plan.objects.get(pk=plan.pk).unit == city
    assert Region.objects.filter(kind=Region.Kind.PROVINCE).count() == 1
