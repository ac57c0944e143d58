"""A clerk's month as a grid (series × counties): what the page, the Excel template and the
save read, with each cell's figures so far and its target.

``checks`` flags figures that need a note before they are accepted (above the county's annual
target in one month, far above the cell's own history, or looking like a year-to-date total);
the reviewer's page shows the same reasons. Each cell carries ``state_token``, the state it was
shown in: a save from a page that is no longer current is a conflict (optimistic concurrency).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .models import Indicator, Plan, Region, RegionTarget, Submission, with_has_parts
from .periods import deadline, last_day_on_time

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = Submission.Status
# A figure above this many times the cell's highest earlier month needs a note.
HISTORY_FACTOR = 3
# ... but only above this size: 3 trainees after a month of 1 is not an outlier.
HISTORY_FLOOR = 30
# Within this share of the earlier months' sum, a monthly figure looks like a running total.
CUMULATIVE_TOLERANCE = 0.05


def state_token(submission: Submission | None) -> str:
    """The state of a cell as a page showed it; changes with every save, sending or review."""
    if submission is None:
        return "new"
    stamp = max(
        t for t in (submission.entered_at, submission.submitted_at, submission.reviewed_at) if t
    )
    return f"{submission.pk}.{submission.revision}.{submission.status}.{stamp.timestamp():.6f}"


def checks(
    indicator: Indicator, value: int, month: int, earlier: dict[int, int], target: int | None
) -> list[str]:
    """Reasons a plausible-looking form still needs a note before this figure is accepted.

    ``earlier``: the cell's figures of the earlier months of the year (month → value);
    ``target``: the county's annual target for this series, if it has one.
    """
    reasons = []
    flow = indicator.kind == Indicator.Kind.FLOW
    if flow and target and value > target:
        reasons.append(
            _("一个月的数超过了该县区全年目标（%(target)s）。") % {"target": f"{target:,}"}
        )
    before = [v for m, v in sorted(earlier.items()) if m < month]
    highest = max(before, default=0)
    if len(before) >= 2 and value > HISTORY_FLOOR and value > HISTORY_FACTOR * max(highest, 1):
        reasons.append(
            _("远高于本县区以往各月（最高 %(highest)s）。") % {"highest": f"{highest:,}"}
        )
    total = sum(before)
    if flow and len(before) >= 2 and total > 0:
        typical = total / len(before)
        near_total = abs(value - total) <= CUMULATIVE_TOLERANCE * total
        total_plus_month = total <= value <= total + 2 * typical
        if near_total or total_plus_month:
            reasons.append(
                _("看起来像是年初至今的累计数（此前各月合计 %(total)s）；本表填当月新增数。")
                % {"total": f"{total:,}"}
            )
    return reasons


def first_day(plan: Plan, month: int) -> date:
    return date(plan.year, month, 1)


def open_months(plan: Plan, today: date | None = None) -> list[int]:
    """Months of the plan open for entry: each opens on its first day."""
    today = today or timezone.localdate()
    return [m for m in range(1, 13) if first_day(plan, m) <= today]


def month_is_open(plan: Plan, month: int, today: date | None = None) -> bool:
    """The month takes figures: its plan is active and the month has begun."""
    return policy.plan_is_open(plan) and month in open_months(plan, today)


def cell_keys(user: User, plan: Plan) -> list[str]:
    """The key (``Cell.key``) of every cell of the user's grid in ``plan``, read cheaply."""
    series = policy.enterable_indicators(user, plan.pk).values_list("pk", flat=True)
    regions = list(policy.enterable_regions(user, plan).values_list("pk", flat=True))
    return [f"{indicator}-{region}" for indicator in series for region in regions]


