"""A plan's definition as an Excel workbook: exported whole, imported into a draft plan.

Sheets (Chinese headers in row 1, one item a row, codes as the keys):

- 方案: the plan header, one field a row (字段代码 · 项目 · 内容);
- 指标: city goals, departmental quotas and the count series behind rates;
- 县区分解: county splits (indicator code × county code → target);
- 重点工作: milestones with their lead unit and 工作要求 (their status and evidence are
  progress, not definition);
- 配合单位: each milestone's co-operating units, with their own 工作要求;
- 工作措施: the steps the responsible units set at the start of the year (their monthly
  reports are progress, not definition);
- 代码表: departments, counties, roles, kinds and categories, for reference (not read back).

``read_definition`` checks the whole workbook before anything is saved and reports every
problem with its cell (sheet, row, column) in Chinese. What passes is turned into the same
dictionary as ``fixtures/plan-2015.json`` and saved by ``services.load_plan_definition``
(whose model checks stand behind these), replacing the draft's definition whole. Only a draft
plan is created or changed this way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..models import (
    Department,
    Indicator,
    Milestone,
    Plan,
    RegionTarget,
    WorkStep,
    WorkUnit,
    local_plans,
    places_of,
)
from ..services import load_plan_definition
from .plan_read import read_definition
from .plan_sheets import (
    NO,
    PLAN_HEADERS,
    PLAN_ROWS,
    SHEET_CODES,
    SHEET_COLUMNS,
    SHEET_INDICATORS,
    SHEET_MILESTONES,
    SHEET_PLAN,
    SHEET_SPLITS,
    SHEET_STEPS,
    SHEET_UNITS,
    YES,
    CellError,
    Column,
    DefinitionRefused,
)
from .text import set_text

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# --- export --------------------------------------------------------------------------------


def _header(sheet: Any, headers: list[str], widths: list[float]) -> None:
    for index, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(1, index, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if width:
            sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _put(sheet: Any, row: int, column: int, value: Any, kind: str = "text") -> None:
    cell = sheet.cell(row, column)
    if value is None or value == "":
        return
    if isinstance(value, str):
        set_text(cell, value)
        if kind in ("code", "region", "department"):
            cell.number_format = "@"
        return
    cell.value = value
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        cell.value = float(value)
        cell.number_format = "0.00%"


def _rows(sheet: Any, columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> None:
    _header(sheet, [c.header for c in columns], [c.width for c in columns])
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            _put(sheet, number, index, row.get(column.key), column.kind)


def definition_rows(plan: Plan) -> dict[str, Any]:
    """The plan's definition as rows by sheet: what the workbook shows, cell for cell."""
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .select_related("department", "numerator", "denominator", "feeds")
        .order_by("order", "code")
    )
    return {
        SHEET_PLAN: {c.key: getattr(plan, c.key) for c in PLAN_ROWS},
        SHEET_INDICATORS: [
            {
                "code": i.code,
                "name": i.name,
                "role": i.role,
                "kind": i.kind,
                "department": i.department.code,
                "unit": i.unit,
                "target": i.target,
                "target_rate": i.target_rate,
                "numerator": i.numerator.code if i.numerator else None,
                "denominator": i.denominator.code if i.denominator else None,
                "feeds": i.feeds.code if i.feeds else None,
                "accepts_figures": YES if i.accepts_figures else NO,
                "series_name": i.series_name,
                "source_clause": i.source_clause,
                "order": i.order,
            }
            for i in indicators
        ],
        SHEET_SPLITS: [
            {
                "indicator": s.indicator.code,
                "region": s.region.code,
                "target": s.target,
                "indicator_name": s.indicator.name,
                "region_name": s.region.name,
            }
            for s in RegionTarget.objects.filter(indicator__plan=plan)
            .select_related("indicator", "region")
            .order_by("indicator__order", "indicator__code", "region__order", "region__code")
        ],
        SHEET_MILESTONES: [
            {
                "code": m.code,
                "title": m.title,
                "category": m.category,
                "department": m.department.code,
                "region": m.region.code if m.region else None,
                "description": m.description,
                "source_clause": m.source_clause,
                "due_on": m.due_on,
                "order": m.order,
                "requirement": m.requirement,
            }
            for m in Milestone.objects.filter(plan=plan)
            .select_related("department", "region")
            .order_by("order", "code")
        ],
        SHEET_UNITS: [
            {
                "milestone": u.milestone.code,
                "department": u.department.code,
                "region": u.region.code if u.region else None,
                "requirement": u.requirement,
                "milestone_title": u.milestone.title,
            }
            for u in WorkUnit.objects.filter(milestone__plan=plan)
            .select_related("milestone", "department", "region")
            .order_by("milestone__order", "milestone__code", "department__order", "region__order")
        ],
        SHEET_STEPS: [
            {
                "milestone": s.milestone.code,
                "department": s.department.code,
                "region": s.region.code if s.region else None,
                "title": s.title,
                "due_on": s.due_on,
                "order": s.order,
            }
            for s in WorkStep.objects.filter(milestone__plan=plan)
            .select_related("milestone", "department", "region")
            .order_by("milestone__order", "milestone__code", "order", "due_on", "pk")
        ],
    }


