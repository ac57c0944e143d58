"""项目台账: every approved row of every project's ledger (一项目一台账) as of the export's month,
one row each, with its project, its part, its source (填报人, 填报时间) and its approver.

As of the month means approved by the end of that month (local time): an approved row is locked
and never changes, so the sheet for a past month is what an auditor would have read then. Rows
still in draft, sent or returned are not counted, as figures are not. The five parts share one
layout: a name, a date, a planned and an actual number with its 计量单位 (元, 人 or 人次), so
the sheet never adds different units; the project's own ledger workbook keeps each part's full
columns and totals. Names and sources are typed by clerks: written as text, never as formulas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import Plan, ProjectEntry, Region

from .styles import DATE, DATETIME, INTEGER, Column, Context, append_rows, local, person, sheet

SHEET = "项目台账"
Kind = ProjectEntry.Kind
KIND_ORDER = Case(
    *[When(kind=kind, then=Value(index)) for index, kind in enumerate(Kind.values)],
    output_field=IntegerField(),
)


def month_close(plan: Plan, month: int) -> datetime:
    """The first instant after ``month`` of the plan's year, local time: the as-of boundary."""
    year, following = (plan.year + 1, 1) if month == 12 else (plan.year, month + 1)
    return timezone.make_aware(datetime(year, following, 1))


def approved_entries(
    plan: Plan, month: int, region: Region | None = None
) -> QuerySet[ProjectEntry]:
    """The plan's ledger rows approved by the end of ``month``, by project and part (of the
    projects of ``region``'s units only, given: the projects its people read)."""
    entries = ProjectEntry.objects.filter(
        project__plan=plan,
        status=ProjectEntry.Status.APPROVED,
        reviewed_at__lt=month_close(plan, month),
    )
    if region is not None:
        entries = entries.filter(project__region=region)
    return (
        entries.select_related(
            "project__department", "project__region", "project__county", "indicator"
        )
        .select_related("entered_by", "reviewed_by")
        .annotate(kind_order=KIND_ORDER)
        .order_by("project__code", "kind_order", "on", "planned_on", "pk")
    )


def _name(entry: ProjectEntry) -> str:
    if entry.kind == Kind.FUNDING:
        return entry.source
    if entry.kind == Kind.TRAINING:
        return entry.indicator.name
    return entry.name


def _choice(entry: ProjectEntry) -> str | None:
    """建设节点's 进展状态, 专业与教材's 类型, 承办竞赛's 级别."""
    for name in ("progress", "product_kind", "level"):
        if getattr(entry, name):
            return str(getattr(entry, f"get_{name}_display")())
    return None


def _planned(entry: ProjectEntry) -> int | None:
    return entry.planned_amount if entry.kind == Kind.FUNDING else entry.assigned


def _actual(entry: ProjectEntry) -> int | None:
    if entry.kind == Kind.FUNDING:
        return entry.arrived_amount
    if entry.kind == Kind.COMPETITION:
        return entry.participants
    return entry.achieved


def _unit(entry: ProjectEntry) -> str | None:
    """What the two numbers count: 元 for money, the indicator's unit for training, 人 for a
    competition's participants; a construction node or a textbook counts nothing."""
    if entry.kind == Kind.FUNDING:
        return _("元")
    if entry.kind == Kind.TRAINING:
        return entry.indicator.unit
    if entry.kind == Kind.COMPETITION:
        return _("人")
    return None


def _who(user: Any) -> str | None:
    if user is None:
        return None
    return person(user.first_name, user.last_name, user.get_username())


def write_project_sheet(wb: Any, context: Context) -> int:
    columns = [
        Column(_("项目代码"), 20, value=lambda e: e.project.code),
        Column(_("项目名称"), 32, value=lambda e: e.project.name),
        Column(_("责任单位"), 16, value=lambda e: e.project.unit_name),
        Column(_("所在县区"), 10, value=lambda e: e.project.county.name),
        Column(_("台账类别"), 12, value=lambda e: str(e.get_kind_display())),
        Column(_("名称"), 30, value=_name),
        Column(_("进展、类型或级别"), 10, value=_choice),
        Column(_("日期"), 11, DATE, value=lambda e: e.planned_on or e.on),
        Column(_("完成时间"), 11, DATE, value=lambda e: e.done_on),
        Column(_("计划数"), 13, INTEGER, value=_planned),
        Column(_("实际数"), 13, INTEGER, value=_actual),
        Column(_("计量单位"), 8, value=_unit),
        Column(_("填报人"), 14, value=lambda e: _who(e.entered_by)),
        Column(_("填报时间"), 16, DATETIME, value=lambda e: local(e.entered_at)),
        Column(_("审核人"), 14, value=lambda e: _who(e.reviewed_by)),
        Column(_("审核时间"), 16, DATETIME, value=lambda e: local(e.reviewed_at)),
    ]
    heading = _("%(year)s年项目台账（截至%(month)s月，已审核台账）")
    ws = sheet(wb, context, SHEET, heading, columns, label_columns=2)
    rows = approved_entries(context.plan, context.month, context.region)
    return append_rows(ws, columns, ([c.value(entry) for c in columns] for entry in rows))
