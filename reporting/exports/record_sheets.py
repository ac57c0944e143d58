"""The records behind the totals: 月度明细 (every counted figure), 修改记录 (the audit trail),
目标调整记录 (target changes) and 里程碑 (milestones).

月度明细 lists the counted submissions 总表 and 分县区 are summed from, so an auditor can
rebuild every total (flow: sum; stock: each county's latest level, summed; rate: the ratio of
the year-to-date sums of its two count series). Each sheet is a list of columns over one kind
of row (``Column.value``); the two long sheets read their rows as plain values, in chunks.
"""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent, TargetChange
from targets.periods import deadline
from targets.work_selectors import work_items

from ..formatting import rounded_fraction
from .styles import (
    DATE,
    DATETIME,
    INTEGER,
    PERCENT,
    Column,
    Context,
    append_rows,
    cell,
    filter_rows,
    local,
    person,
    sheet,
    values_of,
)

CHUNK = 2000


def counted_submissions(
    plan: Plan, month: int, region: Region | None = None
) -> QuerySet[Submission]:
    """Every figure the rollup counts as of the end of ``month`` (of ``region`` only, given)."""
    figures = Submission.objects.filter(indicator__plan=plan, is_counted=True, month__lte=month)
    if region is not None:
        figures = figures.filter(region=region)
    return figures.order_by(
        "indicator__order", "indicator__code", "region__order", "region__code", "month"
    )


def plan_events(plan: Plan, region: Region | None = None) -> QuerySet[SubmissionEvent]:
    """The audit trail of the plan year (修改记录): every event, whatever the as-of month (of
    ``region``'s figures only, given)."""
    events = SubmissionEvent.objects.filter(submission__indicator__plan=plan)
    return events if region is None else events.filter(submission__region=region)


def value_kinds() -> dict[str, str]:
    """What a month's figure is: a flow's figure is the month's own (当月数), a stock's the level
    at the month's end (时点数). The indicator's kind label (累计量) names the total, not it."""
    return {
        Indicator.Kind.FLOW: _("当月数"),
        Indicator.Kind.STOCK: _("时点数"),
        Indicator.Kind.RATE: _("比率"),
    }


def _time(name: str) -> Any:
    """A stored (aware) time in local time, as ``local`` gives it; the zone looked up once."""
    zone = timezone.get_current_timezone()

    def at(row: dict[str, Any]) -> datetime | None:
        value = row[name]
        return None if value is None else value.astimezone(zone).replace(tzinfo=None, microsecond=0)

    return at


def _person(prefix: str) -> Any:
    """A person of a row read with ``<prefix>__first_name``, ``__last_name``, ``__username``."""
    return lambda row: person(
        row[f"{prefix}__first_name"], row[f"{prefix}__last_name"], row[f"{prefix}__username"]
    )


def _person_fields(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in ("first_name", "last_name", "username")]


def _series(prefix: str) -> Any:
    """A series as printed: its own name, else its indicator's."""
    return lambda row: row[f"{prefix}series_name"] or row[f"{prefix}name"]


def _or_none(name: str) -> Any:
    return lambda row: row[name] or None


def _write_records(
    wb: Workbook,
    context: Context,
    title: str,
    heading: str,
    columns: list[Column],
    records: QuerySet,
) -> int:
    """A long sheet: its columns over the rows of ``records`` (``.values()``), in chunks."""
    ws = sheet(wb, context, title, heading, columns, label_columns=2)
    rows = values_of(columns, records.iterator(chunk_size=CHUNK))
    return append_rows(ws, columns, rows, context.tick)


# 月度明细 ------------------------------------------------------------------------------------


def write_detail_sheet(wb: Workbook, context: Context) -> int:
    due = {m: deadline(context.plan, m) for m in range(1, 13)}
    kinds = value_kinds()
    yes, no = _("是"), _("否")

    def late(row: dict[str, Any]) -> str:
        first = row["first_submitted_at"]
        return yes if first is not None and first >= due[row["month"]] else no

    columns = [
        Column(_("填报项代码"), 22, value=itemgetter("indicator__code")),
        Column(_("填报项"), 36, value=_series("indicator__")),
        Column(_("责任部门"), 18, value=itemgetter("indicator__department__name")),
        Column(_("统计口径"), 8, value=lambda row: kinds[row["indicator__kind"]]),
        Column(_("县区代码"), 9, value=itemgetter("region__code")),
        Column(_("县区"), 9, value=itemgetter("region__name")),
        Column(_("月份"), 6, value=itemgetter("month")),
        Column(_("数值"), 11, INTEGER, value=itemgetter("value")),
        Column(_("版本"), 6, value=itemgetter("revision")),
        Column(_("填报人"), 14, value=_person("entered_by")),
        Column(_("填报时间"), 16, DATETIME, value=_time("entered_at")),
        Column(_("首次报送时间"), 16, DATETIME, value=_time("first_submitted_at")),
        Column(_("审核人"), 14, value=_person("reviewed_by")),
        Column(_("审核时间"), 16, DATETIME, value=_time("reviewed_at")),
        Column(_("是否迟报"), 8, value=late),
        Column(_("备注"), 30, value=_or_none("note")),
    ]
    fields = [
        *("indicator__code", "indicator__series_name", "indicator__name"),
        *("indicator__department__name", "indicator__kind", "region__code", "region__name"),
        *("month", "value", "revision", "entered_at", "first_submitted_at", "reviewed_at"),
        *_person_fields("entered_by"),
        *_person_fields("reviewed_by"),
        "note",
    ]
    heading = _("%(year)s年已审核月度数据明细（截至%(month)s月）")
    records = counted_submissions(context.plan, context.month, context.region).values(*fields)
    return _write_records(wb, context, "月度明细", heading, columns, records)


