"""The monthly entry grid as an Excel workbook: the signed template a clerk downloads.

``build_template`` writes one month of a clerk's grid as an .xlsx: one protected sheet "填报"
where only the figures and notes of editable cells are unlocked, prefilled with the current
figures. Custom document properties identify it (plan year, department, county, month) and
carry the token of every cell, signed with ``django.core.signing``; ``entry_upload`` reads it
back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import policy
from ..grid import Grid, month_grid, month_is_open
from ..models import Plan
from .text import set_text

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

SHEET = "填报"
TITLE_ROW = 1
HINT_ROW = 2
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
NAME_HEADER = "填报项"
UNIT_HEADER = "单位"
NOTE_SUFFIX = "备注"

# Kept as it was when this module was targets/excel.py: templates signed then still upload.
SIGNING_SALT = "targets.excel.template"
PROPERTY_PREFIX = "skills_plan."
# Excel keeps text properties of at most 255 characters: the signature goes in parts.
SIGNATURE_PART = 240

_LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Layout:
    """Where each series and county sits on the sheet; the same for download and upload."""

    series_ids: list[int]
    region_ids: list[int]

    def row_of(self, indicator_id: int) -> int:
        return FIRST_ROW + self.series_ids.index(indicator_id)

    def figure_column(self, region_id: int) -> int:
        return 3 + self.region_ids.index(region_id)

    def note_column(self, region_id: int) -> int:
        return 3 + len(self.region_ids) + self.region_ids.index(region_id)

    @property
    def last_row(self) -> int:
        return FIRST_ROW + len(self.series_ids) - 1

    @property
    def last_column(self) -> int:
        return 2 + 2 * len(self.region_ids)

    def coordinate(self, key: str, *, note: bool = False) -> str:
        indicator_id, region_id = (int(part) for part in key.split("-"))
        column = self.note_column(region_id) if note else self.figure_column(region_id)
        return f"{get_column_letter(column)}{self.row_of(indicator_id)}"


def layout_of(grid: Grid) -> Layout:
    return Layout([s.pk for s in grid.series], [r.pk for r in grid.regions])


def headers_of(grid: Grid) -> list[str]:
    names = [region.name for region in grid.regions]
    return [NAME_HEADER, UNIT_HEADER, *names, *(f"{name}{NOTE_SUFFIX}" for name in names)]


def identity(user: User, plan: Plan, month: int) -> dict[str, Any]:
    membership = policy.membership_of(user)
    return {
        "year": plan.year,
        "department": membership.department.code if membership else "",
        "region": membership.region.code if membership and membership.region else "",
        "month": month,
    }


# --- download ------------------------------------------------------------------------------


def build_template(user: User, plan: Plan, month: int) -> bytes:
    """One month of the clerk's own grid as an .xlsx, prefilled and signed."""
    grid = month_grid(user, plan, month)
    membership = policy.membership_of(user)
    layout = layout_of(grid)
    writable = month_is_open(plan, month)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    last = get_column_letter(max(layout.last_column, 2))

    who = membership.department.name if membership else ""
    if membership and membership.region:
        who = f"{who} · {membership.region.name}"
    title = sheet.cell(TITLE_ROW, 1)
    set_text(title, f"{plan.title}（{plan.doc_number}）　{who}　{plan.year}年{month}月")
    title.font = Font(bold=True, size=13)
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    hint = sheet.cell(
        HINT_ROW,
        1,
        "填当月新增数（存量指标填月末实有数），没有发生请填 0；只能填整数。"
        "灰色单元格已报送或已审核，不能修改。请勿增删行、列或工作表，不要使用公式。",
    )
    hint.font = Font(size=9, color="595959")
    hint.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(f"A{HINT_ROW}:{last}{HINT_ROW}")
    sheet.row_dimensions[HINT_ROW].height = 30

    for column, text in enumerate(headers_of(grid), start=1):
        header = sheet.cell(HEADER_ROW, column)
        set_text(header, text)
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        header.border = _BORDER
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    validation = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="数据有误",
        error="请填写不小于 0 的整数（人数、人次不能有小数，没有发生请填 0）。",
        showInputMessage=True,
        promptTitle="当月数据",
        prompt="填整数；没有发生请填 0。",
    )
    tokens: list[str] = []
    for indicator, cells in grid.rows:
        row = layout.row_of(indicator.pk)
        name = sheet.cell(row, 1)
        set_text(name, indicator.entry_name)
        name.alignment = Alignment(wrap_text=True, vertical="center")
        unit = sheet.cell(row, 2)
        set_text(unit, indicator.unit)
        unit.alignment = Alignment(horizontal="center")
        for cell in cells:
            tokens.append(cell.token)
            editable = writable and cell.editable
            figure = sheet.cell(row, layout.figure_column(cell.region.pk))
            figure.value = cell.current.value if cell.current else None
            figure.number_format = "#,##0"
            note = sheet.cell(row, layout.note_column(cell.region.pk))
            if cell.note:
                # Another clerk's note "=1+1" stays text, so this template uploads again.
                set_text(note, cell.note)
            note.number_format = "@"
            note.alignment = Alignment(wrap_text=True, vertical="center")
            for target in (figure, note):
                target.border = _BORDER
                target.protection = Protection(locked=not editable)
                if not editable:
                    target.fill = _LOCKED_FILL
            if editable:
                validation.add(figure.coordinate)
        for column in (1, 2):
            sheet.cell(row, column).border = _BORDER
    if validation.sqref:
        sheet.add_data_validation(validation)

    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 8
    for region_id in layout.region_ids:
        sheet.column_dimensions[get_column_letter(layout.figure_column(region_id))].width = 12
        sheet.column_dimensions[get_column_letter(layout.note_column(region_id))].width = 24
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True
    # Clerks may still widen columns and rows to read long names.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False

    who_which = identity(user, plan, month)
    payload = {**who_which, "series": layout.series_ids, "regions": layout.region_ids}
    payload["tokens"] = tokens
    signature = signing.dumps(payload, salt=SIGNING_SALT, compress=True)
    properties = workbook.custom_doc_props
    for name, value in who_which.items():
        properties.append(StringProperty(name=f"{PROPERTY_PREFIX}{name}", value=str(value)))
    parts = [signature[i : i + SIGNATURE_PART] for i in range(0, len(signature), SIGNATURE_PART)]
    for number, part in enumerate(parts, start=1):
        properties.append(StringProperty(name=f"{PROPERTY_PREFIX}signature.{number}", value=part))
    workbook.properties.title = f"{plan.year}年{month}月填报模板"
    workbook.properties.creator = "鹤壁市全民技能振兴工程目标管理"

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_filename(user: User, plan: Plan, month: int) -> str:
    who_which = identity(user, plan, month)
    parts = [str(plan.year), f"{month:02d}", who_which["department"], who_which["region"]]
    return "填报模板-" + "-".join(part for part in parts if part) + ".xlsx"
