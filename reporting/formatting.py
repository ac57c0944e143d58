"""Every number a person reads, written once: pages, bulletin, workbook and Word file.

Percentages are computed from the exact ratio of the whole numbers behind them (actual ÷
target, numerator ÷ denominator) and rounded once, half up, at the printed place: never from a
completion that was already rounded for storage (six places) or for the API (four places),
which can round a half the other way (0.752499996 → 0.7525 → 75.3 % instead of 75.2 %).

- ``count``: 61,450 (thousands separators), a dash without data;
- ``amount``: the Chinese way, from 10,000 up in 万 with at most two decimals (4.96万, 1.5万,
  7万), smaller counts as they are (1479);
- ``percent``: one decimal (70.8%), ``trim`` drops a ".0" (for the plan's own targets: 90%);
- ``points``: the difference of two percentages as printed, so the reader's arithmetic agrees.

``completion_of``, ``rate_of`` and ``value_of`` take a goal, quota or county row
(``reporting.rows``) and give the exact fraction.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Protocol

DASH = "—"
Number = Fraction | Decimal | int | float


def exact(value: Number) -> Fraction:
    """A number as an exact fraction; a float is read as the decimal it prints as (0.9, not
    0.9000000000000000222…), which is what a rounded value of the API means."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def _half_up(value: Fraction) -> int:
    """Rounded to the nearest whole number, halves away from zero."""
    whole = (abs(value.numerator) * 2 + value.denominator) // (value.denominator * 2)
    return whole if value >= 0 else -whole


def rounded_percent(value: Number | None, places: int = 1) -> Decimal | None:
    """A fraction in percent, rounded once (0.7525 → Decimal("75.3")); None stays None."""
    if value is None:
        return None
    scaled = _half_up(exact(value) * 100 * 10**places)
    return Decimal(scaled).scaleb(-places)


def rounded_fraction(value: Number | None, places: int = 1) -> Decimal | None:
    """The fraction a printed percentage stands for (0.75249 → Decimal("0.752") at one
    decimal): what a workbook cell formatted ``0.0%`` holds, so it shows the same digits."""
    percent_value = rounded_percent(value, places)
    return None if percent_value is None else percent_value.scaleb(-2)


def percent(value: Number | None, places: int = 1, *, trim: bool = False) -> str:
    """0.708 → "70.8%"; with ``trim`` a whole number loses its ".0" (0.75 → "75%")."""
    percent_value = rounded_percent(value, places)
    if percent_value is None:
        return DASH
    text = f"{percent_value:f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def points(first: Number, second: Number, places: int = 1) -> Decimal:
    """``first`` − ``second`` in percentage points, as the two percentages are printed."""
    return rounded_percent(first, places) - rounded_percent(second, places)


def count(value: int | None) -> str:
    """A count with thousands separators (61,450); a dash without data."""
    if value is None or value == "":
        return DASH
    return f"{int(value):,}"


def amount(value: int | None) -> str:
    """1479 → "1479"; 49560 → "4.96万"; 15000 → "1.5万"; 70000 → "7万"."""
    if value is None:
        return DASH
    if value < 10000:
        return str(value)
    wan = (Decimal(value) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{wan.normalize():f}万"


# --- exact fractions from the progress rows ------------------------------------------------------


class Figures(Protocol):
    """A goal, quota or county row (``reporting.rows``), or a goal's own part."""

    kind: str
    target: Any
    actual: Any
    numerator: int | None
    denominator: int | None


def rate(numerator: int | None, denominator: int | None) -> Fraction | None:
    """Numerator ÷ denominator; None without a denominator."""
    if not denominator:
        return None
    return Fraction(numerator or 0, denominator)


def completion(
    kind: str,
    actual: Any,
    target: Any,
    numerator: int | None = None,
    denominator: int | None = None,
) -> Fraction | None:
    """Actual ÷ target exactly (for a rate: its rate ÷ its target rate); None without data
    or without a target."""
    if kind == "rate":
        value = rate(numerator, denominator)
        if value is None or not target:
            return None
        return value / exact(target)
    if actual is None or not target:
        return None
    return Fraction(actual, target)


def rate_of(item: Figures) -> Fraction | None:
    """A rate item's rate, numerator ÷ denominator; None without a denominator."""
    return rate(item.numerator, item.denominator)


def completion_of(item: Figures) -> Fraction | None:
    """An item's completion, exactly (``completion``)."""
    return completion(item.kind, item.actual, item.target, item.numerator, item.denominator)


def value_of(item: Figures) -> Fraction | int | None:
    """What an item's value is: its rate for a rate, its actual count otherwise."""
    return rate_of(item) if item.kind == "rate" else item.actual
