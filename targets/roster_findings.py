"""The auditors' 疑点清单: what in a plan's rosters needs explaining, each finding with the rows
behind it.

Rules (``Rule``): the same person in two classes whose dates overlap; the same person trained by
two departments in the same kind of training in the year; a 残疾人 without a 残疾证号; an age
outside 16–60 when a class starts; a person of another category than the item trains
(``ITEM_CATEGORIES``); a roster changed after the month's figure was approved; two classes with
the same roster. People are matched by the keyed hash of their number, in the
database (``GROUP BY id_hash`` on its index): only the people found more than once are read
back. A finding names people by their masked numbers only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Department, Indicator, Plan, Submission, Trainee, TrainingClass

YOUNGEST, OLDEST = 16, 60  # working age for labour training


class Rule:
    OVERLAP = "overlap"
    DEPARTMENTS = "departments"
    NO_DISABILITY_CARD = "no-disability-card"
    AGE = "age"
    AFTER_APPROVAL = "after-approval"
    SAME_ROSTER = "same-roster"
    CATEGORY = "category"

    LABELS = {
        OVERLAP: gettext_lazy("同一人参加时间重叠的两个培训班"),
        DEPARTMENTS: gettext_lazy("同一人同年同类培训被两个部门统计"),
        NO_DISABILITY_CARD: gettext_lazy("残疾人学员没有残疾证号"),
        AGE: gettext_lazy("开班时年龄不在16至60岁之间"),
        AFTER_APPROVAL: gettext_lazy("花名册在当月数据审核通过后才更新"),
        SAME_ROSTER: gettext_lazy("两个培训班的花名册完全相同"),
        CATEGORY: gettext_lazy("学员的人员类别不是该任务的培训对象"),
    }


# Whom each training item of the plan trains (by its code): a roster row of another category is
# a finding. Items not listed (创业培训, 事业单位人员培训) take anyone.
ITEM_CATEGORIES = {
    "rural-transfer": ("rural",),
    "in-service": ("employee",),
    "reemployment": ("unemployed",),
    "new-farmers": ("farmer",),
    "rain-dew": ("poor",),
    "disabled": ("disabled",),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    classes: tuple[int, ...]  # the classes behind it, by id
    trainees: tuple[int, ...]  # the roster rows behind it, by id (none for a whole class)
    detail: str

    @property
    def label(self) -> str:
        return str(Rule.LABELS[self.rule])

    @property
    def key(self) -> str:
        """The finding's name for its explanation (``FindingNote.key``): rule, classes, rows."""
        classes = ",".join(map(str, sorted(self.classes)))
        return f"{self.rule}:{classes}:{','.join(map(str, sorted(self.trainees)))}"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


_PAIRS = """
WITH rows AS (
    SELECT r.id, r.id_hash, r.id_masked, r.training_class_id AS class_id, k.start_on, k.end_on,
        k.kind, k.institution, k.occupation, n.department_id, d.short_name
    FROM {trainee} r
    JOIN {klass} k ON k.id = r.training_class_id
    JOIN {indicator} n ON n.id = k.indicator_id
    JOIN {department} d ON d.id = n.department_id
    WHERE n.plan_id = %s AND r.id_hash IN (
        SELECT r2.id_hash FROM {trainee} r2
        JOIN {klass} k2 ON k2.id = r2.training_class_id
        JOIN {indicator} n2 ON n2.id = k2.indicator_id
        WHERE n2.plan_id = %s
        GROUP BY r2.id_hash HAVING COUNT(*) > 1
    )
)
SELECT a.id, b.id, a.id_masked,
    a.class_id, a.start_on, a.end_on, a.kind, a.institution, a.occupation, a.department_id,
    a.short_name,
    b.class_id, b.start_on, b.end_on, b.kind, b.institution, b.occupation, b.department_id,
    b.short_name
FROM rows a JOIN rows b ON a.id_hash = b.id_hash AND a.class_id < b.class_id
ORDER BY a.id_hash, a.class_id, b.class_id
"""


@dataclass(frozen=True)
class _Class:
    """A class as a finding names it, read with the rows (``str`` as ``TrainingClass``'s)."""

    pk: int
    start_on: Any  # a date (a string on SQLite's raw cursor: ISO, so it compares the same)
    end_on: Any
    kind: str
    institution: str
    occupation: str
    department_id: int
    department: str

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation} ({self.start_on}–{self.end_on})"


def _pairs(plan: Plan) -> Iterator[tuple[int, int, str, _Class, _Class]]:
    """Every two roster rows of one person in two classes of the plan: set-based, in the
    database (the people found twice by ``GROUP BY id_hash`` on its index, then their rows
    joined with each other); nothing else is read."""
    quote = connection.ops.quote_name
    sql = _PAIRS.format(
        trainee=quote(Trainee._meta.db_table),
        klass=quote(TrainingClass._meta.db_table),
        indicator=quote(Indicator._meta.db_table),
        department=quote(Department._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.pk, plan.pk])
        for first, second, masked, *classes in cursor.fetchall():
            yield first, second, masked, _Class(*classes[:8]), _Class(*classes[8:])


