"""A county's own bulletin (县区通报): the numbers it is written from (``collect``).

The same rules as the city's bulletin, over one county's rows: its quotas (their county
targets, the splits), judged only when the month's reports behind them are all approved, and
its own reports missing, late or not yet approved. The county's progress is the city's
(``reporting.selectors.progress``, the rollup tables) narrowed to the county (``narrowed``),
so the county's bulletin, its workbook and its dashboard read the same rows. Nothing of another
county is stored with it but the county's place in the city's ranking.

The paper is the county's own: its 第N期 (per plan and county), its issuer (``issuer``: the
county's name and the city issuer's office, 浚县全民技能振兴工程领导小组办公室) and a copy to
the city's office (``cc``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from targets.completeness import Reported
from targets.models import Indicator, Plan, Region, Submission, bulletin_issuer_of

from .. import selectors
from ..rows import IndicatorProgress, Progress
from .numbers import gap_rows, outstanding, reporting_departments
from .rankings import ranked_counties


def issuer(plan: Plan, region: Region) -> str:
    """The county's issuer: its name and the office of the city's issuer, whose name follows
    the city's (鹤壁市全民技能振兴工程领导小组办公室 → 浚县全民技能振兴工程领导小组办公室).
    Changing the plan's issuer (``Plan.bulletin_issuer``) changes every county's with it."""
    city = bulletin_issuer_of(plan)
    _city, found, office = city.partition("市")
    return f"{region.name}{office if found and office else city}"


def cc(plan: Plan) -> str:
    """A county's bulletin is copied to the city's office (the city's issuer)."""
    return bulletin_issuer_of(plan)


def narrowed(progress: Progress, region: Region, reported: Reported | None) -> Progress:
    """The city's progress as one county stands: each quota with a row in the county, as the
    county's (its target, actual, completion, status and reports; ``regions`` only that row,
    so the ranking's measures apply to it); no goals (the plan's goals are the city's)."""
    quotas = []
    for quota in progress.quotas:
        row = next((r for r in quota.regions if r.code == region.code), None)
        if row is not None:
            quotas.append(replace(quota.in_region(row), regions=(row,)))
    return replace(progress, reported=reported, goals=(), quotas=tuple(quotas))


def county_reported(plan: Plan, month: int, region: Region) -> Reported:
    """The county's cells of the month: every series taking figures (not a rate) once, and how
    many have an approved figure (the city's ``Coverage.totals``, in one county)."""
    series = Indicator.objects.filter(plan=plan, accepts_figures=True).exclude(
        kind=Indicator.Kind.RATE
    )
    approved = (
        Submission.objects.filter(indicator__in=series, region=region, month=month, is_counted=True)
        .values("indicator_id")
        .distinct()
        .count()
    )
    return Reported(expected=series.count(), approved=approved)


def place_of(region: Region) -> dict[str, str]:
    return {"code": region.code, "name": region.name, "kind": region.kind}


def standing_in_city(progress: Progress, region: Region) -> dict[str, int] | None:
    """The county's place among the city's counties, as the city's bulletin ranks them (judged
    rows only); None when the city's bulletin does not rank it this month."""
    ranked = [standing.code for standing in ranked_counties(progress, judged_only=True)]
    if region.code not in ranked:
        return None
    return {"rank": ranked.index(region.code) + 1, "of": len(ranked)}


def collect(plan: Plan, month: int, region: Region) -> dict[str, Any] | None:
    """The numbers a county's bulletin is written from; None before the month is rolled up."""
    city = selectors.progress(plan, month)
    if city is None:
        return None
    return {
        "county": place_of(region),
        "progress": narrowed(city, region, county_reported(plan, month, region)),
        "gaps": [gap for gap in gap_rows(plan, month) if gap["region"] == region.code],
        "outstanding": [o for o in outstanding(plan, month) if o["region"] == region.code],
        "reports": reporting_departments(plan),
        "deadline_day": plan.deadline_day,
        "review_levels": 2 if plan.review_levels == 2 else 1,
        "standing": standing_in_city(city, region),
        "parts": split_quotas(plan, month, region),
    }


def split_quotas(plan: Plan, month: int, region: Region) -> list[IndicatorProgress]:
    """The county's quotas split among its parts (乡镇、街道 or 责任单位), each with its parts
    as ``regions``; none where the county does not split further."""
    own = selectors.progress(plan, month, region=region)
    return [quota for quota in own.quotas if quota.regions] if own is not None else []


def is_county(numbers: dict[str, Any]) -> bool:
    """Numbers of a county's bulletin (published or not), not the city's."""
    return "county" in numbers


def with_target(quota: IndicatorProgress) -> bool:
    """A quota the county is judged on: a count split to it (its own target), or a rate (the
    plan's target rate holds in every county)."""
    return quota.target is not None and (quota.kind == "rate" or bool(quota.target))
