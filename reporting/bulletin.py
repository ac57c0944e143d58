"""The monthly bulletin (通报): Chinese text generated from the rollups, and its publication.

The text is a plain function of the month's numbers (``collect``): the progress API's document
(``reporting.selectors.progress``, read from the rollup tables, never the submissions) and the
reports missing or late (``targets.completeness.gaps``). Publishing stores both the text and
the numbers (``Bulletin``), so a published bulletin never changes; ``changes_since`` lists what
the current rollup says differently.

How things are ranked (and said in the text):

- quotas: by completion minus the expected share (序时进度: m/12 for a flow, the whole target
  for a level or a rate, as the rollup judges them), highest first; quotas without data last;
  ties keep the plan's order.
- counties: over the quotas with a county target (rates have none), each county's mean
  completion minus the mean expected share, highest first; ties keep the counties' order.
  The mean counts every split quota once, small or large: summing actuals across quotas
  would add person-times to persons and let the largest quota decide the ranking.

Numbers are written the Chinese way: counts from 10,000 up in 万 with at most two decimals
(4.96万, 1.5万, 7万), smaller ones as they are (1479); percentages with one decimal (70.8%),
except the time progress and the plan's target rates, written as given (75%, 8.3%, 90%).
Differences in percentage points are those between the percentages as printed, so the reader's
arithmetic always agrees with the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets import policy
from targets.completeness import gaps
from targets.models import Plan

from .models import Bulletin
from .selectors import progress

# How the plan itself words a goal's achievement, where the bare name does not read as a clause.
GOAL_PHRASES = {"training-total": gettext_lazy("完成各类职业技能培训")}
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
TENTH = Decimal("0.1")


# --- numbers ---------------------------------------------------------------------------------


def collect(plan: Plan, month: int) -> dict[str, Any] | None:
    """The numbers a bulletin is written from; None before the month is rolled up."""
    document = progress(plan, month)
    if document is None:
        return None
    return {
        "progress": document,
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
    }


def _decimal(value: float | int) -> Decimal:
    return Decimal(str(value))


def amount(value: int) -> str:
    """1479 → "1479"; 49560 → "4.96万"; 15000 → "1.5万"; 70000 → "7万"."""
    if value < 10000:
        return str(value)
    wan = (Decimal(value) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{wan.normalize():f}万"


def _tenths(fraction: float | int) -> Decimal:
    return (_decimal(fraction) * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def percent(fraction: float | int, *, trim: bool = False) -> str:
    """0.708 → "70.8%"; with ``trim`` a whole number loses its ".0" (0.75 → "75%")."""
    text = f"{_tenths(fraction):f}"
    if trim and text.endswith(".0"):
        text = text[:-2]
    return f"{text}%"


def _points(difference: Decimal) -> str:
    return _("%(points)s个百分点") % {"points": f"{abs(difference):f}"}


def _against_time(completion: float, expected: float) -> str:
    difference = _tenths(completion) - _tenths(expected)
    if difference > 0:
        return _("超序时进度%(points)s") % {"points": _points(difference)}
    if difference < 0:
        return _("低于序时进度%(points)s") % {"points": _points(difference)}
    return _("与序时进度持平")


def _lead(item: dict[str, Any]) -> Decimal | None:
    """Completion minus the expected share: what quotas are ranked by."""
    if item["completion"] is None:
        return None
    return _decimal(item["completion"]) - _decimal(item["expected"])


# --- clauses ---------------------------------------------------------------------------------


def _target_clause(item: dict[str, Any]) -> str:
    return _("年度目标（%(target)s%(unit)s）的%(completion)s") % {
        "target": amount(item["target"]),
        "unit": item["unit"],
        "completion": percent(item["completion"]),
    }


def _rate_clause(item: dict[str, Any], name: str) -> str:
    clause = _("%(name)s为%(rate)s（%(numerator)s/%(denominator)s，目标%(target)s）") % {
        "name": name,
        "rate": percent(item["actual"]),
        "numerator": item["numerator"],
        "denominator": item["denominator"],
        "target": percent(item["target"], trim=True),
    }
    difference = _tenths(item["actual"]) - _tenths(item["target"])
    if difference >= 0:
        return clause + _("，已达到目标")
    return clause + _("，低于目标%(points)s") % {"points": _points(difference)}


def clause(item: dict[str, Any], name: str | None = None) -> str:
    """One goal's or quota's progress as a clause (no final punctuation)."""
    name = name or item["name"]
    if item["kind"] == "rate":
        if item["actual"] is None:
            return _("%(name)s尚无数据") % {"name": name}
        return _rate_clause(item, name)
    if item["actual"] is None or item["completion"] is None:
        return _("%(name)s尚无审核通过的数据") % {"name": name}
    values = {"name": name, "actual": amount(item["actual"]), "unit": item["unit"]}
    if item["kind"] == "stock":
        text = _("%(name)s达到%(actual)s%(unit)s，为") % values + _target_clause(item)
        if _tenths(item["completion"]) >= 100:
            return text + _("，已达到年度目标")
        return text + _("，距年度目标差%(points)s") % {
            "points": _points(_tenths(item["completion"]) - 100)
        }
    text = _("%(name)s%(actual)s%(unit)s，占") % values + _target_clause(item)
    return text + "，" + _against_time(item["completion"], item["expected"])


def _goal_clause(goal: dict[str, Any]) -> str:
    if goal["kind"] == "flow" and goal["actual"] is not None and goal["completion"] is not None:
        return clause(goal, str(GOAL_PHRASES.get(goal["code"], goal["name"])))
    return clause(goal)


def _quota_clause(quota: dict[str, Any]) -> str:
    if quota["kind"] == "flow" and quota["actual"] is not None and quota["completion"] is not None:
        return clause(quota, _("%(name)s完成") % {"name": quota["name"]})
    return clause(quota)


# --- rankings --------------------------------------------------------------------------------


def ranked_quotas(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Quotas by completion against the expected share, highest first; no data last."""
    with_data = [q for q in document["quotas"] if _lead(q) is not None]
    without = [q for q in document["quotas"] if _lead(q) is None]
    return sorted(with_data, key=lambda q: _lead(q), reverse=True) + without


