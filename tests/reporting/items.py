"""Hand-made progress rows for tests of the text and the formatter: only what a test names,
the rest empty."""

from __future__ import annotations

from typing import Any

from reporting.rows import IndicatorProgress, Progress, RegionProgress
from targets.completeness import Reported


def reported(expected: int, approved: int) -> Reported:
    return Reported(expected=expected, approved=approved)


def item(**values: Any) -> IndicatorProgress:
    """A goal or quota: flow, no figures, unless told otherwise."""
    defaults: dict[str, Any] = {
        "code": "",
        "department": "",
        "name": "",
        "kind": "flow",
        "unit": "",
        "target": None,
        "actual": None,
        "completion": None,
        "expected": None,
        "status": None,
        "reported": None,
        "projected": None,
    }
    return IndicatorProgress(**{**defaults, **values})


def region(**values: Any) -> RegionProgress:
    """A quota's row in one county."""
    defaults: dict[str, Any] = {
        "code": "",
        "name": "",
        "kind": "county",
        "target": None,
        "actual": None,
        "completion": None,
        "status": None,
        "reported": None,
        "projected": None,
    }
    return RegionProgress(**{**defaults, **values})


def progress(**values: Any) -> Progress:
    """A plan's progress in 2015, as of January, with no rows unless told otherwise."""
    defaults: dict[str, Any] = {
        "year": 2015,
        "doc_number": "",
        "title": "",
        "month": 1,
        "reported": None,
        "time_elapsed": 0.0833,
        "goals": (),
        "quotas": (),
    }
    return Progress(**{**defaults, **values})
