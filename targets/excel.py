"""The monthly entry grid as an Excel workbook: a signed template out, a checked upload in.

``build_template`` writes one month of a clerk's grid as an .xlsx: one protected sheet "填报"
where only the figures and notes of editable cells are unlocked, prefilled with the current
figures. Custom document properties identify it (plan year, department, county, month) and
carry the token of every cell, signed with ``django.core.signing``.

``read_upload`` checks an uploaded workbook whole before anything is saved (size, zip bomb,
formulas, extra or hidden sheets, signature, whose and which month's template, the layout)
and turns it into the posted form that ``entry.month_save`` takes, so an upload is validated,
saved and audited exactly like the page. ``refusal_messages`` names the sheet cell of each
message of a refused save.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation

from . import entry, policy
from .models import Department, Plan
from .xlsx_text import set_text

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

    from .entry import Grid

SHEET = "填报"
TITLE_ROW = 1
HINT_ROW = 2
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
NAME_HEADER = "填报项"
UNIT_HEADER = "单位"
NOTE_SUFFIX = "备注"

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
# Sheet XML compresses well, but a part far beyond this ratio is a bomb, not a spreadsheet.
MAX_RATIO = 100
RATIO_CHECKED_ABOVE = 1024 * 1024
MAX_NOTE_LENGTH = 1000
# Read before openpyxl parses a part: a row of two million cells is built whole in memory.
CHUNK_BYTES = 1024 * 1024
# Enough to fix a workbook; a thousand messages help nobody.
MAX_MESSAGES = 30

SIGNING_SALT = "targets.excel.template"
PROPERTY_PREFIX = "skills_plan."
# Excel keeps text properties of at most 255 characters: the signature goes in parts.
SIGNATURE_PART = 240

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class SheetLimits:
    """How large a sheet of an upload may be, checked on the zip's bytes before parsing."""

    rows: int
    columns: int
    cells: int
    part_bytes: int  # any one part, inflated
    what: str  # what the workbook should be, for the message


# The template is a few dozen rows and at most 2 + 2 × counties columns.
TEMPLATE_LIMITS = SheetLimits(
    rows=1000, columns=100, cells=20_000, part_bytes=5 * 1024 * 1024, what="template"
)
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|si)[\s>/]")
_REFERENCE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(?:c|row)\s[^>]*?\br="([A-Z]{0,3})(\d{1,9})"')
_DIMENSION = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref="\$?([A-Z]{1,3})\$?(\d{1,9})'
    rb'(?::\$?([A-Z]{1,3})\$?(\d{1,9}))?"'
)


class UploadRefused(Exception):
    """The upload was not saved; ``messages`` say why, in Chinese, each naming its cell."""

    def __init__(self, messages: list[str]):
        super().__init__("upload refused")
        self.messages = messages


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


def is_open(plan: Plan, month: int) -> bool:
    return policy.plan_is_open(plan) and month in entry.open_months(plan)


def _identity(user: User, plan: Plan, month: int) -> dict[str, Any]:
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
    grid = entry.month_grid(user, plan, month)
    membership = policy.membership_of(user)
    layout = layout_of(grid)
    writable = is_open(plan, month)

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

    identity = _identity(user, plan, month)
    payload = {**identity, "series": layout.series_ids, "regions": layout.region_ids}
    payload["tokens"] = tokens
    signature = signing.dumps(payload, salt=SIGNING_SALT, compress=True)
    properties = workbook.custom_doc_props
    for name, value in identity.items():
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
    identity = _identity(user, plan, month)
    parts = [str(plan.year), f"{month:02d}", identity["department"], identity["region"]]
    return "填报模板-" + "-".join(part for part in parts if part) + ".xlsx"


# --- upload --------------------------------------------------------------------------------


def read_upload(file: IO[bytes], user: User, plan: Plan, month: int) -> dict[str, str]:
    """The posted form for ``entry.month_save`` from an uploaded template, checked whole.

    Raises ``UploadRefused`` with every message found; nothing is read from the database but
    the clerk's grid, and nothing is written.
    """
    content = file.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        raise UploadRefused([_("上传的文件是空的。")])
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            [_("文件太大（超过 %(size)s MB），请上传本系统下载的填报模板。") % {"size": 5}]
        )
    check_zip(content)
    try:
        # Untrusted input to a third-party parser: any failure means "not a workbook we read".
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:
        raise UploadRefused([unreadable_message()]) from error
    try:
        return _read_workbook(workbook, user, plan, month)
    finally:
        workbook.close()


