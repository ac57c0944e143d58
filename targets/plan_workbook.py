"""A plan's definition as an Excel workbook: exported whole, imported into a draft plan.

Sheets (Chinese headers in row 1, one item a row, codes as the keys):

- 方案: the plan header, one field a row (字段代码 · 项目 · 内容);
- 指标: city goals, departmental quotas and the count series behind rates;
- 县区分解: county splits (indicator code × county code → target);
- 重点工作: milestones (their status and evidence are progress, not definition);
- 代码表: departments, counties, roles, kinds and categories, for reference (not read back).

``read_definition`` checks the whole workbook before anything is saved and reports every
problem with its cell (sheet, row, column) in Chinese. What passes is turned into the same
dictionary as ``fixtures/plan-2015.json`` and saved by ``services.load_plan_definition``
(whose model checks stand behind these), replacing the draft's definition whole. Only a draft
plan is created or changed this way.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .models import Department, Indicator, Milestone, Plan, Region, RegionTarget
from .services import load_plan_definition
from .workbooks import upload as excel
from .workbooks.text import set_text

SHEET_PLAN = "方案"
SHEET_INDICATORS = "指标"
SHEET_SPLITS = "县区分解"
SHEET_MILESTONES = "重点工作"
SHEET_CODES = "代码表"
SHEETS = (SHEET_PLAN, SHEET_INDICATORS, SHEET_SPLITS, SHEET_MILESTONES)

MAX_UPLOAD_BYTES = excel.MAX_UPLOAD_BYTES
MAX_ROWS = 1000
# Checked on the zip before parsing; the rows beyond MAX_ROWS are then named one by one.
LIMITS = excel.SheetLimits(
    rows=10 * MAX_ROWS, columns=100, cells=100_000, part_bytes=10 * 1024 * 1024, what="plan"
)
MAX_ERRORS = 200
YES, NO = "是", "否"

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_REFERENCES = ("numerator", "denominator", "feeds")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    kind: str = "text"  # text, code, region, int, rate, date, bool, role, kind, category
    required: bool = False
    max_length: int | None = None


def _max(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


PLAN_ROWS = (
    Column("year", "年度", 0, "int", True),
    Column("title", "标题", 0, "text", True, _max(Plan, "title")),
    Column("doc_number", "文号", 0, "text", True, _max(Plan, "doc_number")),
    Column("parent_doc_number", "上级文件文号", 0, "text", False, _max(Plan, "parent_doc_number")),
    Column("parent_doc_title", "上级文件标题", 0, "text", False, _max(Plan, "parent_doc_title")),
    Column("issuer", "发文机关", 0, "text", False, _max(Plan, "issuer")),
    Column("written_on", "成文日期", 0, "date", True),
    Column("published_on", "发布日期", 0, "date", True),
    Column("starts_on", "起始日期", 0, "date", True),
    Column("ends_on", "截止日期", 0, "date", True),
    Column("deadline_day", "报送截止日（次月几日）", 0, "int", True),
)
PLAN_HEADERS = ("字段代码", "项目", "内容")

INDICATOR_COLUMNS = (
    Column("code", "代码", 24, "code", True, _max(Indicator, "code")),
    Column("name", "名称", 36, "text", True, _max(Indicator, "name")),
    Column("role", "类别", 10, "role", True),
    Column("kind", "统计口径", 10, "kind", True),
    Column("department", "责任部门代码", 12, "department", True),
    Column("unit", "单位", 8, "text", True, _max(Indicator, "unit")),
    Column("target", "年度目标", 12, "int"),
    Column("target_rate", "目标比率", 10, "rate"),
    Column("numerator", "分子代码", 20, "code", False, _max(Indicator, "code")),
    Column("denominator", "分母代码", 20, "code", False, _max(Indicator, "code")),
    Column("feeds", "计入目标代码", 20, "code", False, _max(Indicator, "code")),
    Column("accepts_figures", "接受月度填报", 12, "bool"),
    Column("series_name", "填报项名称", 30, "text", False, _max(Indicator, "series_name")),
    Column("source_clause", "方案依据", 14, "text", False, _max(Indicator, "source_clause")),
    Column("order", "排序", 6, "int"),
)
SPLIT_COLUMNS = (
    Column("indicator", "指标代码", 24, "code", True, _max(Indicator, "code")),
    Column("region", "县区代码", 12, "region", True),
    Column("target", "分解目标", 12, "int", True),
    Column("indicator_name", "指标名称（仅供参考）", 36, "ignored"),
    Column("region_name", "县区名称（仅供参考）", 14, "ignored"),
)
MILESTONE_COLUMNS = (
    Column("code", "代码", 28, "code", True, _max(Milestone, "code")),
    Column("title", "名称", 40, "text", True, _max(Milestone, "title")),
    Column("category", "类别", 18, "category", True),
    Column("department", "责任部门代码", 12, "department", True),
    Column("region", "县区代码", 10, "region"),
    Column("description", "内容", 50, "text"),
    Column("source_clause", "方案依据", 14, "text", False, _max(Milestone, "source_clause")),
    Column("due_on", "完成时限", 12, "date", True),
    Column("order", "排序", 6, "int"),
)
SHEET_COLUMNS = {
    SHEET_INDICATORS: INDICATOR_COLUMNS,
    SHEET_SPLITS: SPLIT_COLUMNS,
    SHEET_MILESTONES: MILESTONE_COLUMNS,
}


# --- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One problem, where it is: sheet, row and column letter (empty when not one cell)."""

    sheet: str
    row: int | None
    column: str
    message: str

    @property
    def location(self) -> str:
        if self.row is None:
            return self.sheet
        return f"{self.sheet}!{self.column}{self.row}"

    def __str__(self) -> str:
        return f"{self.location}：{self.message}" if self.location else self.message


