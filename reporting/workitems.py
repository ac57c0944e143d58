"""``GET /api/workitems/<year>/``'s JSON (CONTRACT.md): a plan's work items as of a month.

``evidence_count`` is the number of distinct evidence files attached to the item's counted
(approved) step reports of the as-of month or earlier (``ItemState.evidence_count``).
"""

from __future__ import annotations

from typing import Any

from targets.models import Department, Plan, Region, unit_name
from targets.work_selectors import ItemState, StepState


def unit(department: Department, region: Region | None) -> dict[str, Any]:
    """A responsible unit: its department's code, its county's (``None``: city-wide), a name."""
    return {
        "department": department.code,
        "region": region.code if region is not None else None,
        "name": unit_name(department, region),
    }


def step_item(state: StepState) -> dict[str, Any]:
    step = state.step
    return {
        "title": step.title,
        "unit": unit(step.department, step.region),
        "due_on": step.due_on.isoformat(),
        "status": state.status,
        "overdue": state.overdue,
    }


def work_item(state: ItemState) -> dict[str, Any]:
    item = state.item
    return {
        "code": item.code,
        "title": item.title,
        "lead_unit": unit(item.department, item.region),
        "due_on": item.due_on.isoformat(),
        "status": state.status,
        "steps": [step_item(step) for step in state.steps],
        "evidence_count": state.evidence_count,
    }


def document(plan: Plan, month: int, items: list[ItemState]) -> dict[str, Any]:
    return {
        "plan": {"year": plan.year, "doc_number": plan.doc_number, "title": plan.title},
        "as_of": f"{plan.year}-{month:02d}",
        "items": [work_item(state) for state in items],
    }
