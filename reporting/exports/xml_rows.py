"""Data rows written as the sheet's XML, a thousand at a time, instead of a cell object each.

openpyxl's write-only sheet turns every value into a cell object, checks it, and writes it as
its own element: for the demo's 52,565 cells that alone takes longer than the whole workbook
may (issue #19). ``Sheet`` is a write-only sheet that also takes a chunk of rows written here
as text (``append_chunk``); the chunk is parsed once (in C) and handed to the same XML stream,
between rows written the usual way.

The XML is what openpyxl would write for the same values (``tests/reporting/
test_xml_rows.py`` compares the two sheet files), with one difference by design: text is always
an inline string, even text Excel reads as an error code (``#N/A``). Styles (number formats,
the quote prefix that keeps text like ``=1+1`` text in Excel) are registered with the workbook
through one real cell per kind of cell, so their ids are openpyxl's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.functions import fromstring

from targets.workbooks.text import FORMULA_STARTS, set_text

MAX_TEXT = 32767  # Excel's longest cell text; openpyxl cuts longer text here too

# & < > escaped; a carriage return as a character reference (a parser turns a bare one into a
# line feed); what lxml writes for the same text.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class _Chunk:
    """Rows already parsed into elements, sent through the sheet's row stream as one."""

    __slots__ = ("elements",)

    def __init__(self, elements: list[Any]) -> None:
        self.elements = elements


class Sheet(WriteOnlyWorksheet):
    """A write-only sheet whose row stream also takes ``_Chunk``s (``append_chunk``)."""

    def __init__(self, parent: Any, title: str) -> None:
        super().__init__(parent, title)
        self.next_row = 1  # the index the next appended row gets

    def append(self, row: Any) -> None:
        super().append(row)
        self.next_row += 1

    def append_chunk(self, rows_xml: str, count: int) -> None:
        """Append ``count`` rows given as ``<row>`` elements numbered from ``next_row``."""
        elements = list(fromstring(f"<sheetData>{rows_xml}</sheetData>"))
        if len(elements) != count:
            raise ValueError(f"{len(elements)} rows in the chunk, {count} expected")
        self._get_writer()
        if self._rows is None:
            self._rows = self._write_rows()
            next(self._rows)
        self._rows.send(_Chunk(elements))
        self.next_row += count

    def _write_rows(self) -> Any:
        # openpyxl 3.1.5's own generator, with one more kind of row: a chunk.
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()

        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = yield
                    if isinstance(row, _Chunk):
                        for element in row.elements:
                            xf.write(element)
                        row_idx += len(row.elements)
                        continue
                    row = self._values_to_row(row, row_idx)
                    self._writer.write_row(xf, row, row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass

        self._writer.xf.send(None)


def create_sheet(wb: Any, title: str) -> Sheet:
    """A ``Sheet`` at the end of the write-only workbook ``wb`` (``wb.create_sheet``'s twin)."""
    ws = Sheet(parent=wb, title=title)
    wb._add_sheet(sheet=ws)
    return ws


def plain(value: Any) -> Any:
    """A value as a cell holds it: lazy text as text, Decimal as float, an aware time local."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class RowWriter:
    """Writes data rows of one sheet as XML, with the style ids of its workbook."""

    def __init__(self, ws: Sheet) -> None:
        self.ws = ws
        self.letters: list[str] = []
        self.styles: dict[tuple[str | None, str], int] = {}

    def _letter(self, index: int) -> str:
        while len(self.letters) <= index:
            self.letters.append(get_column_letter(len(self.letters) + 1))
        return self.letters[index]

    def _style(self, number_format: str | None, kind: str, value: Any) -> int | None:
        """The style id of a cell of this format and kind, from one real cell; None: none."""
        key = (number_format, kind)
        if key not in self.styles:
            sample = WriteOnlyCell(self.ws, value=value)
            if isinstance(value, str):
                set_text(sample, value)
            if number_format:
                sample.number_format = number_format
            self.styles[key] = sample.style_id if sample.has_style else -1
        style = self.styles[key]
        return None if style < 0 else style

    def cell(self, ref: str, value: Any, number_format: str | None) -> str:
        value = plain(value)
        if isinstance(value, str):
            value = value[:MAX_TEXT]
            if ILLEGAL_CHARACTERS_RE.search(value):
                raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
            kind = "quoted" if value.startswith(FORMULA_STARTS) else "text"
            style = self._style(number_format, kind, value)
            s = "" if style is None else f' s="{style}"'
            if not value:
                return f'<c r="{ref}"{s} t="inlineStr"/>'
            space = ' xml:space="preserve"' if value != value.strip() else ""
            text = value.translate(_ESCAPES)
            return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if value is None:
            if number_format is None:
                return ""
            return f'<c r="{ref}" s="{self._style(number_format, "none", None)}" t="n"/>'
        if isinstance(value, bool):
            style = self._style(number_format, "bool", value)
            s = "" if style is None else f' s="{style}"'
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            style = self._style(number_format, "number", value)
            s = "" if style is None else f' s="{style}"'
            return f'<c r="{ref}"{s} t="n"><v>{safe_string(value)}</v></c>'
        if isinstance(value, datetime | date | time):
            style = self._style(number_format, type(value).__name__, value)
            serial = to_excel(value, self.ws.parent.epoch)
            return f'<c r="{ref}" s="{style}" t="n"><v>{safe_string(serial)}</v></c>'
        raise TypeError(f"Cannot write {value!r} to a cell")

    def rows(self, rows: Iterable[list[Any]], formats: Callable[[list[Any]], list]) -> str:
        """``rows`` as ``<row>`` elements numbered from the sheet's next row."""
        parts = []
        index = self.ws.next_row
        for values in rows:
            cells = "".join(
                self.cell(f"{self._letter(column)}{index}", value, number_format)
                for column, (value, number_format) in enumerate(
                    zip(values, formats(values), strict=True)
                )
            )
            parts.append(f'<row r="{index}">{cells}</row>')
            index += 1
        return "".join(parts)
