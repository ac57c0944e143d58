"""The auditors' summary workbook: the API's numbers and every approved figure behind them.

Plain functions: ``write_summary`` writes the workbook for a plan and as-of month to a binary
file object and returns the data rows per sheet: a cover (封面), the progress sheets
(``progress_sheets``: 总表, 分县区, the plan's progress as of that month) and the
records behind them (``record_sheets``: 月度明细, 修改记录, 目标调整记录, 里程碑) and the work
items' steps and the projects' approved ledger rows as of the month (``work_sheet``:
重点工作台账; ``project_sheet``: 项目台账), the training figures against their rosters and the
rosters' findings, masked (``roster_sheets``: 花名册核对, 疑点清单), all in the layout of
``styles``. In openpyxl's
write-only mode no cell can be gone back to: the cover's row counts are known only at the end,
so the cover is created first, to stay the first sheet, and filled last. ``export_summary``
writes and logs an export (``ExportLog``).

A county's workbook (``region``) holds that county's rows only: its quotas on 总表 (its split
targets, the rows of its bulletin and dashboard, ``bulletins.county.narrowed``), its approved
figures and their trail, its splits, its units' steps and projects. The sheets that are the
city's or would show other counties (分县区, 里程碑) are left out; the cover and every
sheet's heading name the county.
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

from targets.models import Department, Plan, Region

from .. import selectors
from ..bulletins.county import county_reported, narrowed, split_quotas
from ..bulletins.numbers import bulletin_unit
from ..formatting import rounded_fraction
from ..models import ExportLog
from ..services.exports import export_log_create
from .progress_sheets import write_county_sheet, write_parts_sheet, write_summary_sheet
from .project_sheet import write_project_sheet
from .record_sheets import (
    counted_submissions,
    plan_events,
    write_detail_sheet,
    write_events_sheet,
    write_milestone_sheet,
    write_target_changes_sheet,
)
from .roster_sheets import ROSTER_SHEETS, write_findings_sheet, write_roster_check_sheet
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
    *ROSTER_SHEETS,
)
# The city's sheets a county's workbook leaves out: every county's figures, the city's items.
CITY_SHEETS = ("分县区", "里程碑")
COUNTY_SHEETS = tuple(name for name in SHEETS if name not in CITY_SHEETS)
# A county's own, after its 总表, where it splits further among its parts.
PARTS_SHEET = "分乡镇"


def reporting_unit(plan: Plan, region: Region | None = None) -> str:
    """填报单位: the lead bureau (a county's workbook: the county's, 浚县人力资源社会保障局)."""
    lead = Department.objects.filter(is_lead=True).order_by("order").first()
    if lead is None:
        return plan.issuer if region is None else region.name
    return bulletin_unit(lead, region)


# 封面 ----------------------------------------------------------------------------------------


def _write_cover(ws: WriteOnlyWorksheet, context: Context, counts: dict[str, int]) -> int:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    plan, region = context.plan, context.region
    place = region.name if region is not None else ""
    title = cell(ws, place + _("%(year)s年全民技能振兴工程审计工作簿") % {"year": plan.year})
    title.font = Font(bold=True, size=14)
    ws.merged_cells.add("A1:B1")
    ws.append([title])
    ws.append([])
    lines: list[tuple[str, Any, str | None]] = [
        (_("年度方案"), plan.title, None),
        (_("文号"), plan.doc_number, None),
        (
            _("范围"),
            _("全市")
            if region is None
            else _("%(county)s（%(code)s）") % {"county": region.name, "code": region.code},
            None,
        ),
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
    if region is not None:
        lines.append(
            (
                _("县区工作簿"),
                _(
                    "只含%(county)s的数据：总表为本县区的各项任务（县区分解目标），与本县区"
                    "通报和看板同一截至月份的数据一致；月度明细、修改记录、目标调整记录、"
                    "重点工作台账和项目台账只列本县区的行。分县区和里程碑为全市的表，不含。"
                )
                % {"county": region.name},
                None,
            )
        )
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
    region: Region | None = None,
) -> dict[str, int]:
    """Write the summary workbook to ``out`` (``region``'s own, given); the data rows of each
    sheet, by sheet name.

    ``tick(n)``, when given, hears of the 月度明细 and 修改记录 rows as they are written
    (``estimate_rows`` counts them beforehand).
    """
    context = Context(
        plan=plan,
        month=month,
        exported_by=exported_by,
        exported_at=exported_at or timezone.now(),
        reporting_unit=reporting_unit(plan, region),
        tick=tick,
        region=region,
    )
    progress = selectors.progress(plan, month)
    split = []
    if progress is not None and region is not None:
        progress = narrowed(progress, region, county_reported(plan, month, region))
        split = split_quotas(plan, month, region)
    wb = Workbook(write_only=True)
    cover = wb.create_sheet("封面")  # first in the book, filled once the counts are known
    writers: dict[str, Callable[[], int]] = {
        "总表": lambda: write_summary_sheet(wb, context, progress),
        "分县区": lambda: write_county_sheet(wb, context, progress),
        PARTS_SHEET: lambda: write_parts_sheet(wb, context, split),
        "月度明细": lambda: write_detail_sheet(wb, context),
        "修改记录": lambda: write_events_sheet(wb, context),
        "目标调整记录": lambda: write_target_changes_sheet(wb, context),
        "里程碑": lambda: write_milestone_sheet(wb, context),
        "重点工作台账": lambda: write_work_sheet(wb, context),
        "项目台账": lambda: write_project_sheet(wb, context),
        "花名册核对": lambda: write_roster_check_sheet(wb, context),
        "疑点清单": lambda: write_findings_sheet(wb, context),
    }
    names = list(SHEETS if region is None else COUNTY_SHEETS)
    if split:
        names.insert(names.index("总表") + 1, PARTS_SHEET)
    counts = {name: writers[name]() for name in names if name != "封面"}
    counts = {"封面": _write_cover(cover, context, counts), **counts}
    wb.save(out)
    return counts


def estimate_rows(plan: Plan, month: int, region: Region | None = None) -> int:
    """The rows of the two long sheets, 月度明细 and 修改记录: what makes an export large."""
    figures = counted_submissions(plan, month, region).count()
    return figures + plan_events(plan, region).count()


def exporter_name(user: Any | None) -> str:
    """制表人 as printed: the account's full name, else its username; no user: the command."""
    if user is None:
        return "manage.py export_summary"
    return user.get_full_name() or user.get_username()


def file_name(plan: Plan, month: int, region: Region | None = None) -> str:
    place = region.name if region is not None else ""
    return f"{plan.year}年{place}全民技能振兴工程审计工作簿（截至{plan.year}年{month}月）.xlsx"


def ascii_name(plan: Plan, month: int, region: Region | None = None) -> str:
    """The file's name for clients that take no Chinese: summary-2015-03(-410621).xlsx."""
    county = f"-{region.code}" if region is not None else ""
    return f"summary-{plan.year}-{month:02d}{county}.xlsx"


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
    region: Region | None = None,
) -> Written:
    """``write_summary`` to a seekable ``out``, then read it back for its SHA-256."""
    start = out.tell()
    counts = write_summary(
        out,
        plan,
        month,
        exported_by=exported_by,
        exported_at=exported_at,
        tick=tick,
        region=region,
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
    region: Region | None = None,
) -> ExportLog:
    return export_log_create(
        plan=plan,
        region=region,
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
    region: Region | None = None,
) -> ExportLog:
    """Write the workbook to ``out`` (seekable; ``region``'s own, given) and log the export
    with the file's SHA-256.

    The log row is the only write: exporting changes no figure, rollup or plan.
    """
    exported_at = exported_at or timezone.now()
    written = write_fingerprinted(
        out,
        plan,
        month,
        exported_by=exporter_name(user),
        exported_at=exported_at,
        region=region,
    )
    return log_export(
        written,
        plan=plan,
        month=month,
        user=user,
        source=source,
        exported_at=exported_at,
        region=region,
    )
