"""An uploaded entry template, read back: checked whole before anything is saved (size, zip
bomb, formulas, extra or hidden sheets, signature, whose and which month's template, the
layout) and turned into the posted form of the month's page, so that an upload is read
(``MonthEntryForm``), saved and audited (``services.month_save``) exactly like the page.
``refusal_messages`` names the sheet cell of each message of a refused save.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ..forms import MAX_NOTE_LENGTH, parse_figure
from ..grid import Cell, Grid, month_grid
from ..models import Department, Plan
from .entry import (
    HEADER_ROW,
    PROPERTY_PREFIX,
    SHEET,
    SIGNING_SALT,
    Layout,
    headers_of,
    identity,
    layout_of,
)
from .upload import UploadRefused, open_upload, stored_cells

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

# Enough to fix a workbook; a thousand messages help nobody.
MAX_MESSAGES = 30


def read_upload(file: IO[bytes], user: User, plan: Plan, month: int) -> dict[str, str]:
    """The month page's posted form (for ``MonthEntryForm``) from an uploaded template.

    Checked whole: raises ``UploadRefused`` with every message found; nothing is read from
    the database but the clerk's grid, and nothing is written.
    """
    workbook = open_upload(
        file,
        too_large=_("文件太大（超过 %(size)s MB），请上传本系统下载的填报模板。") % {"size": 5},
    )
    try:
        return _read_workbook(workbook, user, plan, month)
    finally:
        workbook.close()


def _signed_payload(workbook: Any) -> dict[str, Any]:
    properties = {prop.name: prop.value for prop in workbook.custom_doc_props}
    parts = []
    number = 1
    while f"{PROPERTY_PREFIX}signature.{number}" in properties:
        parts.append(str(properties[f"{PROPERTY_PREFIX}signature.{number}"]))
        number += 1
    unsigned = _("文件不是本系统下载的填报模板，或模板标识已被修改，请重新下载模板后填写。")
    if not parts:
        raise UploadRefused([unsigned])
    try:
        payload = signing.loads("".join(parts), salt=SIGNING_SALT)
    except (signing.BadSignature, ValueError) as error:
        raise UploadRefused([unsigned]) from error
    if not isinstance(payload, dict):
        raise UploadRefused([unsigned])
    for name in ("year", "department", "region", "month"):
        # An empty text property reads back as None.
        stored = properties.get(f"{PROPERTY_PREFIX}{name}")
        if str(stored if stored is not None else "") != str(payload.get(name)):
            raise UploadRefused([unsigned])
    return payload


def _check_identity(payload: dict[str, Any], user: User, plan: Plan, month: int) -> None:
    expected = identity(user, plan, month)
    if payload.get("year") != expected["year"]:
        raise UploadRefused(
            [
                _("这是 %(theirs)s 年方案的模板，不能导入 %(ours)s 年的数据。")
                % {"theirs": payload.get("year"), "ours": expected["year"]}
            ]
        )
    if payload.get("department") != expected["department"]:
        other = Department.objects.filter(code=str(payload.get("department"))).first()
        raise UploadRefused(
            [
                _("这是%(department)s的填报模板，您只能导入本部门的模板。请重新下载模板后填写。")
                % {"department": other.name if other else _("其他部门")}
            ]
        )
    if payload.get("region") != expected["region"]:
        if expected["region"]:
            message = _("这是其他县区的填报模板，您只能导入本县区的模板。请重新下载模板后填写。")
        else:
            message = _("这是县区填报人员的模板，请下载本部门全市的模板后填写。")
        raise UploadRefused([message])
    if payload.get("month") != expected["month"]:
        raise UploadRefused(
            [
                _("这是 %(theirs)s月的模板，不能导入到 %(ours)s月。请在对应月份的页面上传。")
                % {"theirs": payload.get("month"), "ours": expected["month"]}
            ]
        )


def figure_text(value: Any) -> str:
    """A cell's value as the text ``parse_figure`` expects: what the clerk typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time | timedelta):
        return value.isoformat() if not isinstance(value, timedelta) else str(value)
    return str(value)


