"""A register as an Excel workbook: one row per register row, with its unit, state, who
entered, sent and approved it; a meetings register has a second sheet of 整改事项 with 逾期
flagged. Everything a user typed is written as text (``set_text``): no formulas.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..evidence import attachment_disposition
from ..models import REGISTER_MODELS, Rectification, RegisterRecord
from .text import set_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The columns of each register: its own fields, as the model names them.
OWN_FIELDS = {
    "competitions": [
        "name",
        "level",
        "starts_on",
        "ends_on",
        "organiser",
        "occupations",
        "participants",
        "winners",
        "winner_names",
    ],
    "pilots": [
        "enterprise",
        "region",
        "level",
        "occupations",
        "skill_levels",
        "appraised",
        "adjusted",
    ],
    "annual-plans": ["title", "issued_on", "file"],
    "meetings": ["held_on", "kind", "title", "units_visited", "findings"],
    "self-assessments": ["period", "text"],
}


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row, column)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        set_text(cell, _("是") if value else _("否"))
    elif isinstance(value, int):
        cell.value = value
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        set_text(cell, str(value))


def _value(row: RegisterRecord, name: str) -> Any:
    display = getattr(row, f"get_{name}_display", None)
    return display() if display else getattr(row, name)


def _header(sheet: Any, headers: list[str]) -> None:
    for index, header in enumerate(headers, start=1):
        sheet.cell(1, index, header).font = Font(bold=True)
    sheet.freeze_panes = "A2"


def register_workbook(
    kind: str, rows: list[RegisterRecord], items: list[Rectification], *, today: date
) -> bytes:
    model = REGISTER_MODELS[kind]
    names = OWN_FIELDS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(model._meta.verbose_name)[:31]
    headers = [str(model._meta.get_field(name).verbose_name) for name in names]
    headers += [_("填报单位"), _("状态"), _("填报人"), _("报送时间"), _("审核人"), _("审核时间")]
    headers += [_("审核意见")]
    _header(sheet, headers)
    for number, row in enumerate(rows, start=2):
        values = [_value(row, name) for name in names]
        values += [row.unit_name, row.get_status_display(), _person(row.entered_by)]
        values += [_when(row.submitted_at), _person(row.reviewed_by), _when(row.reviewed_at)]
        values += [row.review_comment]
        for column, value in enumerate(values, start=1):
            _put(sheet, number, column, value)
    if kind == "meetings":
        _rectifications(workbook.create_sheet(_("整改事项")), items, today)
    workbook.properties.creator = "鹤壁市全民技能振兴工程目标管理"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rectifications(sheet: Any, items: list[Rectification], today: date) -> None:
    _header(
        sheet,
        [
            _("会议与督查调研"),
            _("整改事项"),
            _("责任单位"),
            _("整改时限"),
            _("整改情况"),
            _("销号日期"),
            _("销号人"),
            _("逾期"),
        ],
    )
    for number, item in enumerate(items, start=2):
        values = [str(item.meeting), item.description, item.unit_name, item.due_on, item.progress]
        values += [item.closed_on, _person(item.closed_by), item.is_overdue(today)]
        for column, value in enumerate(values, start=1):
            _put(sheet, number, column, value)


def xlsx_response(content: bytes, download_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = attachment_disposition(download_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
