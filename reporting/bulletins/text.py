"""The bulletin's masthead, title and body: sections 一 to 六 as lines of text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from targets.models import Indicator, Plan, Region, bulletin_issuer_of

from .. import formatting as fmt
from ..models import Bulletin
from ..rows import Progress
from . import county, county_text
from .numbers import collect, from_stored
from .rankings import (
    city_places,
    pending_items,
    ranked_counties,
    ranked_quotas,
    red_items,
    unranked_counties,
)
from .wording import (
    OFFICIAL_LANGUAGE,
    against_time,
    cc_units,
    county_value,
    goal_clause,
    join_clauses,
    listed,
    marks,
    ordinals,
    quota_clause,
)
from .work import has_work, work_lines, work_requirement

# Section headings: 一、总体进展 (and 1. Overall progress in English).
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\. )")


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


def next_number(plan: Plan, region: Region | None = None) -> int:
    """The number the plan's next published bulletin gets (the city's, or ``region``'s own
    sequence for a county's): no gaps, in publication order."""
    published = Bulletin.objects.filter(plan=plan, region=region)
    latest = published.aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def masthead(
    plan: Plan, month: int, published: Bulletin | None, region: Region | None = None
) -> dict[str, Any]:
    """期号, issuer, 成文日期 and 抄送 of a month's bulletin: the published one's own, or for a
    draft the plan's settings (a county's: ``county.issuer`` and ``county.cc``), the next
    number and today."""
    if published is not None:
        issuer, cc, number, day = (
            published.issuer,
            published.cc,
            published.number,
            published.issued_on,
        )
        draft = False
    else:
        if region is None:
            issuer, cc = bulletin_issuer_of(plan), plan.bulletin_cc
        else:
            issuer, cc = county.issuer(plan, region), county.cc(plan)
        number, day, draft = next_number(plan, region), timezone.localdate(), True
    units = cc_units(cc)
    return {
        "number": number_text(number, draft=draft),
        "issuer": issuer,
        "date": date_text(day),
        "cc": (_("抄送：") + listed(units) + marks().stop) if units else "",
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
    sentences = [opening + join_clauses(goal_clause(goal) for goal in progress.goals)]
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
                "against": against_time(county.completion, county.expected),
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
        lines.append(_("%(names)s分解任务数据不全，本期暂不排名。") % {"names": listed(unranked)})
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
                "against": against_time(place.completion, place.expected),
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
            % {"rank": rank, "department": quota.department, "clause": quota_clause(quota)}
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


def _problems(numbers: dict[str, Any], heading: str) -> list[str]:
    progress = numbers["progress"]
    month = progress.month
    lines = [heading]
    city, by_county = red_items(progress)
    if not city and not by_county:
        lines.append(_("本期没有进度滞后（红色）的任务。"))
    if city:
        goals = {goal.code for goal in progress.goals}
        lines.append(
            _("进度滞后的任务（全市层面）：")
            + join_clauses(
                _("%(department)s%(clause)s")
                % {
                    "department": i.department,
                    "clause": goal_clause(i) if i.code in goals else quota_clause(i),
                }
                for i in city
            )
        )
    if by_county:
        lines.append(
            _("进度滞后的任务（县区层面）：")
            + join_clauses(
                _("%(county)s%(count)s项，%(items)s")
                % {
                    "county": county,
                    "count": len(rows),
                    "items": listed(county_value(quota, row) for quota, row in rows),
                }
                for county, rows in by_county.items()
            )
        )
    pending = pending_items(progress)
    if pending:
        lines.append(
            _("数据不全、本期暂不评价的任务：%(items)s。")
            % {"items": listed(item.name for item in pending)}
        )
    if numbers["gaps"]:

        def describe(gap: dict[str, Any]) -> str:
            parts = []
            if gap["missing"]:
                parts.append(_("未报%(count)s项") % {"count": gap["missing"]})
            if gap["late"]:
                parts.append(_("迟报%(count)s项") % {"count": gap["late"]})
            return gap["region_name"] + listed(parts)

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


def _requirements(numbers: dict[str, Any], heading: str) -> list[str]:
    """下步工作要求, from the month's data: press the red items and the 滞后 work, 催报 the
    missing reports."""
    progress = numbers["progress"]
    month = progress.month
    lines = [heading]
    counter = iter(ordinals())
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
                "departments": listed(departments) or _("有关部门"),
                "counties": listed(by_county) or _("有关县区"),
            }
        )
    pressed = work_requirement(numbers, counter)
    if pressed is not None:
        lines.append(pressed)
    if numbers.get("outstanding") or numbers["gaps"]:
        by_department: dict[str, list[str]] = {}
        for entry in numbers.get("outstanding") or numbers["gaps"]:
            by_department.setdefault(entry["department_name"], []).append(entry["region_name"])
        places = [
            _("%(department)s（%(regions)s）")
            % {"department": department, "regions": listed(regions)}
            for department, regions in by_department.items()
        ]
        lines.append(
            _(
                "（%(n)s）及时报送审核数据。请%(places)s抓紧补报%(month)s月份数据，市人力资源"
                "社会保障局抓紧审核；今后各部门、各县区须于每月%(day)s日前报送上月数据。"
            )
            % {
                "n": next(counter),
                "places": listed(places),
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
    if has_work(numbers):
        work = work_lines(numbers, _("四、重点工作进展"))
        problems, requirements = _("五、存在的问题"), _("六、下步工作要求")
    else:  # published before the section existed: its sections as they were
        work, problems, requirements = [], _("四、存在的问题"), _("五、下步工作要求")
    return [
        *_opening(progress),
        *_overall(numbers),
        *_counties(progress),
        *_departments(numbers),
        *work,
        *_problems(numbers, problems),
        *_requirements(numbers, requirements),
    ]


def render(numbers: dict[str, Any]) -> tuple[str, str]:
    """The bulletin's title and text (lines separated by newlines): the city's, or a county's
    (``county_text``) for a county's numbers."""
    if county.is_county(numbers):
        return county_text.render(numbers)
    return title(numbers["progress"]), "\n".join(paragraphs(numbers))


def blocks(text: str) -> list[tuple[bool, str]]:
    """A text's lines for the page: (is a section heading, line)."""
    return [(bool(HEADING.match(line)), line) for line in text.split("\n") if line]


def content(
    plan: Plan, month: int, published: Bulletin | None, region: Region | None = None
) -> dict[str, Any] | None:
    """What the page and the Word file print: masthead, title and body lines (the city's
    bulletin, or ``region``'s own).

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
        numbers = collect(plan, month) if region is None else county.collect(plan, month, region)
        if numbers is None:
            return None
        heading, text = render(numbers)
    paper = masthead(plan, month, published, region)
    return {**paper, "title": heading, "blocks": blocks(text)}
