"""Celery tasks: thin wrappers that take ids and call ``reporting.rollup``.

Both are safe to run twice (a rebuild recomputes from the database) and retry with backoff
when the database is briefly unreachable.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

from targets.models import Plan

from . import export_jobs, rollup, supervision
from .models import RollupRun

logger = logging.getLogger(__name__)
RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def rollup_plan(
    plan_id: int,
    series_ids: list[int] | None = None,
    from_month: int = 1,
    months: list[int] | None = None,
    regions: list[int] | None = None,
) -> int:
    """Incremental when ``series_ids`` are given, else a full rebuild; returns rows written.

    ``months`` and ``regions`` are where figures changed: only those months' report counts
    and those counties' rows (and the city's) are recomputed.
    """
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return 0
    if series_ids is None:
        rows = rollup.rebuild(plan, from_month=from_month).rows
    else:
        rows = rollup.rebuild_after_change(
            plan, series_ids=series_ids, from_month=from_month, months=months, regions=regions
        ).rows
    supervision.sync_after_rollup(plan)
    return rows


@shared_task(**RETRY)
def nightly_rebuild() -> dict[int, int]:
    """Rebuild every plan, compare with what was stored, and log any drift."""
    plans = Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("year")
    runs = rollup.rebuild_plans(plans, kind=RollupRun.Kind.NIGHTLY, compare=True)
    drift = {}
    for run in runs:
        drift[run.plan.year] = run.drift
        if run.drift:
            logger.warning("rollup drift: %s rows of plan %s differed", run.drift, run.plan.year)
    for run in runs:
        supervision.sync_after_rollup(run.plan)
    return drift


@shared_task(
    **{**RETRY, "autoretry_for": (OperationalError, InterfaceError, OSError, SMTPException)}
)
def send_due_reminders() -> list[str]:
    """Daily: the reminders of months whose deadline has just passed (each month once)."""
    from .reminders import send_due_reminders as send

    return [str(run) for run in send()]


@shared_task(**RETRY)
def export_workbook(job_id: int) -> str | None:
    """Write a background export (``reporting.export_jobs.run``); its status, None if taken."""
    job = export_jobs.run(job_id)
    return None if job is None else job.status