# 修改记录 ------------------------------------------------------------------------------------


def write_events_sheet(wb: Workbook, context: Context) -> int:
    # The labels translated once, not once a row.
    actions = {value: str(label) for value, label in SubmissionEvent.Action.choices}
    statuses = {value: str(label) for value, label in Submission.Status.choices}

    def status(name: str) -> Any:
        return lambda row: statuses.get(row[name], row[name]) or None

    columns = [
        Column(_("时间"), 16, DATETIME, value=_time("at")),
        Column(_("操作"), 9, value=lambda row: actions.get(row["action"], row["action"])),
        Column(_("操作人"), 14, value=_person("actor")),
        Column(_("责任部门"), 18, value=itemgetter("submission__indicator__department__name")),
        Column(_("填报项"), 36, value=_series("submission__indicator__")),
        Column(_("县区"), 9, value=itemgetter("submission__region__name")),
        Column(_("月份"), 6, value=itemgetter("submission__month")),
        Column(_("版本"), 6, value=itemgetter("submission__revision")),
        Column(_("原数值"), 11, INTEGER, value=itemgetter("old_value")),
        Column(_("新数值"), 11, INTEGER, value=itemgetter("new_value")),
        Column(_("原状态"), 9, value=status("old_status")),
        Column(_("新状态"), 9, value=status("new_status")),
        Column(_("理由/意见"), 40, value=_or_none("reason")),
        # last: the names say it; the code finds it in 月度明细
        Column(_("填报项代码"), 22, value=itemgetter("submission__indicator__code")),
    ]
    fields = [
        *("at", "action", "old_value", "new_value", "old_status", "new_status", "reason"),
        *_person_fields("actor"),
        *("submission__indicator__department__name", "submission__indicator__series_name"),
        *("submission__indicator__name", "submission__indicator__code"),
        *("submission__region__name", "submission__month", "submission__revision"),
    ]
    heading = _("%(year)s年度填报修改记录（审计轨迹）")
    records = plan_events(context.plan, context.region).order_by("at", "id").values(*fields)
    return _write_records(wb, context, "修改记录", heading, columns, records)


# 目标调整记录 --------------------------------------------------------------------------------


def write_target_changes_sheet(wb: Workbook, context: Context) -> int:
    """Every target and split changed while the plan was active, with who, when and why (a
    county's workbook: its splits only)."""
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
    ws = sheet(wb, context, "目标调整记录", _("%(year)s年度目标调整记录"), columns)
    changes = TargetChange.objects.filter(plan=context.plan)
    if context.region is not None:
        changes = changes.filter(region=context.region)
    changes = changes.select_related("indicator", "region", "actor").order_by("at", "id")
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
                cell(ws, local(change.at), DATETIME),
                cell(ws, who),
                cell(ws, change.indicator.name),
                cell(ws, change.place),
                cell(ws, old, value_format),
                cell(ws, new, value_format),
                cell(ws, change.indicator.unit),
                cell(ws, change.reason, "@"),
                cell(ws, change.indicator.code),
            ]
        )
        count += 1
    filter_rows(ws, columns, count)
    return count


# 里程碑 --------------------------------------------------------------------------------------


def write_milestone_sheet(wb: Workbook, context: Context) -> int:
    """One row per work item. Its 状态 is the one the dashboard, the API and 重点工作台账 give as
    of the export's month (``work_items``: from the approved step reports), not a status set by
    hand, so no two sheets of one workbook disagree about an item."""
    states = {state.item.pk: state for state in work_items(context.plan, context.month)}
    columns = [
        Column(_("代码"), 24, value=lambda m: m.code),
        Column(_("名称"), 36, value=lambda m: m.title),
        Column(_("类别"), 20, value=lambda m: m.get_category_display()),
        Column(_("责任部门"), 18, value=lambda m: m.department.name),
        Column(_("县区"), 9, value=lambda m: m.region.name if m.region_id else _("全市")),
        Column(_("完成时限"), 11, DATE, value=lambda m: m.due_on),
        Column(_("状态"), 8, value=lambda m: states[m.pk].status_label),
        Column(_("内容"), 40, value=lambda m: m.description or None),
        Column(_("佐证材料说明"), 40, value=lambda m: m.evidence or None),
        Column(_("方案依据"), 14, value=lambda m: m.source_clause or None),
    ]
    heading = _("%(year)s年重点工作（里程碑）推进情况（截至%(month)s月）")
    ws = sheet(wb, context, "里程碑", heading, columns, label_columns=2)
    milestones = [state.item for state in states.values()]
    return append_rows(ws, columns, values_of(columns, milestones))
