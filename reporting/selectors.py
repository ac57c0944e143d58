"""Reads for pages and the API: progress comes from the rollup tables only."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Max
from django.utils.translation import gettext as _

from targets import completeness, periods
from targets.models import Indicator, Plan, Region, place_by_code, places_of

from . import county_parts
from .models import Rollup, RollupRun
from .rows import ROW_FIELDS, IndicatorProgress, Progress, ProgressRow, RegionProgress

AS_OF = re.compile(r"^(\d{4})-(\d{2})$")


class BadAsOf(ValueError):
    """An as-of month that is malformed or outside the plan's year; the message is for people."""


def parse_as_of(plan: Plan, raw: str | None) -> int:
    """The month of ``YYYY-MM`` within the plan's year; without one, ``default_as_of``."""
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


# Without ``?year=``: an active plan first, then a closed one (it has figures), a draft last.
_DEFAULT_ORDER = {Plan.Status.ACTIVE: 0, Plan.Status.CLOSED: 1, Plan.Status.DRAFT: 2}


def default_plan(plans: Iterable[Plan]) -> Plan | None:
    """The plan a page shows without ``?year=``: the latest-year active plan, else the latest
    closed one, else (administrators only see drafts) the latest draft."""
    ordered = sorted(plans, key=lambda plan: (_DEFAULT_ORDER.get(plan.status, 3), -plan.year))
    return ordered[0] if ordered else None


def earlier_plans(plans: Iterable[Plan], plan: Plan) -> list[Plan]:
    """The plans ``plan`` may be compared with: earlier years that have left draft, latest first."""
    return sorted(
        (p for p in plans if p.year < plan.year and p.status != Plan.Status.DRAFT),
        key=lambda p: p.year,
        reverse=True,
    )


def default_as_of(plan: Plan, now: datetime | None = None) -> int:
    """The month pages, the API, the bulletin, the workbook and commands show by default: the
    latest month whose reporting deadline has passed and for which something was sent;
    January (nothing judged yet) before that. One rule, ``targets.completeness``'s."""
    return periods.default_as_of(plan, now)


def rounded(value: Decimal | None, places: int = 4) -> float | None:
    """A fraction as the API gives it: a float of four places."""
    return None if value is None else float(round(value, places))


def _rate(row: Rollup | ProgressRow) -> float | None:
    return rounded(row.rate)


def indicator_progress(
    indicator: Indicator, row: Rollup | ProgressRow, reported: completeness.Reported | None = None
) -> IndicatorProgress:
    """A goal's or quota's row. Its ``status`` is the rollup's only once every report the row
    needs for the month is approved; before that ``pending`` (not judged). Without
    ``reported`` (callers that judge no month): the rollup's status as it is."""
    is_rate = indicator.kind == Indicator.Kind.RATE
    return IndicatorProgress(
        code=indicator.code,
        department=indicator.department.name,
        name=indicator.name,
        kind=indicator.kind,
        unit=indicator.unit,
        target=rounded(row.target_rate) if is_rate else row.target,
        actual=_rate(row) if is_rate else row.actual,
        completion=rounded(row.completion),
        expected=rounded(row.expected),
        status=row.status if reported is None else completeness.judged_status(row.status, reported),
        reported=reported,
        projected=_rate(row) if is_rate else row.projected,
        numerator=row.numerator if is_rate else None,
        denominator=row.denominator if is_rate else None,
    )


def _region_progress(
    indicator: Indicator,
    region: Region,
    row: ProgressRow,
    reported: completeness.Reported | None,
) -> RegionProgress:
    item = indicator_progress(indicator, row, reported)
    return RegionProgress(
        code=region.code,
        name=region.name,
        kind=region.kind,
        target=item.target,
        actual=item.actual,
        completion=item.completion,
        status=item.status,
        reported=item.reported,
        projected=item.projected,
        numerator=item.numerator,
        denominator=item.denominator,
    )


