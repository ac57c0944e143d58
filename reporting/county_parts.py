"""A county's quotas split further: each quota's parts (乡镇、街道 or 责任单位) as they stand,
for the county's page and the progress API's ``unit`` (a county's quota's ``regions``).

A part is judged as its county is: pending (待报) while the county's reports of the quota for
the month are not all approved. And only once the county's figures to date are wholly broken
down among its parts: while some of them is carried by no part (``unsplit``), ranking the
parts would judge them on half their figures, so none is coloured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

from targets import completeness
from targets.models import Indicator, Plan, Region, parts_of

from . import formatting
from .rollup.parts import part_rows
from .rows import IndicatorProgress, Progress, ProgressRow, RegionProgress


def with_parts(
    plan: Plan,
    month: int,
    place: Region,
    quotas: list[tuple[Indicator, IndicatorProgress, ProgressRow]],
    reported: dict[int, completeness.Reported],
    region_progress: Callable[
        [Indicator, Region, ProgressRow, completeness.Reported | None], RegionProgress
    ],
) -> list[IndicatorProgress]:
    """The county's quotas, each with its parts' rows as ``regions`` (in the parts' order),
    what of its figures and target no part carries; as they are where the county does not
    split further. ``reported``: the county's reports of each quota, by the quota's id;
    ``region_progress``: a place's row as the city's page shows a county's."""
    parts = {part.pk: part for part in parts_of(place)}
    if not parts:
        return [item for _indicator, item, _row in quotas]
    rows: dict[int, dict[int, ProgressRow]] = {}
    for row in part_rows(plan, month, place):
        rows.setdefault(row.indicator_id, {})[row.region_id] = row
    found = []
    for indicator, item, county in quotas:
        of_parts = [rows[indicator.pk][pk] for pk in parts if pk in rows.get(indicator.pk, {})]
        if not any(row.target is not None or row.actual or row.denominator for row in of_parts):
            found.append(item)  # neither shares nor figures: not split further
            continue
        unsplit = _unsplit(indicator, county, of_parts)
        targets = [row.target for row in of_parts if row.target is not None]
        unsplit_target = county.target - sum(targets) if county.target is not None else None
        judged = reported.get(indicator.pk)
        regions = tuple(
            _judged(region_progress(indicator, parts[row.region_id], row, judged), unsplit == 0)
            for row in of_parts
        )
        found.append(
            replace(
                item,
                regions=regions,
                unsplit=unsplit,
                unsplit_target=unsplit_target if targets else None,
            )
        )
    return found


def _unsplit(indicator: Indicator, county: ProgressRow, parts: list[ProgressRow]) -> int:
    """What of the county's figures to date its parts do not carry (a rate: of its
    denominator, or else of its numerator)."""
    if indicator.kind == Indicator.Kind.RATE:
        denominator = (county.denominator or 0) - sum(row.denominator or 0 for row in parts)
        return denominator or (county.numerator or 0) - sum(row.numerator or 0 for row in parts)
    return (county.actual or 0) - sum(row.actual or 0 for row in parts)


def _judged(part: RegionProgress, split: bool) -> RegionProgress:
    """A part's row judged as its county is; not at all while the county's figures are not
    wholly broken down (``split`` false)."""
    if split or part.status == completeness.PENDING:
        return part
    return replace(part, status=None)


@dataclass(frozen=True)
class PartStanding:
    """A part's row of a quota on its county's page, and its place in the ranking (None: not
    ranked, for want of a completion or while the county's figures are not wholly broken
    down)."""

    code: str
    name: str
    progress: IndicatorProgress
    rank: int | None

    @property
    def pending(self) -> bool:
        return self.progress.status == completeness.PENDING


@dataclass(frozen=True)
class QuotaParts:
    """A county's quota and its parts, ranked by completion (highest first, those without one
    last, in the parts' order)."""

    quota: IndicatorProgress
    standings: tuple[PartStanding, ...]

    @property
    def ranked(self) -> bool:
        return not self.quota.unsplit


def rankings(progress: Progress | None) -> list[QuotaParts]:
    """The county's quotas that are split among its parts, each with its parts ranked."""
    quotas = progress.quotas if progress is not None else ()
    return [ranking(quota) for quota in quotas if quota.regions]


def ranking(quota: IndicatorProgress) -> QuotaParts:
    """A split quota's parts ranked by completion; in the parts' order, none ranked, while the
    county's figures are not wholly broken down."""
    items = [(part, quota.in_region(part)) for part in quota.regions]
    ranked = not quota.unsplit
    if ranked:
        items.sort(key=lambda pair: _order(formatting.completion_of(pair[1])))
    standings, rank = [], 0
    for part, item in items:
        has_rank = ranked and formatting.completion_of(item) is not None
        rank += has_rank
        standings.append(PartStanding(part.code, part.name, item, rank if has_rank else None))
    return QuotaParts(quota, tuple(standings))


def _order(completion: Fraction | None) -> tuple[bool, Fraction]:
    return (completion is None, -(completion or 0))
