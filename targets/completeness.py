"""Reports missing and late: per department × county, for one month of a plan.

A department owes, each month, one figure per series it reports for every county. A figure is
received once first sent, and on time when first sent before the deadline (a figure returned
and sent again keeps its first sending). The reminder job (``reporting.reminders``) and the
review pages read this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q

from .models import Department, Indicator, Plan, Region, Submission, places_of
from .periods import deadline


@dataclass(frozen=True)
class Gap:
    department: str  # code
    department_name: str
    region: str  # code
    region_name: str
    expected: int
    received: int
    on_time: int

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def late(self) -> int:
        return self.received - self.on_time


def gaps(plan: Plan, month: int) -> list[Gap]:
    """Departments × counties with a report missing or late for ``month`` (received by now)."""
    due = deadline(plan, month)
    series = list(
        Indicator.objects.filter(plan=plan, accepts_figures=True).values_list("pk", "department_id")
    )
    per_department: dict[int, int] = {}
    for _pk, department_id in series:
        per_department[department_id] = per_department.get(department_id, 0) + 1
    counts = {
        (row["indicator__department"], row["region"]): row
        for row in Submission.objects.filter(
            indicator__plan=plan, indicator__accepts_figures=True, month=month, revision=1
        )
        .values("indicator__department", "region")
        .annotate(
            received=Count("first_submitted_at"),
            on_time=Count("first_submitted_at", filter=Q(first_submitted_at__lt=due)),
        )
        .order_by()
    }
    found = []
    regions = list(places_of(plan))
    for department in Department.objects.filter(pk__in=per_department).order_by("order", "code"):
        for region in regions:
            row = counts.get((department.pk, region.pk), {"received": 0, "on_time": 0})
            gap = Gap(
                department=department.code,
                department_name=department.name,
                region=region.code,
                region_name=region.name,
                expected=per_department[department.pk],
                received=row["received"],
                on_time=row["on_time"],
            )
            if gap.missing or gap.late:
                found.append(gap)
    return found


@dataclass(frozen=True)
class Reported:
    """For one row (goal, quota or rate; a county or the city) and month: the cells (series ×
    county) whose figures it needs, and how many have an approved (counted) revision."""

    expected: int
    approved: int

    @property
    def complete(self) -> bool:
        return self.approved >= self.expected

    def as_dict(self) -> dict[str, int]:
        return {"expected": self.expected, "approved": self.approved}


class Coverage:
    """Which reports each row needs in a month and which are approved, read with one query.

    The series of a row: a flow or stock quota, itself; a goal, itself if it takes figures
    and the quotas that feed it; a rate, its numerator and denominator. Its places: the county
    of a county row, every county for the city row. Series that take no figures are not owed.
    """

    def __init__(
        self,
        plan: Plan,
        month: int,
        *,
        indicators: Iterable[Indicator] | None = None,
        regions: Iterable[Region] | None = None,
        approved: set[tuple[int, int]] | None = None,
    ) -> None:
        self.month = month
        indicators = list(
            plan.indicators.select_related("department") if indicators is None else indicators
        )
        self.by_id = {i.pk: i for i in indicators}
        self.regions = {r.pk: r for r in (places_of(plan) if regions is None else regions)}
        self.region_ids = list(self.regions)
        self.feeders: dict[int, list[int]] = defaultdict(list)
        for indicator in indicators:
            if indicator.feeds_id:
                self.feeders[indicator.feeds_id].append(indicator.pk)
        if approved is None:
            approved = set(
                Submission.objects.filter(indicator__plan=plan, month=month, is_counted=True)
                .order_by()
                .values_list("indicator_id", "region_id")
            )
        self.approved = approved

    def series(self, indicator: Indicator) -> list[int]:
        if indicator.kind == Indicator.Kind.RATE:
            candidates = [indicator.numerator_id, indicator.denominator_id]
        else:
            candidates = [indicator.pk, *self.feeders.get(indicator.pk, [])]
        found = []
        for pk in candidates:
            series = self.by_id.get(pk)
            if series is not None and series.accepts_figures and pk not in found:
                found.append(pk)
        return found

    def cells(self, indicator: Indicator, region_id: int | None) -> list[tuple[int, int]]:
        places = self.region_ids if region_id is None else [region_id]
        return [(series, place) for series in self.series(indicator) for place in places]

    def reported(self, indicator: Indicator, region_id: int | None = None) -> Reported:
        cells = self.cells(indicator, region_id)
        return Reported(expected=len(cells), approved=sum(cell in self.approved for cell in cells))

    def missing(self, indicator: Indicator, region_id: int | None = None) -> list[tuple[int, int]]:
        """The (department id, county id) pairs with a needed figure not yet approved."""
        found: list[tuple[int, int]] = []
        for series, place in self.cells(indicator, region_id):
            pair = (self.by_id[series].department_id, place)
            if (series, place) not in self.approved and pair not in found:
                found.append(pair)
        return found

    def missing_names(self, indicator: Indicator, region_id: int | None = None) -> list[str]:
        """Who is missing, for people: "人社局 · 浚县" per department × county."""
        departments = {i.department_id: i.department for i in self.by_id.values()}
        return [
            f"{departments[department].short_name} · {self.regions[place].name}"
            for department, place in self.missing(indicator, region_id)
        ]

    def totals(self, region_id: int | None = None) -> Reported:
        """The plan's reports of the month: every series taking figures × every county (or
        × the one county ``region_id``, for that county's own pages)."""
        places = self.region_ids if region_id is None else [region_id]
        cells = [
            (pk, place)
            for pk, indicator in self.by_id.items()
            if indicator.accepts_figures and indicator.kind != Indicator.Kind.RATE
            for place in places
        ]
        return Reported(expected=len(cells), approved=sum(cell in self.approved for cell in cells))