def _people_twice(plan: Plan) -> list[Finding]:
    findings = []
    for first, second, masked, one, other in _pairs(plan):
        pair = (one.pk, other.pk)
        if one.start_on <= other.end_on and other.start_on <= one.end_on:
            findings.append(
                Finding(
                    Rule.OVERLAP,
                    pair,
                    (first, second),
                    _("%(id)s：%(one)s 与 %(other)s") % {"id": masked, "one": one, "other": other},
                )
            )
        if one.department_id != other.department_id and one.kind == other.kind:
            findings.append(
                Finding(
                    Rule.DEPARTMENTS,
                    pair,
                    (first, second),
                    _("%(id)s：%(one)s（%(a)s）与 %(other)s（%(b)s）")
                    % {
                        "id": masked,
                        "one": one,
                        "a": one.department,
                        "other": other,
                        "b": other.department,
                    },
                )
            )
    return findings


def _rows(plan: Plan) -> list[Finding]:
    findings = []
    rows = Trainee.objects.filter(training_class__indicator__plan=plan).select_related(
        "training_class"
    )
    # An empty 残疾证号 is stored as "" (never encrypted): found by its length, nothing decrypted.
    for trainee in (
        rows.filter(category=Trainee.Category.DISABLED)
        .annotate(card=Length("disability_card"))
        .filter(card=0)
        .only("pk", "id_masked", "training_class")
    ):
        findings.append(
            Finding(
                Rule.NO_DISABILITY_CARD,
                (trainee.training_class_id,),
                (trainee.pk,),
                trainee.id_masked,
            )
        )
    # Ages: only people born near the edges are read (a window over the year's start dates),
    # then each is judged on the day their own class started.
    starts = TrainingClass.objects.filter(indicator__plan=plan).aggregate(
        first=Min("start_on"), last=Max("start_on")
    )
    if starts["first"] is None:
        return findings
    young = _years_before(starts["first"], YOUNGEST)
    old = _years_before(starts["last"], OLDEST + 1)
    edges = rows.filter(Q(birth_date__gt=young) | Q(birth_date__lte=old)).only(
        "pk", "id_masked", "birth_date", "training_class__start_on"
    )
    for trainee in edges:
        age = _age(trainee.birth_date, trainee.training_class.start_on)
        if not YOUNGEST <= age <= OLDEST:
            findings.append(
                Finding(
                    Rule.AGE,
                    (trainee.training_class_id,),
                    (trainee.pk,),
                    _("%(id)s：%(age)d岁") % {"id": trainee.id_masked, "age": age},
                )
            )
    return findings


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _after_approval(plan: Plan) -> list[Finding]:
    approved_at = Submission.objects.filter(
        indicator=OuterRef("indicator"),
        region=OuterRef("region"),
        month=OuterRef("month"),
        is_counted=True,
    ).values("reviewed_at")[:1]
    late = (
        TrainingClass.objects.filter(indicator__plan=plan, roster_changed_at__isnull=False)
        .annotate(approved_at=Subquery(approved_at))
        .filter(roster_changed_at__gt=F("approved_at"))
        .order_by("pk")
    )
    return [Finding(Rule.AFTER_APPROVAL, (c.pk,), (), str(c)) for c in late]


def _same_rosters(plan: Plan) -> list[Finding]:
    """Classes with the very same people: candidates by (size, least hash, greatest hash), one
    aggregate in the database; only the candidates' hashes are read to compare them whole."""
    rows = Trainee.objects.filter(training_class__indicator__plan=plan)
    by_signature: dict[tuple, list[int]] = defaultdict(list)
    for row in (
        rows.values("training_class")
        .annotate(size=Count("pk"), least=Min("id_hash"), greatest=Max("id_hash"))
        .order_by("training_class")
    ):
        signature = (row["size"], row["least"], row["greatest"])
        by_signature[signature].append(row["training_class"])
    candidates = [pk for classes in by_signature.values() if len(classes) > 1 for pk in classes]
    rosters: dict[int, list[str]] = defaultdict(list)
    for class_id, id_hash in (
        rows.filter(training_class__in=candidates)
        .order_by("training_class_id", "id_hash")
        .values_list("training_class_id", "id_hash")
    ):
        rosters[class_id].append(id_hash)
    by_roster: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for class_id, hashes in rosters.items():
        by_roster[tuple(hashes)].append(class_id)
    return [
        Finding(
            Rule.SAME_ROSTER,
            tuple(classes),
            (),
            _("%(count)d个培训班，各%(people)d人") % {"count": len(classes), "people": len(key)},
        )
        for key, classes in by_roster.items()
        if len(classes) > 1
    ]


def _outside_category(plan: Plan) -> list[Finding]:
    """Rows whose category is not whom their item trains (``ITEM_CATEGORIES``): one query."""
    outside = Q(pk__in=[])
    for code, categories in ITEM_CATEGORIES.items():
        outside |= Q(training_class__indicator__code=code) & ~Q(category__in=categories)
    labels = dict(Trainee.Category.choices)
    rows = (
        Trainee.objects.filter(outside, training_class__indicator__plan=plan)
        .order_by("training_class_id", "row")
        .values_list(
            "pk", "id_masked", "category", "training_class_id", "training_class__indicator__name"
        )
    )
    return [
        Finding(
            Rule.CATEGORY,
            (class_id,),
            (pk,),
            _("%(id)s：%(category)s，不是“%(item)s”的培训对象")
            % {"id": masked, "category": labels.get(category, category), "item": item},
        )
        for pk, masked, category, class_id, item in rows
    ]


def roster_findings(plan: Plan) -> list[Finding]:
    """Every finding of the plan's rosters, rule by rule."""
    return [
        *_people_twice(plan),
        *_rows(plan),
        *_outside_category(plan),
        *_after_approval(plan),
        *_same_rosters(plan),
    ]
