"""The rollup of a county's parts (乡镇、街道 or 责任单位): their rows for the county's page.

A part's figures are its shares of the county's counted figures (``TownshipFigure``), summed
per series and month by one aggregate query; its rows follow the county's rules (``reference``:
flows add up, a level holds, a rate is the ratio of its sums) against its share of the
county's split (``TownshipTarget``). A plan whose places have no parts has no rows, and costs
one query. Rebuilt by ``runs.rebuild`` in the plan's own transaction: on PostgreSQL by the
city's own statement over the parts (``postgres.PARTS_STATEMENT``: one statement per plan,
whatever the depth), elsewhere by ``compute_parts``, the reference it is tested against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from django.db import connection
from django.db.models import Sum

from targets.models import Indicator, Plan, Region, TownshipFigure, TownshipTarget, places_of

from ..models import PartRollup
from ..rows import ROW_FIELDS, ProgressRow
from . import postgres
from .reference import Figures, needed, rows_of, wanted_of
from .rules import MONTHS


def compute_parts(
    plan: Plan, *, indicator_ids: Iterable[int] | None = None, months: Iterable[int] = MONTHS
) -> list[ProgressRow]:
    """Rows of every part of the plan's places: each wanted indicator × part × month."""
    months = sorted(set(months))
    part_ids = _part_ids(plan)
    if not months or not part_ids:
        return []
    by_id, wanted = wanted_of(plan, indicator_ids)
    series = needed(wanted, by_id)
    shares = (
        TownshipFigure.objects.filter(
            submission__is_counted=True,
            submission__indicator_id__in=series,
            submission__month__lte=months[-1],
            township_id__in=part_ids,
        )
        .values_list("submission__indicator_id", "township_id", "submission__month")
        .annotate(total=Sum("value"))
        .order_by()
    )
    figures = Figures([by_id[pk] for pk in series], part_ids, months[-1], shares)
    targets = {
        (indicator_id, part_id): target
        for indicator_id, part_id, target in TownshipTarget.objects.filter(
            split__indicator_id__in=[i.pk for i in wanted], township_id__in=part_ids
        ).values_list("split__indicator_id", "township_id", "target")
    }

    def target(indicator: Indicator, part_id: int | None) -> int | None:
        return targets.get((indicator.pk, part_id))

    return rows_of(wanted, by_id, figures, part_ids, months, target)


def _part_ids(plan: Plan) -> list[int]:
    return list(
        Region.objects.filter(kind=Region.Kind.TOWNSHIP, parent__in=places_of(plan))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rebuild_parts(
    plan: Plan,
    *,
    indicator_ids: set[int] | None,
    from_month: int,
    indicators: list[Indicator] | None = None,
    region_ids: set[int] | None = None,
) -> int:
    """Replace the stored rows of the plan's parts (of some indicators) from ``from_month`` on
    where any differs; returns the rows that differed. On PostgreSQL one statement (the city's,
    over the parts: ``postgres.PARTS_STATEMENT``), and with ``region_ids`` (the counties whose
    figures changed) only their parts'; elsewhere ``compute_parts``, all of them."""
    if connection.vendor == "postgresql":
        part_ids = _part_ids(plan)
        if not part_ids:
            return PartRollup.objects.filter(plan=plan).delete()[0]
        changed = None
        if region_ids is not None:
            changed = set(
                Region.objects.filter(pk__in=part_ids, parent_id__in=region_ids).values_list(
                    "pk", flat=True
                )
            )
            if not changed:
                return 0  # no county that changed splits further
        return postgres.rebuild_part_rows(
            plan,
            part_ids=part_ids,
            indicator_ids=indicator_ids,
            from_month=from_month,
            indicators=indicators,
            changed_parts=changed,
        )
    rows = compute_parts(plan, indicator_ids=indicator_ids, months=range(from_month, 13))
    stored = PartRollup.objects.filter(plan=plan, month__gte=from_month)
    if indicator_ids is not None:
        stored = stored.filter(indicator_id__in=indicator_ids)
    fresh = {values[:3]: values for values in (tuple(asdict(row).values()) for row in rows)}
    old = {values[:3]: values for values in stored.values_list(*ROW_FIELDS)}
    differing = sum(fresh.get(key) != old.get(key) for key in fresh.keys() | old.keys())
    if differing:
        stored.delete()
        PartRollup.objects.bulk_create(
            (PartRollup(plan=plan, **asdict(row)) for row in rows), batch_size=2000
        )
    return differing


def part_rows(plan: Plan, month: int, place: Region) -> list[ProgressRow]:
    """The stored rows of a place's parts as of a month."""
    return [
        ProgressRow(*values)
        for values in PartRollup.objects.filter(
            plan=plan, month=month, region__parent=place
        ).values_list(*ROW_FIELDS)
    ]