class DefinitionRefused(Exception):
    """The workbook was not imported; nothing was saved. ``errors`` say where and why."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(str(error) for error in errors[:5]))
        self.errors = errors


def _file_error(message: str) -> DefinitionRefused:
    return DefinitionRefused([CellError("", None, "", message)])


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
            }
            for m in Milestone.objects.filter(plan=plan)
            .select_related("department", "region")
            .order_by("order", "code")
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
        *((_("县区"), r.code, r.name) for r in Region.objects.order_by("order", "code")),
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


# --- reading cells -------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return str(value).strip()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid(_("应为不小于 0 的整数。"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if re.fullmatch(r"[0-9]+", text):
            value = int(text)
    if not isinstance(value, int) or value < 0:
        raise _Invalid(_("应为不小于 0 的整数，实为“%s”。") % _text(value))
    if value > 2_000_000_000:
        raise _Invalid(_("数值过大。"))
    return value


def _as_rate(value: Any) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, str):
            text = value.strip()
            percent = text.endswith(("%", "％"))
            rate = Decimal(text.rstrip("%％").strip())
            if percent:
                rate /= 100
        else:
            rate = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _Invalid(_("应为 0 到 1 之间的小数（如 0.9）或百分数（如 90%）。")) from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise _Invalid(_("目标比率必须在 0 到 1 之间（0% 到 100%）。"))
    if rate != rate.quantize(Decimal("0.0001")):
        raise _Invalid(_("目标比率最多保留四位小数（如 0.9125）。"))
    return rate.quantize(Decimal("0.0001")).normalize()


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise _Invalid(_("应为日期（如 2015-06-11），不带时间。"))
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        message = _("日期格式应为 YYYY-MM-DD（如 2015-06-11），实为“%s”。") % _text(value)
        raise _Invalid(message) from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in (YES, "true", "1", "y", "yes"):
        return True
    if text in (NO, "false", "0", "n", "no"):
        return False
    raise _Invalid(_("应填“是”或“否”。"))


def _choice(choices: type, what: Callable[[], str]) -> Callable[[Any], str]:
    by_text = {str(value): str(value) for value in choices.values}
    by_text.update({str(label): str(value) for value, label in choices.choices})

    def convert(value: Any) -> str:
        text = _text(value)
        if text not in by_text:
            raise _Invalid(
                _("未知的%(what)s“%(value)s”，应为 %(allowed)s 之一。")
                % {"what": what(), "value": text, "allowed": "、".join(map(str, choices.values))}
            )
        return by_text[text]

    return convert


@dataclass
class _Reader:
    """Collects cell-level errors while converting values."""

    errors: list[CellError] = field(default_factory=list)

    def error(self, sheet: str, row: int | None, column: int | None, message: str) -> None:
        letter = get_column_letter(column) if column else ""
        self.errors.append(CellError(sheet, row, letter, message))

    def convert(self, sheet: str, row: int, index: int, column: Column, value: Any) -> Any:
        """The cell's value for the loader, or None after recording why it is unusable."""
        if _empty(value):
            if column.required:
                self.error(sheet, row, index, _("“%s”不能为空。") % column.header)
            return None
        try:
            converted = _CONVERTERS[column.kind](value)
        except _Invalid as invalid:
            self.error(sheet, row, index, f"{column.header}：{invalid.message}")
            return None
        if column.max_length and isinstance(converted, str) and len(converted) > column.max_length:
            self.error(
                sheet,
                row,
                index,
                _("%(header)s不能超过 %(max)s 字。")
                % {"header": column.header, "max": column.max_length},
            )
            return None
        return converted


