"""The monthly bulletin (通报): a paper of its own, generated from the rollups, and its publication.

The bulletin is the leading group office's paper: its own number (第N期, per plan year, given at
publication), its own issuer (``Plan.bulletin_issuer``), its 成文日期 and 抄送 line. It cites
the plan (根据《…》（鹤政办〔2015〕39号）) but never wears the plan's 文号 or issuer.

The text is a plain function of the month's numbers (``collect``): the progress API's document
(``reporting.selectors.progress``, read from the rollup tables, never the submissions), the
reports missing or late (``targets.completeness.gaps``), the reports not yet approved
(``outstanding``) and how the training goal breaks down (``breakdowns``). Publishing stores both
the text and the numbers (``Bulletin``), so a published bulletin never changes;
``changes_since`` lists what the current rollup says differently.

Sections, in the usual order: 一、总体进展 二、各县区进展 三、各部门进展 四、存在的问题
五、下步工作要求.

A row whose as-of month's reports are not all approved (``status`` ``pending``, or its
``reported`` counts short) is **not judged**: the text says 数据不全 with the reports approved,
never 低于序时进度, and never lists it among the items in red. A row without ``reported`` is
taken as complete.

How things are ranked (and said in the text):

- quotas: by completion minus the expected share (序时进度: m/12 for a flow, the whole target
  for a level or a rate, as the rollup judges them), highest first; pending quotas next, then
  quotas without data; ties keep the plan's order.
- counties: over the judged quotas with a county target (rates have none), each county's mean
  completion minus the mean expected share, highest first; ties keep the counties' order.
  The mean counts every split quota once, small or large: summing actuals across quotas
  would add person-times to persons and let the largest quota decide the ranking. City-level
  units (市直, a region of kind ``city``) are not a county: listed apart, never ranked.

Numbers are written by ``reporting.formatting`` (the dashboard's and workbook's formatter):
percentages rounded once from the exact ratio, 万 amounts, points as differences of the printed
percentages. A rate's value is the rate (numerator ÷ denominator); its completion against the
target is said separately, labelled (为目标的…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets import policy
from targets.completeness import gaps, missing_reports
from targets.models import Indicator, Plan, Region, bulletin_issuer_of
from targets.periods import deadline, last_day_on_time

from . import api, selectors
from . import formatting as fmt
from .models import Bulletin
from .rows import IndicatorProgress, Progress, RegionProgress

# How the plan itself words a goal's achievement, where the bare name does not read as a clause.
GOAL_PHRASES = {"training-total": gettext_lazy("完成各类职业技能培训")}
# Section headings: 一、总体进展 (and 1. Overall progress in English).
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\. )")
CITY_KIND = "city"  # a region item of this kind is 市直: city-level units, not a county
# The official text is Chinese: a bulletin is published (frozen) in this language.
OFFICIAL_LANGUAGE = "zh-hans"


# --- punctuation: Chinese marks in Chinese, English marks in English --------------------------


@dataclass(frozen=True)
class Marks:
    semicolon: str
    stop: str
    comma: str
    enumeration: str  # 、
    after_name: str  # between a department and its places
    sentence_gap: str  # after a full stop


def marks() -> Marks:
    if (translation.get_language() or OFFICIAL_LANGUAGE).startswith("zh"):
        return Marks("；", "。", "，", "、", "", "")
    return Marks("; ", ".", ", ", ", ", ": ", " ")


def _join(clauses: Iterable[str]) -> str:
    m = marks()
    return m.semicolon.join(clauses) + m.stop


def _listed(names: Iterable[str]) -> str:
    return marks().enumeration.join(names)


def _ordinals() -> str:
    """Numbers of sub-items: （一）（二） in Chinese, (1) (2) otherwise."""
    if (translation.get_language() or OFFICIAL_LANGUAGE).startswith("zh"):
        return "一二三四五六七八九"
    return "123456789"


def cc_units(cc: str) -> list[str]:
    """The 抄送 units of a plan's setting, whichever marks separate them."""
    return [unit.strip() for unit in re.split(r"[，、,；;。.\n]+", cc) if unit.strip()]


