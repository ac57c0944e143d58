"""Helpers for the plan definition workbook's tests: edit a workbook, import it, compare plans."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from openpyxl import Workbook, load_workbook

from targets.models import (
    Indicator,
    Milestone,
    Plan,
    RegionTarget,
    TargetChange,
    WorkStep,
    WorkUnit,
)
from targets.workbooks.plan import import_definition
from targets.workbooks.plan_sheets import DefinitionRefused

DOC_2016 = "鹤政办〔2016〕12号"
PLAN_ROW = {"year": 2, "doc_number": 4, "written_on": 8, "deadline_day": 12}


# --- helpers -------------------------------------------------------------------------------


def _row(obj: Model, skip: set[str]) -> dict[str, Any]:
    """Every stored field; references to indicators by code, so plans compare across ids."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(obj, field.attname)
        if field.is_relation and field.related_model is Indicator and value is not None:
            value = Indicator.objects.get(pk=value).code
        out[field.name] = value
    return out


def dump(plan: Plan, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        "plan": _row(plan, {"id", *skip}),
        "indicators": [_row(i, {"id", "plan"}) for i in plan.indicators.order_by("code")],
        "splits": sorted(
            (s.indicator.code, s.region.code, s.target, s.is_demo)
            for s in RegionTarget.objects.filter(indicator__plan=plan).select_related(
                "indicator", "region"
            )
        ),
        "milestones": [_row(m, {"id", "plan"}) for m in plan.milestones.order_by("code")],
        "work_units": sorted(
            (u.milestone.code, u.department.code, u.region_id, u.requirement)
            for u in WorkUnit.objects.filter(milestone__plan=plan).select_related(
                "milestone", "department"
            )
        ),
        "work_steps": sorted(
            (s.milestone.code, s.department.code, s.region_id, s.title, s.due_on, s.order)
            for s in WorkStep.objects.filter(milestone__plan=plan).select_related(
                "milestone", "department"
            )
        ),
    }


def counts() -> tuple[int, ...]:
    return (
        Plan.objects.count(),
        Indicator.objects.count(),
        RegionTarget.objects.count(),
        Milestone.objects.count(),
    )


def edited(content: bytes, *edits: Callable[[Workbook], Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for edit in edits:
        edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_2016(workbook: Workbook) -> None:
    sheet = workbook["方案"]
    sheet.cell(PLAN_ROW["year"], 3, 2016)
    sheet.cell(PLAN_ROW["doc_number"], 3, DOC_2016)


def row_of(workbook: Workbook, sheet: str, code: str) -> int:
    for cells in workbook[sheet].iter_rows(min_row=2):
        if cells[0].value == code:
            return cells[0].row
    raise AssertionError(f"{code} not on {sheet}")


def set_cell(sheet: str, code: str, column: str, value: Any) -> Callable[[Workbook], str]:
    """An edit that sets one cell of the row of ``code`` and says where it is."""

    def edit(workbook: Workbook) -> str:
        row = row_of(workbook, sheet, code)
        workbook[sheet][f"{column}{row}"] = value
        return f"{sheet}!{column}{row}"

    return edit


def import_workbook(content: bytes, actor: Any = None) -> Any:
    """Import as an administrator would (a new step records who set it)."""
    if actor is None:
        from django.contrib.auth import get_user_model

        actor, _created = get_user_model().objects.get_or_create(
            username="plan-importer", defaults={"is_staff": True, "is_superuser": True}
        )
    return import_definition(io.BytesIO(content), actor=actor)


def refusal(content: bytes) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionRefused) as refused:
        import_workbook(content)
    return [(error.location, error.message) for error in refused.value.errors]


def wipe(plan: Plan) -> None:
    """Delete a plan's definition; indicators name each other, so referring ones go first."""
    TargetChange.objects.filter(plan=plan).delete()  # its audit trail protects it otherwise
    RegionTarget.objects.filter(indicator__plan=plan).delete()
    plan.milestones.all().delete()
    plan.indicators.filter(kind="rate").delete()
    plan.indicators.exclude(feeds=None).delete()
    plan.indicators.all().delete()
    plan.delete()
