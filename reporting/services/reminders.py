"""Writes to the reminder runs: one row per plan and month whose reminders went out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from targets.models import Plan

from ..models import ReminderRun


def reminder_run_record(
    *, plan: Plan, month: int, sent_at: datetime, emails: int, gaps: list[dict[str, Any]]
) -> ReminderRun:
    """Record a month's reminders, with its gaps and their totals; the unique (plan, month)
    refuses a second run. Call it inside the transaction that sends the mail, so a failed
    send leaves no record."""
    return ReminderRun.objects.create(
        plan=plan,
        month=month,
        sent_at=sent_at,
        missing=sum(gap["missing"] for gap in gaps),
        late=sum(gap["late"] for gap in gaps),
        emails=emails,
        gaps=gaps,
    )