# --- numbers ---------------------------------------------------------------------------------


def outstanding(plan: Plan, month: int) -> list[dict[str, Any]]:
    """Departments × places whose ``month`` report is not fully approved (the reminders'
    list, ``targets.completeness.missing_reports``): the series expected, sent (approved or
    waiting for review) and approved, as stored with a published bulletin."""
    return [
        {
            "department": report.department.code,
            "department_name": report.department.name,
            "region": report.region.code,
            "region_name": report.region.name,
            "expected": report.expected,
            "sent": report.approved + report.sent,
            "approved": report.approved,
        }
        for report in missing_reports(plan, month)
    ]


def _reports(plan: Plan) -> int:
    """Reports owed a month: one per department with series, per place."""
    departments = (
        Indicator.objects.filter(plan=plan, accepts_figures=True)
        .values("department_id")
        .distinct()
        .count()
    )
    return departments * Region.objects.count()


def breakdowns(plan: Plan, progress: Progress) -> list[dict[str, Any]]:
    """Each goal that quotas feed, as its parts: the quotas, and the goal's own figures (those
    of no quota, against the part of the target left to no quota), so the parts add up."""
    quotas = {q.code: q for q in progress.quotas}
    found = []
    for goal in progress.goals:
        if goal.kind != Indicator.Kind.FLOW:
            continue
        indicator = Indicator.objects.filter(plan=plan, code=goal.code).first()
        if indicator is None:
            continue
        fed_by = [
            code
            for code in Indicator.objects.filter(plan=plan, feeds=indicator)
            .order_by("order", "code")
            .values_list("code", flat=True)
            if code in quotas
        ]
        if not fed_by:
            continue
        parts = sum(quotas[code].actual or 0 for code in fed_by)
        own_name = (indicator.series_name or "").split("（")[0].strip() or goal.name
        found.append(
            {
                "goal": goal.code,
                "quotas": fed_by,
                "own_name": own_name,
                "own_actual": None if goal.actual is None else goal.actual - parts,
                "own_target": goal.unallocated or 0,
            }
        )
    return found


def collect(plan: Plan, month: int) -> dict[str, Any] | None:
    """The numbers a bulletin is written from; None before the month is rolled up."""
    found = selectors.progress(plan, month)
    if found is None:
        return None
    return {
        "progress": found,
        "gaps": [
            {
                "department": gap.department,
                "department_name": gap.department_name,
                "region": gap.region,
                "region_name": gap.region_name,
                "missing": gap.missing,
                "late": gap.late,
            }
            for gap in gaps(plan, month)
        ],
        "outstanding": outstanding(plan, month),
        "reports": _reports(plan),
        "breakdowns": breakdowns(plan, found),
        "deadline_day": plan.deadline_day,
    }


def stored(numbers: dict[str, Any]) -> dict[str, Any]:
    """The numbers as stored with a published bulletin: the progress as the API's document."""
    return {**numbers, "progress": api.document(numbers["progress"])}


def from_stored(numbers: dict[str, Any]) -> dict[str, Any]:
    """A published bulletin's stored numbers, to word them again (in another language)."""
    return {**numbers, "progress": api.progress_from_document(numbers["progress"])}


def is_pending(item: IndicatorProgress | RegionProgress) -> bool:
    """Not judged: the as-of month's reports behind the row are not all approved."""
    if item.status == "pending":
        return True
    reported = item.reported
    return reported is not None and reported.approved < reported.expected


def is_city_place(row: RegionProgress) -> bool:
    return row.kind == CITY_KIND


def _points(difference: Decimal) -> str:
    return _("%(points)s个百分点") % {"points": f"{abs(difference):f}"}


def _against_time(completion: Any, expected: Any) -> str:
    difference = fmt.points(completion, expected)
    if difference > 0:
        return _("超序时进度%(points)s") % {"points": _points(difference)}
    if difference < 0:
        return _("低于序时进度%(points)s") % {"points": _points(difference)}
    return _("与序时进度持平")


