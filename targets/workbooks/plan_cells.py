"""Reading the plan definition workbook's cells: values converted, every problem at its cell."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ..models import Indicator, Milestone
from . import upload as excel
from .plan_sheets import MAX_ERRORS, MAX_ROWS, NO, YES, CellError, Column

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class _Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cell_text(value: Any) -> str:
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
        raise _Invalid(_("应为不小于 0 的整数，实为“%s”。") % cell_text(value))
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
        return date.fromisoformat(cell_text(value))
    except ValueError:
        message = _("日期格式应为 YYYY-MM-DD（如 2015-06-11），实为“%s”。") % cell_text(value)
        raise _Invalid(message) from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in (YES, "true", "1", "y", "yes"):
        return True
    if text in (NO, "false", "0", "n", "no"):
        return False
    raise _Invalid(_("应填“是”或“否”。"))


def _choice(choices: type, what: Callable[[], str]) -> Callable[[Any], str]:
    by_text = {str(value): str(value) for value in choices.values}
    by_text.update({str(label): str(value) for value, label in choices.choices})

    def convert(value: Any) -> str:
        text = cell_text(value)
        if text not in by_text:
            raise _Invalid(
                _("未知的%(what)s“%(value)s”，应为 %(allowed)s 之一。")
                % {"what": what(), "value": text, "allowed": "、".join(map(str, choices.values))}
            )
        return by_text[text]

    return convert


@dataclass
class Reader:
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
    text = cell_text(value)
    if not _SLUG.match(text):
        raise _Invalid(_("代码只能包含英文字母、数字、连字符和下划线，实为“%s”。") % text)
    return text


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": cell_text,
    "code": _as_code,
    "department": cell_text,
    "region": cell_text,
    "int": _as_int,
    "rate": _as_rate,
    "date": _as_date,
    "bool": _as_bool,
    "role": _choice(Indicator.Role, lambda: _("指标类别")),
    "kind": _choice(Indicator.Kind, lambda: _("统计口径")),
    "category": _choice(Milestone.Category, lambda: _("重点工作类别")),
    "ignored": lambda value: None,
}


def sheet_cells(reader: Reader, workbook: Any, title: str, width: int) -> dict[int, dict[int, Any]]:
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


def check_headers(
    reader: Reader, title: str, cells: dict[int, dict[int, Any]], headers: list[str]
) -> bool:
    ok = True
    for index, header in enumerate(headers, start=1):
        found = cell_text(cells.get(1, {}).get(index, ""))
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
class Row:
    number: int
    values: dict[str, Any]

    def column(self, columns: tuple[Column, ...], key: str) -> int:
        return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def table(
    reader: Reader, workbook: Any, title: str, columns: tuple[Column, ...]
) -> list[Row] | None:
    """The sheet's rows with converted values; None when its header row is wrong."""
    cells = sheet_cells(reader, workbook, title, len(columns))
    if not check_headers(reader, title, cells, [c.header for c in columns]):
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
        rows.append(Row(number, values))
    return rows