def coverages(
    plan: Plan,
    months: Iterable[int],
    *,
    indicators: Iterable[Indicator] | None = None,
    regions: Iterable[Region] | None = None,
) -> dict[int, Coverage]:
    """``Coverage`` for several months (a drill-down's months), from one query of approvals."""
    months = sorted(set(months))
    indicators = list(
        plan.indicators.select_related("department") if indicators is None else indicators
    )
    regions = list(places_of(plan) if regions is None else regions)
    approved: dict[int, set[tuple[int, int]]] = {month: set() for month in months}
    for indicator_id, region_id, month in (
        Submission.objects.filter(indicator__plan=plan, month__in=months, is_counted=True)
        .order_by()
        .values_list("indicator_id", "region_id", "month")
    ):
        approved[month].add((indicator_id, region_id))
    return {
        month: Coverage(
            plan, month, indicators=indicators, regions=regions, approved=approved[month]
        )
        for month in months
    }


@dataclass(frozen=True)
class MissingReport:
    """A department × county whose reports of a month are not all approved."""

    department: Department
    region: Region
    expected: int
    approved: int
    sent: int  # of those not approved, how many are waiting for review

    @property
    def missing(self) -> int:
        return self.expected - self.approved

    @property
    def unsent(self) -> int:
        """Not sent, or returned and not sent again: the clerk's to do."""
        return self.missing - self.sent


def missing_reports(plan: Plan, month: int) -> list[MissingReport]:
    """Every department × county of the plan with a report of ``month`` not yet approved: not
    sent, returned, or waiting for review. Those rows are pending: a reminder (催报) is due,
    not a supervision notice. Three queries."""
    series = list(
        Indicator.objects.filter(plan=plan, accepts_figures=True)
        .exclude(kind=Indicator.Kind.RATE)
        .select_related("department")
    )
    cells = {
        (indicator_id, region_id): (is_counted, status)
        for indicator_id, region_id, is_counted, status in Submission.objects.filter(
            indicator__plan=plan, month=month
        )
        .filter(Q(is_counted=True) | Q(is_current=True))
        .order_by("is_counted")  # a counted revision wins over a correction under review
        .values_list("indicator_id", "region_id", "is_counted", "status")
    }
    found = []
    regions = list(places_of(plan))
    departments: dict[int, Department] = {}
    per_department: dict[int, list[int]] = defaultdict(list)
    for indicator in series:
        departments[indicator.department_id] = indicator.department
        per_department[indicator.department_id].append(indicator.pk)
    for department_id in sorted(
        per_department, key=lambda pk: (departments[pk].order, departments[pk].code)
    ):
        for region in regions:
            states = [cells.get((pk, region.pk)) for pk in per_department[department_id]]
            approved = sum(1 for state in states if state and state[0])
            sent = sum(
                1
                for state in states
                if state
                and not state[0]
                and state[1] in (Submission.Status.SUBMITTED, Submission.Status.VERIFIED)
            )
            if approved < len(states):
                found.append(
                    MissingReport(
                        department=departments[department_id],
                        region=region,
                        expected=len(states),
                        approved=approved,
                        sent=sent,
                    )
                )
    return found


def judged_status(status: str | None, reported: Reported) -> str | None:
    """A row's status once completeness is known: ``pending`` while any report it needs for
    the month is not approved (not judged, whatever the figures so far say); else the
    rollup's status (``None`` without data or target)."""
    if reported.expected and not reported.complete:
        return PENDING
    return status


PENDING = "pending"


def cities_reported(plan: Plan, month: int) -> dict[int, Reported]:
    """For a province's plan: each of its cities' own plan of the same year, how many of its
    reports of ``month`` (series taking figures × the city's places, as ``Coverage.totals``)
    are approved, by city id. Three queries, however many cities; a city without a plan
    that year owes none."""
    cities = places_of(plan).values("pk")
    owed = Q(accepts_figures=True) & ~Q(kind=Indicator.Kind.RATE)
    series = dict(
        Indicator.objects.filter(owed, plan__unit__in=cities, plan__year=plan.year)
        .values("plan__unit")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("plan__unit", "count")
    )
    places = dict(
        Region.objects.filter(parent__in=cities)
        .values("parent")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("parent", "count")
    )
    approved = dict(
        Submission.objects.filter(
            indicator__plan__unit__in=cities,
            indicator__plan__year=plan.year,
            indicator__accepts_figures=True,
            region__parent=F("indicator__plan__unit"),
            month=month,
            is_counted=True,
        )
        .exclude(indicator__kind=Indicator.Kind.RATE)
        .values("indicator__plan__unit")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("indicator__plan__unit", "count")
    )
    return {
        city: Reported(expected=count * places.get(city, 0), approved=approved.get(city, 0))
        for city, count in series.items()
    }
