"""Reads for pages and the API: progress comes from the rollup tables only."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from targets.models import Indicator, Plan, Submission

from .models import Rollup

AS_OF = re.compile(r"^(\d{4})-(\d{2})$")


class BadAsOf(ValueError):
    """An as-of month that is malformed or outside the plan's year; the message is for people."""


def parse_as_of(plan: Plan, raw: str | None) -> int:
    """The month of ``YYYY-MM`` within the plan's year; without one, the latest reported month."""
    if raw is None or raw == "":
        return default_as_of(plan)
    match = AS_OF.match(raw)
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadAsOf(
            _("截止月份格式应为 YYYY-MM（例如 %(year)s-09），收到：%(raw)s")
            % {
                "year": plan.year,
                "raw": raw[:20],
            }
        )
    if int(match[1]) != plan.year:
        raise BadAsOf(
            _("截止月份必须在 %(year)s 年度内，收到：%(raw)s")
            % {
                "year": plan.year,
                "raw": raw,
            }
        )
    return int(match[2])


def default_as_of(plan: Plan) -> int:
    """The latest month with an approved figure (January when there is none yet)."""
    latest = Submission.objects.filter(indicator__plan=plan, is_counted=True).aggregate(
        latest=Max("month")
    )["latest"]
    return latest or 1


def _number(value: Decimal | None, places: int = 4) -> float | None:
    return None if value is None else float(round(value, places))


def _rate(row: Rollup) -> float | None:
    return _number(row.rate)


def _item(indicator: Indicator, row: Rollup) -> dict[str, Any]:
    is_rate = indicator.kind == Indicator.Kind.RATE
    item: dict[str, Any] = {
        "code": indicator.code,
        "department": indicator.department.name,
        "name": indicator.name,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "target": _number(row.target_rate) if is_rate else row.target,
        "actual": _rate(row) if is_rate else row.actual,
        "completion": _number(row.completion),
        "expected": _number(row.expected),
        "status": row.status,
        "projected": _rate(row) if is_rate else row.projected,
    }
    if is_rate:
        item["numerator"] = row.numerator
        item["denominator"] = row.denominator
    return item


def progress(plan: Plan, month: int) -> dict[str, Any] | None:
    """The progress API's document for a plan and as-of month; None if not rolled up yet."""
    rows = list(
        Rollup.objects.filter(plan=plan, month=month)
        .select_related("indicator__department", "region")
        .order_by("indicator__order", "indicator__code", "region__order", "region__code")
    )
    if not rows:
        return None
    city: dict[int, Rollup] = {}
    regions: dict[int, list[Rollup]] = defaultdict(list)
    for row in rows:
        if row.region_id is None:
            city[row.indicator_id] = row
        else:
            regions[row.indicator_id].append(row)
    goals, quotas = [], []
    for indicator_id, row in city.items():
        indicator = row.indicator
        item = _item(indicator, row)
        if indicator.role == Indicator.Role.GOAL:
            if row.unallocated is not None:
                item["unallocated"] = row.unallocated
            goals.append(item)
        elif indicator.role == Indicator.Role.QUOTA:
            item["regions"] = [
                {
                    "code": r.region.code,
                    "name": r.region.name,
                    **{
                        key: value
                        for key, value in _item(indicator, r).items()
                        if key in ("target", "actual", "completion", "status", "projected")
                        or key in ("numerator", "denominator")
                    },
                }
                for r in regions[indicator_id]
            ]
            quotas.append(item)
    return {
        "plan": {"year": plan.year, "doc_number": plan.doc_number, "title": plan.title},
        "as_of": f"{plan.year}-{month:02d}",
        "time_elapsed": round(month / 12, 4),
        "goals": goals,
        "quotas": quotas,
    }