@dataclass(frozen=True)
class CountyStanding:
    code: str
    name: str
    quotas: int
    completion: Decimal  # mean completion of its split quotas, four places
    expected: Decimal  # mean expected share of the same quotas, four places

    @property
    def lead(self) -> Decimal:
        return self.completion - self.expected


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values) / len(values)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def ranked_counties(document: dict[str, Any]) -> list[CountyStanding]:
    """Counties by mean completion of their split quotas against the mean expected share."""
    found: dict[str, tuple[str, list[Decimal], list[Decimal]]] = {}
    for quota in document["quotas"]:
        if quota["kind"] == "rate":
            continue
        for row in quota["regions"]:
            if not row["target"] or row["completion"] is None:
                continue
            _name, completions, expected = found.setdefault(row["code"], (row["name"], [], []))
            completions.append(_decimal(row["completion"]))
            expected.append(_decimal(quota["expected"]))
    standings = [
        CountyStanding(code, name, len(completions), _mean(completions), _mean(expected))
        for code, (name, completions, expected) in found.items()
    ]
    return sorted(standings, key=lambda s: s.lead, reverse=True)


def red_items(document: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, list]]:
    """Goals and quotas in red city-wide, and the red county rows by county (plan's order)."""
    city = [i for i in [*document["goals"], *document["quotas"]] if i["status"] == "red"]
    counties: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for quota in document["quotas"]:
        for row in quota["regions"]:
            if row["status"] == "red":
                counties.setdefault(row["name"], []).append((quota, row))
    return city, counties


