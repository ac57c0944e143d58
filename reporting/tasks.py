"""Celery tasks: thin wrappers that take ids and call one function each.

The rollup tasks are safe to run twice (a rebuild recomputes from the database) and retry
with backoff when the database is briefly unreachable.
"""

from __future__ import annotations

from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .exports import jobs as export_jobs
from .rollup import dispatch, runs

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def rollup_plan(plan_id: int, *scope: Any, **named_scope: Any) -> int:
    """Incremental when series ids are given, else a full rebuild; returns rows written. The
    scope's arguments are those of ``reporting.rollup.runs.rollup_plan``, said there once."""
    return runs.rollup_plan(plan_id, *scope, **named_scope)


@shared_task(**RETRY)
def nightly_rebuild() -> dict[int, int]:
    """Rebuild every plan, compare with what was stored, and log any drift."""
    return runs.nightly()


@shared_task(**RETRY)
def sweep_pending_rollups() -> dict[int, int]:
    """Every few minutes: the rollups whose task never ran (the broker was down)."""
    return {run.plan.year: run.rows for run in dispatch.sweep()}


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
