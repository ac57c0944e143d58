"""What the roster tests share: synthetic ID numbers (right check characters, made up), a
person as typed, and a training class made through the service, with defaults."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import load_workbook

from targets import services
from targets.models import Indicator, Region, TrainingClass
from targets.workbooks import rosters as roster_workbook

# Synthetic numbers with right check characters: a man of 浚县 born 1990-03-07, another born
# 1988-01-01, a woman of 淇滨区 born 1985-11-30.
XUN_MAN = "410621199003070015"
OTHER_XUN = "410621198801010012"
QIBIN_WOMAN = "410611198511300027"


def person(number: str, name: str = "张三", **more: str) -> dict[str, str]:
    """A roster row's typed fields (but its line): of 浚县, 农村转移劳动力 unless ``more``."""
    typed = {"name": name, "id_number": number, "household": "浚县"}
    return typed | {"category": "农村转移劳动力"} | more


def make_class(
    actor: Any,
    *,
    code: str = "rural-transfer",
    region: str = "410621",
    start: date = date(2015, 6, 1),
    end: date = date(2015, 6, 12),
    plan: Any = None,
    **more: Any,
) -> TrainingClass:
    """A class of the quota ``code`` in the county ``region``, registered by ``actor``;
    ``plan`` when more than one plan has the code; ``more`` overrides the rest (institution,
    occupation, kind, hours, month, at)."""
    return services.training_class_create(
        actor=actor,
        indicator=Indicator.objects.get(code=code, **({"plan": plan} if plan else {})),
        region=Region.objects.get(code=region),
        **{
            "institution": "某培训学校",
            "occupation": "电工",
            "kind": "employment",
            "start_on": start,
            "end_on": end,
            "hours": 40,
            **more,
        },
    )


def filled_template(training_class: TrainingClass, rows: list[list[Any]]) -> io.BytesIO:
    """``training_class``'s downloaded template with ``rows`` typed under its header."""
    book = load_workbook(io.BytesIO(roster_workbook.roster_template(training_class)))
    sheet = book[roster_workbook.SHEET]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(roster_workbook.FIRST_ROW + offset, column).value = value
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "花名册.xlsx"
    return out
