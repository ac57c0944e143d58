"""The one shape of a rollup row, from the rollup (Python reference and SQL) through the
selectors to the pages, the API, the bulletin and the auditors' workbook."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Self

from targets.completeness import Reported


@dataclass(frozen=True)
class ProgressRow:
    """One rollup row; its fields are those of ``Rollup`` (without the plan), in its order.

    Read as plain values: a month of a province-sized plan is thousands of rows, and model
    instances with their relations cost more than the query."""

    indicator_id: int
    region_id: int | None
    month: int
    actual: int | None
    numerator: int | None
    denominator: int | None
    target: int | None
    target_rate: Decimal | None
    completion: Decimal | None
    expected: Decimal
    status: str | None
    projected: int | None
    unallocated: int | None

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator or 0) / Decimal(self.denominator)


ROW_FIELDS = tuple(f.name for f in fields(ProgressRow))


# --- the progress of a plan as of a month: what the API, pages, bulletin and workbook read ---

Figure = int | float | None
"""A count, or a rate as a fraction rounded to four places (the API's numbers)."""


@dataclass(frozen=True)
class RegionProgress:
    """A quota's row in one county, or in 市直 (``kind`` ``city``: city-level units)."""

    code: str
    name: str
    kind: str  # the region's kind (county or 市直), not the quota's
    target: Figure
    actual: Figure
    completion: float | None
    status: str | None
    reported: Reported | None
    projected: Figure
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class IndicatorProgress:
    """A goal or a quota city-wide, as of the month. A rate's ``target``, ``actual`` and
    ``projected`` are fractions; ``numerator`` and ``denominator`` are a rate's only."""

    code: str
    department: str
    name: str
    kind: str
    unit: str
    target: Figure
    actual: Figure
    completion: float | None
    expected: float | None
    status: str | None
    reported: Reported | None
    projected: Figure
    numerator: int | None = None
    denominator: int | None = None
    unallocated: int | None = None  # a goal's target left to no quota
    regions: tuple[RegionProgress, ...] = ()  # a quota's counties and 市直 (a county's: parts)
    missing: tuple[str, ...] = ()  # a page's names of who has not sent (pending rows)
    # A county's quota split further: what of its figures to date no part carries (a rate:
    # of its denominator, else numerator), and of its target no part's share does.
    unsplit: int | None = None
    unsplit_target: int | None = None

    def with_missing(self, names: Iterable[str]) -> Self:
        return replace(self, missing=tuple(names))

    def in_region(self, region: RegionProgress) -> IndicatorProgress:
        """The quota as it stands in one place: the region's figures with the quota's kind,
        unit, name and expected share (what the formatter and the bulletin need)."""
        return replace(
            self,
            target=region.target,
            actual=region.actual,
            completion=region.completion,
            status=region.status,
            reported=region.reported,
            projected=region.projected,
            numerator=region.numerator,
            denominator=region.denominator,
            unallocated=None,
            regions=(),
            missing=(),
            unsplit=None,
            unsplit_target=None,
        )


@dataclass(frozen=True)
class Progress:
    """A plan's progress as of a month (``reporting.selectors.progress``); the API writes it
    as JSON (``reporting.api.document``)."""

    year: int
    doc_number: str
    title: str
    month: int
    reported: Reported | None
    time_elapsed: float
    goals: tuple[IndicatorProgress, ...]
    quotas: tuple[IndicatorProgress, ...]

    @property
    def as_of(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class QuotaRow(IndicatorProgress):
    """A quota's row on a dashboard table (city-wide or one place, one month): its progress
    and what the table needs to name and link it, with the earlier plan's same month when
    comparing."""

    indicator: Any = None
    department_code: str = ""
    department_short: str = ""
    region: Any = None
    region_code: str | None = None
    place: str | None = None  # None: city-wide
    month: int = 0
    previous_completion: float | None = None
    previous_completion_exact: Fraction | None = None
    previous_actual: Figure = None


@dataclass(frozen=True)
class GoalPart:
    """A goal's own part (其他职业技能培训): the figures reported against the goal itself and
    the target no quota carries."""

    code: str
    name: str
    department: str
    kind: str
    unit: str
    target: int | None
    actual: int | None
    numerator: None = None
    denominator: None = None
    is_goal_own: bool = True


@dataclass(frozen=True)
class GoalBreakdown:
    """A goal fed by quotas, as parts that add up to it: the quotas, then its own part."""

    goal: IndicatorProgress
    quotas: tuple[IndicatorProgress, ...]
    own: GoalPart

    @property
    def rows(self) -> list[IndicatorProgress | GoalPart]:
        return [*self.quotas, self.own]
