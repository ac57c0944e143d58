"""SYNTHETIC training classes and rosters for the demo: every person here is invented.

Names are drawn from common characters, 公民身份号码 are made from 浚县's area code, a birth date
and a sequence number with the right GB 11643 check character, all from a fixed seed: they pass
the checks, and belong to nobody. Every class is marked ``is_demo`` and every
class's institution says 【演示】.

浚县's rural transfer (人社局, 人次) and its disabled persons' training (残联, 人) have classes in
every month of the demo, their rosters equal to the month's figure, except what is planted for
the reports to find:

- September's rural transfer: one class short by six people (figure 521, rosters 515);
- one man in two April classes whose dates overlap;
- one woman trained by both 人社局 (June) and 残联 (August) in the same kind of training;
- a 残疾人 in a 残联 class without a 残疾证号;
- a 63-year-old in a rural transfer class, and a 在岗职工 in another;
- February's first class's roster replaced in June, after the month was approved;
- a second May 残联 class, later in the month, with the very roster of another (the May figure
  counts persons, so it stays matched: only the findings see it).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from . import services
from .identity import check_character
from .models import Indicator, Plan, Region, Submission, TrainingClass
from .roster_rows import TypedRow

SEED = 20150612
TZ = ZoneInfo(settings.TIME_ZONE)
COUNTY = "410621"  # 浚县
ITEMS = {"rural-transfer": "hrss", "disabled": "disabled"}
CLASS_SIZE = 40
SHORT = ("rural-transfer", 9, 6)  # item, month, people missing from its first class
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红建华志国海燕春梅"
OCCUPATIONS = {
    "rural-transfer": ["电工", "焊工", "中式烹调师", "育婴员", "养老护理员", "叉车司机"],
    "disabled": ["盲人按摩", "手工编织", "电子商务", "面点师"],
}
INSTITUTIONS = {
    "rural-transfer": "【演示】浚县职业技能培训学校",
    "disabled": "【演示】浚县残疾人职业培训基地",
}


class _People:
    """Synthetic people of 浚县: a name, a number with the right check character, a birth date."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def one(self, *, born: date | None = None, male: bool | None = None) -> dict[str, str]:
        rng = self.rng
        male = rng.random() < 0.55 if male is None else male
        while True:
            day = born or date(rng.randint(1962, 1996), rng.randint(1, 12), rng.randint(1, 28))
            # The 3-digit order: odd for a man, even for a woman (GB 11643).
            order = rng.randrange(0, 499) * 2 + (1 if male else 2)
            first17 = f"{COUNTY}{day:%Y%m%d}{order:03d}"
            if first17 not in self.used:  # one number, one person
                self.used.add(first17)
                break
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        return {"name": name, "id_number": first17 + check_character(first17)}


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def _approved(plan: Plan, indicator: Indicator, region: Region) -> dict[int, int]:
    """This cell's current figure of each month (approved or waiting): what rosters stand for."""
    return dict(
        Submission.objects.filter(indicator=indicator, region=region, is_current=True)
        .exclude(status=Submission.Status.RETURNED)
        .values_list("month", "value")
    )


def _row(line: int, person: dict[str, str], code: str, **more: str) -> TypedRow:
    typed = {"household": "浚县", "category": "残疾人" if code == "disabled" else "农村转移劳动力"}
    if code == "disabled" and "disability_card" not in more:
        typed["disability_card"] = person["id_number"] + "12"  # 肢体残疾二级
    return TypedRow(line=line, **{**person, **typed, **more})


