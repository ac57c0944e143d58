"""Reads of the rosters: each approved training figure against the people behind it (核对).

For every training quota (a flow counted in 人次 or 人), county (or 市直) and month, the approved
figure (the counted revision) beside the roster count of the classes counted in that month: in
人次 every roster row counts (one person in two classes, twice); in 人 each person once (by the
keyed hash). A figure with no roster behind it, or a roster with no approved figure yet, is a
row too. Four queries (the items, the classes' counts, the figures, their counties),
whatever the number of classes and trainees.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from .models import Indicator, Plan, Region, Submission, TrainingClass

PERSON_TIMES = "人次"


@dataclass(frozen=True)
class RosterCheck:
    indicator: Indicator
    region: Region
    month: int
    figure: int | None  # the approved figure; None: none approved (yet)
    roster: int  # in the indicator's unit: 人次 rows, or persons
    classes: int

    @property
    def difference(self) -> int | None:
        """Roster minus figure; None while no figure is approved."""
        return None if self.figure is None else self.roster - self.figure

    @property
    def matches(self) -> bool:
        return self.figure is not None and self.figure == self.roster


def is_roster_item(indicator: Indicator) -> bool:
    """Does a roster stand behind ``indicator``'s figures (``roster_items``' test, in Python)."""
    return (
        indicator.role == Indicator.Role.QUOTA
        and indicator.kind == Indicator.Kind.FLOW
        and indicator.accepts_figures
        and indicator.unit in (PERSON_TIMES, "人")
    )


def roster_items(plan: Plan) -> list[Indicator]:
    """The plan's quotas that rosters stand behind: flows counted in 人次 or 人."""
    return list(
        plan.indicators.select_related("feeds")
        .filter(
            role=Indicator.Role.QUOTA,
            kind=Indicator.Kind.FLOW,
            accepts_figures=True,
            unit__in=(PERSON_TIMES, "人"),
        )
        .order_by("order", "code")
    )


def _class_counts(classes: QuerySet[TrainingClass]) -> dict[tuple[int, int, int], dict]:
    """Per (item, county, month) of ``classes``: classes, 人次 (rows) and persons (hashes)."""
    return {
        (row["indicator"], row["region"], row["month"]): row
        for row in classes.values("indicator", "region", "month").annotate(
            classes=Count("pk", distinct=True),
            person_times=Count("trainees"),
            persons=Count("trainees__id_hash", distinct=True),
        )
    }


def _in_unit(indicator: Indicator, counted: dict | None) -> int:
    if counted is None:
        return 0
    return counted["person_times"] if indicator.unit == PERSON_TIMES else counted["persons"]


def roster_counts(figures: list[Submission]) -> dict[int, int]:
    """For each figure of a roster item (by its pk), the roster behind its cell and month in
    the item's unit; figures of other items are not in the answer. One or two queries."""
    items = {
        indicator.pk: indicator
        for indicator in {figure.indicator for figure in figures}
        if is_roster_item(indicator)
    }
    chosen = [figure for figure in figures if figure.indicator_id in items]
    if not chosen:
        return {}
    counted = _class_counts(
        TrainingClass.objects.filter(
            indicator__in=items.keys(),
            region__in={figure.region_id for figure in chosen},
            month__in={figure.month for figure in chosen},
        )
    )
    return {
        figure.pk: _in_unit(
            items[figure.indicator_id],
            counted.get((figure.indicator_id, figure.region_id, figure.month)),
        )
        for figure in chosen
    }


def roster_refusal(figure: Submission) -> str | None:
    """Why ``figure`` may not be approved under its plan's 花名册核对 setting (``block``):
    its value differs from the roster behind it. None: it may."""
    if figure.indicator.plan.roster_mismatch != "block":
        return None
    roster = roster_counts([figure]).get(figure.pk)
    if roster is None or roster == figure.value:
        return None
    return _(
        "%(item)s（%(region)s，%(month)d月）的数据为%(value)d%(unit)s，而花名册为%(roster)d%(unit)s："
        "本方案要求两者一致才能审核通过。请退回核实，或由填报人补齐花名册。"
    ) % {
        "item": figure.indicator.entry_name,
        "region": figure.region.name,
        "month": figure.month,
        "value": figure.value,
        "roster": roster,
        "unit": figure.indicator.unit,
    }


