"""年中督导 (June) and 年底总结 (December): one report that brings together, as of the period's
month, the figures (from the rollups, formatted once by ``reporting.formatting``), the work
items and their steps, the registers, the 督办单 and 整改事项 and their state, and each
department's approved self-assessment (and who has not sent one).

``collect`` reads; ``word.build`` writes the same report as a Word file; the page shows it.
A row whose month is not all approved is 待报, never judged (the rollup's ``pending``).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from targets.models import (
    AnnualPlan,
    Competition,
    Department,
    EvaluationPilot,
    Meeting,
    Milestone,
    Plan,
    Rectification,
    RegisterRecord,
    SelfAssessment,
    SupervisionNotice,
    unit_name,
)
from targets.register_selectors import missing_annual_plans
from targets.work_selectors import work_items

from .. import formatting
from ..models import Rollup
from ..rows import IndicatorProgress
from ..selectors import progress

PERIODS = {6: SelfAssessment.Period.MID_YEAR, 12: SelfAssessment.Period.YEAR_END}
APPROVED = RegisterRecord.Status.APPROVED


@dataclass(frozen=True)
class FigureLine:
    name: str
    value: str  # the count, or a rate as its percentage (the value, not a completion)
    target: str
    completion: str  # labelled: 完成率 (a rate's completion is its rate ÷ its target rate)
    status: str


@dataclass
class Review:
    plan: Plan
    month: int
    title: str
    as_of: date
    figures: list[FigureLine] = field(default_factory=list)
    figures_missing: bool = False
    items: list[Any] = field(default_factory=list)  # work_selectors.ItemState
    item_counts: dict[str, int] = field(default_factory=dict)
    registers: list[tuple[str, str]] = field(default_factory=list)
    missing_plans: list[Department] = field(default_factory=list)
    notices: dict[str, int] = field(default_factory=dict)
    open_notices: list[SupervisionNotice] = field(default_factory=list)
    rectifications: list[tuple[Rectification, bool]] = field(default_factory=list)
    assessments: list[SelfAssessment] = field(default_factory=list)
    missing_assessments: list[Department] = field(default_factory=list)


def status_text(status: str | None) -> str:
    if not status:
        return _("无数据")
    if status == "pending":
        return _("待报")
    return str(Rollup.Status(status).label)


def figure_line(item: IndicatorProgress) -> FigureLine:
    if item.kind == "rate":
        value = formatting.percent(formatting.rate_of(item))
        target = formatting.percent(item.target)
    else:
        value = f"{formatting.count(item.actual)} {item.unit}"
        target = f"{formatting.count(item.target)} {item.unit}"
    return FigureLine(
        name=item.name,
        value=value,
        target=target,
        completion=formatting.percent(formatting.completion_of(item)),
        status=status_text(item.status),
    )


def title_of(plan: Plan, month: int) -> str:
    period = PERIODS[month].label
    return _("%(year)s年全民技能振兴工程%(period)s报告") % {"year": plan.year, "period": period}


def collect(plan: Plan, month: int) -> Review:
    """The review of ``plan`` for June (6) or December (12)."""
    as_of = date(plan.year, month, calendar.monthrange(plan.year, month)[1])
    review = Review(plan=plan, month=month, title=title_of(plan, month), as_of=as_of)
    found = progress(plan, month)
    if found is None:
        review.figures_missing = True
    else:
        review.figures = [figure_line(item) for item in (*found.goals, *found.quotas)]
    review.items = work_items(plan, month)
    review.item_counts = dict(Counter(state.status for state in review.items))
    review.registers = _registers(plan, as_of)
    review.missing_plans = missing_annual_plans(plan)
    notices = SupervisionNotice.objects.filter(plan=plan, month__lte=month)
    review.notices = dict(Counter(notices.values_list("status", flat=True)))
    review.open_notices = list(
        notices.exclude(status=SupervisionNotice.Status.CLOSED)
        .select_related("indicator", "region")
        .order_by("month", "indicator__order", "pk")
    )
    items = Rectification.objects.filter(
        meeting__plan=plan, meeting__status=APPROVED, meeting__held_on__lte=as_of
    ).select_related("meeting", "department", "region")
    review.rectifications = [(item, item.is_overdue(as_of)) for item in items]
    review.assessments = list(
        SelfAssessment.objects.filter(plan=plan, period=month, status=APPROVED)
        .select_related("department")
        .order_by("department__order")
    )
    done = {assessment.department_id for assessment in review.assessments}
    review.missing_assessments = list(
        Department.objects.exclude(pk__in=done).order_by("order", "code")
    )
    return review


def _registers(plan: Plan, as_of: date) -> list[tuple[str, str]]:
    """The registers in a line each: approved rows up to the as-of day, with their counts in
    people (人), never added to person-times."""
    competitions = Competition.objects.filter(plan=plan, status=APPROVED, starts_on__lte=as_of)
    totals = competitions.aggregate(people=Sum("participants"), winners=Sum("winners"))
    pilots = EvaluationPilot.objects.filter(plan=plan, status=APPROVED)
    appraised = pilots.aggregate(n=Sum("appraised"))["n"]
    meetings = Meeting.objects.filter(plan=plan, status=APPROVED, held_on__lte=as_of)
    kinds = Counter(meetings.values_list("kind", flat=True))
    sent_plans = AnnualPlan.objects.filter(plan=plan).exclude(status=RegisterRecord.Status.DRAFT)
    return [
        (
            str(Competition._meta.verbose_name),
            _("%(n)s 项，参赛 %(people)s 人，获奖 %(winners)s 人")
            % {
                "n": competitions.count(),
                "people": formatting.count(totals["people"] or 0),
                "winners": formatting.count(totals["winners"] or 0),
            },
        ),
        (
            str(EvaluationPilot._meta.verbose_name),
            _("%(n)s 家（省级 %(province)s 家），本年评价 %(people)s 人")
            % {
                "n": pilots.count(),
                "province": pilots.filter(level="province").count(),
                "people": formatting.count(appraised or 0),
            },
        ),
        (
            str(AnnualPlan._meta.verbose_name),
            _("已报送 %(n)s 份") % {"n": sent_plans.count()},
        ),
        (
            str(Meeting._meta.verbose_name),
            "，".join(f"{label} {kinds.get(value, 0)} 次" for value, label in Meeting.Kind.choices),
        ),
    ]


def status_label(status: str) -> str:
    return str(Milestone.Status(status).label)


@dataclass(frozen=True)
class ItemLine:
    """A work item or one of its steps, as the report shows it."""

    title: str
    unit: str
    status: str  # the code (a CSS class)
    label: str
    overdue: bool
    is_step: bool


def item_lines(review: Review) -> list[ItemLine]:
    lines = []
    for state in review.items:
        item = state.item
        lines.append(
            ItemLine(
                item.title,
                unit_name(item.department, item.region),
                state.status,
                status_label(state.status),
                False,
                False,
            )
        )
        for step in state.steps:
            lines.append(
                ItemLine(
                    step.step.title,
                    step.step.unit_name,
                    step.status,
                    status_label(step.status),
                    step.overdue,
                    True,
                )
            )
    return lines
