"""The auditors' summary workbook: the API's numbers and every approved figure behind them.

Plain functions: ``write_summary`` writes the workbook for a plan and as-of month to a binary
file object and returns the data rows per sheet. 总表 and 分县区 are the progress API's document
(``selectors.progress``) for that month; 月度明细 lists the counted submissions they are summed
from, so an auditor can rebuild every total (flow: sum; stock: each county's latest level,
summed; rate: the ratio of the year-to-date sums of its two count series). Percentages are
written as ``reporting.formatting`` prints them on every page: the exact ratio rounded once to
the cell's 0.0 %; a goal's own part (其他职业技能培训) is a row after its quotas so the parts add
up to the goal, and counts are totalled per unit, never 人次 with 人.

openpyxl's write-only mode keeps memory flat: rows go to a temporary file as they are
appended. What that mode allows and we use: ``WriteOnlyCell`` styles and number formats,
column widths, merged title cells, frozen panes, autofilter, print titles, landscape page set-up
fitted to the page width. What it does not: going back to a cell already written (the cover's
row counts are known only at the end, so the cover is created first, to stay the first sheet,
and filled last), row heights, conditional formatting; automatic column widths exist in no mode
of openpyxl, so widths are set per column.

Text typed by people (names, notes, reasons, evidence) is always a string cell
(``targets.xlsx_text``); when it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return it also gets Excel's quote prefix, so Excel shows it and never evaluates it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from targets.models import (
    Department,
    Indicator,
    Milestone,
    Plan,
    Region,
    Submission,
    SubmissionEvent,
    TargetChange,
)
from targets.periods import deadline
from targets.workbooks.text import set_text

from . import selectors
from .dashboard import allocations, goal_breakdown
from .formatting import completion_of, rate_of, rounded_fraction
from .models import ExportLog, Rollup

SHEETS = ("封面", "总表", "分县区", "月度明细", "修改记录", "目标调整记录", "里程碑")
INTEGER = "#,##0"
PERCENT = "0.0%"  # every percentage cell: holds the fraction rounded once at this precision
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
TICK_ROWS = 1000
HEADER_ROW = 5  # title, 填报单位/截止时间, 制表时间/制表人, blank, header

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    number_format: str | None = None


@dataclass(frozen=True)
class Context:
    plan: Plan
    month: int
    exported_by: str
    exported_at: datetime  # aware; written in local time
    reporting_unit: str  # 填报单位: the lead bureau
    # Told how many more rows of the two long sheets were written (a background export's
    # progress bar); every TICK_ROWS rows and once at each sheet's end.
    tick: Callable[[int], None] | None = None

    @property
    def as_of(self) -> str:
        return f"{self.plan.year}-{self.month:02d}"

    @property
    def local_at(self) -> datetime:
        return timezone.localtime(self.exported_at).replace(tzinfo=None, microsecond=0)


def _cell(ws: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> WriteOnlyCell:
    """A cell; text that Excel would take for a formula is kept as text (quote prefix)."""
    if isinstance(value, datetime):
        value = (
            timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        )
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, Promise):  # lazy choice labels
        value = str(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        set_text(cell, value)  # typed text is never a formula
    if number_format:
        cell.number_format = number_format
    return cell


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _reporting_unit(plan: Plan) -> str:
    lead = Department.objects.filter(is_lead=True).order_by("order").first()
    return lead.name if lead else plan.issuer


def _sheet(
    wb: Workbook,
    title: str,
    heading: str,
    columns: list[Column],
    context: Context,
    label_columns: int = 1,
) -> WriteOnlyWorksheet:
    """A sheet in the layout of an official 报表: title, the four lines, then the header row.

    Widths, frozen panes (the header rows and the first ``label_columns`` columns, which name
    each row), print titles and page set-up must be set before the first row.
    """
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    last = get_column_letter(len(columns))
    ws.freeze_panes = f"{get_column_letter(label_columns + 1)}{HEADER_ROW + 1}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.merged_cells.add(f"A1:{last}1")
    title_cell = _cell(ws, heading)
    title_cell.font = Font(bold=True, size=14)
    title_cell.alignment = Alignment(horizontal="center")
    ws.append([title_cell])
    half = max(1, len(columns) // 2)
    pad = [None] * (half - 1)
    ws.append(
        [
            _cell(ws, _("填报单位：%(unit)s") % {"unit": context.reporting_unit}),
            *pad,
            _cell(
                ws,
                _("截止时间：%(year)s年%(month)s月底")
                % {"year": context.plan.year, "month": context.month},
            ),
        ]
    )
    ws.append(
        [
            _cell(ws, _("制表时间：%(at)s") % {"at": f"{context.local_at:%Y-%m-%d %H:%M}"}),
            *pad,
            _cell(ws, _("制表人：%(who)s") % {"who": context.exported_by}),
        ]
    )
    ws.append([])
    header = []
    for column in columns:
        cell = _cell(ws, column.title)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    return ws


def _rows(
    ws: WriteOnlyWorksheet,
    columns: list[Column],
    rows: Iterable[list[Any]],
    tick: Callable[[int], None] | None = None,
) -> int:
    """Append data rows with the columns' formats; set the autofilter over them."""
    count = 0
    for values in rows:
        ws.append(
            [
                _cell(ws, value, column.number_format)
                for value, column in zip(values, columns, strict=True)
            ]
        )
        count += 1
        if tick is not None and count % TICK_ROWS == 0:
            tick(TICK_ROWS)
    if tick is not None and count % TICK_ROWS:
        tick(count % TICK_ROWS)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + count}"
    return count


