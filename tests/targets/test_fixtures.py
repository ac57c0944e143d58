"""The 2015 plan fixtures hold every figure of DESIGN.md, exactly, and load idempotently."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.models import Department, Indicator, Milestone, Plan, Region, RegionTarget, places_of
from targets.services.plan_definition import load_plan_file

pytestmark = pytest.mark.django_db

HRSS = "人力资源社会保障局"

# DESIGN.md, "City-wide goals (二、目标任务)".
GOALS = [
    ("training-total", "各类职业技能培训", 70_000, "人次", "flow"),
    ("vocational-enrolment", "职业教育在校生规模", 40_000, "人", "stock"),
    ("high-skill-talent", "新培养高技能人才", 2_000, "人", "flow"),
    ("skill-appraisal", "参加职业技能鉴定考核", 15_000, "人", "flow"),
]

# DESIGN.md, "Departmental quotas (三、(一))": counted quotas ...
COUNTED_QUOTAS = [
    ("rural-transfer", HRSS, "农村劳动力转移就业技能培训", 20_000, "人次"),
    ("in-service", HRSS, "企业在岗职工培训", 23_000, "人次"),
    ("reemployment", HRSS, "失业人员再就业技能培训", 8_000, "人次"),
    ("entrepreneurship", HRSS, "创业培训", 3_500, "人"),
    ("public-institution", HRSS, "机关事业单位工勤技能人员岗位技能提升培训", 1_200, "人"),
    ("new-farmers", "农业局", "新型职业农民教育培训", 1_150, "人"),
    ("rain-dew", "扶贫办", "“雨露计划”培训", 3_000, "人"),
    ("disabled", "残联", "城乡残疾人培训", 1_600, "人"),
]

# ... and the veterans' rates: target, numerator / denominator as DESIGN.md words them.
RATE_QUOTAS = [
    ("veterans-awareness", "退役士兵政策知晓率", Decimal("1.0"), "aware", "eligible"),
    ("veterans-registration", "退役士兵报名率", Decimal("1.0"), "registered", "eligible"),
    ("veterans-participation", "退役士兵参训率", Decimal("0.9"), "trained", "registered"),
    ("veterans-pass", "退役士兵合格率", Decimal("0.9"), "passed", "trained"),
]
VETERAN_COUNTS = {"eligible", "aware", "registered", "trained", "passed"}

DEPARTMENTS = {"人力资源社会保障局", "教育局", "农业局", "扶贫办", "民政局", "残联"}

# GB/T 2260, parts of 鹤壁市 (410600).
REGIONS = {
    "410611": ("淇滨区", Region.Kind.DISTRICT),
    "410603": ("山城区", Region.Kind.DISTRICT),
    "410602": ("鹤山区", Region.Kind.DISTRICT),
    "410621": ("浚县", Region.Kind.COUNTY),
    "410622": ("淇县", Region.Kind.COUNTY),
}
# Where city-level units report (市直): GB/T 2260's 市辖区 code, no county's.
CITY_LEVEL = {"410601": ("市直", Region.Kind.CITY)}

PLAN_MODELS = (Plan, Department, Region, Indicator, RegionTarget, Milestone)


def indicator(plan: Plan, code: str) -> Indicator:
    return plan.indicators.select_related("department", "numerator", "denominator").get(code=code)


def test_plan_document(plan: Plan) -> None:
    assert plan.year == 2015
    assert plan.title == "鹤壁市2015年深入实施全民技能振兴工程工作方案"
    assert plan.doc_number == "鹤政办〔2015〕39号"
    assert plan.parent_doc_number == "豫政办〔2015〕62号"
    assert plan.issuer == "鹤壁市人民政府办公室"
    assert plan.written_on == date(2015, 6, 11)
    assert plan.published_on == date(2015, 6, 19)
    assert (plan.starts_on, plan.ends_on) == (date(2015, 1, 1), date(2015, 12, 31))
    assert plan.status == Plan.Status.ACTIVE
    assert list(Plan.objects.values_list("year", flat=True)) == [2015]


def test_four_city_goals(plan: Plan) -> None:
    goals = plan.indicators.filter(role=Indicator.Role.GOAL)
    assert {g.code for g in goals} == {code for code, *_ in GOALS}
    for code, name, target, unit, kind in GOALS:
        goal = indicator(plan, code)
        assert (goal.name, goal.target, goal.unit, goal.kind) == (name, target, unit, kind), code
        assert goal.target_rate is None


def test_vocational_enrolment_is_a_stock_not_a_flow(plan: Plan) -> None:
    assert indicator(plan, "vocational-enrolment").kind == Indicator.Kind.STOCK


@pytest.mark.parametrize(("code", "department", "name", "target", "unit"), COUNTED_QUOTAS)
def test_counted_quota(plan: Plan, code: str, department: str, name: str, target: int, unit: str):
    quota = indicator(plan, code)
    assert quota.role == Indicator.Role.QUOTA
    assert quota.kind == Indicator.Kind.FLOW
    assert quota.department.name == department
    assert quota.name == name
    assert quota.target == target
    assert quota.unit == unit
    assert quota.accepts_figures is True


@pytest.mark.parametrize(("code", "name", "target_rate", "numerator", "denominator"), RATE_QUOTAS)
def test_veterans_rate(
    plan: Plan, code: str, name: str, target_rate: Decimal, numerator: str, denominator: str
) -> None:
    rate = indicator(plan, code)
    assert rate.role == Indicator.Role.QUOTA
    assert rate.kind == Indicator.Kind.RATE
    assert rate.department.name == "民政局"
    assert rate.name == name
    assert rate.unit == "%"
    assert rate.target is None
    assert rate.target_rate == target_rate
    # Rates are computed, never entered as percentages.
    assert rate.accepts_figures is False
    assert rate.numerator.code == f"veterans-{numerator}"
    assert rate.denominator.code == f"veterans-{denominator}"
    for series in (rate.numerator, rate.denominator):
        assert series.role == Indicator.Role.COUNT
        assert series.kind == Indicator.Kind.FLOW
        assert series.department.name == "民政局"
        assert series.accepts_figures is True
        assert (series.target, series.target_rate) == (None, None)


def test_twelve_quotas_and_nothing_else(plan: Plan) -> None:
    quotas = plan.indicators.filter(role=Indicator.Role.QUOTA)
    expected = {row[0] for row in COUNTED_QUOTAS} | {row[0] for row in RATE_QUOTAS}
    assert len(expected) == 12
    assert {q.code for q in quotas} == expected
    counts = plan.indicators.filter(role=Indicator.Role.COUNT)
    assert {c.code for c in counts} == {f"veterans-{name}" for name in VETERAN_COUNTS}
    assert plan.indicators.count() == 4 + 12 + 5


def test_training_quotas_feed_training_total_and_leave_a_gap(plan: Plan) -> None:
    total = indicator(plan, "training-total")
    feeding = plan.indicators.filter(feeds=total)
    assert {q.code for q in feeding} == {row[0] for row in COUNTED_QUOTAS}
    allocated = sum(q.target for q in feeding)
    assert allocated == 61_450
    assert total.target - allocated == 8_550
    # Only training quotas feed a goal; rates and the other goals feed nothing.
    assert plan.indicators.exclude(feeds=None).count() == len(COUNTED_QUOTAS)


def test_owners_of_the_goals(plan: Plan) -> None:
    assert indicator(plan, "vocational-enrolment").department.short_name == "教育局"
    assert indicator(plan, "high-skill-talent").department.short_name == "人社局"
    assert indicator(plan, "skill-appraisal").department.short_name == "人社局"
    assert indicator(plan, "vocational-enrolment").department.name == "教育局"
    assert indicator(plan, "high-skill-talent").department.name == HRSS


def test_six_departments_and_the_lead(plan: Plan) -> None:
    assert set(Department.objects.values_list("name", flat=True)) == DEPARTMENTS
    lead = Department.objects.get(is_lead=True)
    assert (lead.name, lead.short_name) == (HRSS, "人社局")


def test_five_counties_and_city_level_with_gbt2260_codes(plan: Plan) -> None:
    loaded = {r.code: (r.name, r.kind) for r in places_of(plan)}
    assert loaded == REGIONS | CITY_LEVEL
    assert all(code.startswith("4106") for code in loaded)


def test_city_level_place_comes_after_the_counties(plan: Plan) -> None:
    places = list(places_of(plan))
    assert [r.code for r in places][-1] == "410601"
    assert [r.is_city_level for r in places] == [False] * 5 + [True]


def test_plan_sets_no_county_splits(plan: Plan) -> None:
    assert RegionTarget.objects.count() == 0


def milestone_with(plan: Plan, text: str) -> Milestone:
    matches = [m for m in plan.milestones.all() if text in m.title or text in m.description]
    assert matches, f"no milestone mentions {text!r}"
    return matches[0]


def test_milestones_cover_the_qualitative_work(plan: Plan) -> None:
    ledger = milestone_with(plan, "一项目一台账")
    assert ledger.category == Milestone.Category.PROJECT_LEDGER

    provincial = milestone_with(plan, "市机电信息工程学校")
    assert provincial.category == Milestone.Category.PROJECT_LEDGER
    assert "省级" in provincial.title

    brand = milestone_with(plan, "鹤壁工业中专")
    assert brand.category == Milestone.Category.PROJECT_LEDGER
    assert "品牌基地" in brand.title
    assert brand.region is not None
    assert (brand.region.code, brand.region.name) == ("410602", "鹤山区")

    categories = set(plan.milestones.values_list("category", flat=True))
    assert {
        Milestone.Category.COMPETITION,
        Milestone.Category.EVALUATION_PILOT,
        Milestone.Category.SCHOOL_ENTERPRISE,
    } <= categories
    titles = {
        category: " ".join(
            plan.milestones.filter(category=category).values_list("title", flat=True)
        )
        for category in categories
    }
    assert "技能竞赛" in titles[Milestone.Category.COMPETITION]
    assert "企业技能人才评价试点" in titles[Milestone.Category.EVALUATION_PILOT]
    assert "校企合作" in titles[Milestone.Category.SCHOOL_ENTERPRISE]


def test_milestones_are_tracked_by_status_not_numbers(plan: Plan) -> None:
    for milestone in plan.milestones.all():
        assert milestone.status == Milestone.Status.NOT_STARTED
        assert plan.starts_on <= milestone.due_on <= plan.ends_on


def dump() -> dict[str, Any]:
    """Every row of every plan table, with its primary key, in a stable order."""
    return {
        model.__name__: serializers.serialize("python", model.objects.order_by("pk"))
        for model in PLAN_MODELS
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in PLAN_MODELS}


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_loading_twice_changes_nothing(plan: Plan) -> None:
    before_counts, before = counts(), dump()
    assert before_counts == {
        "Plan": 1,
        "Department": 6,
        "Region": 8,  # five counties, 市直, the city and its province
        "Indicator": 21,
        "RegionTarget": 0,
        "Milestone": before_counts["Milestone"],
    }
    assert before_counts["Milestone"] >= 5

    again = load_plan_file()

    assert again.pk == plan.pk
    assert counts() == before_counts
    assert dump() == before


def test_loading_an_unchanged_plan_writes_no_row(plan: Plan) -> None:
    with CaptureQueriesContext(connection) as queries:
        load_plan_file()
    assert writes(queries) == []


def test_load_plan_command_twice(db: None) -> None:
    first = StringIO()
    call_command("load_plan", stdout=first)
    after_first_counts, after_first = counts(), dump()
    assert "鹤政办〔2015〕39号" in first.getvalue()
    assert after_first_counts["Indicator"] == 21

    second = StringIO()
    call_command("load_plan", stdout=second)

    assert counts() == after_first_counts
    assert dump() == after_first
    assert second.getvalue() == first.getvalue()
