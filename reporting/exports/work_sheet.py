"""重点工作台账: one row per step of the plan's work items as of the export's month, with its
status, 逾期, the latest approved report (its month, text, approver) and its evidence count.

Statuses are those of the dashboard and the API (``targets.work_selectors``): approved reports
of the month or earlier only. The report's text is typed by clerks: written as text, never as
a formula (``styles.cell``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from targets.work_selectors import ItemState, StepState, work_items

from .styles import DATE, DATETIME, INTEGER, Column, Context, append_rows, local, person, sheet

SHEET = "重点工作台账"


def _rows(items: list[ItemState], context: Context) -> Iterator[tuple[ItemState, StepState]]:
    """Every step; a county's workbook, the steps of the county's units only."""
    region = context.region
    for item in items:
        for step in item.steps:
            if region is None or step.step.region_id == region.pk:
                yield item, step


def _report(name: str) -> Any:
    def value(row: tuple[ItemState, StepState]) -> Any:
        report = row[1].report
        return getattr(report, name) or None if report is not None else None

    return value


def _reviewer(row: tuple[ItemState, StepState]) -> str | None:
    report = row[1].report
    if report is None or report.reviewed_by is None:
        return None
    who = report.reviewed_by
    return person(who.first_name, who.last_name, who.get_username())


def write_work_sheet(wb: Workbook, context: Context) -> int:
    yes, no = _("是"), _("否")
    columns = [
        Column(_("重点工作代码"), 24, value=lambda row: row[0].item.code),
        Column(_("重点工作"), 36, value=lambda row: row[0].item.title),
        Column(_("责任单位"), 18, value=lambda row: row[1].step.unit_name),
        Column(_("工作措施"), 30, value=lambda row: row[1].step.title),
        Column(_("完成时限"), 11, DATE, value=lambda row: row[1].step.due_on),
        Column(_("状态"), 8, value=lambda row: row[1].status_label),
        Column(_("逾期"), 6, value=lambda row: yes if row[1].overdue else no),
        Column(_("最新台账月份"), 8, value=_report("month")),
        Column(_("工作进展"), 40, value=_report("done")),
        Column(_("存在问题"), 40, value=_report("problems")),
        Column(_("审核人"), 14, value=_reviewer),
        Column(
            _("审核时间"),
            16,
            DATETIME,
            value=lambda row: local(row[1].report.reviewed_at) if row[1].report else None,
        ),
        Column(_("佐证材料（个）"), 8, INTEGER, value=lambda row: row[1].evidence_count),
    ]
    heading = _("%(year)s年重点工作台账（截至%(month)s月，已审核台账）")
    ws = sheet(wb, context, SHEET, heading, columns, label_columns=2)
    items = work_items(context.plan, context.month)
    return append_rows(
        ws, columns, ([c.value(row) for c in columns] for row in _rows(items, context))
    )