def _as_code(value: Any) -> str:
    text = _text(value)
    if not _SLUG.match(text):
        raise _Invalid(_("代码只能包含英文字母、数字、连字符和下划线，实为“%s”。") % text)
    return text


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "code": _as_code,
    "department": _text,
    "region": _text,
    "int": _as_int,
    "rate": _as_rate,
    "date": _as_date,
    "bool": _as_bool,
    "role": _choice(Indicator.Role, lambda: _("指标类别")),
    "kind": _choice(Indicator.Kind, lambda: _("统计口径")),
    "category": _choice(Milestone.Category, lambda: _("重点工作类别")),
    "ignored": lambda value: None,
}


def _sheet_cells(
    reader: _Reader, workbook: Any, title: str, width: int
) -> dict[int, dict[int, Any]]:
    """The sheet's stored values by row and column; formulas and stray cells are errors."""
    rows: dict[int, dict[int, Any]] = defaultdict(dict)
    for row, column, value, is_formula in excel.stored_cells(workbook, workbook[title]):
        if is_formula:
            reader.error(title, row, column, _("不能使用公式，请直接填写内容。"))
        elif row > MAX_ROWS + 1:
            reader.error(title, row, column, _("行数过多（最多 %s 行）。") % MAX_ROWS)
            break
        elif column > width:
            reader.error(title, row, column, _("表格范围外有内容，请删除或移入表内。"))
        else:
            rows[row][column] = value
        if len(reader.errors) >= MAX_ERRORS:
            break
    return rows


def _check_headers(
    reader: _Reader, title: str, cells: dict[int, dict[int, Any]], headers: list[str]
) -> bool:
    ok = True
    for index, header in enumerate(headers, start=1):
        found = _text(cells.get(1, {}).get(index, ""))
        if found != header:
            reader.error(
                title,
                1,
                index,
                _("表头应为“%(expected)s”，实为“%(found)s”；请不要增删、移动或改名列。")
                % {"expected": header, "found": found},
            )
            ok = False
    return ok


# --- import --------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]

    def column(self, columns: tuple[Column, ...], key: str) -> int:
        return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def _table(
    reader: _Reader, workbook: Any, title: str, columns: tuple[Column, ...]
) -> list[_Row] | None:
    """The sheet's rows with converted values; None when its header row is wrong."""
    cells = _sheet_cells(reader, workbook, title, len(columns))
    if not _check_headers(reader, title, cells, [c.header for c in columns]):
        return None
    rows = []
    for number in sorted(n for n in cells if n > 1):
        raw = cells[number]
        if all(_empty(raw.get(i)) for i in range(1, len(columns) + 1)):
            continue
        values = {
            column.key: reader.convert(title, number, index, column, raw.get(index))
            for index, column in enumerate(columns, start=1)
        }
        rows.append(_Row(number, values))
    return rows