# 总表 ----------------------------------------------------------------------------------------


def _summary_columns() -> list[Column]:
    return [
        Column(_("类别"), 12),
        Column(_("代码"), 22),
        Column(_("名称"), 36),
        Column(_("责任部门"), 18),
        Column(_("统计口径"), 8),
        Column(_("单位"), 6),
        Column(_("年度目标"), 11),  # a count, or a rate target as a fraction
        Column(_("累计完成（比率类为实际比率）"), 13),  # a rate: numerator ÷ denominator
        Column(_("完成率（完成÷目标）"), 11, PERCENT),
        Column(_("序时进度"), 9, PERCENT),
        Column(_("状态"), 16),
        Column(_("预计全年"), 11),
        Column(_("未分配到部门"), 12, INTEGER),
        Column(_("计入目标"), 18),
        Column(_("分子（累计）"), 11, INTEGER),
        Column(_("分母（累计）"), 11, INTEGER),
        Column(_("分子填报项"), 20),
        Column(_("分母填报项"), 20),
    ]


def status_text(item: dict[str, Any]) -> str:
    """正常 / 预警 / 滞后; a row not judged because the month's reports behind it are not all
    approved: 待报（已审核 m/n）; no data: —. Without ``reported`` a row counts as complete."""
    if item.get("status") == "pending":
        reported = item.get("reported")
        if reported:
            return _("待报（已审核 %(approved)s/%(expected)s）") % {
                "approved": reported.get("approved"),
                "expected": reported.get("expected"),
            }
        return _("待报")
    statuses = {"green": _("正常"), "amber": _("预警"), "red": _("滞后")}
    return statuses.get(item.get("status"), "—")


