"""Quotas and counties ranked as the bulletin ranks them (the dashboard's county ranking too)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import formatting as fmt
from ..rows import IndicatorProgress, Progress, RegionProgress
from .numbers import is_city_place, is_pending


def lead(item: IndicatorProgress) -> Any:
    """Completion minus the expected share: what quotas are ranked by (exact)."""
    completion = fmt.completion_of(item)
    if completion is None:
        return None
    return completion - fmt.exact(item.expected)


def ranked_quotas(progress: Progress) -> list[IndicatorProgress]:
    """Judged quotas by completion against the expected share, highest first; then pending
    quotas (plan's order); quotas without data last."""
    judged = [q for q in progress.quotas if not is_pending(q) and lead(q) is not None]
    pending = [q for q in progress.quotas if is_pending(q) and lead(q) is not None]
    without = [q for q in progress.quotas if lead(q) is None]
    return sorted(judged, key=lead, reverse=True) + pending + without


@dataclass(frozen=True)
class CountyStanding:
    code: str
    name: str
    quotas: int
    completion: Decimal  # mean completion of its judged split quotas, four places
    expected: Decimal  # mean expected share of the same quotas, four places
    pending: int = 0  # split quotas with data not all approved: left out of the mean

    @property
    def lead(self) -> Decimal:
        return self.completion - self.expected


def _mean(values: list[Any]) -> Decimal:
    exact = sum(values) / len(values)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def _county_rows(
    progress: Progress, *, city: bool, judged_only: bool = True
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for quota in progress.quotas:
        if quota.kind == "rate":
            continue
        for row in quota.regions:
            if is_city_place(row) != city or not row.target:
                continue
            item = quota.in_region(row)
            completion = fmt.completion_of(item)
            if completion is None:
                continue
            entry = found.setdefault(
                row.code, {"name": row.name, "completions": [], "expected": [], "pending": 0}
            )
            if is_pending(row):
                entry["pending"] += 1
                if judged_only:
                    continue
            entry["completions"].append(completion)
            entry["expected"].append(fmt.exact(quota.expected))
    return found


def _standings(found: dict[str, dict[str, Any]]) -> list[CountyStanding]:
    return [
        CountyStanding(
            code,
            entry["name"],
            len(entry["completions"]),
            _mean(entry["completions"]),
            _mean(entry["expected"]),
            entry["pending"],
        )
        for code, entry in found.items()
        if entry["completions"]
    ]


def ranked_counties(progress: Progress, *, judged_only: bool = False) -> list[CountyStanding]:
    """Counties and districts (not 市直) by mean completion of their split quotas against the
    mean expected share. The bulletin ranks on judged rows only (``judged_only``: pending rows
    left out of the mean and counted in ``pending``; a county with none judged is not ranked);
    the dashboard ranks every county on all its rows and greys those with pending ones."""
    standings = _standings(_county_rows(progress, city=False, judged_only=judged_only))
    return sorted(standings, key=lambda s: s.lead, reverse=True)


def city_places(progress: Progress) -> list[CountyStanding]:
    """市直 (city-level units) on the same measure, apart from the ranking."""
    return _standings(_county_rows(progress, city=True))


def unranked_counties(progress: Progress) -> list[str]:
    """Counties whose split quotas are all pending: not ranked this month."""
    found = _county_rows(progress, city=False)
    return [entry["name"] for entry in found.values() if not entry["completions"]]


def red_items(
    progress: Progress,
) -> tuple[list[IndicatorProgress], dict[str, list[tuple[IndicatorProgress, RegionProgress]]]]:
    """Judged goals and quotas in red city-wide, and the red county rows by county (plan's
    order). A pending row is never red."""
    city = [
        i for i in [*progress.goals, *progress.quotas] if i.status == "red" and not is_pending(i)
    ]
    counties: dict[str, list[tuple[IndicatorProgress, RegionProgress]]] = {}
    for quota in progress.quotas:
        for row in quota.regions:
            if row.status == "red" and not is_pending(row):
                counties.setdefault(row.name, []).append((quota, row))
    return city, counties


def pending_items(progress: Progress) -> list[IndicatorProgress]:
    """Goals and quotas not judged this month (their reports are not all approved)."""
    return [i for i in [*progress.goals, *progress.quotas] if is_pending(i)]
