"""``reporting.services.exports``: an export job's life and the export log, one write each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from reporting.models import ExportJob, ExportLog
from reporting.services import exports as services
from targets.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(plan: Plan, auditor: Any) -> ExportJob:
    return services.export_job_create(plan=plan, month=3, user=auditor, rows_total=40)


def stored(job: ExportJob) -> ExportJob:
    return ExportJob.objects.get(pk=job.pk)


def test_a_new_job_is_queued(job: ExportJob, auditor: Any) -> None:
    job = stored(job)
    assert (job.status, job.month, job.rows_total, job.requested_by) == ("queued", 3, 40, auditor)


def test_a_job_is_claimed_once(job: ExportJob) -> None:
    assert services.export_job_claim(job_id=job.pk)
    assert not services.export_job_claim(job_id=job.pk)
    assert stored(job).status == "running"


def test_a_silent_worker_loses_its_job(job: ExportJob, settings: Any) -> None:
    services.export_job_claim(job_id=job.pk)
    silent = timezone.now() - timedelta(seconds=settings.EXPORT_STALE_SECONDS + 1)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=silent, rows_done=7)
    assert services.export_job_claim(job_id=job.pk)
    assert stored(job).rows_done == 0


def test_progress_and_estimate(job: ExportJob) -> None:
    services.export_job_claim(job_id=job.pk)
    before = stored(job).heartbeat_at
    services.export_job_estimate(job_id=job.pk, rows_total=50)
    services.export_job_progress(job_id=job.pk, rows_done=20)
    job = stored(job)
    assert (job.rows_done, job.rows_total) == (20, 50)
    assert job.heartbeat_at >= before


def test_a_finished_job_points_at_its_file_and_log(job: ExportJob, plan: Plan) -> None:
    log = services.export_log_create(
        plan=plan,
        month=3,
        user=None,
        source=ExportLog.Source.TASK,
        exported_at=timezone.now(),
        row_counts={"月度明细": 30, "修改记录": 10},
        sha256="0" * 64,
        size=1234,
    )
    services.export_job_claim(job_id=job.pk)
    services.export_job_finish(job_id=job.pk, rows_done=40, file_name="a.xlsx", log=log)
    job = stored(job)
    assert (job.status, job.rows_done, job.file_name, job.log, job.error) == (
        "done",
        40,
        "a.xlsx",
        log,
        "",
    )
    assert job.finished_at is not None
    services.export_job_forget_file(job_id=job.pk)
    assert stored(job).file_name == ""


def test_a_failed_job_says_why(job: ExportJob) -> None:
    services.export_job_claim(job_id=job.pk)
    services.export_job_fail(job_id=job.pk, error="服务未连接", queued_only=True)
    assert stored(job).status == "running"  # a worker has it: not failed from outside
    services.export_job_fail(job_id=job.pk, error="生成失败：磁盘已满")
    job = stored(job)
    assert (job.status, job.error) == ("failed", "生成失败：磁盘已满")


def test_a_requeued_job_starts_again(job: ExportJob) -> None:
    services.export_job_claim(job_id=job.pk)
    services.export_job_progress(job_id=job.pk, rows_done=20)
    services.export_job_requeue(job_id=job.pk)
    assert (stored(job).status, stored(job).rows_done) == ("queued", 0)