def _lead(item: IndicatorProgress) -> Any:
    """Completion minus the expected share: what quotas are ranked by (exact)."""
    completion = fmt.completion_of(item)
    if completion is None:
        return None
    return completion - fmt.exact(item.expected)


def _not_judged(item: IndicatorProgress) -> str:
    reported = item.reported
    if reported and reported.expected:
        return _("数据不全（已审核%(approved)s/%(expected)s项），暂不评价进度") % {
            "approved": reported.approved,
            "expected": reported.expected,
        }
    return _("数据不全（待报），暂不评价进度")


# --- clauses ---------------------------------------------------------------------------------


def _target_clause(item: IndicatorProgress) -> str:
    return _("年度目标（%(target)s%(unit)s）的%(completion)s") % {
        "target": fmt.amount(item.target),
        "unit": item.unit,
        "completion": fmt.percent(fmt.completion_of(item)),
    }


def _rate_clause(item: IndicatorProgress, name: str) -> str:
    rate = fmt.rate_of(item)
    clause = _("%(name)s为%(rate)s（%(numerator)s/%(denominator)s，目标%(target)s）") % {
        "name": name,
        "rate": fmt.percent(rate),
        "numerator": item.numerator,
        "denominator": item.denominator,
        "target": fmt.percent(item.target, trim=True),
    }
    if is_pending(item):
        return clause + marks().comma + _not_judged(item)
    difference = fmt.points(rate, item.target)
    if difference >= 0:
        return clause + marks().comma + _("已达到目标")
    return clause + marks().comma + _("低于目标%(points)s") % {"points": _points(difference)}


def clause(item: IndicatorProgress, name: str | None = None) -> str:
    """One goal's or quota's progress as a clause (no final punctuation)."""
    name = name or item.name
    comma = marks().comma
    if item.kind == "rate":
        if fmt.rate_of(item) is None:
            return _("%(name)s尚无数据") % {"name": name}
        return _rate_clause(item, name)
    completion = fmt.completion_of(item)
    if item.actual is None or completion is None:
        return _("%(name)s尚无审核通过的数据") % {"name": name}
    values = {"name": name, "actual": fmt.amount(item.actual), "unit": item.unit}
    if item.kind == "stock":
        text = _("%(name)s达到%(actual)s%(unit)s，为") % values + _target_clause(item)
        if is_pending(item):
            return text + comma + _not_judged(item)
        if fmt.rounded_percent(completion) >= 100:
            return text + comma + _("已达到年度目标")
        return (
            text
            + comma
            + _("距年度目标差%(points)s")
            % {"points": _points(fmt.rounded_percent(completion) - 100)}
        )
    text = _("%(name)s%(actual)s%(unit)s，占") % values + _target_clause(item)
    if is_pending(item):
        return text + comma + _not_judged(item)
    return text + comma + _against_time(completion, item.expected)


def _goal_clause(goal: IndicatorProgress) -> str:
    if goal.kind == "flow" and goal.actual is not None and goal.completion is not None:
        return clause(goal, str(GOAL_PHRASES.get(goal.code, goal.name)))
    return clause(goal)


def _quota_clause(quota: IndicatorProgress) -> str:
    if quota.kind == "flow" and quota.actual is not None and quota.completion is not None:
        return clause(quota, _("%(name)s完成") % {"name": quota.name})
    return clause(quota)


def county_value(quota: IndicatorProgress, row: RegionProgress) -> str:
    """A county row's value as printed: the rate for a rate (its completion against the target
    labelled apart), the completion of its target for a count."""
    item = quota.in_region(row)
    if quota.kind == "rate":
        return _("%(name)s%(rate)s（目标%(target)s，为目标的%(completion)s）") % {
            "name": quota.name,
            "rate": fmt.percent(fmt.rate_of(item)),
            "target": fmt.percent(item.target, trim=True),
            "completion": fmt.percent(fmt.completion_of(item)),
        }
    return _("%(name)s完成年度目标的%(completion)s") % {
        "name": quota.name,
        "completion": fmt.percent(fmt.completion_of(item)),
    }