def _summary_rows(plan: Plan, document: dict[str, Any] | None) -> Iterator[list[Any]]:
    """Goals, then quotas; after a goal's last quota, the goal's own part (其他职业技能培训)
    so that the rows feeding a goal (计入目标) add up to it. Percentages are the exact ratios
    rounded once, as the dashboard and bulletin print them."""
    if document is None:
        return
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(plan=plan).select_related(
            "feeds", "numerator", "denominator"
        )
    }
    kinds = dict(Indicator.Kind.choices)
    breakdowns = goal_breakdown(document, allocations(plan))
    own_after = {b["rows"][-2]["code"]: b for b in breakdowns}
    parts = ((_("全市目标"), document["goals"], {}), (_("部门任务"), document["quotas"], own_after))
    for role, items, own_parts in parts:
        for item in items:
            indicator = indicators[item["code"]]
            is_rate = item["kind"] == Indicator.Kind.RATE
            value = rounded_fraction(rate_of(item)) if is_rate else item["actual"]
            yield [
                role,
                item["code"],
                item["name"],
                item["department"],
                kinds[item["kind"]],
                item["unit"],
                item["target"],
                value,
                rounded_fraction(completion_of(item)),
                rounded_fraction(item["expected"]),
                status_text(item),
                value if is_rate else item["projected"],  # a rate's projection is its rate
                item.get("unallocated"),
                indicator.feeds.code if indicator.feeds_id else None,
                item.get("numerator"),
                item.get("denominator"),
                indicator.numerator.code if indicator.numerator_id else None,
                indicator.denominator.code if indicator.denominator_id else None,
            ]
            breakdown = own_parts.get(item["code"])
            if breakdown is not None:
                own, goal = breakdown["own"], breakdown["goal"]
                yield [
                    _("未列入部门任务"),
                    own["code"],
                    own["name"],
                    own["department"],
                    kinds[own["kind"]],
                    own["unit"],
                    own["target"],
                    own["actual"],
                    rounded_fraction(completion_of(own)),
                    rounded_fraction(goal["expected"]),
                    "—",  # not judged on its own: the goal is
                    None,
                    None,
                    goal["code"],
                    None,
                    None,
                    None,
                    None,
                ]


def _write_summary_sheet(wb: Workbook, context: Context, document: dict | None) -> int:
    columns = _summary_columns()
    ws = _sheet(
        wb,
        "总表",
        _("%(year)s年全民技能振兴工程目标任务完成情况总表") % {"year": context.plan.year},
        columns,
        context,
        label_columns=3,
    )
    count = 0
    for values in _summary_rows(context.plan, document):
        is_rate = values[4] == dict(Indicator.Kind.choices)[Indicator.Kind.RATE]
        number = PERCENT if is_rate else INTEGER
        formats = [c.number_format for c in columns]
        formats[6] = formats[7] = formats[11] = number
        ws.append([_cell(ws, v, f) for v, f in zip(values, formats, strict=True)])
        count += 1
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + count}"
    return count


# 分县区 --------------------------------------------------------------------------------------


def _write_county_sheet(wb: Workbook, context: Context, document: dict | None) -> int:
    """Quotas × counties: a count's actual, a rate's rate (numerator ÷ denominator); the city
    column is the row total (a rate: the ratio of the summed counts). Under them one 合计 per
    unit of the quotas whose months add up (flows): 人次 and 人 are never added together, and
    each total equals the 总表's rows of that unit. Levels and rates are not totalled. After a
    goal's last quota, the goal's own part (其他职业技能培训) by county, as on the 总表."""
    regions = list(Region.objects.order_by("order", "code"))
    columns = [
        Column(_("代码"), 22),
        Column(_("部门任务"), 36),
        Column(_("责任部门"), 18),
        Column(_("单位"), 6),
        *[Column(f"{r.name}\n{r.code}", 11) for r in regions],
        Column(_("全市合计"), 12),
    ]
    ws = _sheet(
        wb,
        "分县区",
        _("%(year)s年部门任务分县区完成情况表") % {"year": context.plan.year},
        columns,
        context,
        label_columns=2,
    )
    count = 0
    totals: dict[str, list[int]] = {}  # by unit, in the order met: per county, then the city
    for quota in _county_items(context, document):
        if quota["kind"] == Indicator.Kind.RATE:
            number = PERCENT
            by_code = {r["code"]: rounded_fraction(rate_of(r)) for r in quota["regions"]}
            actuals = [by_code.get(r.code) for r in regions] + [rounded_fraction(rate_of(quota))]
        else:
            number = INTEGER
            by_code = {r["code"]: r["actual"] for r in quota["regions"]}
            actuals = [by_code.get(r.code) for r in regions] + [quota["actual"]]
        if quota["kind"] == Indicator.Kind.FLOW:
            unit_totals = totals.setdefault(quota["unit"], [0] * len(actuals))
            for index, actual in enumerate(actuals):
                unit_totals[index] += actual or 0
        ws.append(
            [
                _cell(ws, quota["code"]),
                _cell(ws, quota["name"]),
                _cell(ws, quota["department"]),
                _cell(ws, quota["unit"]),
                *[_cell(ws, a, number) for a in actuals],
            ]
        )
        count += 1
    for unit, unit_totals in totals.items():
        label = _("累加类任务合计（%(unit)s）") % {"unit": unit}
        total_cells = [_cell(ws, None), _cell(ws, label), _cell(ws, None), _cell(ws, unit)]
        total_cells += [_cell(ws, t, INTEGER) for t in unit_totals]
        for cell in total_cells:
            cell.font = Font(bold=True)
        ws.append(total_cells)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + count}"
    return count + len(totals)


