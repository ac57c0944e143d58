"""definition_save / definition_delete: administrators only, never a closed plan's records."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets.models import Milestone, Plan
from targets.services.definitions import definition_delete, definition_save
from targets.services.plans import plan_close
from targets.signals import plan_changed


def test_an_administrator_saves_and_deletes_a_milestone(plan: Plan, make_user: Any) -> None:
    administrator = make_user("administrator")
    milestone = Milestone.objects.filter(plan=plan).first()
    milestone.title = "改过的标题"
    definition_save(actor=administrator, record=milestone, changed=["title"])
    assert Milestone.objects.get(pk=milestone.pk).title == "改过的标题"

    definition_delete(actor=administrator, record=milestone)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


@pytest.mark.parametrize("role", ["clerk", "reviewer", "leader", "auditor"])
def test_it_checks_the_actor(plan: Plan, make_user: Any, role: str) -> None:
    user = make_user(role, department="hrss" if role == "clerk" else None)
    milestone = Milestone.objects.filter(plan=plan).first()
    milestone.title = "改过的标题"
    with pytest.raises(PermissionDenied):
        definition_save(actor=user, record=milestone)
    with pytest.raises(PermissionDenied):
        definition_delete(actor=user, record=milestone)
    assert Milestone.objects.get(pk=milestone.pk).title != "改过的标题"


def test_a_closed_plans_records_are_refused(plan: Plan, make_user: Any) -> None:
    administrator = make_user("administrator")
    plan_close(plan=plan)
    milestone = Milestone.objects.filter(plan=plan).first()
    plan.refresh_from_db()
    plan.title = "改过的标题"
    for record in (plan, milestone):
        with pytest.raises(ValidationError, match="已结束"):
            definition_save(actor=administrator, record=record)
        with pytest.raises(ValidationError, match="已结束"):
            definition_delete(actor=administrator, record=record)
    assert Plan.objects.get(pk=plan.pk).title != "改过的标题"


def test_a_new_deadline_day_has_the_plans_rollup_rebuilt(plan: Plan, make_user: Any) -> None:
    sent: list[int] = []

    def listen(sender: Any, plan_id: int, **kwargs: Any) -> None:
        sent.append(plan_id)

    plan_changed.connect(listen)
    try:
        plan.title = "改过的标题"
        definition_save(actor=None, record=plan, changed=["title"])
        assert sent == []
        plan.deadline_day = 8
        definition_save(actor=None, record=plan, changed=["deadline_day"])
        assert sent == [plan.pk]
    finally:
        plan_changed.disconnect(listen)