def _plan_header(reader: _Reader, workbook: Any) -> dict[str, Any]:
    cells = _sheet_cells(reader, workbook, SHEET_PLAN, len(PLAN_HEADERS))
    if not _check_headers(reader, SHEET_PLAN, cells, list(PLAN_HEADERS)):
        return {}
    by_key = {c.key: c for c in PLAN_ROWS}
    values: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for number in sorted(n for n in cells if n > 1):
        key = _text(cells[number].get(1, ""))
        if not key and not any(_text(v) for v in cells[number].values()):
            continue
        if key not in by_key:
            reader.error(SHEET_PLAN, number, 1, _("未知的字段代码“%s”；请不要改动A列。") % key)
            continue
        if key in seen:
            reader.error(SHEET_PLAN, number, 1, _("字段“%s”重复。") % key)
            continue
        seen[key] = number
        values[key] = reader.convert(SHEET_PLAN, number, 3, by_key[key], cells[number].get(3))
    for key, column in by_key.items():
        if key not in seen:
            reader.error(
                SHEET_PLAN,
                None,
                None,
                _("缺少字段“%(key)s”（%(header)s）。") % {"key": key, "header": column.header},
            )
    year_row = seen.get("year")
    if values.get("deadline_day") is not None and not 1 <= values["deadline_day"] <= 28:
        reader.error(SHEET_PLAN, seen["deadline_day"], 3, _("报送截止日必须在 1 到 28 日之间。"))
    if values.get("year") is not None and not 2000 <= values["year"] <= 2100:
        reader.error(SHEET_PLAN, year_row, 3, _("年度必须在 2000 到 2100 之间。"))
    if (
        values.get("starts_on")
        and values.get("ends_on")
        and values["ends_on"] < values["starts_on"]
    ):
        reader.error(SHEET_PLAN, seen["ends_on"], 3, _("截止日期不能早于起始日期。"))
    values["_rows"] = seen
    return values


