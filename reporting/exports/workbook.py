"""The auditors' summary workbook: the API's numbers and every approved figure behind them.

Plain functions: ``write_summary`` writes the workbook for a plan and as-of month to a binary
file object and returns the data rows per sheet: a cover (封面), the progress sheets
(``progress_sheets``: 总表, 分县区, the plan's progress as of that month) and the
records behind them (``record_sheets``: 月度明细, 修改记录, 目标调整记录, 里程碑) and the work
items' steps and the projects' approved ledger rows as of the month (``work_sheet``:
重点工作台账; ``project_sheet``: 项目台账), all in the layout of ``styles``. In openpyxl's
write-only mode no cell can be gone back to: the cover's row counts are known only at the end,
so the cover is created first, to stay the first sheet, and filled last. ``export_summary``
writes and logs an export (``ExportLog``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from targets.models import Department, Plan

from .. import selectors
from ..formatting import rounded_fraction
from ..models import ExportLog
from ..services.exports import export_log_create
from .progress_sheets import write_county_sheet, write_summary_sheet
from .project_sheet import write_project_sheet
from .record_sheets import (
    counted_submissions,
    plan_events,
    write_detail_sheet,
    write_events_sheet,
    write_milestone_sheet,
    write_target_changes_sheet,
)
from .styles import DATETIME, INTEGER, PERCENT, Context, cell
from .work_sheet import write_work_sheet

SHEETS = (
    "封面",
    "总表",
    "分县区",
    "月度明细",
    "修改记录",
    "目标调整记录",
    "里程碑",
    "重点工作台账",
    "项目台账",
)


def reporting_unit(plan: Plan) -> str:
    lead = Department.objects.filter(is_lead=True).order_by("order").first()
    return lead.name if lead else plan.issuer


# 封面 ----------------------------------------------------------------------------------------


def _write_cover(ws: WriteOnlyWorksheet, context: Context, counts: dict[str, int]) -> int:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    plan = context.plan
    title = cell(ws, _("%(year)s年全民技能振兴工程审计工作簿") % {"year": plan.year})
    title.font = Font(bold=True, size=14)
    ws.merged_cells.add("A1:B1")
    ws.append([title])
    ws.append([])
    lines: list[tuple[str, Any, str | None]] = [
        (_("年度方案"), plan.title, None),
        (_("文号"), plan.doc_number, None),
        (_("截至月份"), context.as_of, None),
        (_("时间进度"), rounded_fraction(Fraction(context.month, 12)), PERCENT),
        (_("填报单位"), context.reporting_unit, None),
        (_("制表人"), context.exported_by, None),
        (_("制表时间"), context.local_at, DATETIME),
        (_("统计口径"), _("已审核数据"), None),
        (
            _("说明"),
            _(
                "只计已审核的数据；当月数按月相加，时点数取各县区最近一个月的数再相加，"
                "比率由分子、分母两个计数填报项的累计数相除，完成率为比率除以目标比率，"
                "比率不相加。百分比由精确比值按显示的位数四舍五入一次，与看板、通报一致。"
                "总表中“未列入部门任务”一行是直接计入全市目标的数据和未分配到部门的目标，"
                "与各部门任务相加等于全市目标；分县区按计量单位（人次、人）分别合计。"
                "待报：该月应报数据尚未全部审核，不判定进度状态。"
                "总表、分县区与进度接口（/api/progress/）同一截至月份的数据一致；"
                "修改记录为全年度的审计轨迹。"
            ),
            None,
        ),
    ]
    for label, value, number_format in lines:
        label_cell = cell(ws, label)
        label_cell.font = Font(bold=True)
        ws.append([label_cell, cell(ws, value, number_format)])
    ws.append([])
    ws.append([cell(ws, _("工作表")), cell(ws, _("数据行数"))])
    for name, count in counts.items():
        ws.append([cell(ws, name), cell(ws, count, INTEGER)])
    return len(lines)


def write_summary(
    out: IO[bytes],
    plan: Plan,
    month: int,
    *,
    exported_by: str,
    exported_at: datetime | None = None,
    tick: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the summary workbook to ``out``; the data rows of each sheet, by sheet name.

    ``tick(n)``, when given, hears of the 月度明细 and 修改记录 rows as they are written
    (``estimate_rows`` counts them beforehand).
    """
    context = Context(
        plan=plan,
        month=month,
        exported_by=exported_by,
        exported_at=exported_at or timezone.now(),
        reporting_unit=reporting_unit(plan),
        tick=tick,
    )
    progress = selectors.progress(plan, month)
    wb = Workbook(write_only=True)
    cover = wb.create_sheet("封面")  # first in the book, filled once the counts are known
    counts = {
        "总表": write_summary_sheet(wb, context, progress),
        "分县区": write_county_sheet(wb, context, progress),
        "月度明细": write_detail_sheet(wb, context),
        "修改记录": write_events_sheet(wb, context),
        "目标调整记录": write_target_changes_sheet(wb, context),
        "里程碑": write_milestone_sheet(wb, context),
        "重点工作台账": write_work_sheet(wb, context),
        "项目台账": write_project_sheet(wb, context),
    }
    counts = {"封面": _write_cover(cover, context, counts), **counts}
    wb.save(out)
    return counts


