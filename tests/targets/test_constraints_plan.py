"""As test_constraints, for the plan rather than its figures: indicators, county splits,
memberships and counties, refused by the database and explained by model validation."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction

from targets.models import Department, Indicator, Membership, Plan, Region, RegionTarget
from tests.targets.test_constraints import full_clean_message, refused_by_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def rural(plan: Plan) -> Indicator:
    return plan.indicators.get(code="rural-transfer")


# --- Indicators --------------------------------------------------------------------------------


@pytest.fixture
def indicator_fields(plan: Plan, departments: dict[str, Department]) -> Callable[..., Any]:
    def fields(**overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "plan": plan,
            "code": "new-indicator",
            "name": "新指标",
            "role": Indicator.Role.QUOTA,
            "kind": Indicator.Kind.FLOW,
            "department": departments["hrss"],
            "unit": "人",
            "target": 100,
        }
        values.update(overrides)
        return values

    return fields


@pytest.fixture
def rate_fields(indicator_fields: Callable[..., Any], plan: Plan) -> Callable[..., Any]:
    def fields(**overrides: Any) -> dict[str, Any]:
        values = indicator_fields(
            kind=Indicator.Kind.RATE,
            department=plan.indicators.get(code="veterans-eligible").department,
            unit="%",
            target=None,
            target_rate=Decimal("0.9"),
            numerator=plan.indicators.get(code="veterans-passed"),
            denominator=plan.indicators.get(code="veterans-eligible"),
            accepts_figures=False,
        )
        values.update(overrides)
        return values

    return fields


def test_valid_indicators_are_accepted(
    indicator_fields: Callable[..., Any], rate_fields: Callable[..., Any], plan: Plan
) -> None:
    Indicator.objects.create(**indicator_fields())
    Indicator.objects.create(**rate_fields(code="new-rate"))
    Indicator.objects.create(**rate_fields(code="rate-of-one", target_rate=Decimal("1")))
    Indicator.objects.create(
        **indicator_fields(code="new-feeding", feeds=plan.indicators.get(code="training-total"))
    )
    assert plan.indicators.count() == 21 + 4


def test_duplicate_indicator_code_in_a_plan_is_refused(
    indicator_fields: Callable[..., Any], plan: Plan
) -> None:
    refused_by_database(lambda: Indicator.objects.create(**indicator_fields(code="rural-transfer")))
    refused_by_database(
        lambda: Indicator.objects.bulk_create(
            [Indicator(**indicator_fields()), Indicator(**indicator_fields())]
        )
    )
    dates = {f: getattr(plan, f) for f in ("written_on", "published_on", "starts_on", "ends_on")}
    other_plan = Plan.objects.create(year=2016, title="2016", doc_number="〔2016〕1号", **dates)
    # The same code in another year's plan is fine.
    Indicator.objects.create(**indicator_fields(plan=other_plan, code="rural-transfer"))


@pytest.mark.parametrize("missing", ["numerator", "denominator", "target_rate"])
def test_rate_without_its_counts_is_refused(rate_fields: Callable[..., Any], missing: str) -> None:
    refused_by_database(lambda: Indicator.objects.create(**rate_fields(**{missing: None})))


def test_rate_accepting_figures_or_with_a_target_is_refused(
    rate_fields: Callable[..., Any],
) -> None:
    refused_by_database(lambda: Indicator.objects.create(**rate_fields(accepts_figures=True)))
    refused_by_database(lambda: Indicator.objects.create(**rate_fields(target=90)))


def test_counts_on_a_non_rate_are_refused(indicator_fields: Callable[..., Any], plan: Plan) -> None:
    eligible = plan.indicators.get(code="veterans-eligible")
    refused_by_database(lambda: Indicator.objects.create(**indicator_fields(numerator=eligible)))
    refused_by_database(
        lambda: Indicator.objects.create(**indicator_fields(target_rate=Decimal("0.5")))
    )


@pytest.mark.parametrize("role", [Indicator.Role.GOAL, Indicator.Role.QUOTA])
def test_goal_or_quota_without_target_is_refused(
    indicator_fields: Callable[..., Any], plan: Plan, role: str
) -> None:
    refused_by_database(
        lambda: Indicator.objects.create(**indicator_fields(role=role, target=None))
    )
    refused_by_database(
        lambda: plan.indicators.filter(
            code="training-total" if role == "goal" else "in-service"
        ).update(target=None)
    )


def test_count_with_a_target_is_refused(indicator_fields: Callable[..., Any]) -> None:
    refused_by_database(
        lambda: Indicator.objects.create(**indicator_fields(role=Indicator.Role.COUNT, target=5))
    )


@pytest.mark.parametrize("rate", ["1.5", "-0.1"])
def test_target_rate_outside_0_to_1_is_refused(
    rate_fields: Callable[..., Any], plan: Plan, rate: str
) -> None:
    refused_by_database(lambda: Indicator.objects.create(**rate_fields(target_rate=Decimal(rate))))
    refused_by_database(
        lambda: plan.indicators.filter(code="veterans-pass").update(target_rate=Decimal(rate))
    )
    assert plan.indicators.get(code="veterans-pass").target_rate == Decimal("0.9")


@pytest.mark.parametrize("role", [Indicator.Role.GOAL, Indicator.Role.COUNT])
def test_only_quotas_feed_a_goal(indicator_fields: Callable[..., Any], plan: Plan, role: str):
    total = plan.indicators.get(code="training-total")
    target = None if role == Indicator.Role.COUNT else 100
    refused_by_database(
        lambda: Indicator.objects.create(**indicator_fields(role=role, target=target, feeds=total))
    )
    refused_by_database(lambda: plan.indicators.filter(code="skill-appraisal").update(feeds=total))


def test_only_flow_quotas_feed_a_goal(indicator_fields: Callable[..., Any], plan: Plan) -> None:
    total = plan.indicators.get(code="training-total")
    refused_by_database(
        lambda: Indicator.objects.create(**indicator_fields(kind="stock", feeds=total))
    )


# --- County splits (triggers) ------------------------------------------------------------------


def test_county_split_up_to_the_city_target_is_accepted(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=12_000)
    RegionTarget.objects.create(indicator=rural, region=regions["410621"], target=8_000)
    assert sum(rural.region_targets.values_list("target", flat=True)) == rural.target == 20_000


def test_county_split_above_the_city_target_is_refused_on_insert(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=12_000)
    refused_by_database(
        lambda: RegionTarget.objects.create(indicator=rural, region=regions["410621"], target=8_001)
    )
    refused_by_database(
        lambda: RegionTarget.objects.bulk_create(
            [
                RegionTarget(indicator=rural, region=regions["410621"], target=5_000),
                RegionTarget(indicator=rural, region=regions["410622"], target=5_000),
            ]
        )
    )
    # A single split above the city target, with no others.
    in_service = rural.plan.indicators.get(code="in-service")
    refused_by_database(
        lambda: RegionTarget.objects.create(
            indicator=in_service, region=regions["410602"], target=23_001
        )
    )
    assert RegionTarget.objects.count() == 1


def test_county_split_above_the_city_target_is_refused_on_update(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=12_000)
    split = RegionTarget.objects.create(indicator=rural, region=regions["410621"], target=8_000)
    refused_by_database(lambda: RegionTarget.objects.filter(pk=split.pk).update(target=8_001))
    split.target = 9_000
    refused_by_database(split.save)
    refused_by_database(lambda: RegionTarget.objects.update(target=10_001))
    assert sorted(RegionTarget.objects.values_list("target", flat=True)) == [8_000, 12_000]


def test_moving_a_split_to_a_smaller_quota_is_refused(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    split = RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=5_000)
    entrepreneurship = rural.plan.indicators.get(code="entrepreneurship")  # 3,500
    refused_by_database(
        lambda: RegionTarget.objects.filter(pk=split.pk).update(indicator=entrepreneurship)
    )


def test_lowering_the_city_target_below_the_splits_is_refused(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=12_000)
    RegionTarget.objects.create(indicator=rural, region=regions["410621"], target=6_000)
    refused_by_database(lambda: Indicator.objects.filter(pk=rural.pk).update(target=17_999))
    rural.target = 10_000
    refused_by_database(rural.save)
    # Down to exactly the split is fine.
    Indicator.objects.filter(pk=rural.pk).update(target=18_000)
    rural.refresh_from_db()
    assert rural.target == 18_000


def test_split_trigger_is_a_check_violation_on_postgres(
    require_postgres: None, rural: Indicator, regions: dict[str, Region]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'targets_%%_split_check' "
            "ORDER BY tgname"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "targets_indicator_split_check",
            "targets_regiontarget_split_check",
            "targets_townshiptarget_split_check",  # a county's parts' shares (0022)
        ]
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=20_001)
    assert caught.value.__cause__.sqlstate == "23514"
    assert "20001" in str(caught.value) and "20000" in str(caught.value)


# --- Memberships and counties ------------------------------------------------------------------


def test_clerk_without_department_is_refused(make_user: Callable[..., Any], plan: Plan) -> None:
    user = make_user(None)
    refused_by_database(lambda: Membership.objects.create(user=user, role="clerk"))
    assert not Membership.objects.filter(user=user).exists()


def test_other_roles_belong_to_no_department(
    make_user: Callable[..., Any], departments: dict[str, Department], regions: dict[str, Region]
) -> None:
    user = make_user(None)
    refused_by_database(
        lambda: Membership.objects.create(
            user=user, role="reviewer", department=departments["hrss"]
        )
    )
    refused_by_database(
        lambda: Membership.objects.create(user=user, role="administrator", region=regions["410621"])
    )
    clerk = make_user("clerk", department="hrss", region="410621")
    refused_by_database(
        lambda: Membership.objects.filter(user=clerk).update(department=None, region=None)
    )


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_a_county_has_reviewers_leaders_and_auditors_of_its_own(
    make_user: Callable[..., Any], regions: dict[str, Region], role: str
) -> None:
    """浚县's own people (县区人社局) belong to the county, not to a department; 市直 has none."""
    membership = Membership(user=make_user(None), role=role, region=regions["410621"])
    membership.full_clean()
    membership.save()
    city_level = Membership(user=make_user(None), role=role, region=regions["410601"])
    with pytest.raises(ValidationError, match="不能是市直"):
        city_level.full_clean()


