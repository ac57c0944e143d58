"""The progress API's JSON (CONTRACT.md): the one place a ``Progress`` is written as a document.

``progress_from_document`` reads one back for a published bulletin only: its numbers are
stored as a frozen snapshot of this JSON (``Bulletin.numbers``), never re-read from the rollup.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from targets.completeness import Reported

from .rows import IndicatorProgress, Progress, RegionProgress

RATE = "rate"


def reported_dict(reported: Reported | None) -> dict[str, int] | None:
    return None if reported is None else reported.as_dict()


# The keys of a row, in the document's order (``numerator`` and ``denominator`` follow, for a
# rate only).
INDICATOR_KEYS = ("code", "department", "name", "kind", "unit", "target", "actual", "completion")
INDICATOR_KEYS += ("expected", "status", "reported", "projected")
REGION_KEYS = ("code", "name", "kind", "target", "actual", "completion", "status", "reported")
REGION_KEYS += ("projected",)


def _row(item: IndicatorProgress | RegionProgress, keys: tuple[str, ...], kind: str) -> dict:
    row: dict[str, Any] = {key: getattr(item, key) for key in keys}
    row["reported"] = reported_dict(item.reported)
    if kind == RATE:
        row["numerator"] = item.numerator
        row["denominator"] = item.denominator
    return row


def indicator_item(item: IndicatorProgress) -> dict[str, Any]:
    """A goal's or quota's row of the document, without a quota's regions."""
    return _row(item, INDICATOR_KEYS, item.kind)


def region_item(quota: IndicatorProgress, region: RegionProgress) -> dict[str, Any]:
    """A quota's row in one place; its ``kind`` is the region's ("city" is 市直, no county)."""
    return _row(region, REGION_KEYS, quota.kind)


def goal_item(goal: IndicatorProgress) -> dict[str, Any]:
    row = indicator_item(goal)
    if goal.unallocated is not None:
        row["unallocated"] = goal.unallocated
    return row


def quota_item(quota: IndicatorProgress) -> dict[str, Any]:
    return {**indicator_item(quota), "regions": [region_item(quota, r) for r in quota.regions]}


def split_item(quota: IndicatorProgress) -> dict[str, Any]:
    """A county's quota with its parts (乡镇、街道 or 责任单位) as ``regions``, and what of its
    figures and target no part carries: a county bulletin's stored ``parts``."""
    return {**quota_item(quota), "unsplit": quota.unsplit, "unsplit_target": quota.unsplit_target}


def document(progress: Progress, unit: dict[str, str] | None = None) -> dict[str, Any]:
    """``GET /api/progress/<year>/``'s body; with ``unit`` (``{"code", "name"}``: the city's,
    or the county's of a county's document, ``selectors.Unit``) it says whose it is. A
    bulletin's frozen snapshot is the city's and carries none."""
    goals = [goal_item(goal) for goal in progress.goals]
    quotas = [quota_item(quota) for quota in progress.quotas]
    found: dict[str, Any] = {
        "plan": {"year": progress.year, "doc_number": progress.doc_number, "title": progress.title},
    }
    if unit is not None:
        found["unit"] = unit
    return {
        **found,
        "as_of": progress.as_of,
        "reported": reported_dict(progress.reported),
        "time_elapsed": progress.time_elapsed,
        "goals": goals,
        "quotas": quotas,
    }


# --- a published bulletin's stored snapshot ------------------------------------------------------


def _reported(stored: dict[str, Any] | None) -> Reported | None:
    if not stored:  # snapshots from before completeness was stored
        return None
    return Reported(expected=stored.get("expected", 0), approved=stored.get("approved", 0))


def _figures(stored: dict[str, Any]) -> dict[str, Any]:
    """What a goal, quota and county row share, as stored (older snapshots lack some)."""
    keys = ("target", "actual", "completion", "status", "projected", "numerator", "denominator")
    return {
        "code": stored["code"],
        "name": stored["name"],
        "reported": _reported(stored.get("reported")),
        **{key: stored.get(key) for key in keys},
    }


def _indicator(stored: dict[str, Any]) -> IndicatorProgress:
    return IndicatorProgress(
        **_figures(stored),
        department=stored.get("department", ""),
        kind=stored["kind"],
        unit=stored.get("unit", ""),
        expected=stored.get("expected"),
        unallocated=stored.get("unallocated"),
        regions=tuple(
            RegionProgress(**_figures(region), kind=region.get("kind", ""))
            for region in stored.get("regions", [])
        ),
    )


def split_from_item(stored: dict[str, Any]) -> IndicatorProgress:
    """A stored ``split_item`` as the quota it was."""
    return replace(
        _indicator(stored),
        unsplit=stored.get("unsplit"),
        unsplit_target=stored.get("unsplit_target"),
    )


def progress_from_document(stored: dict[str, Any]) -> Progress:
    """A published bulletin's frozen document as a ``Progress`` (to word it again in another
    language, or to compare it with the current rollup)."""
    plan = stored.get("plan", {})
    return Progress(
        year=plan.get("year"),
        doc_number=plan.get("doc_number", ""),
        title=plan.get("title", ""),
        month=int(stored["as_of"][5:]),
        reported=_reported(stored.get("reported")),
        time_elapsed=stored.get("time_elapsed", 0),
        goals=tuple(_indicator(goal) for goal in stored.get("goals", [])),
        quotas=tuple(_indicator(quota) for quota in stored.get("quotas", [])),
    )
