"""Reporting periods: a month opens on its first day; its figures are due by a deadline."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings

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
