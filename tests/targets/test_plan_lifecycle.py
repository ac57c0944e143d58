"""A plan's life: draft → active → closed only; activation refuses a definition that fails."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory

from skills_plan.context_processors import site
from targets.models import Indicator, Plan, Region, RegionTarget
from targets.services import region_target_set
from targets.services.plan_definition import load_plan_file, plan_clone
from targets.services.plans import plan_activate, plan_close, plan_problems


@pytest.fixture
def draft(plan: Plan) -> Plan:
    return plan_clone(source=plan, year=2016, doc_number="鹤政办〔2016〕12号")


def _indicator(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


def _status(plan: Plan) -> str:
    return Plan.objects.get(pk=plan.pk).status


@pytest.fixture
def without_split_triggers(db: None) -> Generator[None]:
    """Let a test store splits above the city target, as data from before the triggers could.

    The triggers are dropped (SQLite) or disabled (PostgreSQL) inside the test's transaction,
    which rolls back at the end and restores them.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE targets_regiontarget DISABLE TRIGGER targets_regiontarget_split_check"
            )
        else:
            cursor.execute("DROP TRIGGER targets_regiontarget_split_insert")
            cursor.execute("DROP TRIGGER targets_regiontarget_split_update")
    yield


def test_a_valid_draft_is_activated_then_closed(draft: Plan) -> None:
    region_target_set(
        reason="测试：县区分解",
        indicator=_indicator(draft, "rural-transfer"),
        region=Region.objects.get(code="410611"),
        target=20000,
    )
    assert plan_problems(draft) == []

    assert plan_activate(plan=draft).status == "active"
    assert _status(draft) == "active"
    assert plan_close(plan=draft).status == "closed"
    assert _status(draft) == "closed"


@pytest.mark.parametrize(
    ("start", "change", "message"),
    [
        ("draft", plan_close, "只有执行中的方案可以结束"),
        ("active", plan_activate, "只有草稿状态的方案可以启用"),
        ("closed", plan_activate, "只有草稿状态的方案可以启用"),
        ("closed", plan_close, "只有执行中的方案可以结束"),
    ],
)
def test_no_other_transition(draft: Plan, start: str, change: Any, message: str) -> None:
    Plan.objects.filter(pk=draft.pk).update(status=start)

    with pytest.raises(ValidationError, match=message):
        change(plan=draft)

    assert _status(draft) == start


def test_activation_refuses_splits_above_the_city_target(
    draft: Plan, without_split_triggers: None
) -> None:
    quota = _indicator(draft, "rural-transfer")
    for code, target in (("410611", 15000), ("410621", 6000)):
        RegionTarget.objects.create(
            indicator=quota, region=Region.objects.get(code=code), target=target
        )

    with pytest.raises(ValidationError) as refused:
        plan_activate(plan=draft)

    assert refused.value.messages == [
        "指标“农村劳动力转移就业技能培训”（rural-transfer）的县区分解合计 21000 "
        "超过全市目标 20000。"
    ]
    assert _status(draft) == "draft"


def test_activation_refuses_a_rate_counting_another_plans_series(plan: Plan, draft: Plan) -> None:
    Indicator.objects.filter(plan=draft, code="veterans-participation").update(
        denominator=_indicator(plan, "veterans-registered")
    )

    with pytest.raises(ValidationError) as refused:
        plan_activate(plan=draft)

    assert refused.value.messages == [
        "指标“退役士兵参训率”（veterans-participation）的分母必须是本年度方案中的计数指标。"
    ]
    assert _status(draft) == "draft"


def test_activation_refuses_a_rate_counting_a_quota(draft: Plan) -> None:
    Indicator.objects.filter(plan=draft, code="veterans-pass").update(
        numerator=_indicator(draft, "disabled")
    )

    with pytest.raises(ValidationError, match=r"退役士兵合格率.*分子必须是本年度方案中的计数指标"):
        plan_activate(plan=draft)


def test_activation_refuses_quotas_above_their_goal(draft: Plan) -> None:
    Indicator.objects.filter(plan=draft, code="training-total").update(target=60000)

    with pytest.raises(ValidationError) as refused:
        plan_activate(plan=draft)

    assert refused.value.messages == [
        "计入指标“各类职业技能培训”（training-total）的部门任务合计 61450 超过其年度目标 60000。"
    ]


def test_activation_refuses_a_quota_feeding_another_plans_goal(plan: Plan, draft: Plan) -> None:
    Indicator.objects.filter(plan=draft, code="rain-dew").update(
        feeds=_indicator(plan, "training-total")
    )

    with pytest.raises(
        ValidationError, match=r"“雨露计划”培训.*计入的必须是本年度方案中的全市目标"
    ):
        plan_activate(plan=draft)


def test_activation_refuses_an_empty_plan(plan: Plan) -> None:
    dates = {f: getattr(plan, f) for f in ("written_on", "published_on", "starts_on", "ends_on")}
    empty = Plan.objects.create(year=2017, title="空方案", doc_number="空", **dates)

    with pytest.raises(ValidationError, match="方案中还没有全市目标或部门任务"):
        plan_activate(plan=empty)


def test_two_plans_may_be_active_and_pages_show_the_latest(plan: Plan, draft: Plan) -> None:
    plan_activate(plan=draft)

    assert set(Plan.objects.filter(status="active").values_list("year", flat=True)) == {
        2015,
        2016,
    }
    assert site(RequestFactory().get("/"))["active_plan"]().year == 2016


def test_the_command_activates_and_closes(draft: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("plan_status", "2016", "activate")
    assert _status(draft) == "active"
    with pytest.raises(CommandError, match="只有草稿状态的方案可以启用"):
        call_command("plan_status", "2016", "activate")
    call_command("plan_status", "2016", "close")
    assert _status(draft) == "closed"
    assert "鹤政办〔2016〕12号: 已结束" in capsys.readouterr().out


def test_reloading_the_fixture_does_not_reopen_a_closed_plan(plan: Plan) -> None:
    plan_close(plan=plan)

    load_plan_file()

    assert _status(plan) == "closed"
