"""Reads for a province's page (省级进度看板): its plan's rollup rows, the province's total and
each city's, with the cities ranked; and each city's own reports of the month.

A province's plan is rolled up like a city's (``reporting.rollup``): its rows' ``region`` is
one of its cities (``places_of``), or empty for the province's total. A city's row is judged
only once its own plan's reports of the month are all approved (``completeness.
cities_reported``), and the total once every city's are; before that they are pending (待报).
A fixed number of queries, however many cities and indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from targets import completeness
from targets.models import Indicator, Plan, Region, places_of

from . import formatting, selectors
from .models import Rollup
from .rows import ROW_FIELDS, IndicatorProgress, ProgressRow

ROLES = (Indicator.Role.GOAL, Indicator.Role.QUOTA)


@dataclass(frozen=True)
class CityStanding:
    """One city's row of an indicator: its progress (None without a rollup row) and its
    place in the ranking (None: no completion to rank by)."""

    region: Region
    progress: IndicatorProgress | None
    rank: int | None

    @property
    def pending(self) -> bool:
        return self.progress is not None and self.progress.status == completeness.PENDING


@dataclass(frozen=True)
class ProvinceIndicator:
    """A goal or quota of the province's plan: the province's total and its cities, ranked."""

    indicator: Indicator
    total: IndicatorProgress | None
    cities: tuple[CityStanding, ...]

    @property
    def total_pending(self) -> bool:
        return self.total is not None and self.total.status == completeness.PENDING


def province_by_code(code: str) -> Region | None:
    """The province with this code; None for any other unit or no unit."""
    return Region.objects.filter(code=code, kind=Region.Kind.PROVINCE).first()


def _completion(item: IndicatorProgress | None) -> Fraction | None:
    return None if item is None else formatting.completion_of(item)


def ranked(standings: list[tuple[Region, IndicatorProgress | None]]) -> list[CityStanding]:
    """Cities by completion, highest first (pending ones too: they are greyed, not left
    out); those without a completion last, in the plan's order."""
    order = sorted(
        standings,
        key=lambda pair: (
            _completion(pair[1]) is None,
            -(_completion(pair[1]) or 0),
        ),
    )
    found, rank = [], 0
    for region, item in order:
        if _completion(item) is not None:
            rank += 1
        found.append(CityStanding(region, item, rank if _completion(item) is not None else None))
    return found


@dataclass(frozen=True)
class ProvinceProgress:
    """A province's page as of a month: every city's reports (approved of owed), the cities
    whose reports are not all approved, and the goals and quotas."""

    reported: completeness.Reported
    pending_cities: tuple[str, ...]
    indicators: tuple[ProvinceIndicator, ...]

    @property
    def has_rollup(self) -> bool:
        """Has the province's plan been rolled up for the month at all?"""
        return any(
            item.total is not None or any(city.progress is not None for city in item.cities)
            for item in self.indicators
        )


def province_progress(plan: Plan, month: int) -> ProvinceProgress:
    """The province plan's goals, then its quotas, as of ``month``: the total and the cities
    ranked, each judged against its own reports."""
    cities = list(places_of(plan))
    indicators = sorted(
        plan.indicators.filter(role__in=ROLES).select_related("department"),
        key=lambda i: (i.role != Indicator.Role.GOAL, i.order, i.code),
    )
    rows = {
        (row.indicator_id, row.region_id): row
        for row in (
            ProgressRow(*values)
            for values in Rollup.objects.filter(plan=plan, month=month)
            .order_by()
            .values_list(*ROW_FIELDS)
        )
    }
    reported = completeness.cities_reported(plan, month)
    nothing = completeness.Reported(expected=0, approved=0)
    owed = sum(r.expected for r in reported.values())
    everyone = completeness.Reported(
        expected=owed, approved=sum(min(r.approved, r.expected) for r in reported.values())
    )
    found = []
    for indicator in indicators:
        total = rows.get((indicator.pk, None))
        standings = []
        for city in cities:
            row = rows.get((indicator.pk, city.pk))
            item = None
            if row is not None:
                item = selectors.indicator_progress(indicator, row, reported.get(city.pk, nothing))
            standings.append((city, item))
        found.append(
            ProvinceIndicator(
                indicator=indicator,
                total=selectors.indicator_progress(indicator, total, everyone)
                if total is not None
                else None,
                cities=tuple(ranked(standings)),
            )
        )
    return ProvinceProgress(
        reported=everyone,
        pending_cities=tuple(
            city.name for city in cities if city.pk in reported and not reported[city.pk].complete
        ),
        indicators=tuple(found),
    )
