"""Hand-made progress rows for tests of the text and the formatter: only what a test names,
the rest empty."""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, TypeVar

from reporting.rows import IndicatorProgress, Progress, RegionProgress
from targets.completeness import Reported

# The plan's eight training quotas (they feed training-total), in the plan's order.
TRAINING_QUOTAS = [
    "rural-transfer",
    "in-service",
    "reemployment",
    "entrepreneurship",
    "public-institution",
    "new-farmers",
    "rain-dew",
    "disabled",
]

Row = TypeVar("Row", IndicatorProgress, RegionProgress, Progress)


def reported(expected: int, approved: int) -> Reported:
    return Reported(expected=expected, approved=approved)


def _made(cls: type[Row], defaults: dict[str, Any], values: dict[str, Any]) -> Row:
    """``cls`` with every field it requires empty (None) unless given."""
    empty = {f.name: None for f in fields(cls) if f.default is MISSING}
    return cls(**{**empty, **defaults, **values})


def item(**values: Any) -> IndicatorProgress:
    """A goal or quota: a flow without figures, unless told otherwise."""
    return _made(IndicatorProgress, {"code": "", "name": "", "kind": "flow"}, values)


def region(**values: Any) -> RegionProgress:
    """A quota's row in one county."""
    return _made(RegionProgress, {"code": "", "name": "", "kind": "county"}, values)


def progress(**values: Any) -> Progress:
    """A plan's progress in 2015, as of January, with no rows unless told otherwise."""
    defaults = {"year": 2015, "doc_number": "", "title": "", "month": 1, "time_elapsed": 0.0833}
    return _made(Progress, {**defaults, "goals": (), "quotas": ()}, values)
