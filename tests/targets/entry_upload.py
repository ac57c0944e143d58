"""The clerk's Excel round trip, shared by its tests: the template's URLs, reading and filling a
downloaded template, uploading it, and counting what was written."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from targets.models import Indicator, Membership, Region, Submission, SubmissionEvent
from targets.workbooks import entry as entry_workbook

Role = Membership.Role
MARCH = "/entry/2015/3/"
TEMPLATE = "/entry/2015/3/template.xlsx"
UPLOAD = "/entry/2015/3/upload/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HRSS_SERIES = 8
REGIONS = 6  # five counties and 市直


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def cell(code: str, region_code: str, month: int = 3) -> Submission | None:
    return Submission.objects.filter(
        indicator=indicator(code), region__code=region_code, month=month, is_current=True
    ).first()


def download(client: Client, url: str = TEMPLATE) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return response.getvalue()


def workbook_of(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def saved(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client: Client, content: bytes, action: str = "save", name: str = "填报.xlsx") -> Any:
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(UPLOAD, {"file": file, "action": action})


def where(sheet: Any, code: str, region_code: str, *, note: bool = False) -> str:
    """The coordinate of a series × county figure (or note), found from the sheet's labels."""
    name = indicator(code).entry_name
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == name)
    header = region(region_code).name + ("备注" if note else "")
    column = next(
        c
        for c in range(1, sheet.max_column + 1)
        if sheet.cell(entry_workbook.HEADER_ROW, c).value == header
    )
    return sheet.cell(row, column).coordinate


def figure_cells(sheet: Any) -> list[Any]:
    """Every figure cell of the table, row by row."""
    first = entry_workbook.FIRST_ROW
    return [
        sheet.cell(row, column)
        for row in range(first, first + HRSS_SERIES)
        for column in range(3, 3 + REGIONS)
    ]


def filled(content: bytes, value: Any = 10, **cells: Any) -> bytes:
    """The template with every empty figure set to ``value`` and some cells set by name.

    ``cells`` are keyed ``<series code>__<region code>`` (``__note`` appended for the note).
    """
    workbook = workbook_of(content)
    sheet = workbook[entry_workbook.SHEET]
    if value is not None:
        for item in figure_cells(sheet):
            if item.value is None and item.protection.locked is False:
                item.value = value
    for name, typed in cells.items():
        code, region_code, *note = name.split("__")
        sheet[where(sheet, code, region_code, note=bool(note))] = typed
    return saved(workbook)


def messages_of(response: Any) -> str:
    return response.content.decode()


def nothing_changed(before: tuple[int, int]) -> bool:
    return (Submission.objects.count(), SubmissionEvent.objects.count()) == before


def counts() -> tuple[int, int]:
    return Submission.objects.count(), SubmissionEvent.objects.count()