def load_rosters(plan: Plan, clerks: dict[str, Any]) -> int:
    """Classes and rosters of 浚县 for the two items; the number of roster rows written."""
    rng = random.Random(SEED)
    people = _People(rng)
    region = Region.objects.get(code=COUNTY)
    written = 0
    planted: dict[str, Any] = {
        "overlap": people.one(male=True),
        "two-departments": people.one(male=False),
        "old": people.one(born=date(1952, 3, 8), male=True),
    }
    made: dict[tuple[str, int], list[TrainingClass]] = {}
    for code, department in ITEMS.items():
        indicator = plan.indicators.get(code=code)
        clerk = clerks[department]
        for month, value in sorted(_approved(plan, indicator, region).items()):
            sizes = [CLASS_SIZE] * (value // CLASS_SIZE) + [value % CLASS_SIZE] * bool(
                value % CLASS_SIZE
            )
            if (code, month) == SHORT[:2]:
                sizes[0] -= SHORT[2]
            for number, size in enumerate(sizes):
                start = date(plan.year, month, 1 + (number * 3) % 18)
                end = start + timedelta(days=rng.randint(4, 9))
                training_class = services.training_class_create(
                    actor=clerk,
                    indicator=indicator,
                    region=region,
                    institution=INSTITUTIONS[code],
                    occupation=OCCUPATIONS[code][number % len(OCCUPATIONS[code])],
                    kind="employment",
                    start_on=start,
                    end_on=end,
                    hours=rng.choice([40, 56, 80, 120]),
                    at=_at(start, 9),
                    is_demo=True,
                )
                made.setdefault((code, month), []).append(training_class)
                persons = [people.one() for _ in range(size)]
                if (code, month, number) == ("rural-transfer", 4, 0):
                    persons[0] = planted["overlap"]
                if (code, month, number) == ("rural-transfer", 4, 1):
                    persons[0] = planted["overlap"]  # the same man, dates overlapping
                if (code, month, number) == ("rural-transfer", 6, 0):
                    persons[0] = planted["two-departments"]
                if (code, month, number) == ("disabled", 8, 0):
                    persons[0] = planted["two-departments"]
                if (code, month, number) == ("rural-transfer", 7, 0):
                    persons[0] = planted["old"]
                rows = [_row(line, person, code) for line, person in enumerate(persons, 1)]
                if (code, month, number) == ("disabled", 3, 0):
                    rows[0] = _row(1, persons[0], code, disability_card="")
                if (code, month, number) == ("rural-transfer", 8, 0):
                    rows[0] = _row(1, persons[0], code, category="在岗职工")
                services.roster_replace(
                    actor=clerk, training_class=training_class, rows=rows, at=_at(end)
                )
                written += len(rows)
    _plant_after_approval(made, clerks)
    written += _plant_same_roster(plan, made, clerks, region)
    return written


def _plant_after_approval(made: dict[tuple[str, int], list[TrainingClass]], clerks: Any) -> None:
    """February's first rural transfer class: its roster saved again in June, unchanged."""
    february = made[("rural-transfer", 2)][0]
    kept = list(february.trainees.values_list("pk", flat=True))
    services.roster_replace(
        actor=clerks["hrss"],
        training_class=february,
        rows=[],
        keep=kept,
        at=_at(date(february.indicator.plan.year, 6, 20)),
    )


def _plant_same_roster(
    plan: Plan, made: dict[tuple[str, int], list[TrainingClass]], clerks: Any, region: Region
) -> int:
    """May's first 残联 class gets a twin later in May with the same people: the month counts
    persons (人), so its figure still matches; the findings show the twin."""
    original = made[("disabled", 5)][0]
    start = date(plan.year, 5, 22)
    twin = services.training_class_create(
        actor=clerks["disabled"],
        indicator=original.indicator,
        region=region,
        institution=original.institution,
        occupation=original.occupation,
        kind=original.kind,
        start_on=start,
        end_on=start + timedelta(days=5),
        hours=original.hours,
        at=_at(start, 10),
        is_demo=True,
    )
    rows = [
        TypedRow(
            line=trainee.row,
            name=trainee.name,
            id_number=trainee.id_number,
            household=trainee.household,
            category="残疾人",
            disability_card=trainee.disability_card,
        )
        for trainee in original.trainees.order_by("row")
    ]
    services.roster_replace(
        actor=clerks["disabled"], training_class=twin, rows=rows, at=_at(twin.end_on)
    )
    return len(rows)