@pytest.mark.parametrize("code", ["41061X", "41061", "010611", "41 611", "４１０６１１"])
def test_region_code_must_be_six_digits(db: None, code: str) -> None:
    refused_by_database(
        lambda: Region.objects.create(code=code, name="某县", kind=Region.Kind.COUNTY)
    )
    region = Region.objects.create(code="410699", name="测试区", kind=Region.Kind.DISTRICT)
    refused_by_database(lambda: Region.objects.filter(pk=region.pk).update(code=code))
    assert Region.objects.get(pk=region.pk).code == "410699"


def test_region_code_of_seven_digits_is_refused(db: None) -> None:
    # SQLite ignores the varchar length, so the check constraint refuses it; PostgreSQL
    # refuses it first for its length (a DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Region.objects.create(code="4106111", name="某县", kind=Region.Kind.COUNTY)
    assert not Region.objects.exists()


# --- The same invariants at the model level: a clear Chinese message ---------------------------


def test_full_clean_split_above_city_target(rural: Indicator, regions: dict[str, Region]) -> None:
    RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=12_000)
    message = full_clean_message(
        RegionTarget(indicator=rural, region=regions["410621"], target=9_000)
    )
    assert "超过全市目标" in message
    assert "21000" in message and "20000" in message


def test_full_clean_city_target_below_split(rural: Indicator, regions: dict[str, Region]) -> None:
    RegionTarget.objects.create(indicator=rural, region=regions["410611"], target=12_000)
    rural.target = 11_000
    message = full_clean_message(rural)
    assert "低于已分解到县区的合计" in message
    assert "12000" in message