def latest_runs(plans: Iterable[Plan]) -> dict[int, int]:
    """The latest rollup run of each plan, by plan id (a plan never rolled up: absent), in one
    query. A rebuild or an incremental run records its run in the same transaction as its
    rows, so what is read from the rollup tables is the same until this changes."""
    ids = [plan.pk for plan in plans]
    if not ids:
        return {}
    return dict(
        RollupRun.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id")
        .annotate(latest=Max("pk"))
        .values_list("plan_id", "latest")
    )


def progress(
    plan: Plan,
    month: int,
    coverage: completeness.Coverage | None = None,
    *,
    region: Region | None = None,
    latest_run: int | object | None = ...,
) -> Progress | None:
    """A plan's progress as of a month (the API's document, ``reporting.api.document``);
    None if not rolled up yet. With ``region``, that county's own (``_county_progress``).

    Kept in the cache under the plan's latest rollup run: every rebuild, full or incremental,
    records a run in the same transaction as its rows, so a new run means a new key and a
    progress is never served after the rows behind it changed. A page that has read the
    month's ``coverage`` already passes it (its indicators and regions are not read again),
    and the plan's ``latest_run`` (``latest_runs``), if it has read it.
    """
    if latest_run is ...:  # not read by the page already (``latest_runs``)
        latest_run = (
            RollupRun.objects.filter(plan=plan).order_by("-pk").values_list("pk", flat=True).first()
        )
    # "rows": a typed ``Progress``, never a JSON document cached by an earlier release.
    key = f"progress-rows:{plan.pk}:{month}:{latest_run}"
    if region is not None:
        key += f":region-{region.pk}"
    # The cache hands out a fresh unpickled copy on every read: thousands of objects for a
    # province-sized month, and garbage to collect after each request. A Progress is
    # immutable, so the one this process read last serves for as long as the cache holds its
    # key (an entry cleared or expired there is read again).
    with _HELD_LOCK:
        found = _held.get(key)
    if found is not None and cache.has_key(key):
        return found
    found = cache.get(key)
    if found is None:
        found = _progress(plan, month, coverage, region)
        if found is None:
            return None
        cache.set(key, found, PROGRESS_CACHE_SECONDS)
    with _HELD_LOCK:
        _held[key] = found
        while len(_held) > PROGRESS_HELD:
            del _held[next(iter(_held))]  # the oldest
    return found


# A day: the key changes with every rollup run anyway.
PROGRESS_CACHE_SECONDS = 24 * 3600
# The progresses a process holds read (plans × months pages ask for at once, with room).
PROGRESS_HELD = 32
_held: dict[str, Progress] = {}
_HELD_LOCK = threading.Lock()


def _progress(
    plan: Plan,
    month: int,
    coverage: completeness.Coverage | None = None,
    region: Region | None = None,
) -> Progress | None:
    if coverage is not None and coverage.month == month:
        indicators, regions = coverage.by_id, coverage.regions
    else:
        coverage = None
        indicators = {
            indicator.pk: indicator
            for indicator in Indicator.objects.filter(plan=plan).select_related("department")
        }
        regions = {region.pk: region for region in places_of(plan)}
    stored = Rollup.objects.filter(plan=plan, month=month)
    if region is not None:
        stored = stored.filter(region_id=region.pk)
    rows = [ProgressRow(*values) for values in stored.order_by().values_list(*ROW_FIELDS)]
    if not rows:
        return None
    if region is not None:
        return _county_progress(plan, month, region, rows, indicators, regions, coverage)

    def place(row: ProgressRow) -> tuple:
        indicator = indicators[row.indicator_id]
        region = regions.get(row.region_id)
        return (
            indicator.order,
            indicator.code,
            region is not None,
            region.order if region else 0,
            region.code if region else "",
        )

    rows.sort(key=place)
    city: dict[int, ProgressRow] = {}
    by_region: dict[int, list[ProgressRow]] = defaultdict(list)
    for row in rows:
        if row.region_id is None:
            city[row.indicator_id] = row
        else:
            by_region[row.indicator_id].append(row)
    # Completeness of the month, for every row, from one query.
    if coverage is None:
        coverage = completeness.Coverage(
            plan, month, indicators=indicators.values(), regions=regions.values()
        )
    goals, quotas = [], []
    for indicator_id, row in city.items():
        indicator = indicators[indicator_id]
        item = indicator_progress(indicator, row, coverage.reported(indicator))
        if indicator.role == Indicator.Role.GOAL:
            goals.append(replace(item, unallocated=row.unallocated))
        elif indicator.role == Indicator.Role.QUOTA:
            regions_of = tuple(
                _region_progress(
                    indicator,
                    regions[r.region_id],
                    r,
                    coverage.reported(indicator, r.region_id),
                )
                for r in by_region[indicator_id]
            )
            quotas.append(replace(item, regions=regions_of))
    return Progress(
        year=plan.year,
        doc_number=plan.doc_number,
        title=plan.title,
        month=month,
        reported=coverage.totals(),
        time_elapsed=round(month / 12, 4),
        goals=tuple(goals),
        quotas=tuple(quotas),
    )


