"""``reporting.services.reminders``: one run recorded per plan and month."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting.models import ReminderRun
from reporting.services.reminders import reminder_run_record
from targets.models import Plan

pytestmark = pytest.mark.django_db


def record(plan: Plan) -> ReminderRun:
    return reminder_run_record(
        plan=plan,
        month=3,
        sent_at=timezone.now(),
        emails=1,
        gaps=[
            {"department": "hrss", "region": "410621", "missing": 2, "late": 1},
            {"department": "civil", "region": "410622", "missing": 1, "late": 0},
        ],
    )


def test_a_run_is_recorded_with_its_gaps(plan: Plan) -> None:
    run = ReminderRun.objects.get(pk=record(plan).pk)
    assert (run.month, run.missing, run.late, run.emails) == (3, 3, 1, 1)
    assert run.gaps[0]["region"] == "410621"


def test_a_month_is_recorded_once(plan: Plan) -> None:
    record(plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        record(plan)
    assert ReminderRun.objects.filter(plan=plan, month=3).count() == 1