@dataclass
class Cell:
    indicator: Indicator
    region: Region
    current: Submission | None = None
    to_date: int | None = None
    earlier: dict[int, int] = field(default_factory=dict)
    target: int | None = None
    raw: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.region.pk}"

    @property
    def status(self) -> str:
        return self.current.status if self.current else ""

    @property
    def editable(self) -> bool:
        return self.current is None or self.current.status in (Status.DRAFT, Status.RETURNED)

    @property
    def token(self) -> str:
        return state_token(self.current)


@dataclass
class Grid:
    plan: Plan
    month: int
    series: list[Indicator]
    regions: list[Region]
    rows: list[tuple[Indicator, list[Cell]]]
    errors: list[str] = field(default_factory=list)
    # What a save wrote: figures changed (or created), and figures sent for review.
    saved: int = 0
    sent: int = 0

    @property
    def cells(self) -> list[Cell]:
        return [cell for _indicator, cells in self.rows for cell in cells]

    @property
    def deadline(self) -> datetime:
        return deadline(self.plan, self.month)

    @property
    def due_on(self) -> date:
        """The last day on which this month's figures are on time."""
        return last_day_on_time(self.plan, self.month)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(cell.errors for cell in self.cells)

    def counts(self) -> dict[str, int]:
        counts = {"empty": 0, **{status: 0 for status in Status.values}}
        for cell in self.cells:
            counts[cell.status or "empty"] += 1
        # Approved by the county and not yet by the city: still waiting, for the clerk.
        counts["waiting"] = counts[Status.SUBMITTED] + counts[Status.VERIFIED]
        return counts


def month_grid(user: User, plan: Plan, month: int, *, lock: bool = False) -> Grid:
    """The cells a clerk may enter for one month, with their current figures and history."""
    series = list(policy.enterable_indicators(user, plan.pk).order_by("order", "pk"))
    # Each county knows whether it splits further: its cells link to their breakdown.
    regions = list(with_has_parts(policy.enterable_regions(user, plan)).order_by("order", "code"))
    mine = Submission.objects.filter(indicator__in=series, region__in=regions, is_current=True)
    # This month's figures whole (who entered, sent and reviewed them); earlier months' values
    # only: a year of a department's figures as model objects was most of the page's time.
    current = mine.filter(month=month).select_related("entered_by", "submitted_by", "reviewed_by")
    earlier_values = mine.filter(month__lt=month).values_list(
        "indicator_id", "region_id", "month", "value"
    )
    if lock:
        current = current.select_for_update(of=("self",))
        earlier_values = earlier_values.select_for_update(of=("self",))
    this_month = {(s.indicator_id, s.region_id): s for s in current}
    by_cell: dict[tuple[int, int], dict[int, int]] = {}
    for indicator_id, region_id, earlier_month, value in earlier_values:
        by_cell.setdefault((indicator_id, region_id), {})[earlier_month] = value
    targets = {
        (t.indicator_id, t.region_id): t.target
        for t in RegionTarget.objects.filter(indicator__in=series, region__in=regions)
    }
    rows = []
    for indicator in series:
        cells = []
        for region in regions:
            this = this_month.get((indicator.pk, region.pk))
            earlier = by_cell.get((indicator.pk, region.pk), {})
            cell = Cell(
                indicator=indicator,
                region=region,
                current=this,
                earlier=earlier,
                target=targets.get((indicator.pk, region.pk)),
                raw="" if this is None else str(this.value),
                note="" if this is None else this.note,
            )
            cell.to_date = to_date(indicator, earlier, this.value if this else None)
            cells.append(cell)
        rows.append((indicator, cells))
    return Grid(plan=plan, month=month, series=series, regions=regions, rows=rows)


def to_date(indicator: Indicator, earlier: dict[int, int], value: int | None) -> int | None:
    """Year to date with this month's figure: a sum for flows, the level for stocks."""
    if indicator.kind == Indicator.Kind.STOCK:
        if value is not None:
            return value
        return earlier[max(earlier)] if earlier else None
    figures = [*earlier.values(), *([value] if value is not None else [])]
    return sum(figures) if figures else None
