"""A department's month under review, shared by its tests: its URL, times in Shanghai, the
roles refused, and every row a review writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from targets.models import Department, Submission, SubmissionEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = Submission.Status
Action = SubmissionEvent.Action

REFUSED = ["clerk", "county_clerk", "leader", "auditor", "administrator", "superuser", "outsider"]


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2015, month, day, hour, 0, tzinfo=SHANGHAI)


def url(department: Department, month: int) -> str:
    return f"/review/{department.pk}/{month}/"


def written() -> dict[str, list[dict[str, Any]]]:
    """Every row a review writes, to show that a refused POST wrote nothing."""
    return {
        "submissions": list(Submission.objects.order_by("pk").values()),
        "events": list(SubmissionEvent.objects.order_by("pk").values()),
    }