def build_definition(plan: Plan) -> bytes:
    """The plan's definition as an .xlsx (sheets as in the module docstring)."""
    rows = definition_rows(plan)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_PLAN
    _header(sheet, list(PLAN_HEADERS), [22, 24, 60])
    for number, column in enumerate(PLAN_ROWS, start=2):
        _put(sheet, number, 1, column.key, "code")
        _put(sheet, number, 2, column.header)
        _put(sheet, number, 3, rows[SHEET_PLAN][column.key], column.kind)
    for title, columns in SHEET_COLUMNS.items():
        _rows(workbook.create_sheet(title), columns, rows[title])

    codes = workbook.create_sheet(SHEET_CODES)
    _header(codes, ["类型", "代码", "名称"], [16, 24, 40])
    reference: list[tuple[str, str, str]] = [
        *((_("责任部门"), d.code, d.name) for d in Department.objects.order_by("order", "code")),
        *((_("县区"), r.code, r.name) for r in places_of(plan)),
        *((_("指标类别"), str(v), str(label)) for v, label in Indicator.Role.choices),
        *((_("统计口径"), str(v), str(label)) for v, label in Indicator.Kind.choices),
        *((_("重点工作类别"), str(v), str(label)) for v, label in Milestone.Category.choices),
        (_("接受月度填报"), YES, _("是")),
        (_("接受月度填报"), NO, _("否")),
    ]
    for number, values in enumerate(reference, start=2):
        for index, value in enumerate(values, start=1):
            _put(codes, number, index, value, "code")
    codes.cell(len(reference) + 3, 1, _("本表仅供参考，导入时不读取。"))

    workbook.properties.title = f"{plan.year}年度方案定义"
    workbook.properties.creator = "鹤壁市全民技能振兴工程目标管理"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def definition_filename(plan: Plan) -> str:
    return f"方案定义-{plan.year}.xlsx"


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    created: bool


@transaction.atomic
def import_definition(file: IO[bytes], *, actor: Any = None) -> ImportResult:
    """Create or replace a draft plan's definition from a workbook; all or nothing."""
    data = read_definition(file)
    rows = data["plan"].pop("_rows")
    year, doc_number = data["plan"]["year"], data["plan"]["doc_number"]
    existing = local_plans().select_for_update().filter(year=year).first()
    if existing is not None and existing.status != Plan.Status.DRAFT:
        raise DefinitionRefused(
            [
                CellError(
                    SHEET_PLAN,
                    rows["year"],
                    "C",
                    _(
                        "%(year)s 年度方案当前为“%(status)s”，不能通过导入修改；"
                        "只能导入新方案或更新草稿方案。"
                    )
                    % {"year": year, "status": existing.get_status_display()},
                )
            ]
        )
    taken = Plan.objects.filter(doc_number=doc_number).exclude(year=year).first()
    if taken is not None:
        raise DefinitionRefused(
            [
                CellError(
                    SHEET_PLAN,
                    rows["doc_number"],
                    "C",
                    _("文号“%(doc)s”已被 %(year)s 年度方案使用。")
                    % {"doc": doc_number, "year": taken.year},
                )
            ]
        )
    try:
        with transaction.atomic():
            plan = load_plan_definition(data, prune=True, actor=actor)
    except ValidationError as error:
        raise DefinitionRefused(
            [CellError("", None, "", message) for message in error.messages]
        ) from error
    except DatabaseError as error:  # a database check the workbook checks missed
        raise DefinitionRefused(
            [CellError("", None, "", _("保存失败，数据不一致：%s") % error)]
        ) from error
    return ImportResult(plan=plan, created=existing is None)