def _county_progress(
    plan: Plan,
    month: int,
    region: Region,
    rows: list[ProgressRow],
    indicators: dict[int, Indicator],
    regions: dict[int, Region],
    coverage: completeness.Coverage | None,
) -> Progress:
    """One county's progress: its own rollup rows as the unit's goals and quotas.

    A goal's row in a county is what the rollup stores there: the county's figures reported
    against the goal and against the quotas feeding it (a stock goal: the county's level), with
    the goal's own county target if one was set (none in the 2015 plan: then not judged).
    Quotas carry the county's split target. A quota's ``regions`` are the county's parts
    (乡镇、街道 or 责任单位, ``county_parts``), empty where it does not split further. No goal
    carries ``unallocated``: what no department carries is the city's question.
    """
    if coverage is None:
        coverage = completeness.Coverage(
            plan, month, indicators=indicators.values(), regions=regions.values()
        )
    goals, quotas, reported = [], [], {}
    for row in sorted(rows, key=lambda row: _order(indicators[row.indicator_id])):
        indicator = indicators[row.indicator_id]
        reported[indicator.pk] = coverage.reported(indicator, region.pk)
        item = indicator_progress(indicator, row, reported[indicator.pk])
        if indicator.role == Indicator.Role.GOAL:
            goals.append(item)
        elif indicator.role == Indicator.Role.QUOTA:
            quotas.append((indicator, item, row))
    return Progress(
        year=plan.year,
        doc_number=plan.doc_number,
        title=plan.title,
        month=month,
        reported=coverage.totals(region.pk),
        time_elapsed=round(month / 12, 4),
        goals=tuple(goals),
        quotas=tuple(
            county_parts.with_parts(plan, month, region, quotas, reported, _region_progress)
        ),
    )


def _order(indicator: Indicator) -> tuple[int, str]:
    return (indicator.order, indicator.code)


# --- organisation units: the city (鹤壁市) and its counties ------------------------------------

# GB/T 2260's code and the name of 鹤壁市 itself: the unit of the city's documents. (410601,
# 市辖区, is 市直's, a ``Region`` like the counties.) A name, like the counties', not a phrase.
CITY_CODE = "410600"
CITY_NAME = "鹤壁市"
UNIT_CODE = re.compile(r"[1-9][0-9]{5}")


class BadUnit(ValueError):
    """A ``unit`` that is not a six-digit code; the message is for people."""


@dataclass(frozen=True)
class Unit:
    """The organisation unit a progress document is about: the city (``region`` None), or one
    county or district (or 市直)."""

    code: str
    name: str
    region: Region | None = None

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


CITY = Unit(code=CITY_CODE, name=CITY_NAME)


def county_unit(region: Region) -> Unit:
    return Unit(code=region.code, name=region.name, region=region)


def unit_of(raw: str) -> Unit | None:
    """The unit of a ``unit`` code: the city's (410600) or a county's; ``None`` if no county
    has that code. ``BadUnit`` if it is not a code at all."""
    if not UNIT_CODE.fullmatch(raw):
        raise BadUnit(
            _("单位代码应为六位行政区划代码（例如 410621），收到：%(raw)s") % {"raw": raw[:20]}
        )
    if raw == CITY_CODE:
        return CITY
    region = place_by_code(raw)
    return None if region is None else county_unit(region)
