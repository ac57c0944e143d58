"""The layout every sheet of the workbook shares: formats, cells, the 报表 heading, data rows.

openpyxl's write-only mode keeps memory flat: rows go to a temporary file as they are
appended. What that mode allows and we use: ``WriteOnlyCell`` styles and number formats,
column widths, merged title cells, frozen panes, autofilter, print titles, landscape page set-up
fitted to the page width. What it does not: going back to a cell already written, row heights,
conditional formatting; automatic column widths exist in no mode of openpyxl, so widths are set
per column. Data rows are written as XML a thousand at a time (``xml_rows``), the headings as
cells.

Text typed by people (names, notes, reasons, evidence) is always a string cell
(``targets.workbooks.text``); when it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return it also gets Excel's quote prefix, so Excel shows it and never evaluates it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from targets.models import Plan, Region
from targets.workbooks.text import set_text

from .xml_rows import RowWriter, Sheet, create_sheet, plain

INTEGER = "#,##0"
PERCENT = "0.0%"  # every percentage cell: holds the fraction rounded once at this precision
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
TICK_ROWS = 1000
HEADER_ROW = 5  # title, 填报单位/截止时间, 制表时间/制表人, blank, header

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, width and number format, and (for sheets written
    from one kind of row) how its value is read from a row."""

    title: str
    width: float
    number_format: str | None = None
    value: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Context:
    plan: Plan
    month: int
    exported_by: str
    exported_at: datetime  # aware; written in local time
    reporting_unit: str  # 填报单位: the lead bureau (a county's workbook: the county's)
    # Told how many more rows of the two long sheets were written (a background export's
    # progress bar); every TICK_ROWS rows and once at each sheet's end.
    tick: Callable[[int], None] | None = None
    region: Region | None = None  # a county's workbook: its rows only; None: the city's

    @property
    def as_of(self) -> str:
        return f"{self.plan.year}-{self.month:02d}"

    @property
    def local_at(self) -> datetime:
        return timezone.localtime(self.exported_at).replace(tzinfo=None, microsecond=0)


def cell(ws: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> WriteOnlyCell:
    """A cell; text that Excel would take for a formula is kept as text (quote prefix)."""
    value = plain(value)
    written = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        set_text(written, value)  # typed text is never a formula
    if number_format:
        written.number_format = number_format
    return written


def local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def person(first_name: str | None, last_name: str | None, username: str | None) -> str | None:
    """A person as printed: ``User.get_full_name()``, else the username (None: nobody)."""
    full_name = f"{first_name or ''} {last_name or ''}".strip()
    return full_name or username


def sheet(
    wb: Workbook,
    context: Context,
    title: str,
    heading: str,
    columns: list[Column],
    label_columns: int = 1,
) -> Sheet:
    """A sheet in the layout of an official 报表: title, the four lines, then the header row.

    ``heading`` may name the plan's ``%(year)s`` and the as-of ``%(month)s``; a county's
    workbook's headings start with the county's name (浚县2015年…).

    Widths, frozen panes (the header rows and the first ``label_columns`` columns, which name
    each row), print titles and page set-up must be set before the first row.
    """
    ws = create_sheet(wb, title)
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
    place = context.region.name if context.region is not None else ""
    title_cell = cell(ws, place + heading % {"year": context.plan.year, "month": context.month})
    title_cell.font = Font(bold=True, size=14)
    title_cell.alignment = Alignment(horizontal="center")
    ws.append([title_cell])
    half = max(1, len(columns) // 2)
    pad = [None] * (half - 1)
    ws.append(
        [
            cell(ws, _("填报单位：%(unit)s") % {"unit": context.reporting_unit}),
            *pad,
            cell(
                ws,
                _("截止时间：%(year)s年%(month)s月底")
                % {"year": context.plan.year, "month": context.month},
            ),
        ]
    )
    ws.append(
        [
            cell(ws, _("制表时间：%(at)s") % {"at": f"{context.local_at:%Y-%m-%d %H:%M}"}),
            *pad,
            cell(ws, _("制表人：%(who)s") % {"who": context.exported_by}),
        ]
    )
    ws.append([])
    header = []
    for column in columns:
        title_of = cell(ws, column.title)
        title_of.font = Font(bold=True)
        title_of.fill = HEADER_FILL
        title_of.border = BOX
        title_of.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(title_of)
    ws.append(header)
    return ws


def values_of(columns: list[Column], rows: Iterable[Any]) -> Iterator[list[Any]]:
    """Each row as the list of its columns' values (``Column.value``)."""
    for row in rows:
        yield [column.value(row) for column in columns]


def filter_rows(ws: WriteOnlyWorksheet, columns: list[Column], count: int) -> None:
    """The autofilter over the header and the ``count`` data rows under it."""
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + count}"


def append_rows(
    ws: Sheet,
    columns: list[Column],
    rows: Iterable[list[Any]],
    tick: Callable[[int], None] | None = None,
    formats: Callable[[list[Any]], list[str | None]] | None = None,
) -> int:
    """Append data rows with the columns' formats (``formats``: a row's own, when its values
    differ in kind), ``TICK_ROWS`` at a time as XML; set the autofilter over them; how many."""
    column_formats = [column.number_format for column in columns]
    row_formats = formats or (lambda values: column_formats)
    writer = RowWriter(ws)
    count = 0
    rows = iter(rows)
    while chunk := list(islice(rows, TICK_ROWS)):
        ws.append_chunk(writer.rows(chunk, row_formats), len(chunk))
        count += len(chunk)
        if tick is not None:
            tick(len(chunk))
    filter_rows(ws, columns, count)
    return count
