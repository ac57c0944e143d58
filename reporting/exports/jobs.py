"""Background exports: summary workbooks too large to write during a request.

``create`` records an ``ExportJob``; the view that asks for it sends
``reporting.tasks.export_workbook`` once the transaction commits (this module never imports the
tasks: they import it); the worker calls ``run``, which claims the job, writes the workbook to a
temporary file under ``EXPORT_ROOT`` while counting rows into the job (the page's progress
bar), renames it into place, and only then logs the export and marks the job done, in one
transaction. A failed job keeps no file and no log; a new request writes the same workbook.

Delivered twice, the task does nothing the second time: only a queued job, or a running one
whose worker has been silent for ``EXPORT_STALE_SECONDS`` (killed), can be claimed.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import Plan, Region

from ..models import ExportJob, ExportLog
from ..services import exports as services
from . import styles, workbook

logger = logging.getLogger(__name__)
# The progress bar hears of rows at most this often (seconds), and at each sheet's end.
PROGRESS_INTERVAL = 0.5


def export_root() -> Path:
    return Path(settings.EXPORT_ROOT)


def is_large(rows: int) -> bool:
    """Whether a workbook of ``rows`` long-sheet rows is written in the background."""
    return rows > settings.EXPORT_ASYNC_ROWS


def path_of(job: ExportJob) -> Path | None:
    return export_root() / job.file_name if job.file_name else None


def create(plan: Plan, month: int, user: Any, region: Region | None = None) -> ExportJob:
    """Record a queued workbook for ``user`` (``region``'s own, given; the caller sends the
    task once it commits)."""
    return services.export_job_create(
        plan=plan,
        month=month,
        user=user,
        rows_total=workbook.estimate_rows(plan, month, region),
        region=region,
    )


def not_sent(job_id: int) -> None:
    """The task could not be sent (the broker is down): say so on the job's page."""
    logger.exception("export job %s not dispatched", job_id)
    services.export_job_fail(
        job_id=job_id,
        error=_("后台任务服务暂时无法连接，工作簿未能生成，请稍后重新生成。"),
        queued_only=True,
    )


def claim(job_id: int) -> ExportJob | None:
    """Take the job for this worker: queued, or running with a dead worker; else None."""
    if not services.export_job_claim(job_id=job_id):
        return None
    return ExportJob.objects.select_related("plan", "region", "requested_by").get(pk=job_id)


class Progress:
    """``tick`` for ``workbook.write_summary``: rows written, saved to the job now and then."""

    def __init__(self, job: ExportJob) -> None:
        self.job_id = job.pk
        self.rows = 0
        self.saved_at = 0.0

    def __call__(self, rows: int) -> None:
        self.rows += rows
        now = time.monotonic()
        if now - self.saved_at >= PROGRESS_INTERVAL or rows < styles.TICK_ROWS:
            self.saved_at = now
            services.export_job_progress(job_id=self.job_id, rows_done=self.rows)


def prune(now: Any = None) -> int:
    """Delete the files of jobs finished more than ``EXPORT_KEEP_DAYS`` ago; how many."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(
        status=ExportJob.Status.DONE,
        finished_at__lt=now - timedelta(days=settings.EXPORT_KEEP_DAYS),
    ).exclude(file_name="")
    pruned = 0
    for job in old:
        path = path_of(job)
        if path is not None:
            path.unlink(missing_ok=True)
        services.export_job_forget_file(job_id=job.pk)
        pruned += 1
    return pruned


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def run(job_id: int) -> ExportJob | None:
    """Write the job's workbook; None when another delivery has it or it is finished.

    Database errors put the job back in the queue and propagate, so the task retries; any
    other error fails the job with its message and leaves no file behind.
    """
    job = claim(job_id)
    if job is None:
        return None
    prune()
    root = export_root()
    root.mkdir(parents=True, exist_ok=True)
    name = workbook.ascii_name(job.plan, job.month, job.region).removesuffix(".xlsx")
    final = root / f"{name}-job{job.pk}.xlsx"
    part = final.with_name(final.name + ".part")
    job.rows_total = workbook.estimate_rows(job.plan, job.month, job.region)
    services.export_job_estimate(job_id=job.pk, rows_total=job.rows_total)
    exported_at = timezone.now()
    try:
        with open(part, "w+b") as out:
            written = workbook.write_fingerprinted(
                out,
                job.plan,
                job.month,
                exported_by=workbook.exporter_name(job.requested_by),
                exported_at=exported_at,
                tick=Progress(job),
                region=job.region,
            )
        os.replace(part, final)
        with transaction.atomic():
            log = workbook.log_export(
                written,
                plan=job.plan,
                month=job.month,
                user=job.requested_by,
                source=ExportLog.Source.TASK,
                exported_at=exported_at,
                region=job.region,
            )
            services.export_job_finish(
                job_id=job.pk,
                rows_done=written.counts["月度明细"] + written.counts["修改记录"],
                file_name=final.name,
                log=log,
            )
    except (OperationalError, InterfaceError):
        _discard(part, final)
        services.export_job_requeue(job_id=job.pk)
        raise
    except Exception as exc:  # any other failure ends as a failed job with its message
        _discard(part, final)
        logger.exception("export job %s failed", job.pk)
        services.export_job_fail(job_id=job.pk, error=_("生成失败：%(error)s") % {"error": exc})
    job.refresh_from_db()
    return job


def status(job: ExportJob) -> dict[str, Any]:
    """What the progress page polls (``/exports/jobs/<id>/status.json``)."""
    done = job.status == ExportJob.Status.DONE and bool(job.file_name)
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "download_url": reverse("export-job-download", args=[job.pk]) if done else None,
        "error": job.error or None,
        "expired": job.status == ExportJob.Status.DONE and not job.file_name,
    }