def _county_items(context: Context, document: dict | None) -> Iterator[dict[str, Any]]:
    """The quotas, each goal's own part after its last quota: its county figures are the
    goal's county rollup less its quotas' (a goal adds up its own figures and its quotas')."""
    if document is None:
        return
    breakdowns = goal_breakdown(document, allocations(context.plan))
    own_after = {b["rows"][-2]["code"]: b for b in breakdowns}
    goal_regions: dict[str, dict[str, int | None]] = defaultdict(dict)
    for code, region, actual in Rollup.objects.filter(
        plan=context.plan,
        month=context.month,
        indicator__code__in=[b["goal"]["code"] for b in breakdowns],
        region__isnull=False,
    ).values_list("indicator__code", "region__code", "actual"):
        goal_regions[code][region] = actual
    for quota in document["quotas"]:
        yield quota
        breakdown = own_after.get(quota["code"])
        if breakdown is None:
            continue
        own, quotas = breakdown["own"], breakdown["rows"][:-1]
        own_regions = []
        for region, actual in goal_regions[own["code"]].items():
            parts = [r["actual"] or 0 for q in quotas for r in q["regions"] if r["code"] == region]
            own_regions.append(
                {"code": region, "actual": None if actual is None else actual - sum(parts)}
            )
        yield {**own, "regions": own_regions}


# 月度明细 ------------------------------------------------------------------------------------


def counted_submissions(plan: Plan, month: int) -> QuerySet[Submission]:
    """Every figure the rollup counts as of the end of ``month``."""
    return Submission.objects.filter(
        indicator__plan=plan, is_counted=True, month__lte=month
    ).order_by("indicator__order", "indicator__code", "region__order", "region__code", "month")


def plan_events(plan: Plan) -> QuerySet[SubmissionEvent]:
    """The audit trail of the plan year (修改记录): every event, whatever the as-of month."""
    return SubmissionEvent.objects.filter(submission__indicator__plan=plan)


def person(first_name: str | None, last_name: str | None, username: str | None) -> str | None:
    """A person as printed: ``User.get_full_name()``, else the username (None: nobody)."""
    full_name = f"{first_name or ''} {last_name or ''}".strip()
    return full_name or username


def value_kinds() -> dict[str, str]:
    """What a month's figure is: a flow's figure is the month's own (当月数), a stock's the level
    at the month's end (时点数). The indicator's kind label (累计量) names the total, not it."""
    return {
        Indicator.Kind.FLOW: _("当月数"),
        Indicator.Kind.STOCK: _("时点数"),
        Indicator.Kind.RATE: _("比率"),
    }


