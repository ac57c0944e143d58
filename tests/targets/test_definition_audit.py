"""Edits of a plan's definition leave an audit row with their actor: saved, deleted, reported."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from targets.models import AuditEntry, Department, Milestone, Plan
from targets.services.definitions import definition_delete, definition_save, milestone_update


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_a_saved_record_is_recorded_with_its_actor_and_fields(plan: Plan, make_user: Any) -> None:
    administrator = make_user("administrator")
    milestone = Milestone.objects.filter(plan=plan).first()
    milestone.title = "改过的标题"
    definition_save(actor=administrator, record=milestone, changed=["title"])

    [entry] = _entries(AuditEntry.Action.DEFINITION_SAVE)
    assert (entry.actor, entry.plan, entry.object_id) == (administrator, plan, milestone.pk)
    assert entry.object_type == "targets.milestone"
    assert entry.detail == {"created": False, "changed": ["title"]}


def test_a_shared_record_has_no_plan(make_user: Any) -> None:
    administrator = make_user("administrator")
    department = Department(code="audit-test", name="审计测试局", order=99)
    definition_save(actor=administrator, record=department, changed=["name"])

    [entry] = _entries(AuditEntry.Action.DEFINITION_SAVE)
    assert entry.plan is None and entry.object_text == str(department)
    assert entry.detail["created"] is True


def test_a_deleted_record_is_named_after_it_is_gone(plan: Plan, make_user: Any) -> None:
    administrator = make_user("administrator")
    milestone = Milestone.objects.filter(plan=plan).first()
    pk, text = milestone.pk, str(milestone)
    definition_delete(actor=administrator, record=milestone)

    [entry] = _entries(AuditEntry.Action.DEFINITION_DELETE)
    assert (entry.actor, entry.plan, entry.object_id, entry.object_text) == (
        administrator,
        plan,
        pk,
        text,
    )
    assert not Milestone.objects.filter(pk=pk).exists()


def test_a_milestone_report_is_recorded_and_a_command_is_the_system(plan: Plan) -> None:
    milestone = plan.milestones.first()
    milestone_update(milestone=milestone, status="delayed", evidence="资金未到位。")

    [entry] = _entries(AuditEntry.Action.MILESTONE_UPDATE)
    assert entry.actor is None
    assert (entry.plan, entry.object_id, entry.detail) == (
        plan,
        milestone.pk,
        {"status": "delayed"},
    )


def test_a_refused_edit_leaves_no_row(plan: Plan, make_user: Any) -> None:
    clerk = make_user("clerk", department="hrss")
    milestone = Milestone.objects.filter(plan=plan).first()
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        definition_save(actor=clerk, record=milestone)
    assert AuditEntry.objects.count() == before
