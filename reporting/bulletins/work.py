"""The bulletin's 重点工作进展 section, worded from the work numbers stored with it
(``numbers.work``): how many items stand where, and the items and steps 滞后 or 逾期, each
named with its unit. A bulletin published before the section existed has no ``work`` numbers
and keeps its sections as they were."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .wording import listed, marks


def has_work(numbers: dict[str, Any]) -> bool:
    return "work" in numbers


def _due(iso: str) -> str:
    day = date.fromisoformat(iso)
    return _("%(month)s月%(day)s日") % {"month": day.month, "day": day.day}


def _step(step: dict[str, Any]) -> str:
    values = {"unit": step["unit"], "title": step["title"], "due": _due(step["due_on"])}
    if step["overdue"]:
        return _("%(unit)s“%(title)s”（完成时限%(due)s，已逾期）") % values
    return _("%(unit)s“%(title)s”（完成时限%(due)s）") % values


def work_lines(numbers: dict[str, Any], heading: str) -> list[str]:
    """四、重点工作进展: the counts by status, then the 滞后 items and steps."""
    work = numbers["work"]
    progress = numbers["progress"]
    counts = work["counts"]
    lines = [heading]
    summary = _(
        "截至%(year)s年%(month)s月底，方案确定的%(items)s项重点工作中，已完成%(done)s项，"
        "推进中%(in_progress)s项，滞后%(delayed)s项，未开始%(not_started)s项（以审核通过的"
        "工作台账为准）。"
    ) % {
        "year": progress.year,
        "month": progress.month,
        "items": work["items"],
        "done": counts["done"],
        "in_progress": counts["in-progress"],
        "delayed": counts["delayed"],
        "not_started": counts["not-started"],
    }
    if work["steps"]:
        summary += marks().sentence_gap + _(
            "各责任单位共设定工作措施%(steps)s项，逾期未完成%(overdue)s项。"
        ) % {"steps": work["steps"], "overdue": work["overdue"]}
    else:
        summary += marks().sentence_gap + _("各责任单位尚未设定工作措施。")
    lines.append(summary)
    if work["delayed_items"]:
        lines.append(
            _("进度滞后的重点工作：%(items)s。")
            % {
                "items": listed(
                    _("%(title)s（牵头单位：%(unit)s）") % item for item in work["delayed_items"]
                )
            }
        )
    if work["delayed_steps"]:
        lines.append(
            _("滞后的工作措施：%(steps)s。")
            % {"steps": marks().semicolon.join(_step(step) for step in work["delayed_steps"])}
        )
    return lines


def work_requirement(numbers: dict[str, Any], counter: Iterator[str]) -> str | None:
    """下步工作要求's item for the 滞后 work, naming the units, numbered with the next of
    ``counter``; None (and no number taken) when nothing is 滞后."""
    if not has_work(numbers):
        return None
    work = numbers["work"]
    units = list(
        dict.fromkeys(
            [step["unit"] for step in work["delayed_steps"]]
            + [item["unit"] for item in work["delayed_items"]]
        )
    )
    if not units:
        return None
    return _(
        "（%(n)s）加快重点工作推进。请%(units)s对滞后、逾期的工作措施逐项制定整改措施，"
        "明确完成时限，按月如实报送工作台账。"
    ) % {"n": next(counter), "units": listed(units)}
