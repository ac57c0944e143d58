"""A roster as typed or uploaded, checked whole before anything is saved.

``check_roster`` takes the rows (what a grid posted or a template's cells held, as text) and
returns the trainees to save, or every refused row named with its reasons in Chinese: the
公民身份号码 (``identity.read``), the same person twice in one roster, a missing name or 户籍, a
category that is none of ours, a 残疾证号 that is not the person's number and two digits, a
phone that is no Chinese phone number, an appraisal result that is neither. Birth date, sex and
the masked number are derived; the number's keyed hash is what finds it again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from . import identity, personal_data
from .models import Trainee

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# 第二代残疾人证: the holder's 18-character number, then the kind (1–7) and the grade (1–4).
DISABILITY_CARD = re.compile(r"^(?P<number>\d{17}[\dX])(?P<kind>[1-7])(?P<grade>[1-4])$")
MAX_NAME = Trainee._meta.get_field("name").max_length
MAX_HOUSEHOLD = Trainee._meta.get_field("household").max_length


@dataclass(frozen=True)
class TypedRow:
    """One roster row as text; ``line`` is where it was (the grid's row, the sheet's row)."""

    line: int
    name: str = ""
    id_number: str = ""
    household: str = ""
    category: str = ""
    disability_card: str = ""
    phone: str = ""
    appraisal: str = ""


@dataclass
class RowProblem:
    line: int
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return _("第%(line)d行：%(reasons)s") % {
            "line": self.line,
            "reasons": "；".join(self.reasons),
        }


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()


def _choice(choices: type, typed: str, *, empty: str | None = None) -> str | None:
    """The value of ``choices`` whose label or value is ``typed`` (``empty`` for nothing)."""
    typed = _text(typed)
    if not typed and empty is not None:
        return empty
    for value, label in choices.choices:
        if typed and typed in (value, str(label)):
            return value
    return None


def check_row(typed: TypedRow, *, today: date) -> tuple[Trainee | None, list[str]]:
    """The trainee of one row (not saved, no class yet), or the reasons it is refused."""
    reasons = []
    name = _text(typed.name)
    if not name:
        reasons.append(_("姓名不能为空"))
    elif len(name) > MAX_NAME:
        reasons.append(_("姓名不能超过%(count)d个字") % {"count": MAX_NAME})
    person = None
    try:
        person = identity.read(typed.id_number, today=today)
    except identity.InvalidIdentity as refused:
        reasons.append(str(refused).rstrip("。"))
    household = _text(typed.household)
    if not household:
        reasons.append(_("户籍所在县区不能为空"))
    elif len(household) > MAX_HOUSEHOLD:
        reasons.append(_("户籍所在县区不能超过%(count)d个字") % {"count": MAX_HOUSEHOLD})
    category = _choice(Trainee.Category, typed.category)
    if category is None:
        known = "、".join(str(label) for label in Trainee.Category.labels)
        reasons.append(_("人员类别应为：%(known)s") % {"known": known})
    card = identity.normalise(typed.disability_card)
    if card:
        match = DISABILITY_CARD.match(card)
        if match is None:
            reasons.append(_("残疾证号应为本人公民身份号码加两位数字（残疾类别、等级）"))
        elif person is not None and match["number"] != person.number:
            reasons.append(_("残疾证号的前18位与本人公民身份号码不一致"))
    phone = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", typed.phone or ""))
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        reasons.append(_("联系电话应为11位手机号码或带区号的固定电话"))
    appraisal = _choice(Trainee.Appraisal, typed.appraisal, empty="")
    if appraisal is None:
        reasons.append(_("鉴定结果应为“合格”“不合格”或留空"))
    if reasons or person is None:
        return None, reasons
    return (
        Trainee(
            row=typed.line,
            name=name,
            id_number=person.number,
            id_hash=personal_data.matching_hash(person.number),
            id_masked=person.masked,
            birth_date=person.birth_date,
            male=person.male,
            household=household,
            category=category,
            disability_card=card,
            phone=phone,
            appraisal=appraisal,
        ),
        [],
    )


def check_roster(
    rows: Sequence[TypedRow], *, today: date
) -> tuple[list[Trainee], list[RowProblem]]:
    """Every row's trainee, or every refused row with its reasons (then nothing is to be
    saved). Rows with nothing typed are skipped; the same number twice refuses the later row."""
    trainees: list[Trainee] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    for typed in rows:
        if not any(_text(getattr(typed, name)) for name in TYPED_FIELDS):
            continue
        trainee, reasons = check_row(typed, today=today)
        if trainee is not None:
            earlier = first_line.setdefault(trainee.id_hash, typed.line)
            if earlier != typed.line:
                reasons = [_("与第%(line)d行是同一人（公民身份号码相同）") % {"line": earlier}]
        if reasons:
            problems.append(RowProblem(line=typed.line, reasons=reasons))
        elif trainee is not None:
            trainees.append(trainee)
    return ([] if problems else trainees), problems


TYPED_FIELDS = (
    "name",
    "id_number",
    "household",
    "category",
    "disability_card",
    "phone",
    "appraisal",
)
