"""Writes to the export records: a background job's life (queued, claimed, progress, done or
failed) and the log of every workbook handed out.

A job's row is only ever changed by a conditional ``update()`` on its id, so two deliveries of
the same task, or a worker and the page polling it, never overwrite each other's fields.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from targets.models import Plan, Region

from ..models import ExportJob, ExportLog

Status = ExportJob.Status


def export_job_create(
    *, plan: Plan, month: int, user: Any, rows_total: int, region: Region | None = None
) -> ExportJob:
    """A queued job for ``user``'s workbook (``region``'s own, given; the caller sends the
    task once it commits)."""
    return ExportJob.objects.create(
        plan=plan, region=region, month=month, requested_by=user, rows_total=rows_total
    )


def export_job_claim(*, job_id: int) -> bool:
    """Take the job for this worker: queued, or running with a silent (dead) worker."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=stale)
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(claimable)
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, rows_done=0)
    )
    return bool(claimed)


def export_job_progress(*, job_id: int, rows_done: int) -> None:
    """Rows written so far; also the worker's heartbeat."""
    ExportJob.objects.filter(pk=job_id).update(rows_done=rows_done, heartbeat_at=timezone.now())


def export_job_estimate(*, job_id: int, rows_total: int) -> None:
    """The rows the workbook will have, counted again when the worker starts."""
    ExportJob.objects.filter(pk=job_id).update(rows_total=rows_total)


def export_job_finish(*, job_id: int, rows_done: int, file_name: str, log: ExportLog) -> None:
    """The workbook is in place and logged: the job is done."""
    ExportJob.objects.filter(pk=job_id).update(
        status=Status.DONE,
        rows_done=rows_done,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        file_name=file_name,
        log=log,
        error="",
    )


def export_job_requeue(*, job_id: int) -> None:
    """Back in the queue (the database failed under the worker; the task retries)."""
    ExportJob.objects.filter(pk=job_id).update(status=Status.QUEUED, rows_done=0)


def export_job_fail(*, job_id: int, error: str, queued_only: bool = False) -> None:
    """The job failed with ``error``; ``queued_only``: unless a worker has taken it meanwhile."""
    jobs = ExportJob.objects.filter(pk=job_id)
    if queued_only:
        jobs = jobs.filter(status=Status.QUEUED)
    jobs.update(status=Status.FAILED, finished_at=timezone.now(), error=error)


def export_job_forget_file(*, job_id: int) -> None:
    """The job's file was deleted (pruned): the job stays, as expired."""
    ExportJob.objects.filter(pk=job_id).update(file_name="")


def export_log_create(
    *,
    plan: Plan,
    region: Region | None = None,
    month: int,
    user: Any | None,
    source: str,
    exported_at: datetime,
    row_counts: dict[str, int],
    sha256: str,
    size: int,
) -> ExportLog:
    """The record of one workbook handed out: who, when, how, and its fingerprint."""
    return ExportLog.objects.create(
        plan=plan,
        region=region,
        month=month,
        exported_by=user,
        exported_at=exported_at,
        source=source,
        row_counts=row_counts,
        sha256=sha256,
        size=size,
    )