def test_full_clean_rate_without_counts(rate_fields: Callable[..., Any]) -> None:
    message = full_clean_message(Indicator(**rate_fields(numerator=None, denominator=None)))
    assert "比率指标必须指定分子" in message
    assert "比率指标必须指定分母" in message


def test_full_clean_goal_without_target(indicator_fields: Callable[..., Any]) -> None:
    message = full_clean_message(Indicator(**indicator_fields(role="goal", target=None)))
    assert "必须有年度目标" in message


def test_full_clean_target_rate_above_one(rate_fields: Callable[..., Any]) -> None:
    message = full_clean_message(Indicator(**rate_fields(target_rate=Decimal("1.5"))))
    assert "0 到 1" in message


def test_full_clean_goal_feeding_a_goal(indicator_fields: Callable[..., Any], plan: Plan) -> None:
    total = plan.indicators.get(code="training-total")
    message = full_clean_message(Indicator(**indicator_fields(role="goal", feeds=total)))
    assert "部门任务可以计入全市目标" in message


def test_full_clean_stock_quota_feeding_a_goal(
    indicator_fields: Callable[..., Any], plan: Plan
) -> None:
    total = plan.indicators.get(code="training-total")
    quota = Indicator(**indicator_fields(role="quota", kind="stock", feeds=total))
    assert "按月累加" in full_clean_message(quota)


def test_full_clean_duplicate_indicator_code(indicator_fields: Callable[..., Any]) -> None:
    message = full_clean_message(Indicator(**indicator_fields(code="rural-transfer")))
    assert "指标代码不能重复" in message


def test_full_clean_clerk_without_department(make_user: Callable[..., Any], plan: Plan) -> None:
    message = full_clean_message(Membership(user=make_user(None), role="clerk"))
    assert "填报员必须属于一个部门" in message


def test_full_clean_region_code(db: None) -> None:
    message = full_clean_message(Region(code="41061X", name="某区", kind=Region.Kind.DISTRICT))
    assert "行政区划代码必须是六位数字" in message