# --- rankings --------------------------------------------------------------------------------


def ranked_quotas(progress: Progress) -> list[IndicatorProgress]:
    """Judged quotas by completion against the expected share, highest first; then pending
    quotas (plan's order); quotas without data last."""
    judged = [q for q in progress.quotas if not is_pending(q) and _lead(q) is not None]
    pending = [q for q in progress.quotas if is_pending(q) and _lead(q) is not None]
    without = [q for q in progress.quotas if _lead(q) is None]
    return sorted(judged, key=_lead, reverse=True) + pending + without


@dataclass(frozen=True)
class CountyStanding:
    code: str
    name: str
    quotas: int
    completion: Decimal  # mean completion of its judged split quotas, four places
    expected: Decimal  # mean expected share of the same quotas, four places
    pending: int = 0  # split quotas with data not all approved: left out of the mean

    @property
    def lead(self) -> Decimal:
        return self.completion - self.expected


def _mean(values: list[Any]) -> Decimal:
    exact = sum(values) / len(values)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def _county_rows(
    progress: Progress, *, city: bool, judged_only: bool = True
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for quota in progress.quotas:
        if quota.kind == "rate":
            continue
        for row in quota.regions:
            if is_city_place(row) != city or not row.target:
                continue
            item = quota.in_region(row)
            completion = fmt.completion_of(item)
            if completion is None:
                continue
            entry = found.setdefault(
                row.code, {"name": row.name, "completions": [], "expected": [], "pending": 0}
            )
            if is_pending(row):
                entry["pending"] += 1
                if judged_only:
                    continue
            entry["completions"].append(completion)
            entry["expected"].append(fmt.exact(quota.expected))
    return found


def _standings(found: dict[str, dict[str, Any]]) -> list[CountyStanding]:
    return [
        CountyStanding(
            code,
            entry["name"],
            len(entry["completions"]),
            _mean(entry["completions"]),
            _mean(entry["expected"]),
            entry["pending"],
        )
        for code, entry in found.items()
        if entry["completions"]
    ]


def ranked_counties(progress: Progress, *, judged_only: bool = False) -> list[CountyStanding]:
    """Counties and districts (not 市直) by mean completion of their split quotas against the
    mean expected share. The bulletin ranks on judged rows only (``judged_only``: pending rows
    left out of the mean and counted in ``pending``; a county with none judged is not ranked);
    the dashboard ranks every county on all its rows and greys those with pending ones."""
    standings = _standings(_county_rows(progress, city=False, judged_only=judged_only))
    return sorted(standings, key=lambda s: s.lead, reverse=True)


def city_places(progress: Progress) -> list[CountyStanding]:
    """市直 (city-level units) on the same measure, apart from the ranking."""
    return _standings(_county_rows(progress, city=True))


def unranked_counties(progress: Progress) -> list[str]:
    """Counties whose split quotas are all pending: not ranked this month."""
    found = _county_rows(progress, city=False)
    return [entry["name"] for entry in found.values() if not entry["completions"]]


def red_items(
    progress: Progress,
) -> tuple[list[IndicatorProgress], dict[str, list[tuple[IndicatorProgress, RegionProgress]]]]:
    """Judged goals and quotas in red city-wide, and the red county rows by county (plan's
    order). A pending row is never red."""
    city = [
        i for i in [*progress.goals, *progress.quotas] if i.status == "red" and not is_pending(i)
    ]
    counties: dict[str, list[tuple[IndicatorProgress, RegionProgress]]] = {}
    for quota in progress.quotas:
        for row in quota.regions:
            if row.status == "red" and not is_pending(row):
                counties.setdefault(row.name, []).append((quota, row))
    return city, counties


def pending_items(progress: Progress) -> list[IndicatorProgress]:
    """Goals and quotas not judged this month (their reports are not all approved)."""
    return [i for i in [*progress.goals, *progress.quotas] if is_pending(i)]


# --- the masthead and the text -----------------------------------------------------------------


def title(progress: Progress) -> str:
    year, month = progress.year, progress.month
    period = (
        _("%(year)s年1月") % {"year": year}
        if month == 1
        else _("%(year)s年1—%(month)s月") % {"year": year, "month": month}
    )
    return _("关于%(period)s全民技能振兴工程目标任务进展情况的通报") % {"period": period}


def date_text(day: date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def number_text(number: int, *, draft: bool = False) -> str:
    if draft:
        return _("第%(number)s期（草稿）") % {"number": number}
    return _("第%(number)s期") % {"number": number}


def next_number(plan: Plan) -> int:
    """The number the plan's next published bulletin gets: no gaps, in publication order."""
    latest = Bulletin.objects.filter(plan=plan).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def masthead(plan: Plan, month: int, published: Bulletin | None) -> dict[str, Any]:
    """期号, issuer, 成文日期 and 抄送 of a month's bulletin: the published one's own, or for a
    draft the plan's settings, the next number and today."""
    if published is not None:
        issuer, cc, number, day = (
            published.issuer,
            published.cc,
            published.number,
            published.issued_on,
        )
        draft = False
    else:
        issuer, cc, number = bulletin_issuer_of(plan), plan.bulletin_cc, next_number(plan)
        day, draft = timezone.localdate(), True
    units = cc_units(cc)
    return {
        "number": number_text(number, draft=draft),
        "issuer": issuer,
        "date": date_text(day),
        "cc": (_("抄送：") + _listed(units) + marks().stop) if units else "",
    }


def _opening(progress: Progress) -> list[str]:
    year, month = progress.year, progress.month
    return [
        _("各县区人民政府，市人民政府有关部门："),
        _(
            "根据《%(title)s》（%(doc_number)s）要求，现将截至%(year)s年%(month)s月底"
            "全市全民技能振兴工程目标任务进展情况通报如下。"
        )
        % {
            "title": progress.title,
            "doc_number": progress.doc_number,
            "year": year,
            "month": month,
        },
    ]


def _overall(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    year, month = progress.year, progress.month
    lines = [_("一、总体进展")]
    opening = _("截至%(year)s年%(month)s月底（序时进度%(elapsed)s），全市") % {
        "year": year,
        "month": month,
        "elapsed": fmt.percent(progress.time_elapsed, trim=True),
    }
    sentences = [opening + _join(_goal_clause(goal) for goal in progress.goals)]
    for goal in progress.goals:
        if goal.unallocated:
            sentences.append(
                _("全年%(name)s目标中，有%(amount)s%(unit)s未分解到部门。")
                % {
                    "name": goal.name,
                    "amount": fmt.amount(goal.unallocated),
                    "unit": goal.unit,
                }
            )
    if "reports" in numbers:
        owed = numbers["reports"]
        sentences.append(
            _("%(month)s月份应报报表%(owed)s份（各部门每个县区1份），已全部审核通过%(done)s份。")
            % {"month": month, "owed": owed, "done": owed - len(numbers.get("outstanding", []))}
        )
    text = marks().sentence_gap.join(sentences)
    lines.append(text)
    return lines


def _counties(progress: Progress) -> list[str]:
    lines = [_("二、各县区进展")]
    counties = ranked_counties(progress, judged_only=True)
    if counties:
        lines.append(
            _(
                "按各县区分解任务（有县区分解目标的任务，不含比率类）平均完成率与序时进度之差"
                "由高到低排列："
            )
        )
        for rank, county in enumerate(counties, start=1):
            text = _(
                "（%(rank)s）%(name)s：%(quotas)s项分解任务平均完成年度目标的%(completion)s，"
                "%(against)s"
            ) % {
                "rank": rank,
                "name": county.name,
                "quotas": county.quotas,
                "completion": fmt.percent(county.completion),
                "against": _against_time(county.completion, county.expected),
            }
            if county.pending:
                text += marks().comma + _("另有%(count)s项数据不全，未计入") % {
                    "count": county.pending
                }
            lines.append(text + marks().stop)
    else:
        lines.append(_("各项任务尚未分解到县区或数据不全，本期不作县区排名。"))
    unranked = unranked_counties(progress)
    if unranked:
        lines.append(_("%(names)s分解任务数据不全，本期暂不排名。") % {"names": _listed(unranked)})
    for place in city_places(progress):
        lines.append(
            _(
                "%(name)s（市直单位，不参加县区排名）：%(quotas)s项分解任务平均完成年度目标的"
                "%(completion)s，%(against)s。"
            )
            % {
                "name": place.name,
                "quotas": place.quotas,
                "completion": fmt.percent(place.completion),
                "against": _against_time(place.completion, place.expected),
            }
        )
    return lines


def _departments(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    lines = [_("三、各部门进展")]
    lines.append(_("按各项任务完成率与序时进度之差由高到低排列（数据不全的任务列后，不排名）："))
    ranked = ranked_quotas(progress)
    for rank, quota in enumerate(ranked, start=1):
        lines.append(
            _("（%(rank)s）%(department)s：%(clause)s。")
            % {"rank": rank, "department": quota.department, "clause": _quota_clause(quota)}
        )
    goals = {goal.code: goal for goal in progress.goals}
    quotas = {quota.code: quota for quota in progress.quotas}
    for part in numbers.get("breakdowns", []):
        goal = goals.get(part["goal"])
        if goal is None or part["own_actual"] is None:
            continue
        values = {
            "name": part["own_name"],
            "actual": fmt.amount(part["own_actual"]),
            "unit": goal.unit,
            "target": fmt.amount(part["own_target"]),
        }
        if part["own_target"]:
            own = fmt.completion(Indicator.Kind.FLOW, part["own_actual"], part["own_target"])
            values["completion"] = fmt.percent(own)
            lines.append(
                _(
                    "%(name)s（未分解到部门，不排名）：完成%(actual)s%(unit)s，"
                    "占未分解目标（%(target)s%(unit)s）的%(completion)s。"
                )
                % values
            )
        else:
            lines.append(_("%(name)s（未分解到部门，不排名）：完成%(actual)s%(unit)s。") % values)
        lines.append(
            _("以上%(count)s项分解任务与%(name)s合计%(total)s%(unit)s，即全市%(goal)s完成数。")
            % {
                "count": len([c for c in part["quotas"] if c in quotas]),
                "name": part["own_name"],
                "total": fmt.amount(goal.actual),
                "unit": goal.unit,
                "goal": goal.name,
            }
        )
    return lines


def _where(entries: Iterable[dict[str, Any]], describe: Any) -> str:
    """Department: place…, place…; next department: … (departments in the given order)."""
    m = marks()
    by_department: dict[str, list[str]] = {}
    for entry in entries:
        by_department.setdefault(entry["department_name"], []).append(describe(entry))
    return m.semicolon.join(
        f"{name}{m.after_name}{m.comma.join(places)}" for name, places in by_department.items()
    )


def _problems(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    month = progress.month
    lines = [_("四、存在的问题")]
    city, by_county = red_items(progress)
    if not city and not by_county:
        lines.append(_("本期没有进度滞后（红色）的任务。"))
    if city:
        goals = {goal.code for goal in progress.goals}
        lines.append(
            _("进度滞后的任务（全市层面）：")
            + _join(
                _("%(department)s%(clause)s")
                % {
                    "department": i.department,
                    "clause": _goal_clause(i) if i.code in goals else _quota_clause(i),
                }
                for i in city
            )
        )
    if by_county:
        lines.append(
            _("进度滞后的任务（县区层面）：")
            + _join(
                _("%(county)s%(count)s项，%(items)s")
                % {
                    "county": county,
                    "count": len(rows),
                    "items": _listed(county_value(quota, row) for quota, row in rows),
                }
                for county, rows in by_county.items()
            )
        )
    pending = pending_items(progress)
    if pending:
        lines.append(
            _("数据不全、本期暂不评价的任务：%(items)s。")
            % {"items": _listed(item.name for item in pending)}
        )
    if numbers["gaps"]:

        def describe(gap: dict[str, Any]) -> str:
            parts = []
            if gap["missing"]:
                parts.append(_("未报%(count)s项") % {"count": gap["missing"]})
            if gap["late"]:
                parts.append(_("迟报%(count)s项") % {"count": gap["late"]})
            return gap["region_name"] + _listed(parts)

        lines.append(
            _("%(month)s月份数据未报或迟报的有：") % {"month": month}
            + _where(numbers["gaps"], describe)
            + marks().stop
        )
    else:
        lines.append(_("%(month)s月份数据各部门、各县区均已按时报送。") % {"month": month})
    awaiting = [o for o in numbers.get("outstanding", []) if o["sent"] > o["approved"]]
    if awaiting:
        lines.append(
            _("已报送尚未审核通过的有：")
            + _where(
                awaiting,
                lambda o: (
                    o["region_name"] + _("%(count)s项") % {"count": o["sent"] - o["approved"]}
                ),
            )
            + marks().stop
        )
    return lines


def _requirements(numbers: dict[str, Any]) -> list[str]:
    """五、下步工作要求, from the month's data: press the red items, 催报 the missing reports."""
    progress = numbers["progress"]
    month = progress.month
    lines = [_("五、下步工作要求")]
    counter = iter(_ordinals())
    city, by_county = red_items(progress)
    if city or by_county:
        departments = list(
            dict.fromkeys(
                [i.department for i in city]
                + [quota.department for rows in by_county.values() for quota, _row in rows]
            )
        )
        lines.append(
            _(
                "（%(n)s）加快滞后任务进度。%(departments)s和%(counties)s要针对进度滞后的任务，"
                "逐项分析原因，制定赶超措施，尽快追上序时进度。"
            )
            % {
                "n": next(counter),
                "departments": _listed(departments) or _("有关部门"),
                "counties": _listed(by_county) or _("有关县区"),
            }
        )
    if numbers.get("outstanding") or numbers["gaps"]:
        by_department: dict[str, list[str]] = {}
        for entry in numbers.get("outstanding") or numbers["gaps"]:
            by_department.setdefault(entry["department_name"], []).append(entry["region_name"])
        places = [
            _("%(department)s（%(regions)s）")
            % {"department": department, "regions": _listed(regions)}
            for department, regions in by_department.items()
        ]
        lines.append(
            _(
                "（%(n)s）及时报送审核数据。请%(places)s抓紧补报%(month)s月份数据，市人力资源"
                "社会保障局抓紧审核；今后各部门、各县区须于每月%(day)s日前报送上月数据。"
            )
            % {
                "n": next(counter),
                "places": _listed(places),
                "month": month,
                "day": numbers.get("deadline_day", 5),
            }
        )
    lines.append(
        _(
            "（%(n)s）加强统筹调度。各县区、各部门要对照年度目标和序时进度，"
            "落实责任，加强调度，确保全年目标任务按时完成。"
        )
        % {"n": next(counter)}
    )
    return lines


def paragraphs(numbers: dict[str, Any]) -> list[str]:
    """The bulletin's body: salutation, opening, section headings (一、…) and paragraphs."""
    progress = numbers["progress"]
    return [
        *_opening(progress),
        *_overall(numbers),
        *_counties(progress),
        *_departments(numbers),
        *_problems(numbers),
        *_requirements(numbers),
    ]


def render(numbers: dict[str, Any]) -> tuple[str, str]:
    """The bulletin's title and text (lines separated by newlines)."""
    return title(numbers["progress"]), "\n".join(paragraphs(numbers))


def blocks(text: str) -> list[tuple[bool, str]]:
    """A text's lines for the page: (is a section heading, line)."""
    return [(bool(HEADING.match(line)), line) for line in text.split("\n") if line]


def content(plan: Plan, month: int, published: Bulletin | None) -> dict[str, Any] | None:
    """What the page and the Word file print: masthead, title and body lines.

    A published bulletin: its frozen Chinese text, or in another language the same stored
    numbers rendered in it; never the current rollup. A draft: the current rollup. None
    before the month is rolled up.
    """
    if published is not None:
        official = (translation.get_language() or OFFICIAL_LANGUAGE).startswith("zh")
        if official:
            heading, text = published.title, published.text
        else:
            heading, text = render(from_stored(published.numbers))
    else:
        numbers = collect(plan, month)
        if numbers is None:
            return None
        heading, text = render(numbers)
    return {**masthead(plan, month, published), "title": heading, "blocks": blocks(text)}


# --- publishing ------------------------------------------------------------------------------


class BulletinError(Exception):
    """A bulletin that cannot be published; the message is for people."""


class NeedsConfirmation(BulletinError):
    """Reports of the month are missing or not yet approved: publish only when confirmed."""

    def __init__(self, message: str, outstanding: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.outstanding = outstanding


def outstanding_text(entry: dict[str, Any]) -> str:
    """One department × place not fully approved, for the confirmation list."""
    return _(
        "%(department)s × %(region)s：应报%(expected)s项，已报送%(sent)s项，已审核%(approved)s项"
    ) % {
        "department": entry["department_name"],
        "region": entry["region_name"],
        "expected": entry["expected"],
        "sent": entry["sent"],
        "approved": entry["approved"],
    }


def bulletin_publish(
    *,
    plan: Plan,
    month: int,
    actor: Any,
    confirmed: bool = False,
    at: datetime | None = None,
) -> Bulletin:
    """Freeze a month's bulletin as generated now, with the plan's next number. Once per month.

    Not before the month's reporting deadline; with reports still missing or not approved only
    when ``confirmed`` (``NeedsConfirmation`` names them otherwise). Corrections that come later
    are for the next month's bulletin and are listed on this month's page as changes since.
    """
    if not policy.may_publish_bulletin(actor):
        raise PermissionDenied
    now = at or timezone.now()
    if Bulletin.objects.filter(plan=plan, month=month).exists():
        raise BulletinError(_("本月通报已发布，不能重复发布。"))
    if now < deadline(plan, month):
        raise BulletinError(
            _("%(month)s月数据的报送截止日（%(day)s）之后才能发布本月通报。")
            % {"month": month, "day": date_text(last_day_on_time(plan, month))}
        )
    with translation.override(OFFICIAL_LANGUAGE):
        numbers = collect(plan, month)
        if numbers is None:
            raise BulletinError(_("进度汇总尚未生成，暂不能发布通报。"))
        if numbers["outstanding"] and not confirmed:
            raise NeedsConfirmation(
                _("%(month)s月份还有%(count)s份报表未报齐或未审核通过，确认后仍可发布：")
                % {"month": month, "count": len(numbers["outstanding"])},
                numbers["outstanding"],
            )
        heading, text = render(numbers)
    try:
        with transaction.atomic():
            # One publication at a time per plan, so numbers follow each other without gaps.
            Plan.objects.select_for_update().filter(pk=plan.pk).first()
            if Bulletin.objects.filter(plan=plan, month=month).exists():
                raise BulletinError(_("本月通报已发布，不能重复发布。"))
            fresh = Plan.objects.get(pk=plan.pk)
            return Bulletin.objects.create(
                plan=plan,
                month=month,
                status=Bulletin.Status.PUBLISHED,
                title=heading,
                text=text,
                numbers=stored(numbers),
                published_by=actor,
                published_at=now,
                number=next_number(plan),
                issuer=bulletin_issuer_of(fresh),
                cc=fresh.bulletin_cc,
                issued_on=timezone.localdate(now),
            )
    except IntegrityError:  # published by someone else a moment ago
        raise BulletinError(_("本月通报已发布，不能重复发布。")) from None


# --- what changed since publication ----------------------------------------------------------


def _cells(progress: Progress) -> dict[tuple[str, str | None], tuple[IndicatorProgress, str]]:
    """Every goal, quota and county row by (code, county code or None), with its place."""
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


def changes_since(frozen: dict[str, Any], current: Progress | None) -> list[dict[str, Any]]:
    """Goals, quotas and county rows whose actual or completion differ now, old → new;
    ``frozen`` is the document stored with the published bulletin."""
    if current is None:
        return []
    old, new = _cells(api.progress_from_document(frozen)), _cells(current)
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
