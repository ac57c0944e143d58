"""Every write of the services that has no trail of its own leaves an ``AuditEntry`` with its
actor (``None``: the system); figures, notices and an active plan's targets keep theirs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from targets.models import (
    AuditEntry,
    Indicator,
    Membership,
    Plan,
    Region,
    SupervisionNoticeEvent,
    TargetChange,
)
from targets.services import (
    indicator_target_set,
    load_plan_definition,
    load_plan_file,
    membership_assign,
    notice_answer,
    notice_close,
    notice_raise,
    plan_activate,
    plan_clone,
    plan_close,
    region_target_set,
)
from targets.services.plan_definition import DEFAULT_PLAN_FILE

Action = AuditEntry.Action
DOC_2016 = "鹤政办〔2016〕12号"


@pytest.fixture
def administrator(plan: Plan, make_user: Any) -> Any:
    return make_user("administrator")


@pytest.fixture
def draft(plan: Plan, administrator: Any) -> Plan:
    return plan_clone(source=plan, year=2016, doc_number=DOC_2016, actor=administrator)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_clone_is_audited_with_its_actor(plan: Plan, draft: Plan, administrator: Any) -> None:
    [entry] = entries(Action.PLAN_CLONE)
    assert (entry.actor, entry.plan, entry.object_type, entry.object_id) == (
        administrator,
        draft,
        "targets.plan",
        draft.pk,
    )
    assert entry.object_text == str(draft)
    assert entry.detail == {"source": plan.pk, "source_year": 2015}


def test_activating_and_closing_are_audited_with_their_actor(
    draft: Plan, administrator: Any
) -> None:
    plan_activate(plan=draft, actor=administrator)
    plan_close(plan=draft, actor=None)
    [activated] = entries(Action.PLAN_ACTIVATE)
    [closed] = entries(Action.PLAN_CLOSE)
    assert (activated.actor, activated.plan, activated.detail) == (
        administrator,
        draft,
        {"from": "draft", "to": "active"},
    )
    assert (closed.actor, closed.plan, closed.detail) == (
        None,
        draft,
        {"from": "active", "to": "closed"},
    )


def test_a_refused_activation_leaves_no_audit_row(plan: Plan, administrator: Any) -> None:
    dates = {f: getattr(plan, f) for f in ("written_on", "published_on", "starts_on", "ends_on")}
    empty = Plan.objects.create(year=2017, title="空方案", doc_number="空", **dates)
    with pytest.raises(ValidationError):
        plan_activate(plan=empty, actor=administrator)
    assert entries(Action.PLAN_ACTIVATE) == []
    assert Plan.objects.get(pk=empty.pk).status == Plan.Status.DRAFT


def test_a_load_is_audited_with_its_actor(plan: Plan, administrator: Any) -> None:
    [first] = entries(Action.PLAN_LOAD)
    assert (first.actor, first.plan, first.detail["created"]) == (None, plan, True)
    load_plan_file(actor=administrator)  # unchanged: nothing written, no audit row either
    assert len(entries(Action.PLAN_LOAD)) == 1
    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    data["plan"]["issuer"] = "鹤壁市人民政府（修订）"
    load_plan_definition(data, actor=administrator)
    again = entries(Action.PLAN_LOAD)[-1]
    assert (again.actor, again.plan, again.detail) == (
        administrator,
        plan,
        {"created": False, "prune": False, "changed": ["Plan"]},
    )


def test_the_commands_act_as_the_system(plan: Plan) -> None:
    call_command("clone_plan", "2015", "2016", "--doc-number", DOC_2016)
    call_command("plan_status", "2016", "activate")
    draft = Plan.objects.get(year=2016)
    assert [(e.action, e.actor, e.plan) for e in AuditEntry.objects.filter(plan=draft)] == [
        (Action.PLAN_CLONE, None, draft),
        (Action.PLAN_ACTIVATE, None, draft),
    ]


def test_the_admin_actions_act_as_the_administrator(draft: Plan, administrator: Any) -> None:
    client = Client()
    client.force_login(administrator)
    client.post(
        "/admin/targets/plan/", {"action": "activate_plans", "_selected_action": [draft.pk]}
    )
    [entry] = entries(Action.PLAN_ACTIVATE)
    assert (entry.actor, entry.plan) == (administrator, draft)


def test_a_drafts_split_and_target_are_audited(draft: Plan, administrator: Any) -> None:
    indicator = Indicator.objects.get(plan=draft, code="rural-transfer")
    county = Region.objects.get(code="410621")
    region_target_set(indicator=indicator, region=county, target=120, actor=administrator)
    indicator_target_set(actor=administrator, indicator=indicator, target=21_000)
    [split] = entries(Action.SPLIT_SET)
    [target] = entries(Action.TARGET_SET)
    assert (split.actor, split.plan, split.object_id) == (administrator, draft, indicator.pk)
    assert split.detail["region"] == "410621"
    assert split.detail["new"] == 120
    assert (target.actor, target.detail["new"], target.detail["region"]) == (
        administrator,
        21_000,
        None,
    )
    assert not TargetChange.objects.filter(plan=draft).exists()


def test_an_active_plans_changes_stay_target_changes(plan: Plan, administrator: Any) -> None:
    indicator = Indicator.objects.get(plan=plan, code="rural-transfer")
    indicator_target_set(
        actor=administrator, indicator=indicator, target=indicator.target + 1, reason="年中调整"
    )
    assert TargetChange.objects.get(plan=plan).actor == administrator
    assert entries(Action.TARGET_SET) == []


def test_a_role_given_is_audited_with_its_actor(
    plan: Plan, make_user: Any, administrator: Any
) -> None:
    clerk = make_user(None)
    membership = membership_assign(
        user=clerk,
        role=Membership.Role.CLERK,
        department=plan.indicators.first().department,
        actor=administrator,
    )
    entry = AuditEntry.objects.filter(action=Action.MEMBERSHIP_ASSIGN).last()
    assert (entry.actor, entry.object_id, entry.plan) == (administrator, membership.pk, None)
    assert entry.detail["user"] == clerk.username
    assert entry.detail["role"] == "clerk"


def test_notice_events_keep_each_actor(plan: Plan, make_user: Any) -> None:
    """Notices keep their trail in ``SupervisionNoticeEvent``: raised by the system, answered
    by the clerk, closed by a reviewer, each with its actor."""
    indicator = Indicator.objects.get(plan=plan, code="rural-transfer")
    county = Region.objects.get(code="410621")
    clerk = make_user("clerk", department=indicator.department, region=county)
    reviewer = make_user("reviewer")
    notice = notice_raise(plan=plan, indicator=indicator, region=county, month=3)
    notice_answer(actor=clerk, notice=notice, explanation="原因", catch_up_plan="措施")
    notice_close(actor=reviewer, notice=notice, reason="已整改")
    events = SupervisionNoticeEvent.objects.filter(notice=notice).order_by("id")
    assert [(e.kind, e.actor) for e in events] == [
        ("raised", None),
        ("answered", clerk),
        ("closed", reviewer),
    ]