def _write_detail_sheet(wb: Workbook, context: Context) -> int:
    columns = [
        Column(_("填报项代码"), 22),
        Column(_("填报项"), 36),
        Column(_("责任部门"), 18),
        Column(_("统计口径"), 8),
        Column(_("县区代码"), 9),
        Column(_("县区"), 9),
        Column(_("月份"), 6),
        Column(_("数值"), 11, INTEGER),
        Column(_("版本"), 6),
        Column(_("填报人"), 14),
        Column(_("填报时间"), 16, DATETIME),
        Column(_("首次报送时间"), 16, DATETIME),
        Column(_("审核人"), 14),
        Column(_("审核时间"), 16, DATETIME),
        Column(_("是否迟报"), 8),
        Column(_("备注"), 30),
    ]
    ws = _sheet(
        wb,
        "月度明细",
        _("%(year)s年已审核月度数据明细（截至%(month)s月）")
        % {"year": context.plan.year, "month": context.month},
        columns,
        context,
        label_columns=2,
    )
    due = {m: deadline(context.plan, m) for m in range(1, 13)}
    kinds = value_kinds()
    yes, no = _("是"), _("否")
    values = counted_submissions(context.plan, context.month).values_list(
        "indicator__code",
        "indicator__series_name",
        "indicator__name",
        "indicator__department__name",
        "indicator__kind",
        "region__code",
        "region__name",
        "month",
        "value",
        "revision",
        "entered_by__first_name",
        "entered_by__last_name",
        "entered_by__username",
        "entered_at",
        "first_submitted_at",
        "reviewed_by__first_name",
        "reviewed_by__last_name",
        "reviewed_by__username",
        "reviewed_at",
        "note",
    )

    def rows() -> Iterator[list[Any]]:
        for (
            code,
            series_name,
            name,
            department,
            kind,
            region_code,
            region,
            month,
            value,
            revision,
            entered_first,
            entered_last,
            entered_by,
            entered_at,
            first_submitted_at,
            reviewed_first,
            reviewed_last,
            reviewed_by,
            reviewed_at,
            note,
        ) in values.iterator(chunk_size=2000):
            late = first_submitted_at is not None and first_submitted_at >= due[month]
            yield [
                code,
                series_name or name,
                department,
                kinds[kind],
                region_code,
                region,
                month,
                value,
                revision,
                person(entered_first, entered_last, entered_by),
                _local(entered_at),
                _local(first_submitted_at),
                person(reviewed_first, reviewed_last, reviewed_by),
                _local(reviewed_at),
                yes if late else no,
                note or None,
            ]

    return _rows(ws, columns, rows(), context.tick)


# 修改记录 ------------------------------------------------------------------------------------


def _write_events_sheet(wb: Workbook, context: Context) -> int:
    columns = [
        Column(_("时间"), 16, DATETIME),
        Column(_("操作"), 9),
        Column(_("操作人"), 14),
        Column(_("责任部门"), 18),
        Column(_("填报项"), 36),
        Column(_("县区"), 9),
        Column(_("月份"), 6),
        Column(_("版本"), 6),
        Column(_("原数值"), 11, INTEGER),
        Column(_("新数值"), 11, INTEGER),
        Column(_("原状态"), 9),
        Column(_("新状态"), 9),
        Column(_("理由/意见"), 40),
        Column(_("填报项代码"), 22),  # last: the names say it; the code finds it in 月度明细
    ]
    ws = _sheet(
        wb,
        "修改记录",
        _("%(year)s年度填报修改记录（审计轨迹）") % {"year": context.plan.year},
        columns,
        context,
        label_columns=2,
    )
    actions = dict(SubmissionEvent.Action.choices)
    statuses = dict(Submission.Status.choices)
    events = (
        plan_events(context.plan)
        .order_by("at", "id")
        .values_list(
            "at",
            "action",
            "actor__first_name",
            "actor__last_name",
            "actor__username",
            "submission__indicator__department__name",
            "submission__indicator__series_name",
            "submission__indicator__name",
            "submission__indicator__code",
            "submission__region__name",
            "submission__month",
            "submission__revision",
            "old_value",
            "new_value",
            "old_status",
            "new_status",
            "reason",
        )
    )

    def rows() -> Iterator[list[Any]]:
        for (
            at,
            action,
            actor_first,
            actor_last,
            actor,
            department,
            series_name,
            name,
            code,
            region,
            month,
            revision,
            old_value,
            new_value,
            old_status,
            new_status,
            reason,
        ) in events.iterator(chunk_size=2000):
            yield [
                _local(at),
                actions.get(action, action),
                person(actor_first, actor_last, actor),
                department,
                series_name or name,
                region,
                month,
                revision,
                old_value,
                new_value,
                statuses.get(old_status, old_status) or None,
                statuses.get(new_status, new_status) or None,
                reason or None,
                code,
            ]

    return _rows(ws, columns, rows(), context.tick)


# 目标调整记录 --------------------------------------------------------------------------------


