"""The auditors' 疑点清单: what in a plan's rosters needs explaining, each finding with the rows
behind it.

Rules (``Rule``): the same person in two classes whose dates overlap; the same person trained by
two departments in the same kind of training in the year; a 残疾人 without a 残疾证号; an age
outside 16–60 when a class starts; a roster changed after the month's figure was approved; two
classes with the same roster. People are matched by the keyed hash of their number, in the
database (``GROUP BY id_hash`` on its index): only the people found more than once are read
back. A finding names people by their masked numbers only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Plan, Submission, Trainee, TrainingClass

YOUNGEST, OLDEST = 16, 60  # working age for labour training


class Rule:
    OVERLAP = "overlap"
    DEPARTMENTS = "departments"
    NO_DISABILITY_CARD = "no-disability-card"
    AGE = "age"
    AFTER_APPROVAL = "after-approval"
    SAME_ROSTER = "same-roster"

    LABELS = {
        OVERLAP: gettext_lazy("同一人参加时间重叠的两个培训班"),
        DEPARTMENTS: gettext_lazy("同一人同年同类培训被两个部门统计"),
        NO_DISABILITY_CARD: gettext_lazy("残疾人学员没有残疾证号"),
        AGE: gettext_lazy("开班时年龄不在16至60岁之间"),
        AFTER_APPROVAL: gettext_lazy("花名册在当月数据审核通过后才更新"),
        SAME_ROSTER: gettext_lazy("两个培训班的花名册完全相同"),
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


def _twice(plan: Plan) -> dict[str, list[Trainee]]:
    """The people in more than one roster row of the plan, by hash, with their rows."""
    rows = Trainee.objects.filter(training_class__indicator__plan=plan)
    repeated = (
        rows.values("id_hash").annotate(times=Count("pk")).filter(times__gt=1).values("id_hash")
    )
    found: dict[str, list[Trainee]] = defaultdict(list)
    for trainee in (
        rows.filter(id_hash__in=repeated)
        .select_related("training_class__indicator__department")
        .defer("id_number", "phone", "disability_card")
        .order_by("id_hash", "training_class_id", "row")
    ):
        found[trainee.id_hash].append(trainee)
    return found


def _people_twice(plan: Plan) -> list[Finding]:
    findings = []
    for rows in _twice(plan).values():
        for first, second in combinations(rows, 2):
            one, other = first.training_class, second.training_class
            if one.pk == other.pk:
                continue
            pair = (one.pk, other.pk)
            if one.start_on <= other.end_on and other.start_on <= one.end_on:
                findings.append(
                    Finding(
                        Rule.OVERLAP,
                        pair,
                        (first.pk, second.pk),
                        _("%(id)s：%(one)s 与 %(other)s")
                        % {"id": first.id_masked, "one": one, "other": other},
                    )
                )
            if one.indicator.department_id != other.indicator.department_id and (
                one.kind == other.kind
            ):
                findings.append(
                    Finding(
                        Rule.DEPARTMENTS,
                        pair,
                        (first.pk, second.pk),
                        _("%(id)s：%(one)s（%(a)s）与 %(other)s（%(b)s）")
                        % {
                            "id": first.id_masked,
                            "one": one,
                            "a": one.indicator.department.short_name,
                            "other": other,
                            "b": other.indicator.department.short_name,
                        },
                    )
                )
    return findings


def _rows(plan: Plan) -> list[Finding]:
    findings = []
    rows = Trainee.objects.filter(training_class__indicator__plan=plan).select_related(
        "training_class"
    )
    for trainee in rows.filter(category=Trainee.Category.DISABLED).only(
        "pk", "id_masked", "disability_card", "training_class"
    ):
        if not trainee.disability_card:
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
    approved = {
        (row["indicator"], row["region"], row["month"]): row["at"]
        for row in Submission.objects.filter(indicator__plan=plan, is_counted=True)
        .values("indicator", "region", "month")
        .annotate(at=Max("reviewed_at"))
    }
    findings = []
    for training_class in TrainingClass.objects.filter(
        indicator__plan=plan, roster_changed_at__isnull=False
    ):
        at = approved.get(
            (training_class.indicator_id, training_class.region_id, training_class.month)
        )
        if at is not None and training_class.roster_changed_at > at:
            findings.append(
                Finding(Rule.AFTER_APPROVAL, (training_class.pk,), (), str(training_class))
            )
    return findings


def _same_rosters(plan: Plan) -> list[Finding]:
    rosters: dict[int, list[str]] = defaultdict(list)
    for class_id, id_hash in (
        Trainee.objects.filter(training_class__indicator__plan=plan)
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


def roster_findings(plan: Plan) -> list[Finding]:
    """Every finding of the plan's rosters, rule by rule."""
    return [
        *_people_twice(plan),
        *_rows(plan),
        *_after_approval(plan),
        *_same_rosters(plan),
    ]