# --- the text --------------------------------------------------------------------------------


def title(document: dict[str, Any]) -> str:
    year, month = document["plan"]["year"], int(document["as_of"][5:])
    period = (
        _("%(year)s年1月") % {"year": year}
        if month == 1
        else _("%(year)s年1—%(month)s月") % {"year": year, "month": month}
    )
    return _("关于%(period)s全民技能振兴工程目标任务进展情况的通报") % {"period": period}


def _join(clauses: Iterable[str]) -> str:
    return "；".join(clauses) + "。"


def paragraphs(numbers: dict[str, Any]) -> list[str]:
    """The bulletin's lines: section headings (一、…) and paragraphs, in order."""
    document = numbers["progress"]
    year, month = document["plan"]["year"], int(document["as_of"][5:])
    lines = [
        _("各县区人民政府，市人民政府有关部门："),
        _("现将截至%(year)s年%(month)s月底全市全民技能振兴工程目标任务进展情况通报如下。")
        % {"year": year, "month": month},
        _("一、全市目标任务完成情况"),
    ]
    opening = _("截至%(year)s年%(month)s月底（时间进度%(elapsed)s），全市") % {
        "year": year,
        "month": month,
        "elapsed": percent(document["time_elapsed"], trim=True),
    }
    text = opening + _join(_goal_clause(goal) for goal in document["goals"])
    for goal in document["goals"]:
        if goal.get("unallocated"):
            text += _("全年%(name)s目标中，有%(amount)s%(unit)s未分解到部门。") % {
                "name": goal["name"],
                "amount": amount(goal["unallocated"]),
                "unit": goal["unit"],
            }
    lines.append(text)

    lines.append(_("二、各部门任务完成情况"))
    lines.append(_("按各项任务完成率与序时进度之差由高到低排列："))
    for rank, quota in enumerate(ranked_quotas(document), start=1):
        lines.append(
            _("（%(rank)s）%(department)s：%(clause)s。")
            % {"rank": rank, "department": quota["department"], "clause": _quota_clause(quota)}
        )

    lines.append(_("三、各县区任务完成情况"))
    counties = ranked_counties(document)
    if counties:
        lines.append(
            _(
                "按各县区分解任务（有县区分解目标的任务，不含比率类）平均完成率与序时进度之差"
                "由高到低排列："
            )
        )
        for rank, county in enumerate(counties, start=1):
            lines.append(
                _(
                    "（%(rank)s）%(name)s：%(quotas)s项分解任务平均完成年度目标的%(completion)s，"
                    "%(against)s。"
                )
                % {
                    "rank": rank,
                    "name": county.name,
                    "quotas": county.quotas,
                    "completion": percent(county.completion),
                    "against": _against_time(county.completion, county.expected),
                }
            )
    else:
        lines.append(_("各项任务尚未分解到县区，本期不作县区排名。"))

    lines.append(_("四、进度滞后的任务"))
    city, by_county = red_items(document)
    if not city and not by_county:
        lines.append(_("本期没有进度滞后（红色）的任务。"))
    if city:
        goals = {goal["code"] for goal in document["goals"]}
        lines.append(
            _("全市层面：")
            + _join(
                _("%(department)s%(clause)s")
                % {
                    "department": i["department"],
                    "clause": _goal_clause(i) if i["code"] in goals else _quota_clause(i),
                }
                for i in city
            )
        )
    if by_county:
        lines.append(
            _("县区层面（百分比为完成年度目标的比例）：")
            + _join(
                _("%(county)s%(count)s项，%(items)s")
                % {
                    "county": county,
                    "count": len(rows),
                    "items": "、".join(
                        f"{quota['name']}{percent(row['completion'])}" for quota, row in rows
                    ),
                }
                for county, rows in by_county.items()
            )
        )

    lines.append(_("五、数据报送情况"))
    if numbers["gaps"]:
        by_department: dict[str, list[str]] = {}
        for gap in numbers["gaps"]:
            parts = []
            if gap["missing"]:
                parts.append(_("未报%(count)s项") % {"count": gap["missing"]})
            if gap["late"]:
                parts.append(_("迟报%(count)s项") % {"count": gap["late"]})
            by_department.setdefault(gap["department_name"], []).append(
                gap["region_name"] + "、".join(parts)
            )
        lines.append(
            _("%(month)s月份数据未报或迟报的有：") % {"month": month}
            + _join(f"{name}{'，'.join(places)}" for name, places in by_department.items())
            + _("请有关部门抓紧补报，今后按时报送。")
        )
    else:
        lines.append(_("%(month)s月份数据各部门、各县区均已按时报送。") % {"month": month})
    return lines