def _write_target_changes_sheet(wb: Workbook, context: Context) -> int:
    """Every target and split changed while the plan was active, with who, when and why."""
    columns = [
        Column(_("调整时间"), 16, DATETIME),
        Column(_("操作人"), 14),
        Column(_("指标"), 30),
        Column(_("县区"), 9),
        Column(_("原目标"), 11),
        Column(_("新目标"), 11),
        Column(_("单位"), 6),
        Column(_("调整理由"), 40, "@"),
        Column(_("指标代码"), 22),  # last, as in 修改记录: the names say it
    ]
    ws = _sheet(
        wb,
        "目标调整记录",
        _("%(year)s年度目标调整记录") % {"year": context.plan.year},
        columns,
        context,
    )
    changes = (
        TargetChange.objects.filter(plan=context.plan)
        .select_related("indicator", "region", "actor")
        .order_by("at", "id")
    )
    count = 0
    for change in changes:
        is_rate = change.indicator.is_rate
        # A rate's targets are fractions shown as percentages, a count's whole numbers.
        value_format = PERCENT if is_rate else INTEGER
        old, new = (
            None if amount is None else rounded_fraction(amount) if is_rate else int(amount)
            for amount in (change.old_value, change.new_value)
        )
        actor = change.actor
        who = person(actor.first_name, actor.last_name, actor.get_username()) if actor else None
        who = who or _("系统")
        ws.append(
            [
                _cell(ws, _local(change.at), DATETIME),
                _cell(ws, who),
                _cell(ws, change.indicator.name),
                _cell(ws, change.place),
                _cell(ws, old, value_format),
                _cell(ws, new, value_format),
                _cell(ws, change.indicator.unit),
                _cell(ws, change.reason, "@"),
                _cell(ws, change.indicator.code),
            ]
        )
        count += 1
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + count}"
    return count


# 里程碑 --------------------------------------------------------------------------------------


def _write_milestone_sheet(wb: Workbook, context: Context) -> int:
    columns = [
        Column(_("代码"), 24),
        Column(_("名称"), 36),
        Column(_("类别"), 20),
        Column(_("责任部门"), 18),
        Column(_("县区"), 9),
        Column(_("完成时限"), 11, DATE),
        Column(_("状态"), 8),
        Column(_("内容"), 40),
        Column(_("佐证材料说明"), 40),
        Column(_("方案依据"), 14),
    ]
    ws = _sheet(
        wb,
        "里程碑",
        _("%(year)s年重点工作（里程碑）推进情况") % {"year": context.plan.year},
        columns,
        context,
        label_columns=2,
    )
    milestones = Milestone.objects.filter(plan=context.plan).select_related("department", "region")
    return _rows(
        ws,
        columns,
        (
            [
                m.code,
                m.title,
                m.get_category_display(),
                m.department.name,
                m.region.name if m.region_id else _("全市"),
                m.due_on,
                m.get_status_display(),
                m.description or None,
                m.evidence or None,
                m.source_clause or None,
            ]
            for m in milestones
        ),
    )


# 封面 ----------------------------------------------------------------------------------------


def _write_cover(ws: WriteOnlyWorksheet, context: Context, counts: dict[str, int]) -> int:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    plan = context.plan
    title = _cell(ws, _("%(year)s年全民技能振兴工程审计工作簿") % {"year": plan.year})
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
        label_cell = _cell(ws, label)
        label_cell.font = Font(bold=True)
        ws.append([label_cell, _cell(ws, value, number_format)])
    ws.append([])
    ws.append([_cell(ws, _("工作表")), _cell(ws, _("数据行数"))])
    for name, count in counts.items():
        ws.append([_cell(ws, name), _cell(ws, count, INTEGER)])
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
        reporting_unit=_reporting_unit(plan),
        tick=tick,
    )
    document = selectors.progress(plan, month)
    wb = Workbook(write_only=True)
    cover = wb.create_sheet("封面")  # first in the book, filled once the counts are known
    counts = {
        "总表": _write_summary_sheet(wb, context, document),
        "分县区": _write_county_sheet(wb, context, document),
        "月度明细": _write_detail_sheet(wb, context),
        "修改记录": _write_events_sheet(wb, context),
        "目标调整记录": _write_target_changes_sheet(wb, context),
        "里程碑": _write_milestone_sheet(wb, context),
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
    return ExportLog.objects.create(
        plan=plan,
        month=month,
        exported_by=user,
        exported_at=exported_at,
        source=source,
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
