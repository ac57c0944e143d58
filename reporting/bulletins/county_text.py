"""A county's bulletin (县区通报): title and body, from the county's numbers (``county.collect``).

Worded as the city's bulletin is (``wording``: the same clauses, rules and formatter), for one
county: 一、总体进展 (its tasks judged and not, their mean against the time, its place in the
city), 二、各部门任务进展 (its quotas ranked as the city ranks quotas; those not split to it
listed with their figures, not judged), 三、存在的问题, 四、下步工作要求.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from .. import county_parts
from .. import formatting as fmt
from ..rows import IndicatorProgress, Progress
from .county import with_target
from .numbers import is_pending
from .rankings import ranked_counties, ranked_quotas
from .wording import (
    against_time,
    clause,
    join_clauses,
    listed,
    marks,
    ordinals,
    quota_clause,
)


def _county(numbers: dict[str, Any]) -> str:
    return numbers["county"]["name"]


def title(numbers: dict[str, Any]) -> str:
    progress = numbers["progress"]
    year, month = progress.year, progress.month
    period = (
        _("%(year)s年1月") % {"year": year}
        if month == 1
        else _("%(year)s年1—%(month)s月") % {"year": year, "month": month}
    )
    return _("关于%(period)s%(county)s全民技能振兴工程目标任务进展情况的通报") % {
        "period": period,
        "county": _county(numbers),
    }


def _level(numbers: dict[str, Any]) -> str:
    """县 for a county, 区 for a district: whose departments the bulletin is sent to."""
    return _("县") if numbers["county"]["kind"] == "county" else _("区")


def _opening(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    return [
        _("各乡镇人民政府、街道办事处，%(level)s直有关部门：") % {"level": _level(numbers)},
        _(
            "根据《%(title)s》（%(doc_number)s）要求，现将截至%(year)s年%(month)s月底"
            "%(county)s全民技能振兴工程目标任务进展情况通报如下。"
        )
        % {
            "title": progress.title,
            "doc_number": progress.doc_number,
            "year": progress.year,
            "month": progress.month,
            "county": _county(numbers),
        },
    ]


def tasks(progress: Progress) -> list[IndicatorProgress]:
    """The quotas the county is judged on (``county.with_target``), in the plan's order."""
    return [quota for quota in progress.quotas if with_target(quota)]


def _counts(items: Iterable[IndicatorProgress]) -> dict[str, int]:
    found = {"green": 0, "amber": 0, "red": 0, "pending": 0, "none": 0}
    for item in items:
        if is_pending(item):
            found["pending"] += 1
        elif item.status in found:
            found[item.status] += 1
        else:
            found["none"] += 1
    return found


