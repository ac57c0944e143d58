"""The work items' responsibility as part of a plan's definition: each item's co-operating
units (配合单位, each with its own 工作要求) and the steps (工作措施) its responsible units set at
the start of the year, loaded with the rest of the definition (``load_plan_definition``) and
copied by a clone.

The data (``fixtures/plan-2015.json``, or the definition workbook's 配合单位 and 工作措施
sheets) holds two lists: ``work_units`` rows name an item, a department and optionally a county
(or 市直), with a requirement; ``work_steps`` rows name an item, a responsible unit, a title, a
due date and an order. A unit is matched by (item, department, county) and a step by (item,
unit, title), so loading the same data twice changes nothing. With ``prune`` (a draft's
definition replaced whole) the units and steps the data no longer names are deleted, but only
when the data has that list at all: an older workbook without the sheets leaves them alone. A
unit that has steps, or a step that has reports, is never deleted: the load is refused.

A clone copies the units and their requirements, never the steps: each year's units set that
year's steps (年初有安排).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Department, Milestone, Plan, Region, WorkStep, WorkUnit, unit_name
from .base import upsert_row

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Unit = tuple[int, int | None]


def _milestone(milestones: dict[str, Milestone], code: str, what: str) -> Milestone:
    try:
        return milestones[code]
    except KeyError:
        raise ValidationError(
            _("%(what)s引用了不存在的重点工作：%(code)s。") % {"what": what, "code": code}
        ) from None


def load_work(
    plan: Plan,
    data: dict[str, Any],
    *,
    department: Callable[[str], Department],
    region: Callable[[str | None], Region | None],
    prune: bool,
    actor: User | None,
) -> list[str]:
    """Upsert the plan's co-operating units and steps named in ``data`` (see the module
    docstring); the names of the models saved or deleted."""
    milestones = {m.code: m for m in plan.milestones.all()}
    changed: list[str] = []
    if "work_units" in data:
        changed += _load_units(plan, data["work_units"], milestones, department, region, prune)
    if "work_steps" in data:
        changed += _load_steps(
            plan, data["work_steps"], milestones, department, region, prune, actor
        )
    return changed


def _load_units(
    plan: Plan,
    rows: list[dict[str, Any]],
    milestones: dict[str, Milestone],
    department: Callable[[str], Department],
    region: Callable[[str | None], Region | None],
    prune: bool,
) -> list[str]:
    changed: list[str] = []
    kept: set[int] = set()
    for row in rows:
        item = _milestone(milestones, row["milestone"], _("配合单位"))
        dept, place = department(row["department"]), region(row.get("region"))
        key: Unit = (dept.pk, place.pk if place else None)
        name = unit_name(dept, place)
        if key == (item.department_id, item.region_id):
            raise ValidationError(
                _("%(unit)s 是“%(item)s”的牵头单位，不必再列为配合单位。")
                % {"unit": name, "item": item.title}
            )
        lookup = {"milestone": item, "department": dept, "region": place}
        unit, saved = upsert_row(WorkUnit, lookup, {"requirement": row.get("requirement", "")})
        if unit.pk in kept:
            raise ValidationError(
                _("配合单位重复：“%(item)s”的 %(unit)s。") % {"item": item.title, "unit": name}
            )
        kept.add(unit.pk)
        if saved:
            changed.append("WorkUnit")
    if prune:
        dropped = WorkUnit.objects.filter(milestone__plan=plan).exclude(pk__in=kept)
        for unit in dropped.select_related("milestone", "department", "region"):
            steps = unit.milestone.steps.filter(
                department_id=unit.department_id, region_id=unit.region_id
            )
            if steps.exists():
                raise ValidationError(
                    _("%(unit)s 在“%(item)s”中已有工作措施，不能取消其配合单位。")
                    % {"unit": unit_name(unit.department, unit.region), "item": unit.milestone}
                )
        if dropped.delete()[0]:
            changed.append("WorkUnit")
    return changed


def _load_steps(
    plan: Plan,
    rows: list[dict[str, Any]],
    milestones: dict[str, Milestone],
    department: Callable[[str], Department],
    region: Callable[[str | None], Region | None],
    prune: bool,
    actor: User | None,
) -> list[str]:
    changed: list[str] = []
    kept: set[int] = set()
    responsible: dict[int, set[Unit]] = {}
    for item in milestones.values():
        responsible[item.pk] = {(item.department_id, item.region_id)}
    for unit in WorkUnit.objects.filter(milestone__plan=plan):
        responsible[unit.milestone_id].add((unit.department_id, unit.region_id))
    for row in rows:
        item = _milestone(milestones, row["milestone"], _("工作措施"))
        dept, place = department(row["department"]), region(row.get("region"))
        if (dept.pk, place.pk if place else None) not in responsible[item.pk]:
            raise ValidationError(
                _("%(unit)s 不是“%(item)s”的责任单位，不能设定其工作措施。")
                % {"unit": unit_name(dept, place), "item": item.title}
            )
        due_on = date.fromisoformat(row["due_on"])
        if not plan.starts_on <= due_on <= plan.ends_on:
            raise ValidationError(
                _("工作措施“%(title)s”的完成时限必须在 %(year)s 年度方案的期限内。")
                % {"title": row["title"], "year": plan.year}
            )
        lookup = {"milestone": item, "department": dept, "region": place, "title": row["title"]}
        values = {"due_on": due_on, "order": row.get("order", 0)}
        if actor is None and not WorkStep.objects.filter(**lookup).exists():
            raise ValidationError(_("载入新的工作措施需要记录设定人，请在管理后台导入工作簿。"))
        on_create = {"created_by": actor, "created_at": timezone.now()}
        step, saved = upsert_row(WorkStep, lookup, values, on_create)
        if step.pk in kept:
            raise ValidationError(
                _("工作措施重复：“%(item)s”的“%(title)s”。")
                % {"item": item.title, "title": row["title"]}
            )
        kept.add(step.pk)
        if saved:
            changed.append("WorkStep")
    if prune:
        dropped = WorkStep.objects.filter(milestone__plan=plan).exclude(pk__in=kept)
        reported = dropped.filter(reports__isnull=False).first()
        if reported is not None:
            raise ValidationError(
                _("工作措施“%(title)s”已有台账，不能删除。") % {"title": reported.title}
            )
        if dropped.delete()[0]:
            changed.append("WorkStep")
    return changed


def clone_work_units(source: Plan, plan: Plan) -> None:
    """Copy the co-operating units and their requirements of ``source``'s items to the items
    of the same code in ``plan`` (just cloned); the steps are each year's own."""
    items = {m.code: m.pk for m in plan.milestones.all()}
    WorkUnit.objects.bulk_create(
        WorkUnit(
            milestone_id=items[unit.milestone.code],
            department_id=unit.department_id,
            region_id=unit.region_id,
            requirement=unit.requirement,
        )
        for unit in WorkUnit.objects.filter(milestone__plan=source)
        .select_related("milestone")
        .order_by("pk")
    )
