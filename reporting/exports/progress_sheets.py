"""总表 and 分县区: the plan's progress (``selectors.progress``) as of the month.

Percentages are written as ``reporting.formatting`` prints them on every page: the exact ratio
rounded once to the cell's 0.0 %; a goal's own part (其他职业技能培训) is a row after its quotas
so the parts add up to the goal, and counts are totalled per unit, never 人次 with 人.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from targets.models import Indicator, Plan, Region, places_of

from .. import county_parts
from ..dashboard import allocations, goal_breakdown
from ..formatting import completion_of, rate_of, rounded_fraction
from ..models import Rollup
from ..rows import (
    ROW_FIELDS,
    GoalBreakdown,
    GoalPart,
    IndicatorProgress,
    Progress,
    ProgressRow,
    RegionProgress,
)
from .styles import INTEGER, PERCENT, Column, Context, append_rows, cell, filter_rows, sheet


def status_text(item: IndicatorProgress) -> str:
    """正常 / 预警 / 滞后; a row not judged because the month's reports behind it are not all
    approved: 待报（已审核 m/n）; no data: —. Without ``reported`` a row counts as complete."""
    if item.status == "pending":
        reported = item.reported
        if reported:
            return _("待报（已审核 %(approved)s/%(expected)s）") % {
                "approved": reported.approved,
                "expected": reported.expected,
            }
        return _("待报")
    statuses = {"green": _("正常"), "amber": _("预警"), "red": _("滞后")}
    return statuses.get(item.status, "—")


def goal_parts_after(plan: Plan, progress: Progress) -> dict[str, GoalBreakdown]:
    """Each goal's breakdown (``dashboard.goal_breakdown``) by the code of its last quota:
    the goal's own part is written after that quota's row."""
    return {b.quotas[-1].code: b for b in goal_breakdown(progress, allocations(plan))}


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


def _summary_rows(plan: Plan, progress: Progress | None) -> Iterator[list[Any]]:
    """Goals, then quotas; after a goal's last quota, the goal's own part (其他职业技能培训)
    so that the rows feeding a goal (计入目标) add up to it. Percentages are the exact ratios
    rounded once, as the dashboard and bulletin print them."""
    if progress is None:
        return
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(plan=plan).select_related(
            "feeds", "numerator", "denominator"
        )
    }
    kinds = dict(Indicator.Kind.choices)
    parts = (
        (_("全市目标"), progress.goals, {}),
        (_("部门任务"), progress.quotas, goal_parts_after(plan, progress)),
    )
    for role, items, own_parts in parts:
        for item in items:
            indicator = indicators[item.code]
            is_rate = item.kind == Indicator.Kind.RATE
            value = rounded_fraction(rate_of(item)) if is_rate else item.actual
            yield [
                role,
                item.code,
                item.name,
                item.department,
                kinds[item.kind],
                item.unit,
                item.target,
                value,
                rounded_fraction(completion_of(item)),
                rounded_fraction(item.expected),
                status_text(item),
                value if is_rate else item.projected,  # a rate's projection is its rate
                item.unallocated,
                indicator.feeds.code if indicator.feeds_id else None,
                item.numerator,
                item.denominator,
                indicator.numerator.code if indicator.numerator_id else None,
                indicator.denominator.code if indicator.denominator_id else None,
            ]
            breakdown = own_parts.get(item.code)
            if breakdown is not None:
                own, goal = breakdown.own, breakdown.goal
                yield [
                    _("未列入部门任务"),
                    own.code,
                    own.name,
                    own.department,
                    kinds[own.kind],
                    own.unit,
                    own.target,
                    own.actual,
                    rounded_fraction(completion_of(own)),
                    rounded_fraction(goal.expected),
                    "—",  # not judged on its own: the goal is
                    *[None, None],
                    goal.code,
                    *[None] * 4,
                ]


def write_summary_sheet(wb: Workbook, context: Context, progress: Progress | None) -> int:
    columns = _summary_columns()
    ws = sheet(
        wb,
        context,
        "总表",
        _("%(year)s年全民技能振兴工程目标任务完成情况总表"),
        columns,
        label_columns=3,
    )
    rate = dict(Indicator.Kind.choices)[Indicator.Kind.RATE]

    def formats(values: list[Any]) -> list[str | None]:
        # 年度目标, 累计完成 and 预计全年 hold a rate's fractions, or counts.
        number = PERCENT if values[4] == rate else INTEGER
        row_formats = [c.number_format for c in columns]
        row_formats[6] = row_formats[7] = row_formats[11] = number
        return row_formats

    return append_rows(ws, columns, _summary_rows(context.plan, progress), formats=formats)


# 分县区 --------------------------------------------------------------------------------------


def write_county_sheet(wb: Workbook, context: Context, progress: Progress | None) -> int:
    """Quotas × counties: a count's actual, a rate's rate (numerator ÷ denominator); the city
    column is the row total (a rate: the ratio of the summed counts). Under them one 合计 per
    unit of the quotas whose months add up (flows): 人次 and 人 are never added together, and
    each total equals the 总表's rows of that unit. Levels and rates are not totalled. After a
    goal's last quota, the goal's own part (其他职业技能培训) by county, as on the 总表."""
    regions = list(places_of(context.plan))
    columns = [
        Column(_("代码"), 22),
        Column(_("部门任务"), 36),
        Column(_("责任部门"), 18),
        Column(_("单位"), 6),
        *[Column(f"{r.name}\n{r.code}", 11) for r in regions],
        Column(_("全市合计"), 12),
    ]
    ws = sheet(
        wb, context, "分县区", _("%(year)s年部门任务分县区完成情况表"), columns, label_columns=2
    )
    count = 0
    totals: dict[str, list[int]] = {}  # by unit, in the order met: per county, then the city
    for quota, places in _county_items(context, progress, regions):
        if quota.kind == Indicator.Kind.RATE:
            number = PERCENT
            by_code = {r.code: rounded_fraction(rate_of(r)) for r in places}
            actuals = [by_code.get(r.code) for r in regions] + [rounded_fraction(rate_of(quota))]
        else:
            number = INTEGER
            by_code = {r.code: r.actual for r in places}
            actuals = [by_code.get(r.code) for r in regions] + [quota.actual]
        if quota.kind == Indicator.Kind.FLOW:
            unit_totals = totals.setdefault(quota.unit, [0] * len(actuals))
            for index, actual in enumerate(actuals):
                unit_totals[index] += actual or 0
        labels = [quota.code, quota.name, quota.department, quota.unit]
        ws.append([cell(ws, label) for label in labels] + [cell(ws, a, number) for a in actuals])
        count += 1
    for unit, unit_totals in totals.items():
        label = _("累加类任务合计（%(unit)s）") % {"unit": unit}
        total_cells = [cell(ws, None), cell(ws, label), cell(ws, None), cell(ws, unit)]
        total_cells += [cell(ws, t, INTEGER) for t in unit_totals]
        for total_cell in total_cells:
            total_cell.font = Font(bold=True)
        ws.append(total_cells)
    filter_rows(ws, columns, count)
    return count + len(totals)


@dataclass(frozen=True)
class PlaceActual:
    """A goal's own part in one place (its county rollup less its quotas')."""

    code: str
    actual: int | None
    numerator: None = None
    denominator: None = None


def _county_items(
    context: Context, progress: Progress | None, regions: list[Region]
) -> Iterator[tuple[IndicatorProgress | GoalPart, Sequence[RegionProgress | PlaceActual]]]:
    """The quotas with their places, each goal's own part after its last quota: its county
    figures are the goal's county rollup rows less its quotas' (a goal adds up its own figures
    and its quotas')."""
    if progress is None:
        return
    own_after = goal_parts_after(context.plan, progress)
    goals = dict(
        Indicator.objects.filter(
            plan=context.plan, code__in=[b.goal.code for b in own_after.values()]
        ).values_list("pk", "code")
    )
    region_codes = {region.pk: region.code for region in regions}
    goal_regions: dict[str, dict[str, int | None]] = defaultdict(dict)
    for values in Rollup.objects.filter(
        plan=context.plan, month=context.month, indicator_id__in=goals, region__isnull=False
    ).values_list(*ROW_FIELDS):
        row = ProgressRow(*values)
        goal_regions[goals[row.indicator_id]][region_codes[row.region_id]] = row.actual
    for quota in progress.quotas:
        yield quota, quota.regions
        breakdown = own_after.get(quota.code)
        if breakdown is None:
            continue
        own, quotas = breakdown.own, breakdown.quotas
        own_regions = []
        for region, actual in goal_regions[own.code].items():
            parts = [r.actual or 0 for q in quotas for r in q.regions if r.code == region]
            own_regions.append(
                PlaceActual(code=region, actual=None if actual is None else actual - sum(parts))
            )
        yield own, own_regions


def write_parts_sheet(wb: Workbook, context: Context, split: list[IndicatorProgress]) -> int:
    """A county's quotas split among its parts (乡镇、街道 or 责任单位): one row per quota and
    part, ranked as on the county's page, then what no part carries (未分解). The completion is
    the exact ratio rounded once, as the page and the county's bulletin print it."""
    columns = [
        Column(_("代码"), 22),
        Column(_("部门任务"), 36),
        Column(_("责任部门"), 18),
        Column(_("单位"), 6),
        Column(_("排名"), 6, INTEGER),
        Column(_("乡镇（责任单位）代码"), 12),
        Column(_("乡镇（责任单位）"), 16),
        Column(_("分解目标"), 11),  # a count, or a rate target as a fraction
        Column(_("累计完成（比率类为实际比率）"), 13),
        Column(_("完成率（完成÷目标）"), 11, PERCENT),
        Column(_("状态"), 16),
    ]
    ws = sheet(
        wb, context, "分乡镇", _("%(year)s年部门任务分乡镇（责任单位）完成情况表"), columns, 2
    )
    count = 0
    for quota in split:
        labels = [quota.code, quota.name, quota.department, quota.unit]
        number = PERCENT if quota.kind == Indicator.Kind.RATE else INTEGER
        for standing in county_parts.ranking(quota).standings:
            item = standing.progress
            value = rounded_fraction(rate_of(item)) if quota.kind == "rate" else item.actual
            values = [
                *[cell(ws, label) for label in labels],
                cell(ws, standing.rank, INTEGER),
                cell(ws, standing.code),
                cell(ws, standing.name),
                cell(ws, item.target, number),
                cell(ws, value, number),
                cell(ws, rounded_fraction(completion_of(item)), PERCENT),
                cell(ws, status_text(item) if not quota.unsplit else _("未全部分解，不评判")),
            ]
            ws.append(values)
            count += 1
        if quota.kind != "rate" and (quota.unsplit or quota.unsplit_target):
            ws.append(
                [
                    *[cell(ws, label) for label in labels],
                    cell(ws, None),
                    cell(ws, None),
                    cell(ws, _("未分解")),
                    cell(ws, quota.unsplit_target, INTEGER),
                    cell(ws, quota.unsplit, INTEGER),
                    cell(ws, None),
                    cell(ws, _("本县区的数减去各乡镇之和")),
                ]
            )
            count += 1
    filter_rows(ws, columns, count)
    return count