Cell = tuple[int, int, int]  # item, county, month


def _cells(
    plan: Plan, month: int | None
) -> tuple[dict[int, Indicator], dict[Cell, dict], dict[Cell, int]]:
    """The roster items, the classes' counts and the approved figures per cell, up to
    ``month``: three queries."""
    items = {indicator.pk: indicator for indicator in roster_items(plan)}
    classes = TrainingClass.objects.filter(indicator__in=items.keys())
    figures = Submission.objects.filter(indicator__in=items.keys(), is_counted=True)
    if month is not None:
        classes, figures = classes.filter(month__lte=month), figures.filter(month__lte=month)
    approved = {
        (indicator_id, region_id, figure_month): value
        for indicator_id, region_id, figure_month, value in figures.values_list(
            "indicator_id", "region_id", "month", "value"
        )
    }
    return items, _class_counts(classes), approved


def roster_check(indicator: Indicator, region: Region, month: int) -> RosterCheck | None:
    """One cell's check (a class's page): its approved figure and rosters, two queries; None
    when it has neither."""
    counted = _class_counts(
        TrainingClass.objects.filter(indicator=indicator, region=region, month=month)
    ).get((indicator.pk, region.pk, month))
    figure = (
        Submission.objects.filter(indicator=indicator, region=region, month=month, is_counted=True)
        .values_list("value", flat=True)
        .first()
    )
    if counted is None and figure is None:
        return None
    return RosterCheck(
        indicator=indicator,
        region=region,
        month=month,
        figure=figure,
        roster=_in_unit(indicator, counted),
        classes=counted["classes"] if counted is not None else 0,
    )


def roster_checks(plan: Plan, *, month: int | None = None) -> list[RosterCheck]:
    """Every (item, county, month) with an approved figure or a class, up to ``month`` (all
    months without), in the items' order, then the counties', then the months'."""
    items, counted, approved = _cells(plan, month)
    regions = Region.objects.in_bulk({key[1] for key in (*counted, *approved)})
    checks = []
    for key in {*counted, *approved}:
        indicator_id, region_id, key_month = key
        indicator = items[indicator_id]
        found = counted.get(key)
        roster = _in_unit(indicator, found)
        checks.append(
            RosterCheck(
                indicator=indicator,
                region=regions[region_id],
                month=key_month,
                figure=approved.get(key),
                roster=roster,
                classes=found["classes"] if found is not None else 0,
            )
        )
    return sorted(
        checks,
        key=lambda c: (c.indicator.order, c.indicator.code, c.region.order, c.region.code, c.month),
    )


@dataclass(frozen=True)
class Backing:
    """How much of a goal's approved training is backed by rosters: per cell the approved
    figure and, of it, what its roster covers (never more than the figure)."""

    goal: Indicator
    reported: int  # the approved figures of the roster items feeding the goal
    backed: int  # of them, covered by rosters: Σ min(figure, roster) cell by cell

    @property
    def share(self) -> Fraction | None:
        return None if not self.reported else Fraction(self.backed, self.reported)


def roster_backing(plan: Plan, month: int, region: Region | None = None) -> list[Backing]:
    """Per goal that roster items feed (the training goal), its backing up to ``month``
    (``region``'s cells only, given). Three queries."""
    items, counted, approved = _cells(plan, month)
    goals: dict[int, Backing] = {}
    for (indicator_id, region_id, figure_month), figure in approved.items():
        indicator = items[indicator_id]
        goal = indicator.feeds
        if goal is None or (region is not None and region_id != region.pk):
            continue
        roster = _in_unit(indicator, counted.get((indicator_id, region_id, figure_month)))
        found = goals.get(goal.pk, Backing(goal, 0, 0))
        goals[goal.pk] = Backing(goal, found.reported + figure, found.backed + min(figure, roster))
    return sorted(goals.values(), key=lambda b: (b.goal.order, b.goal.code))