def render(numbers: dict[str, Any]) -> tuple[str, str]:
    """The bulletin's title and text (lines separated by newlines)."""
    return title(numbers["progress"]), "\n".join(paragraphs(numbers))


def blocks(text: str) -> list[tuple[bool, str]]:
    """A text's lines for the page: (is a section heading, line)."""
    return [(bool(HEADING.match(line)), line) for line in text.split("\n") if line]


# --- publishing ------------------------------------------------------------------------------


class BulletinError(Exception):
    """A bulletin that cannot be published; the message is for people."""


def bulletin_publish(*, plan: Plan, month: int, actor: Any, at: datetime | None = None) -> Bulletin:
    """Freeze a month's bulletin as generated now. Once per month: a published bulletin stays.

    Corrections that come later are for the next month's bulletin (its year-to-date figures
    include them) and are listed on this month's page as changes since publication.
    """
    if not policy.may_publish_bulletin(actor):
        raise PermissionDenied
    if Bulletin.objects.filter(plan=plan, month=month).exists():
        raise BulletinError(_("本月通报已发布，不能重复发布。"))
    numbers = collect(plan, month)
    if numbers is None:
        raise BulletinError(_("进度汇总尚未生成，暂不能发布通报。"))
    heading, text = render(numbers)
    try:
        with transaction.atomic():
            return Bulletin.objects.create(
                plan=plan,
                month=month,
                status=Bulletin.Status.PUBLISHED,
                title=heading,
                text=text,
                numbers=numbers,
                published_by=actor,
                published_at=at or timezone.now(),
            )
    except IntegrityError:  # published by someone else a moment ago
        raise BulletinError(_("本月通报已发布，不能重复发布。")) from None


# --- what changed since publication ----------------------------------------------------------


def _cells(document: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    cells: dict[tuple[str, str | None], dict[str, Any]] = {}
    for item in [*document["goals"], *document["quotas"]]:
        cells[(item["code"], None)] = {**item, "place": _("全市")}
        for row in item.get("regions", []):
            cells[(item["code"], row["code"])] = {
                **row,
                "kind": item["kind"],
                "unit": item["unit"],
                "name": item["name"],
                "place": row["name"],
            }
    return cells


def _shown(value: float | int | None, kind: str, unit: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return percent(value)
    return f"{value}{unit}"


def changes_since(frozen: dict[str, Any], current: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Goals, quotas and county rows whose actual or completion differ now, old → new."""
    if current is None:
        return []
    old, new = _cells(frozen), _cells(current)
    changed = []
    for key, now in new.items():
        then = old.get(key)
        if then is None:
            continue
        if then["actual"] == now["actual"] and then["completion"] == now["completion"]:
            continue
        kind, unit = now["kind"], now["unit"]
        changed.append(
            {
                "name": now["name"],
                "place": now["place"],
                "actual": (_shown(then["actual"], kind, unit), _shown(now["actual"], kind, unit)),
                "completion": (
                    "—" if then["completion"] is None else percent(then["completion"]),
                    "—" if now["completion"] is None else percent(now["completion"]),
                ),
            }
        )
    return changed