def _read_workbook(workbook: Any, user: User, plan: Plan, month: int) -> dict[str, str]:
    hidden = [
        sheet.title
        for sheet in workbook._sheets
        if getattr(sheet, "sheet_state", "visible") != "visible"
    ]
    if hidden:
        raise UploadRefused(
            [
                _("文件中有隐藏的工作表（%(sheets)s），请删除后再上传；模板只有一个工作表。")
                % {"sheets": "、".join(hidden)}
            ]
        )
    if workbook.sheetnames != [SHEET]:
        raise UploadRefused(
            [
                _("模板只能有一个名为“%(sheet)s”的工作表，请不要增加、删除或改名工作表。")
                % {"sheet": SHEET}
            ]
        )
    sheet = workbook[SHEET]
    payload = _signed_payload(workbook)
    _check_identity(payload, user, plan, month)

    grid = month_grid(user, plan, month)
    layout = layout_of(grid)
    stale = _("模板已过期（填报项或县区已调整），请重新下载模板后填写。")
    if payload.get("series") != layout.series_ids or payload.get("regions") != layout.region_ids:
        raise UploadRefused([stale])
    tokens = payload.get("tokens")
    if not isinstance(tokens, list) or len(tokens) != len(grid.cells):
        raise UploadRefused([stale])

    values, problems = _stored_values(workbook, sheet, layout)
    if problems:
        raise UploadRefused(problems[:MAX_MESSAGES])

    # Every label where the template put it: the county headers, each series' name and unit.
    labels = [
        (HEADER_ROW, column, expected, True)
        for column, expected in enumerate(headers_of(grid), start=1)
    ]
    for indicator in grid.series:
        row = layout.row_of(indicator.pk)
        labels += [(row, 1, indicator.entry_name, False), (row, 2, indicator.unit, False)]
    for row, column, expected, is_header in labels:
        found = _label(values.get((row, column)))
        if found != expected:
            message = (
                _("%(cell)s：表头应为“%(expected)s”，实为“%(found)s”；请不要增删或改动县区列。")
                if is_header
                else _("%(cell)s：应为“%(expected)s”，实为“%(found)s”；请不要增删或改动填报项。")
            )
            where = f"{SHEET}!{get_column_letter(column)}{row}"
            problems.append(message % {"cell": where, "expected": expected, "found": found})
    if problems:
        raise UploadRefused(problems[:MAX_MESSAGES])

    data: dict[str, str] = {}
    for cell, token in zip(grid.cells, tokens, strict=True):
        row = layout.row_of(cell.indicator.pk)
        raw = figure_text(values.get((row, layout.figure_column(cell.region.pk))))
        note = figure_text(values.get((row, layout.note_column(cell.region.pk)))).strip()
        if len(note) > MAX_NOTE_LENGTH:
            problems.append(
                _("%(cell)s：备注不能超过 %(max)s 字。")
                % {
                    "cell": f"{SHEET}!{layout.coordinate(cell.key, note=True)}",
                    "max": MAX_NOTE_LENGTH,
                }
            )
            continue
        if _unchanged(cell, raw, note):
            continue  # nothing to save here, however old the template is
        data[f"v-{cell.key}"] = raw
        data[f"n-{cell.key}"] = note
        data[f"t-{cell.key}"] = str(token)
    if problems:
        raise UploadRefused(problems[:MAX_MESSAGES])
    return data


def _stored_values(
    workbook: Any, sheet: Any, layout: Layout
) -> tuple[dict[tuple[int, int], Any], list[str]]:
    """Every stored value of the sheet by (row, column), and formulas or stray content found.

    openpyxl's own sheet parser, read directly: the read-only sheet pads every row out to its
    widest cell, which a crafted sheet (one cell far right on each of many rows) makes slow.
    """
    values: dict[tuple[int, int], Any] = {}
    problems: list[str] = []
    last_column = max(layout.last_column, 2)
    for row, column, value, is_formula in stored_cells(workbook, sheet):
        where = f"{SHEET}!{get_column_letter(column)}{row}"
        if is_formula:
            problems.append(_("%(cell)s：不能使用公式，请直接填写数字。") % {"cell": where})
        elif row > layout.last_row or column > last_column:
            problems.append(_("%(cell)s：表格范围外有内容，请不要增加行或列。") % {"cell": where})
        else:
            values[(row, column)] = value
        if len(problems) >= MAX_MESSAGES:
            break
    return values, problems


def _label(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _unchanged(cell: Cell, raw: str, note: str) -> bool:
    try:
        value = parse_figure(raw)
    except ValidationError:
        return False
    current = cell.current
    if current is None:
        return value is None and not note
    return value == current.value and note == current.note.strip()


def refusal_messages(grid: Grid, data: dict[str, str]) -> list[str]:
    """The messages of a refused save, each cell's named by its place on the sheet."""
    layout = layout_of(grid)
    messages = list(grid.errors)
    stale = False
    for cell in grid.cells:
        if f"t-{cell.key}" in data and data[f"t-{cell.key}"] != cell.token:
            stale = True
        if not cell.errors:
            continue
        where = f"{SHEET}!{layout.coordinate(cell.key)}"
        messages.append(f"{where}：{' '.join([*cell.warnings, *cell.errors])}")
    if stale:
        messages.append(_("模板下载后，部分数据已被他人修改：请重新下载模板，核对后再填写上传。"))
    return messages