def check_zip(
    content: bytes, *, too_big: str | None = None, limits: SheetLimits = TEMPLATE_LIMITS
) -> None:
    """Refuse what is not an .xlsx, and zip bombs, before openpyxl unpacks anything.

    Then every part is inflated in chunks (never whole) and its cells counted, its rows and
    columns measured by the sheet's <dimension> and by every cell's and row's reference, so a
    sheet too large for ``limits`` is refused before openpyxl parses it.
    """
    if content.startswith(_OLE_MAGIC):
        raise UploadRefused(
            [
                _(
                    "这是旧版Excel（.xls）文件或加密的文件，不能导入。"
                    "请用本系统下载的模板（.xlsx）填写，不要设置密码。"
                )
            ]
        )
    not_xlsx = _("上传的不是Excel（.xlsx）文件，请用本系统下载的模板填写后上传。")
    if not content.startswith(b"PK"):
        raise UploadRefused([not_xlsx])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise UploadRefused([not_xlsx]) from error
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRefused([not_xlsx])
    too_big = too_big or _("文件解压后过大，可能已损坏或不是填报模板，不能导入。")
    if len(members) > MAX_ZIP_ENTRIES:
        raise UploadRefused([too_big])
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise UploadRefused([too_big])
    for member in members:
        if member.file_size > RATIO_CHECKED_ABOVE and (
            member.file_size > MAX_RATIO * max(member.compress_size, 1)
        ):
            raise UploadRefused([too_big])
        if member.file_size > limits.part_bytes:
            raise UploadRefused([too_big])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in members:
                _check_part(archive, member, limits, too_big)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        # A checksum that fails (headers that lie about the size) or a broken stream.
        raise UploadRefused([unreadable_message()]) from error


def _check_part(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: SheetLimits, too_big: str
) -> None:
    cells = rows = columns = inflated = 0
    rest = b""
    first = True
    with archive.open(member) as part:
        while chunk := part.read(CHUNK_BYTES):
            inflated += len(chunk)
            if inflated > limits.part_bytes:
                raise UploadRefused([too_big])
            data = rest + chunk
            cut = data.rfind(b">") + 1  # scan whole tags only; the rest waits for the next chunk
            whole, rest = data[:cut], data[cut:]
            if first and (dimension := _DIMENSION.search(whole)):
                first = False
                last_column, last_row = dimension.group(3, 4)
                if last_row is None:
                    last_column, last_row = dimension.group(1, 2)
                rows = max(rows, int(last_row))
                columns = max(columns, column_index_from_string(last_column.decode()))
            cells += len(_CELL_TAG.findall(whole))
            if cells <= limits.cells:
                for column, row in _REFERENCE.findall(whole):
                    rows = max(rows, int(row))
                    if column:
                        columns = max(columns, column_index_from_string(column.decode()))
            if cells > limits.cells or rows > limits.rows or columns > limits.columns:
                raise UploadRefused([_sheet_too_large(limits)])


def _sheet_too_large(limits: SheetLimits) -> str:
    what = _("填报模板") if limits.what == "template" else _("方案定义工作簿")
    return _(
        "工作表过大（超过 %(rows)s 行、%(columns)s 列或 %(cells)s 个单元格），"
        "不是%(what)s的大小，不能导入。请删除多余的行、列后重新上传，或重新下载%(what)s填写。"
    ) % {
        "rows": f"{limits.rows:,}",
        "columns": f"{limits.columns:,}",
        "cells": f"{limits.cells:,}",
        "what": what,
    }


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
    expected = _identity(user, plan, month)
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
    """A cell's value as the text ``entry.parse_figure`` expects: what the clerk typed."""
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

    grid = entry.month_grid(user, plan, month)
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

    for column, expected in enumerate(headers_of(grid), start=1):
        found = _label(values.get((HEADER_ROW, column)))
        if found != expected:
            problems.append(
                _("%(cell)s：表头应为“%(expected)s”，实为“%(found)s”；请不要增删或改动县区列。")
                % {
                    "cell": f"{SHEET}!{get_column_letter(column)}{HEADER_ROW}",
                    "expected": expected,
                    "found": found,
                }
            )
    for indicator in grid.series:
        row = layout.row_of(indicator.pk)
        for column, expected in ((1, indicator.entry_name), (2, indicator.unit)):
            found = _label(values.get((row, column)))
            if found != expected:
                problems.append(
                    _("%(cell)s：应为“%(expected)s”，实为“%(found)s”；请不要增删或改动填报项。")
                    % {
                        "cell": f"{SHEET}!{get_column_letter(column)}{row}",
                        "expected": expected,
                        "found": found,
                    }
                )
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


def stored_cells(workbook: Any, sheet: Any) -> Iterator[tuple[int, int, Any, bool]]:
    """Every non-empty stored cell of a read-only sheet: row, column, value, is a formula.

    Raises ``UploadRefused`` when the sheet's XML cannot be read.
    """
    try:
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for _row, cells in parser.parse():
                for item in cells:
                    if item["value"] is not None:
                        yield item["row"], item["column"], item["value"], item["data_type"] == "f"
    except GeneratorExit:
        raise
    except Exception as error:
        # Untrusted XML: a broken sheet is "cannot read", never a server error.
        raise UploadRefused([unreadable_message()]) from error


def unreadable_message() -> str:
    return _("无法读取该Excel文件，请用本系统下载的模板填写后另存为 .xlsx 再上传。")


def _label(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _unchanged(cell: entry.Cell, raw: str, note: str) -> bool:
    try:
        value = entry.parse_figure(raw)
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