def estimate_rows(plan: Plan, month: int) -> int:
    """The rows of the two long sheets, 月度明细 and 修改记录: what makes an export large."""
    return counted_submissions(plan, month).count() + plan_events(plan).count()


def exporter_name(user: Any | None) -> str:
    """制表人 as printed: the account's full name, else its username; no user: the command."""
    if user is None:
        return "manage.py export_summary"
    return user.get_full_name() or user.get_username()


def file_name(plan: Plan, month: int) -> str:
    return f"{plan.year}年全民技能振兴工程审计工作簿（截至{plan.year}年{month}月）.xlsx"


@dataclass(frozen=True)
class Written:
    """A workbook written to a file: its rows per sheet, size and SHA-256."""

    counts: dict[str, int]
    size: int
    sha256: str


def write_fingerprinted(
    out: IO[bytes],
    plan: Plan,
    month: int,
    *,
    exported_by: str,
    exported_at: datetime,
    tick: Callable[[int], None] | None = None,
) -> Written:
    """``write_summary`` to a seekable ``out``, then read it back for its SHA-256."""
    start = out.tell()
    counts = write_summary(
        out, plan, month, exported_by=exported_by, exported_at=exported_at, tick=tick
    )
    size = out.tell() - start
    out.seek(start)
    digest = hashlib.sha256()
    for chunk in iter(lambda: out.read(1 << 16), b""):
        digest.update(chunk)
    out.seek(start)
    return Written(counts=counts, size=size, sha256=digest.hexdigest())


def log_export(
    written: Written,
    *,
    plan: Plan,
    month: int,
    user: Any | None,
    source: str,
    exported_at: datetime,
) -> ExportLog:
    return export_log_create(
        plan=plan,
        month=month,
        user=user,
        source=source,
        exported_at=exported_at,
        row_counts=written.counts,
        sha256=written.sha256,
        size=written.size,
    )


def export_summary(
    *,
    out: IO[bytes],
    plan: Plan,
    month: int,
    user: Any | None,
    source: str,
    exported_at: datetime | None = None,
) -> ExportLog:
    """Write the workbook to ``out`` (seekable) and log the export with the file's SHA-256.

    The log row is the only write: exporting changes no figure, rollup or plan.
    """
    exported_at = exported_at or timezone.now()
    written = write_fingerprinted(
        out, plan, month, exported_by=exporter_name(user), exported_at=exported_at
    )
    return log_export(
        written, plan=plan, month=month, user=user, source=source, exported_at=exported_at
    )
