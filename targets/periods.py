"""Reporting periods: a month opens on its first day; its figures are due by a deadline; and
the as-of rule, the month every page judges when none is asked for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from .models import Submission

if TYPE_CHECKING:
    from .models import Plan


def deadline(plan: Plan | int, month: int) -> datetime:
    """The first moment a report for the plan's ``month`` is late.

    Figures are due by the end of the plan's deadline day (default the 5th, set per plan in
    the admin) of the next month, local time. Given a bare year, the default day.
    """
    if isinstance(plan, int):
        year, day = plan, settings.SUBMISSION_DEADLINE_DAY
    else:
        year, day = plan.year, plan.deadline_day
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    due = datetime.combine(
        datetime(next_year, next_month, day).date(), time(), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    return due + timedelta(days=1)


def last_day_on_time(plan: Plan | int, month: int) -> date:
    """The day people read as the deadline: the last day a report for ``month`` is on time."""
    return (deadline(plan, month) - timedelta(days=1)).date()


MONTHS = range(1, 13)


def months_due(plan: Plan, now: datetime | None = None) -> list[int]:
    """The months whose reporting deadline has passed by ``now``."""
    now = now or timezone.now()
    return [month for month in MONTHS if deadline(plan, month) <= now]


def latest_due_month(plan: Plan, now: datetime | None = None) -> int | None:
    """The last month whose deadline has passed and for which anything was sent (``due_as_of``),
    else the last month whose deadline has passed (``None`` before the first deadline): the
    report-status page keeps a month nobody reported in view."""
    now = now or timezone.now()
    due = months_due(plan, now)
    if not due:
        return None
    return due_as_of(plan, now) or due[-1]


def due_as_of(plan: Plan, now: datetime | None = None) -> int | None:
    """The latest month whose reporting deadline has passed and for which anything was sent;
    ``None`` when there is none (before the first deadline, or nothing sent for a due month).

    A figure sent (or approved) early for a month still open does not count: that month is not
    due yet, so one early November figure never makes November the month pages judge.
    """
    due = months_due(plan, now)
    if not due:
        return None
    # Sent: first sent at some time, or past draft (figures written directly, e.g. loaded).
    return (
        Submission.objects.filter(indicator__plan=plan, month__in=due)
        .filter(Q(first_submitted_at__isnull=False) | ~Q(status=Submission.Status.DRAFT))
        .aggregate(latest=Max("month"))["latest"]
    )


def default_as_of(plan: Plan, now: datetime | None = None) -> int:
    """The month every page, the API and every command show without an explicit one:
    ``due_as_of``, else the plan's first month (January), where nothing is judged yet."""
    return due_as_of(plan, now) or 1
