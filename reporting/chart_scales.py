"""The charts' scales: ticks and axes written as the pages write numbers (counts in 万 from
10,000 up, percent), and percent axes around the targets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from . import formatting

MONTHS = list(range(1, 13))
FONT = {
    "family": '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif',
    "size": 13,
}


def layout(**extra: Any) -> dict[str, Any]:
    """Small fixed margins and axes that make room for their own labels (``automargin``), so
    a chart keeps its plot area on a phone's 360 px as on a desktop."""
    for axis in ("xaxis", "yaxis"):
        extra[axis] = {"automargin": True, **extra.get(axis, {})}
    layout = {
        "font": FONT,
        "margin": {"l": 10, "r": 10, "t": 20, "b": 10},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    layout.update(extra)
    return layout


def month_axis() -> dict[str, Any]:
    """Months 1–12, every one labelled; on a phone every other (``static/js/charts.js``)."""
    prefix, suffix = (_("%(month)s月") % {"month": "|"}).split("|")
    return {
        "tickmode": "linear",
        "tick0": 1,
        "dtick": 1,
        "tickprefix": prefix,
        "ticksuffix": suffix,
        "tickangle": 0,
        "range": [0.5, 12.5],
    }


def nice_ticks(top: float, count: int = 5) -> list[int]:
    """Whole-number ticks from 0 past ``top`` in steps of 1, 2, 2.5 or 5 × 10ⁿ."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return [step * i for i in range(math.ceil(top / step) + 1)]


def count_axis(values: Sequence[float | int | None], unit: str) -> dict[str, Any]:
    """A count axis in the unit, ticks written as the pages write counts (2万, 5.3万, 800)."""
    shown = [value for value in values if value is not None]
    ticks = nice_ticks(max(shown, default=0))
    return {
        "title": {"text": unit},
        "tickvals": ticks,
        "ticktext": [formatting.amount(tick) for tick in ticks],
        "range": [0, ticks[-1] * 1.04],
    }


def rate_axis(values: Sequence[float | None], targets: Sequence[float | None]) -> dict[str, Any]:
    """A percent axis around the targets, so 88 % against 92 % shows: from 10 points below the
    lowest value or target to 5 above the highest (within 0–100 unless a value is higher)."""
    shown = [value for value in [*values, *targets] if value is not None]
    if not shown:
        return {"ticksuffix": "%", "range": [0, 100]}
    low = max(0.0, math.floor((min(shown) - 10) / 5) * 5)
    high = max(min(100.0, math.ceil((max(shown) + 5) / 5) * 5), max(shown) + 2)
    return {"ticksuffix": "%", "range": [low, high]}


def counted(value: Any, unit: str) -> str:
    return f"{formatting.amount(None if value is None else round(value))}{unit}"
