"""Celery tasks: thin wrappers that take ids and call ``reporting.rollup``.

Both are safe to run twice (a rebuild recomputes from the database) and retry with backoff
when the database is briefly unreachable.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from targets.models import Plan

from . import pending as pending_rollups
from . import rollup, supervision
from .exports import jobs as export_jobs
from .models import PendingRollup, RollupRun

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
    pending: list[int] | None = None,
) -> int:
    """Incremental when ``series_ids`` are given, else a full rebuild; returns rows written.

    ``months`` and ``regions`` are where figures changed: only those months' report counts
    and those counties' rows (and the city's) are recomputed. ``pending``: the
    ``PendingRollup`` rows this rollup settles, deleted in its transaction.
    """
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return 0
    with transaction.atomic():
        if series_ids is None:
            rows = rollup.rebuild(plan, from_month=from_month).rows
        else:
            rows = rollup.rebuild_after_change(
                plan, series_ids=series_ids, from_month=from_month, months=months, regions=regions
            ).rows
        if pending:
            PendingRollup.objects.filter(pk__in=pending, plan=plan).delete()
    supervision.sync_after_rollup(plan)
    return rows


@shared_task(**RETRY)
def nightly_rebuild() -> dict[int, int]:
    """Rebuild every plan, compare with what was stored, and log any drift."""
    plans = list(Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("year"))
    # Read before the rebuild starts: each of these approvals committed before it, so the
    # rebuild sees its figures (rows written meanwhile wait for their own rollup).
    settled = list(PendingRollup.objects.filter(plan__in=plans).values_list("pk", flat=True))
    runs = rollup.rebuild_plans(plans, kind=RollupRun.Kind.NIGHTLY, compare=True)
    PendingRollup.objects.filter(pk__in=settled).delete()
    drift = {}
    for run in runs:
        drift[run.plan.year] = run.drift
        if run.drift:
            logger.warning("rollup drift: %s rows of plan %s differed", run.drift, run.plan.year)
    for run in runs:
        supervision.sync_after_rollup(run.plan)
    return drift


@shared_task(**RETRY)
def sweep_pending_rollups() -> dict[int, int]:
    """Every few minutes: the rollups whose task never ran (the broker was down)."""
    return {run.plan.year: run.rows for run in pending_rollups.sweep()}


@shared_task(
    **{**RETRY, "autoretry_for": (OperationalError, InterfaceError, OSError, SMTPException)}
)
def send_due_reminders() -> list[str]:
    """Daily: the reminders of months whose deadline has just passed (each month once)."""
    from .reminders import send_due_reminders as send

    return [str(run) for run in send()]


@shared_task(**RETRY)
def export_workbook(job_id: int) -> str | None:
    """Write a background export (``reporting.exports.jobs.run``); its status, None if taken."""
    job = export_jobs.run(job_id)
    return None if job is None else job.status
