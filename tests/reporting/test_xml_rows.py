"""Data rows written as XML (reporting.exports.xml_rows) are what openpyxl writes for the same
cells, element for element (canonical XML: ``<c/>`` and ``<c></c>`` are one element) and
with the same styles; text stays text; bad text is refused as openpyxl does."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from reporting.exports.styles import DATE, DATETIME, INTEGER, PERCENT, Column, append_rows, cell
from reporting.exports.xml_rows import RowWriter, create_sheet

FORMATS = [None, INTEGER, PERCENT, DATETIME, DATE, None]
ROWS = [
    ["浚县", 12345, 0.6531, datetime(2015, 3, 31, 17, 5, tzinfo=UTC), date(2015, 4, 1), "备注"],
    ["=1+1", Decimal("7"), Decimal("0.9"), datetime(2015, 3, 31, 17, 5), None, "-5"],
    [" 前后有空格 ", 0, None, None, None, "a & b <c> > d"],
    ["", -3, 1.0, None, None, "第一行\r\n第二行\t"],
    [gettext_lazy("是"), 10**17, 0.1 + 0.2, None, None, "#N/A"],
    ["@sum", True, None, None, None, "+86 139"],
    [None, None, None, None, None, None],
    ["x" * 40000, 1, 0.5, None, None, "\tlead"],
]


def _sheet_xml(wb: Workbook) -> tuple[bytes, bytes]:
    """The sheet's XML in canonical form, and the workbook's styles."""
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as archive:
        sheet = etree.tostring(
            etree.fromstring(archive.read("xl/worksheets/sheet1.xml")), method="c14n"
        )
        return sheet, archive.read("xl/styles.xml")


def _by_openpyxl(rows: list[list]) -> tuple[bytes, bytes]:
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    ws.append([cell(ws, "表头")])
    for values in rows:
        ws.append([cell(ws, v, f) for v, f in zip(values, FORMATS, strict=True)])
    return _sheet_xml(wb)


def _by_chunks(rows: list[list]) -> tuple[bytes, bytes]:
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    ws.append([cell(ws, "表头")])
    ws.append_chunk(RowWriter(ws).rows(rows, lambda values: FORMATS), len(rows))
    return _sheet_xml(wb)


def test_rows_as_xml_are_the_xml_openpyxl_writes_for_the_same_cells(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    sheet, styles = _by_chunks(ROWS)
    assert sheet == _by_openpyxl(ROWS)[0]
    assert styles == _by_openpyxl(ROWS)[1]
    assert b"<f>" not in sheet  # no formula anywhere


def test_read_back_every_value_is_kept_text_as_text(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    columns = [Column(str(i), 10, f) for i, f in enumerate(FORMATS)]
    assert append_rows(ws, columns, ROWS) == len(ROWS)
    out = io.BytesIO()
    wb.save(out)
    read = load_workbook(out)["明细"]
    rows = [[c.value for c in row] for row in read.iter_rows(min_row=1, max_col=6)]
    assert rows[0][:2] == ["浚县", 12345]
    assert rows[0][3] == datetime(2015, 4, 1, 1, 5)  # local time, written without a zone
    assert read["D1"].number_format == DATETIME and read["B1"].number_format == INTEGER
    assert rows[1][0] == "=1+1" and read["A2"].data_type == "s" and read["A2"].quotePrefix
    assert rows[1][5] == "-5" and read["F2"].quotePrefix
    assert rows[2][0] == " 前后有空格 " and rows[2][5] == "a & b <c> > d"
    assert rows[3][5] == "第一行\r\n第二行\t"
    assert rows[4][0] == "是" and rows[4][5] == "#N/A" and read["F5"].data_type == "s"
    assert len(rows[7][0]) == 32767  # Excel's limit, as openpyxl cuts it
    assert read.auto_filter.ref == "A5:F13"  # header row 5 and the rows under it


def test_rows_after_a_chunk_are_numbered_after_it():
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    ws.append(["a"])
    ws.append_chunk(RowWriter(ws).rows([["b"], ["c"]], lambda values: [None]), 2)
    ws.append(["d"])
    out = io.BytesIO()
    wb.save(out)
    read = load_workbook(out)["明细"]
    assert [row[0].value for row in read.iter_rows()] == ["a", "b", "c", "d"]
    assert [row[0].row for row in read.iter_rows()] == [1, 2, 3, 4]


def test_progress_is_told_a_thousand_rows_at_a_time():
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    heard: list[int] = []
    count = append_rows(ws, [Column("n", 6)], ([n] for n in range(2500)), tick=heard.append)
    assert count == 2500 and heard == [1000, 1000, 500]
    assert ws.next_row == 2501
    wb.save(io.BytesIO())  # a sheet left open is closed by the collector, with a warning


def test_text_excel_cannot_hold_is_refused_as_openpyxl_refuses_it():
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    with pytest.raises(IllegalCharacterError):
        RowWriter(ws).rows([["bell\x07"]], lambda values: [None])
    with pytest.raises(IllegalCharacterError):
        cell(ws, "bell\x07")
    with pytest.raises(TypeError, match="Cannot write"):
        RowWriter(ws).rows([[object()]], lambda values: [None])


def test_a_chunk_must_hold_the_rows_it_claims():
    wb = Workbook(write_only=True)
    ws = create_sheet(wb, "明细")
    with pytest.raises(ValueError, match="2 rows in the chunk, 3 expected"):
        ws.append_chunk(RowWriter(ws).rows([["a"], ["b"]], lambda values: [None]), 3)