def _duplicates(reader: _Reader, title: str, rows: list[_Row], columns: tuple[Column, ...]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code")
        if code is None:
            continue
        if code in seen:
            reader.error(
                title,
                row.number,
                row.column(columns, "code"),
                _("代码“%(code)s”重复（第 %(first)s 行已有）。")
                % {"code": code, "first": seen[code]},
            )
        else:
            seen[code] = row.number


def _check_indicators(
    reader: _Reader, rows: list[_Row], departments: set[str]
) -> dict[str, dict[str, Any]]:
    title, columns = SHEET_INDICATORS, INDICATOR_COLUMNS
    _duplicates(reader, title, rows, columns)
    by_code = {row.values["code"]: row.values for row in rows if row.values.get("code")}

    for row in rows:
        v = row.values

        def err(key: str, message: str, row: _Row = row) -> None:
            reader.error(title, row.number, row.column(columns, key), message)

        if v["department"] is not None and v["department"] not in departments:
            err("department", _("未知的部门代码“%s”（见“代码表”）。") % v["department"])
        role, kind = v["role"], v["kind"]
        if role is None or kind is None:
            continue
        if kind == Indicator.Kind.RATE:
            if role == Indicator.Role.COUNT:
                err("kind", _("计数指标不能是比率；比率指标应为全市目标或部门任务。"))
            for key, what in (("numerator", _("分子")), ("denominator", _("分母"))):
                if v[key] is None and _blank(reader, row, key):
                    err(key, _("比率指标必须填写%s代码。") % what)
            if (
                v["target_rate"] is None
                and _blank(reader, row, "target_rate")
                and role != Indicator.Role.COUNT
            ):
                err("target_rate", _("比率指标必须填写目标比率。"))
            if v["target"] is not None:
                err("target", _("比率指标不填年度目标，只填目标比率。"))
            if v["accepts_figures"]:
                err("accepts_figures", _("比率指标由分子、分母计算，不接受月度填报，应填“否”。"))
        else:
            for key in ("numerator", "denominator"):
                if v[key] is not None:
                    err(key, _("只有比率指标才有分子和分母。"))
            if v["target_rate"] is not None:
                err("target_rate", _("只有比率指标才有目标比率。"))
            if role == Indicator.Role.COUNT:
                if v["target"] is not None:
                    err("target", _("计数指标没有年度目标。"))
            elif v["target"] is None and _blank(reader, row, "target"):
                err("target", _("全市目标和部门任务必须填写年度目标（整数）。"))
        for key in ("numerator", "denominator"):
            ref = v[key]
            if ref is None or kind != Indicator.Kind.RATE:
                continue
            other = by_code.get(ref)
            if other is None:
                err(key, _("指标代码“%s”不存在（须在本表中）。") % ref)
            elif other.get("role") != Indicator.Role.COUNT or other.get("kind") == "rate":
                err(key, _("“%s”不是计数指标；分子和分母必须是计数指标。") % ref)
        if v["feeds"] is not None:
            goal = by_code.get(v["feeds"])
            if goal is None:
                err("feeds", _("指标代码“%s”不存在（须在本表中）。") % v["feeds"])
            elif goal.get("role") != Indicator.Role.GOAL or goal.get("kind") != "flow":
                err("feeds", _("“%s”不是累计量类的全市目标。") % v["feeds"])
            elif role != Indicator.Role.QUOTA or kind != Indicator.Kind.FLOW:
                err("feeds", _("只有累计量类的部门任务可以计入全市目标。"))
    return by_code


def _blank(reader: _Reader, row: _Row, key: str) -> bool:
    """True unless the cell already has an error of its own (then say nothing more)."""
    letter = get_column_letter(row.column(INDICATOR_COLUMNS, key))
    return not any(
        e.sheet == SHEET_INDICATORS and e.row == row.number and e.column == letter
        for e in reader.errors
    )


def _check_splits(
    reader: _Reader, rows: list[_Row], indicators: dict[str, dict[str, Any]], regions: set[str]
) -> None:
    title, columns = SHEET_SPLITS, SPLIT_COLUMNS
    seen: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        v = row.values

        def err(key: str, message: str, row: _Row = row) -> None:
            reader.error(title, row.number, row.column(columns, key), message)

        code, region, target = v["indicator"], v["region"], v["target"]
        indicator = indicators.get(code) if code else None
        if code is not None and indicator is None:
            err("indicator", _("指标代码“%s”不存在（须在“指标”表中）。") % code)
        elif indicator is not None and (
            indicator.get("kind") == "rate" or indicator.get("role") == "count"
        ):
            err("indicator", _("“%s”没有人数目标，不能分解到县区。") % code)
            indicator = None
        if region is not None and region not in regions:
            err("region", _("未知的县区代码“%s”（见“代码表”）。") % region)
        if code is not None and region is not None:
            if (code, region) in seen:
                err(
                    "region",
                    _("“%(code)s”在县区 %(region)s 的分解重复（第 %(first)s 行已有）。")
                    % {"code": code, "region": region, "first": seen[(code, region)]},
                )
                continue
            seen[(code, region)] = row.number
        if indicator is None or target is None or indicator.get("target") is None:
            continue
        totals[code] += target
        if totals[code] > indicator["target"]:
            err(
                "target",
                _("“%(code)s”的县区分解合计 %(total)s 超过全市目标 %(city)s。")
                % {"code": code, "total": totals[code], "city": indicator["target"]},
            )


def _check_milestones(
    reader: _Reader, rows: list[_Row], departments: set[str], regions: set[str]
) -> None:
    title, columns = SHEET_MILESTONES, MILESTONE_COLUMNS
    _duplicates(reader, title, rows, columns)
    for row in rows:
        v = row.values
        if v["department"] is not None and v["department"] not in departments:
            reader.error(
                title,
                row.number,
                row.column(columns, "department"),
                _("未知的部门代码“%s”（见“代码表”）。") % v["department"],
            )
        if v["region"] is not None and v["region"] not in regions:
            reader.error(
                title,
                row.number,
                row.column(columns, "region"),
                _("未知的县区代码“%s”（见“代码表”）。") % v["region"],
            )


def _open(file: IO[bytes]) -> Any:
    content = file.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        raise _file_error(_("上传的文件是空的。"))
    if len(content) > MAX_UPLOAD_BYTES:
        raise _file_error(
            _("文件太大（超过 %(size)s MB），方案定义工作簿不会这么大。")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    try:
        excel.check_zip(
            content,
            too_big=_("文件解压后过大，可能已损坏或不是方案定义工作簿，不能导入。"),
            limits=LIMITS,
        )
    except excel.UploadRefused as refused:
        raise _file_error(refused.messages[0]) from refused
    try:
        # Untrusted input to a third-party parser: any failure means "not a workbook we read".
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as error:
        raise _file_error(excel.unreadable_message()) from error


def read_definition(file: IO[bytes]) -> dict[str, Any]:
    """The fixture-shaped definition in an uploaded workbook, checked whole.

    Raises ``DefinitionRefused`` with every problem found (up to ``MAX_ERRORS``), each at its
    cell. Reads departments and counties from the database; writes nothing.
    """
    workbook = _open(file)
    try:
        missing = [title for title in SHEETS if title not in workbook.sheetnames]
        if missing:
            raise _file_error(
                _("工作簿缺少工作表：%(missing)s。方案定义工作簿应有 %(all)s 四个工作表。")
                % {"missing": "、".join(missing), "all": "、".join(SHEETS)}
            )
        reader = _Reader()
        try:
            header = _plan_header(reader, workbook)
            indicator_rows = _table(reader, workbook, SHEET_INDICATORS, INDICATOR_COLUMNS)
            split_rows = _table(reader, workbook, SHEET_SPLITS, SPLIT_COLUMNS)
            milestone_rows = _table(reader, workbook, SHEET_MILESTONES, MILESTONE_COLUMNS)
        except excel.UploadRefused as refused:
            raise _file_error(refused.messages[0]) from refused
    finally:
        workbook.close()

    departments = set(Department.objects.values_list("code", flat=True))
    regions = set(Region.objects.values_list("code", flat=True))
    # A sheet whose columns cannot be trusted is not read further; nor is what names its rows.
    indicators = _check_indicators(reader, indicator_rows or [], departments)
    if indicator_rows is None:
        split_rows = None
    _check_splits(reader, split_rows or [], indicators, regions)
    _check_milestones(reader, milestone_rows or [], departments, regions)
    if indicator_rows == []:
        reader.error(SHEET_INDICATORS, None, None, _("没有任何指标。"))
    if reader.errors:
        order = {title: index for index, title in enumerate(SHEETS)}
        errors = sorted(
            reader.errors,
            key=lambda e: (order.get(e.sheet, -1), e.row or 0, len(e.column), e.column),
        )
        raise DefinitionRefused(errors[:MAX_ERRORS])

    rows_of = header.pop("_rows")
    plan = {key: value for key, value in header.items() if value is not None}
    for key in ("written_on", "published_on", "starts_on", "ends_on"):
        plan[key] = plan[key].isoformat()
    plan["status"] = Plan.Status.DRAFT
    plan["_rows"] = rows_of
    return {
        "plan": plan,
        "departments": [],
        "regions": [],
        "indicators": [
            {
                **{k: v for k, v in row.values.items() if v is not None},
                "target_rate": str(row.values["target_rate"])
                if row.values["target_rate"] is not None
                else None,
                "accepts_figures": row.values["kind"] != Indicator.Kind.RATE
                if row.values["accepts_figures"] is None
                else row.values["accepts_figures"],
                "order": row.values["order"] or 0,
            }
            for row in indicator_rows
        ],
        "region_targets": [
            {
                "indicator": r.values["indicator"],
                "region": r.values["region"],
                "target": r.values["target"],
            }
            for r in split_rows
        ],
        "milestones": [
            {
                **{k: v for k, v in row.values.items() if v is not None},
                "due_on": row.values["due_on"].isoformat(),
                "order": row.values["order"] or 0,
            }
            for row in milestone_rows
        ],
    }


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    created: bool


@transaction.atomic
def import_definition(file: IO[bytes]) -> ImportResult:
    """Create or replace a draft plan's definition from a workbook; all or nothing."""
    data = read_definition(file)
    rows = data["plan"].pop("_rows")
    year, doc_number = data["plan"]["year"], data["plan"]["doc_number"]
    existing = Plan.objects.select_for_update().filter(year=year).first()
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
            plan = load_plan_definition(data, prune=True)
    except ValidationError as error:
        raise DefinitionRefused(
            [CellError("", None, "", message) for message in error.messages]
        ) from error
    except DatabaseError as error:  # a database check the workbook checks missed
        raise DefinitionRefused(
            [CellError("", None, "", _("保存失败，数据不一致：%s") % error)]
        ) from error
    return ImportResult(plan=plan, created=existing is None)
