"""What the current rollup says differently from a published bulletin's frozen numbers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .. import api
from .. import formatting as fmt
from ..rows import IndicatorProgress, Progress


def _cells(
    progress: Progress, county: str | None = None
) -> dict[tuple[str, str | None], tuple[IndicatorProgress, str]]:
    """Every goal, quota and county row by (code, county code or None), with its place; a
    county's own progress (``county`` its name): its quotas, which are its rows."""
    if county is not None:
        return {(item.code, None): (item, county) for item in progress.quotas}
    cells: dict[tuple[str, str | None], tuple[IndicatorProgress, str]] = {}
    for item in [*progress.goals, *progress.quotas]:
        cells[(item.code, None)] = (item, _("全市"))
        for row in item.regions:
            cells[(item.code, row.code)] = (item.in_region(row), row.name)
    return cells


def _shown(item: IndicatorProgress) -> str:
    value = fmt.value_of(item)
    if value is None:
        return "—"
    if item.kind == "rate":
        return fmt.percent(value)
    return f"{value}{item.unit}"


def changes_since(
    frozen: dict[str, Any], current: Progress | None, *, county: str | None = None
) -> list[dict[str, Any]]:
    """Goals, quotas and county rows whose actual or completion differ now, old → new;
    ``frozen`` is the document stored with the published bulletin (a county's bulletin:
    ``county`` names it, and both progresses are the county's own)."""
    if current is None:
        return []
    old = _cells(api.progress_from_document(frozen), county)
    new = _cells(current, county)
    changed = []
    for key, (now, place) in new.items():
        then, _place = old.get(key, (None, None))
        if then is None:
            continue
        if then.actual == now.actual and then.completion == now.completion:
            continue
        changed.append(
            {
                "name": now.name,
                "place": place,
                "actual": (_shown(then), _shown(now)),
                "completion": (
                    fmt.percent(fmt.completion_of(then)),
                    fmt.percent(fmt.completion_of(now)),
                ),
            }
        )
    return changed
