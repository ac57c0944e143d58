"""How the bulletin words things: punctuation by language, clauses for goals, quotas and
county rows, and numbers written by ``reporting.formatting``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import formatting as fmt
from ..rows import IndicatorProgress, RegionProgress
from .numbers import is_pending

# How the plan itself words a goal's achievement, where the bare name does not read as a clause.
GOAL_PHRASES = {"training-total": gettext_lazy("完成各类职业技能培训")}
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


def join_clauses(clauses: Iterable[str]) -> str:
    m = marks()
    return m.semicolon.join(clauses) + m.stop


def listed(names: Iterable[str]) -> str:
    return marks().enumeration.join(names)


def ordinals() -> str:
    """Numbers of sub-items: （一）（二） in Chinese, (1) (2) otherwise."""
    if (translation.get_language() or OFFICIAL_LANGUAGE).startswith("zh"):
        return "一二三四五六七八九"
    return "123456789"


def cc_units(cc: str) -> list[str]:
    """The 抄送 units of a plan's setting, whichever marks separate them."""
    return [unit.strip() for unit in re.split(r"[，、,；;。.\n]+", cc) if unit.strip()]


def points_text(difference: Decimal) -> str:
    return _("%(points)s个百分点") % {"points": f"{abs(difference):f}"}


def against_time(completion: Any, expected: Any) -> str:
    difference = fmt.points(completion, expected)
    if difference > 0:
        return _("超序时进度%(points)s") % {"points": points_text(difference)}
    if difference < 0:
        return _("低于序时进度%(points)s") % {"points": points_text(difference)}
    return _("与序时进度持平")


def not_judged(item: IndicatorProgress) -> str:
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
        return clause + marks().comma + not_judged(item)
    difference = fmt.points(rate, item.target)
    if difference >= 0:
        return clause + marks().comma + _("已达到目标")
    return clause + marks().comma + _("低于目标%(points)s") % {"points": points_text(difference)}


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
            return text + comma + not_judged(item)
        if fmt.rounded_percent(completion) >= 100:
            return text + comma + _("已达到年度目标")
        return (
            text
            + comma
            + _("距年度目标差%(points)s")
            % {"points": points_text(fmt.rounded_percent(completion) - 100)}
        )
    text = _("%(name)s%(actual)s%(unit)s，占") % values + _target_clause(item)
    if is_pending(item):
        return text + comma + not_judged(item)
    return text + comma + against_time(completion, item.expected)


def goal_clause(goal: IndicatorProgress) -> str:
    if goal.kind == "flow" and goal.actual is not None and goal.completion is not None:
        return clause(goal, str(GOAL_PHRASES.get(goal.code, goal.name)))
    return clause(goal)


def quota_clause(quota: IndicatorProgress) -> str:
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
