"""The flow of a figure through the services, shared by its tests: times in Shanghai, every row
the services write, a figure's audit trail, an error's message."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError

from targets.models import Membership, RegionTarget, Submission, SubmissionEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = Submission.Status
Action = SubmissionEvent.Action


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2015, 4, day, hour, 0, tzinfo=SHANGHAI)


def written() -> dict[str, list[dict[str, Any]]]:
    """Every row the services write, to show that a refusal wrote nothing."""
    return {
        "submissions": list(Submission.objects.order_by("pk").values()),
        "events": list(SubmissionEvent.objects.order_by("pk").values()),
        "region_targets": list(RegionTarget.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
    }


def events(submission: Submission) -> list[tuple[Any, ...]]:
    return [
        (
            e.action,
            e.actor.username,
            e.old_value,
            e.new_value,
            e.old_status,
            e.new_status,
            e.reason,
        )
        for e in SubmissionEvent.objects.filter(submission=submission).order_by("at", "pk")
    ]


def message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error)
