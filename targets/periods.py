"""Reporting periods: a month opens on its first day; its figures are due by a deadline."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def deadline(year: int, month: int) -> datetime:
    """The first moment a report for ``year``-``month`` is late.

    Figures are due by the end of the deadline day (default the 5th) of the next month,
    local time.
    """
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = settings.SUBMISSION_DEADLINE_DAY
    due = datetime.combine(
        datetime(next_year, next_month, day).date(), time(), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    return due + timedelta(days=1)
