"""The rules of the rollup, stated once: time progress, colours, projection, and the scales.

The Python reference (``reference.py``) calls these functions; the SQL statement
(``rollup.sql``) receives the same rules as bound parameters built from them here
(``postgres.constants``), and ``tests/reporting/test_rollup_sql.py`` checks that both give
the same rows.

Time progress: flows are judged against the share of the year elapsed (m/12); a level is
judged against its whole target at any month. Green at or above the expected share, amber
within ``AMBER_MARGIN_POINTS`` points below it, red further below; no status without data or
without a target. A rate is judged in rate bands: its rate against the target rate, amber
within ``AMBER_MARGIN_POINTS`` percentage points of the rate below it (``rate_status_for``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from targets.models import Indicator

from ..models import Rollup

MONTHS = range(1, 13)
FLOW, STOCK, RATE = Indicator.Kind.FLOW, Indicator.Kind.STOCK, Indicator.Kind.RATE
GREEN, AMBER, RED = Rollup.Status.GREEN, Rollup.Status.AMBER, Rollup.Status.RED

# Completion and the expected share are kept to six places (millionths), rounded half up.
PLACES = 6
SIX_PLACES = Decimal(1).scaleb(-PLACES)
MICRO = 10**PLACES
# The SQL rounds in integers (exact, and cheaper than numeric division) while actual × 2 ×
# MICRO fits in a bigint; beyond this figure it divides in numeric.
EXACT = 4_000_000_000_000
# The SQL compares an output's kind as a number (much cheaper than comparing text).
KIND_NUMBERS = {FLOW: 0, STOCK: 1, RATE: 2}


def six_places(value: Decimal) -> Decimal:
    return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def amber_margin() -> Decimal:
    """``AMBER_MARGIN_POINTS`` as a fraction: of completion (flow bands), of the rate (rates)."""
    return Decimal(settings.AMBER_MARGIN_POINTS) / Decimal(100)


def expected_share(kind: str, month: int) -> Decimal:
    """Share of the target expected by the end of ``month``: m/12 for flows, all of it else."""
    if kind == FLOW:
        return six_places(Decimal(month) / Decimal(len(MONTHS)))
    return Decimal(1)


def status_for(completion: Decimal | None, expected: Decimal) -> str | None:
    """A flow's or a level's colour: its completion against the expected share (flow bands)."""
    if completion is None:
        return None
    if completion >= expected:
        return GREEN
    if completion >= expected - amber_margin():
        return AMBER
    return RED


def rate_status_for(
    numerator: int | None, denominator: int | None, target_rate: Decimal | None
) -> str | None:
    """A rate's colour, in rate bands: green at or above the target rate, amber within
    ``AMBER_MARGIN_POINTS`` percentage points of the rate below it, red further below.

    Points of the rate, not of completion: 79 % against 90 % is 11 points behind (red) though
    its completion, 87.8 %, would be amber in flow bands. Compared exactly (numerator against
    denominator × rate), as the SQL statement does. No status without a denominator or target.
    """
    if not denominator or not target_rate:
        return None
    if numerator is None:
        numerator = 0
    if numerator >= denominator * target_rate:
        return GREEN
    if numerator >= denominator * (target_rate - amber_margin()):
        return AMBER
    return RED


def projection(kind: str, actual: int | None, month: int) -> int | None:
    """Year-end figure at the run-rate to date (a level stays where it is)."""
    if actual is None:
        return None
    if kind == FLOW:
        year_end = Decimal(actual) * len(MONTHS) / Decimal(month)
        return int(year_end.quantize(Decimal(1), ROUND_HALF_UP))
    return actual