def _overall(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    month = progress.month
    own = tasks(progress)
    counts = _counts(own)
    values = {
        "year": progress.year,
        "month": month,
        "elapsed": fmt.percent(progress.time_elapsed, trim=True),
        "county": _county(numbers),
        "tasks": len(own),
        "judged": counts["green"] + counts["amber"] + counts["red"],
        **counts,
    }
    overall = (
        _(
            "截至%(year)s年%(month)s月底（序时进度%(elapsed)s），%(county)s承担有目标的任务"
            "%(tasks)s项，已评价%(judged)s项，其中正常%(green)s项、预警%(amber)s项、"
            "滞后%(red)s项"
        )
        % values
    )
    if counts["pending"]:
        overall += marks().semicolon + _("数据不全、暂不评价%(pending)s项") % values
    if counts["none"]:
        overall += marks().semicolon + _("尚无数据%(none)s项") % values
    sentences = [overall + marks().stop]
    standings = ranked_counties(progress, judged_only=True)
    if standings:
        standing = standings[0]
        text = _(
            "%(quotas)s项分解任务（不含比率类）平均完成年度目标的%(completion)s，%(against)s"
        ) % {
            "quotas": standing.quotas,
            "completion": fmt.percent(standing.completion),
            "against": against_time(standing.completion, standing.expected),
        }
        place = numbers.get("standing")
        if place:
            text += marks().comma + _("在全市参加排名的%(of)s个县区中居第%(rank)s位") % place
        sentences.append(text + marks().stop)
    else:
        sentences.append(_("分解任务数据不全，本期暂不排名。"))
    owed = numbers["reports"]
    sentences.append(
        _("%(month)s月份应报报表%(owed)s份（各部门1份），已全部审核通过%(done)s份。")
        % {"month": month, "owed": owed, "done": owed - len(numbers["outstanding"])}
    )
    return [_("一、总体进展"), marks().sentence_gap.join(sentences)]


def _unsplit_clause(quota: IndicatorProgress) -> str:
    if quota.actual is None:
        return _("%(name)s尚无审核通过的数据") % {"name": quota.name}
    return _("%(name)s完成%(actual)s%(unit)s") % {
        "name": quota.name,
        "actual": fmt.amount(quota.actual),
        "unit": quota.unit,
    }


def _departments(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    lines = [_("二、各部门任务进展")]
    own = tasks(progress)
    if own:
        lines.append(
            _("按各项任务完成率与序时进度之差由高到低排列（数据不全的任务列后，不排名）：")
        )
        ranked = ranked_quotas(replace(progress, quotas=tuple(own)))
        for rank, quota in enumerate(ranked, start=1):
            lines.append(
                _("（%(rank)s）%(department)s：%(clause)s。")
                % {"rank": rank, "department": quota.department, "clause": quota_clause(quota)}
            )
    else:
        lines.append(_("各项任务尚未分解到本县区。"))
    unsplit = [quota for quota in progress.quotas if not with_target(quota)]
    if unsplit:
        lines.append(
            _("未分解到本县区的任务（不评价进度）：")
            + join_clauses(
                _("%(department)s%(clause)s")
                % {"department": quota.department, "clause": _unsplit_clause(quota)}
                for quota in unsplit
            )
        )
    return lines


def _parts(numbers: dict[str, Any]) -> list[str]:
    """Each quota split among the county's parts: its parts ranked by completion, worded as a
    county's quotas are; while the county's figures are not wholly broken down, only what each
    part has done, neither ranked nor judged (``county_parts``)."""
    split = numbers.get("parts") or []
    if not split:
        return []
    lines = [_("各乡镇（责任单位）完成情况（按完成分解目标的比例由高到低排列）：")]
    for quota in split:
        standings = county_parts.ranking(quota).standings
        if quota.unsplit:
            head = _(
                "%(name)s：本县区完成数中有%(amount)s尚未分解到乡镇（责任单位），"
                "乡镇不排名、不评价进度。"
            ) % {"name": quota.name, "amount": _amount(quota, quota.unsplit)}
            done = [
                _("%(part)s%(amount)s")
                % {"part": s.name, "amount": _amount(quota, s.progress.actual)}
                for s in standings
                if quota.kind != "rate"
            ]
            lines.append(head + (_("已分解的：") + join_clauses(done) if done else ""))
            continue
        lines.append(
            _("%(name)s：") % {"name": quota.name}
            + join_clauses(_part_clause(s.name, s.progress) for s in standings)
        )
    return lines


def _amount(quota: IndicatorProgress, value: Any) -> str:
    if quota.kind == "rate":
        return _("部分数据")
    return _("%(actual)s%(unit)s") % {"actual": fmt.amount(value or 0), "unit": quota.unit}


def _part_clause(name: str, item: IndicatorProgress) -> str:
    """A part's progress: judged as a county's quota is, against its share of the target; a
    part with no share, its figures only."""
    if item.target is None and item.kind != "rate":
        return _("%(name)s完成%(actual)s%(unit)s（未分解目标）") % {
            "name": name,
            "actual": fmt.amount(item.actual or 0),
            "unit": item.unit,
        }
    if item.kind == "flow" and item.actual is not None and item.completion is not None:
        return clause(item, _("%(name)s完成") % {"name": name})
    return clause(item, name)


def _by_department(entries: Iterable[dict[str, Any]], describe: Any) -> str:
    return marks().semicolon.join(entry["department_name"] + describe(entry) for entry in entries)


def _problems(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    month = progress.month
    own = tasks(progress)
    lines = [_("三、存在的问题")]
    red = [quota for quota in own if quota.status == "red" and not is_pending(quota)]
    if red:
        lines.append(
            _("进度滞后的任务：")
            + join_clauses(
                _("%(department)s%(clause)s")
                % {"department": quota.department, "clause": quota_clause(quota)}
                for quota in red
            )
        )
    else:
        lines.append(_("本期没有进度滞后（红色）的任务。"))
    pending = [quota for quota in own if is_pending(quota)]
    if pending:
        lines.append(
            _("数据不全、本期暂不评价的任务：%(items)s。")
            % {"items": listed(quota.name for quota in pending)}
        )
    if numbers["gaps"]:

        def describe(gap: dict[str, Any]) -> str:
            parts = []
            if gap["missing"]:
                parts.append(_("未报%(count)s项") % {"count": gap["missing"]})
            if gap["late"]:
                parts.append(_("迟报%(count)s项") % {"count": gap["late"]})
            return listed(parts)

        lines.append(
            _("%(month)s月份数据未报或迟报的有：") % {"month": month}
            + _by_department(numbers["gaps"], describe)
            + marks().stop
        )
    else:
        lines.append(_("%(month)s月份数据各部门均已按时报送。") % {"month": month})
    awaiting = [o for o in numbers["outstanding"] if o["sent"] > o["approved"]]
    if awaiting:
        lines.append(
            _("已报送尚未审核通过的有：")
            + _by_department(
                awaiting, lambda o: _("%(count)s项") % {"count": o["sent"] - o["approved"]}
            )
            + marks().stop
        )
    return lines


def _requirements(numbers: dict[str, Any]) -> list[str]:
    progress = numbers["progress"]
    counter = iter(ordinals())
    lines = [_("四、下步工作要求")]
    red = [q for q in tasks(progress) if q.status == "red" and not is_pending(q)]
    if red:
        lines.append(
            _(
                "（%(n)s）加快滞后任务进度。%(departments)s要针对进度滞后的任务，逐项分析原因，"
                "制定赶超措施，尽快追上序时进度。"
            )
            % {
                "n": next(counter),
                "departments": listed(dict.fromkeys(quota.department for quota in red)),
            }
        )
    owing = numbers["outstanding"] or numbers["gaps"]
    if owing:
        # Under two-level review the county's own reviewer approves its figures first.
        reviewer = (
            _("%(county)s人力资源社会保障局") % {"county": _county(numbers)}
            if numbers.get("review_levels") == 2
            else _("市人力资源社会保障局")
        )
        lines.append(
            _(
                "（%(n)s）及时报送审核数据。请%(departments)s抓紧补报%(month)s月份数据，"
                "%(reviewer)s抓紧审核；今后各部门须于每月%(day)s日前报送上月数据。"
            )
            % {
                "n": next(counter),
                "departments": listed(dict.fromkeys(e["department_name"] for e in owing)),
                "month": progress.month,
                "reviewer": reviewer,
                "day": numbers.get("deadline_day", 5),
            }
        )
    lines.append(
        _(
            "（%(n)s）加强统筹调度。各乡镇（街道）、各有关部门要对照年度目标和序时进度，"
            "落实责任，加强调度，确保全年目标任务按时完成。"
        )
        % {"n": next(counter)}
    )
    return lines


def paragraphs(numbers: dict[str, Any]) -> list[str]:
    """The county bulletin's body: salutation, opening, section headings and paragraphs."""
    return [
        *_opening(numbers),
        *_overall(numbers),
        *_departments(numbers),
        *_parts(numbers),
        *_problems(numbers),
        *_requirements(numbers),
    ]


def render(numbers: dict[str, Any]) -> tuple[str, str]:
    """The county bulletin's title and text (lines separated by newlines)."""
    return title(numbers), "\n".join(paragraphs(numbers))
