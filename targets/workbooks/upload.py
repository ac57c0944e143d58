"""An uploaded workbook, checked before openpyxl parses it, and read cell by cell.

``check_zip`` refuses what is not an .xlsx and zip bombs, and measures every sheet against its
``SheetLimits`` on the zip's bytes; ``stored_cells`` reads a sheet's stored cells with
openpyxl's own parser. The entry template's upload (``entry_upload``) and the plan definition's
both read through here; ``UploadRefused`` carries the messages people read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet._reader import WorkSheetParser

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
# Sheet XML compresses well, but a part far beyond this ratio is a bomb, not a spreadsheet.
MAX_RATIO = 100
RATIO_CHECKED_ABOVE = 1024 * 1024
# Read before openpyxl parses a part: a row of two million cells is built whole in memory.
CHUNK_BYTES = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    what = {"template": _("填报模板"), "roster": _("花名册模板")}.get(
        limits.what, _("方案定义工作簿")
    )
    return _(
        "工作表过大（超过 %(rows)s 行、%(columns)s 列或 %(cells)s 个单元格），"
        "不是%(what)s的大小，不能导入。请删除多余的行、列后重新上传，或重新下载%(what)s填写。"
    ) % {
        "rows": f"{limits.rows:,}",
        "columns": f"{limits.columns:,}",
        "cells": f"{limits.cells:,}",
        "what": what,
    }


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


def open_upload(
    file: IO[bytes],
    *,
    too_large: str,
    limits: SheetLimits = TEMPLATE_LIMITS,
    too_big: str | None = None,
) -> Any:
    """An uploaded workbook, opened read-only once it is bounded: at most ``MAX_UPLOAD_BYTES``
    read (more: ``too_large``), the zip checked (``check_zip``: not an .xlsx, bombs, sheets
    beyond ``limits``) before openpyxl parses anything. ``UploadRefused`` otherwise; the caller
    closes the workbook."""
    content = file.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        raise UploadRefused([_("上传的文件是空的。")])
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused([too_large])
    check_zip(content, too_big=too_big, limits=limits)
    try:
        # Untrusted input to a third-party parser: any failure means "not a workbook we read".
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as error:
        raise UploadRefused([unreadable_message()]) from error


def unreadable_message() -> str:
    return _("无法读取该Excel文件，请用本系统下载的模板填写后另存为 .xlsx 再上传。")
