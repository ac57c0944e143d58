"""Large exports in the background: the job, its progress, its file, who may see it, a worker.

Above ``EXPORT_ASYNC_ROWS`` rows the exports page offers 后台生成 instead of a direct link;
the job is written by ``reporting.tasks.export_workbook`` (``reporting.exports.jobs.run``) into
``EXPORT_ROOT``. Each test gets its own ``EXPORT_ROOT`` under pytest's tmp_path.
"""

from __future__ import annotations

import hashlib
import io
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from reporting.exports import jobs as export_jobs
from reporting.exports import styles, workbook
from reporting.models import ExportJob, ExportLog
from reporting.rollup import rebuild
from reporting.tasks import export_workbook
from skills_plan.celery import app
from targets.models import Plan, Submission
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGE = "/exports/"
CREATE = "/exports/2015/jobs/"
COUNTIES = ["410602", "410603", "410611", "410621", "410622"]


@pytest.fixture(autouse=True)
def export_settings(settings: Any, tmp_path: Any) -> Any:
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_ASYNC_ROWS = 10
    return settings


@pytest.fixture
def figures(plan: Plan, figure: Any) -> Plan:
    """Eight approved figures (8 counted rows, 24 events: created, submitted, approved)."""
    for month in (1, 2):
        for county in ("410611", "410621", "410622"):
            figure("rural-transfer", county, month, 100 * month)
    figure("vocational-enrolment", "410611", 3, 12000)
    figure("vocational-enrolment", "410611", 4, 12500)
    rebuild(plan)
    return plan


def _queue(client: Client, as_of: str = "2015-04") -> ExportJob:
    """POST for a background export; the task is left to the test (no broker in between)."""
    response = client.post(CREATE, {"as_of": as_of})
    assert response.status_code == 302
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    return job


@pytest.fixture
def queue(django_capture_on_commit_callbacks: Any) -> Any:
    """``_queue`` with the dispatch caught: no task reaches a broker or runs eagerly."""

    def make(client: Client, as_of: str = "2015-04") -> ExportJob:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            job = _queue(client, as_of)
        assert len(callbacks) <= 1
        return job

    return make


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


# The page offers the background above the threshold ----------------------------------------


def test_small_workbooks_are_still_downloaded_at_once(figures, auditor, settings) -> None:
    settings.EXPORT_ASYNC_ROWS = 1000
    page = client_for(auditor).get(PAGE, {"as_of": "2015-04"}).content.decode()
    assert 'href="/exports/2015/summary.xlsx?as_of=2015-04"' in page
    assert CREATE not in page


def test_large_workbooks_are_offered_in_the_background(figures, auditor) -> None:
    rows = workbook.estimate_rows(figures, 4)
    assert rows == 8 + 24
    page = client_for(auditor).get(PAGE, {"as_of": "2015-04"}).content.decode()
    assert f'action="{CREATE}"' in page
    assert 'value="2015-04"' in page
    assert "约 32 行" in page and "后台生成" in page
    assert 'href="/exports/2015/summary.xlsx' not in page


def test_estimate_counts_the_rows_the_workbook_gets(figures) -> None:
    counts = workbook.write_summary(io.BytesIO(), figures, 2, exported_by="x")
    assert workbook.estimate_rows(figures, 2) == counts["月度明细"] + counts["修改记录"]
    assert counts["月度明细"] == 6


# The job ----------------------------------------------------------------------------------


def test_queueing_sends_one_task_after_commit(figures, auditor, django_capture_on_commit_callbacks):
    sent: list[int] = []
    with pytest.MonkeyPatch.context() as patch:  # the callbacks run as the inner block ends
        patch.setattr(export_workbook, "delay", lambda job_id: sent.append(job_id))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            job = _queue(client_for(auditor))
    assert len(callbacks) == 1
    assert sent == [job.pk]
    assert (job.status, job.plan, job.month, job.requested_by) == ("queued", figures, 4, auditor)
    assert job.rows_total == 32
    assert not ExportLog.objects.exists()


def test_a_second_click_goes_to_the_job_under_way(figures, auditor, queue) -> None:
    client = client_for(auditor)
    first = queue(client)
    assert queue(client) == first
    assert queue(client, "2015-03") != first
    assert ExportJob.objects.count() == 2


def test_run_writes_the_workbook_logs_it_and_finishes(figures, auditor, queue, settings):
    job = export_jobs.run(queue(client_for(auditor)).pk)
    assert job.status == "done"
    assert (job.rows_done, job.rows_total, job.percent) == (32, 32, 100)
    path = settings.EXPORT_ROOT / job.file_name
    content = path.read_bytes()
    assert not list(settings.EXPORT_ROOT.glob("*.part"))
    log = ExportLog.objects.get()
    assert job.log == log
    assert (log.source, log.exported_by, log.month, log.plan) == ("task", auditor, 4, figures)
    assert log.sha256 == hashlib.sha256(content).hexdigest()
    assert log.size == len(content)
    assert log.row_counts["月度明细"] == 8 and log.row_counts["修改记录"] == 24


def test_the_background_workbook_is_the_downloaded_one(figures, auditor, queue) -> None:
    client = client_for(auditor)
    with time_machine.travel(timezone.now(), tick=False):  # one 制表时间 for both
        job = export_jobs.run(queue(client).pk)
        background = client.get(f"/exports/jobs/{job.pk}/download/").getvalue()
        direct = b"".join(client.get("/exports/2015/summary.xlsx?as_of=2015-04"))
    assert _sheets(background) == _sheets(direct)
    assert set(_sheets(background)) == set(workbook.SHEETS)
    assert (
        ExportLog.objects.get(source="task").row_counts
        == ExportLog.objects.get(source="web").row_counts
    )


def test_progress_is_saved_as_rows_are_written(figures, auditor, queue, monkeypatch) -> None:
    job = queue(client_for(auditor))
    monkeypatch.setattr(styles, "TICK_ROWS", 5)
    monkeypatch.setattr(export_jobs, "PROGRESS_INTERVAL", 0)
    seen: list[tuple[str, int, int]] = []
    tick = export_jobs.Progress.__call__

    def spy(self: Any, rows: int) -> None:
        tick(self, rows)
        row = ExportJob.objects.get(pk=job.pk)
        seen.append((row.status, row.rows_done, row.percent))

    monkeypatch.setattr(export_jobs.Progress, "__call__", spy)
    export_jobs.run(job.pk)
    # 月度明细: 5, then 8; 修改记录: 13, 18, 23, 28, then 32 — percent below 100 until done.
    assert [done for _status, done, _percent in seen] == [5, 8, 13, 18, 23, 28, 32]
    assert all(status == "running" for status, _done, _percent in seen)
    assert [percent for *_rest, percent in seen] == [15, 25, 40, 56, 71, 87, 99]
    assert ExportJob.objects.get(pk=job.pk).percent == 100


def test_a_second_delivery_does_nothing(figures, auditor, queue) -> None:
    job = queue(client_for(auditor))
    assert export_jobs.run(job.pk).status == "done"
    assert export_jobs.run(job.pk) is None
    assert export_workbook.apply(args=[job.pk]).get() is None
    assert ExportLog.objects.count() == 1
    assert len(list(export_jobs.export_root().iterdir())) == 1


def test_a_running_job_is_left_alone_unless_its_worker_went_silent(
    figures, auditor, queue, settings
) -> None:
    job = queue(client_for(auditor))
    ExportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert export_jobs.run(job.pk) is None
    silent = timezone.now() - timedelta(seconds=settings.EXPORT_STALE_SECONDS + 1)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=silent)
    assert export_jobs.run(job.pk).status == "done"


def test_a_failure_keeps_no_file_and_no_log_and_can_be_run_again(
    figures, auditor, queue, monkeypatch
) -> None:
    client = client_for(auditor)
    job = queue(client)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValueError("磁盘已满")

    with monkeypatch.context() as patch:
        patch.setattr(workbook, "write_summary", broken)
        failed = export_jobs.run(job.pk)
    assert failed.status == "failed"
    assert failed.error == "生成失败：磁盘已满"
    assert list(export_jobs.export_root().iterdir()) == []
    assert not ExportLog.objects.exists()
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "生成失败：磁盘已满" in page and "重新生成" in page

    again = queue(client)
    assert again != job
    assert export_jobs.run(again.pk).status == "done"
    assert ExportLog.objects.count() == 1


def test_a_database_error_puts_the_job_back_for_the_retry(
    figures, auditor, queue, monkeypatch
) -> None:
    job = queue(client_for(auditor))

    def lost(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(workbook, "log_export", lost)
    with pytest.raises(OperationalError):
        export_jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.file_name) == ("queued", 0, "")
    assert list(export_jobs.export_root().iterdir()) == []
    monkeypatch.undo()
    assert export_jobs.run(job.pk).status == "done"


def test_a_broker_that_cannot_be_reached_fails_the_job_with_a_message(
    figures, auditor, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    def down(job_id: int) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(export_workbook, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = _queue(client_for(auditor))
    job.refresh_from_db()
    assert job.status == "failed"
    assert "后台任务服务暂时无法连接" in job.error


def test_old_files_are_pruned(figures, auditor, queue, settings) -> None:
    client = client_for(auditor)
    job = export_jobs.run(queue(client).pk)
    path = settings.EXPORT_ROOT / job.file_name
    later = timezone.now() + timedelta(days=settings.EXPORT_KEEP_DAYS, hours=1)
    assert export_jobs.prune(later) == 1
    assert not path.exists()
    job.refresh_from_db()
    assert (job.status, job.file_name) == ("done", "")
    assert client.get(f"/exports/jobs/{job.pk}/download/").status_code == 404
    state = client.get(f"/exports/jobs/{job.pk}/status.json").json()
    assert state["expired"] is True and state["download_url"] is None
    assert "文件已超过保存期限被清理" in client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert ExportLog.objects.count() == 1  # the log outlives the file


# The job's pages ----------------------------------------------------------------------------


def test_status_json_follows_the_job(figures, auditor, queue) -> None:
    client = client_for(auditor)
    job = queue(client)
    url = f"/exports/jobs/{job.pk}/status.json"
    before = client.get(url)
    assert before["Cache-Control"] == "no-store"
    assert before.json() == {
        "id": job.pk,
        "status": "queued",
        "status_display": "排队中",
        "rows_done": 0,
        "rows_total": 32,
        "percent": 0,
        "download_url": None,
        "error": None,
        "expired": False,
    }
    export_jobs.run(job.pk)
    after = client.get(url).json()
    assert (after["status"], after["percent"], after["rows_done"]) == ("done", 100, 32)
    assert after["download_url"] == f"/exports/jobs/{job.pk}/download/"


def test_job_page_shows_progress_and_the_link_when_done(figures, auditor, queue) -> None:
    client = client_for(auditor)
    job = queue(client)
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-progress" max="100" value="0"' in page
    assert f'data-status-url="/exports/jobs/{job.pk}/status.json"' in page
    assert "js/export-progress.js" in page
    export_jobs.run(job.pk)
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert 'value="100"' in page
    assert f'href="/exports/jobs/{job.pk}/download/"' in page
    listing = client.get(PAGE, {"as_of": "2015-04"}).content.decode()
    assert 'id="export-jobs"' in listing and f'href="/exports/jobs/{job.pk}/"' in listing


def test_download_has_the_chinese_file_name(figures, auditor, queue) -> None:
    client = client_for(auditor)
    job = export_jobs.run(queue(client).pk)
    response = client.get(f"/exports/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert "summary-2015-04.xlsx" in response["Content-Disposition"]
    assert "filename*=UTF-8''2015" in response["Content-Disposition"]
    content = response.getvalue()
    assert hashlib.sha256(content).hexdigest() == job.log.sha256


def test_a_job_is_its_requesters_alone(figures, auditor, make_user, queue) -> None:
    job = export_jobs.run(queue(client_for(auditor)).pk)
    urls = [f"/exports/jobs/{job.pk}/{end}" for end in ("", "status.json", "download/")]
    other = client_for(make_user("auditor", username="other-auditor"))
    admin = client_for(make_user("administrator"))
    for url in urls:
        assert other.get(url).status_code == 404, url
        assert admin.get(url).status_code == 404, url
        assert client_for(auditor).get(url).status_code == 200, url
    assert f"/exports/jobs/{job.pk}/" not in other.get(PAGE).content.decode()


@pytest.mark.parametrize("role", ["leader", "reviewer", "clerk"])
def test_other_roles_may_not(figures, auditor, make_user, queue, role) -> None:
    job = queue(client_for(auditor))
    user = make_user(role, department="hrss") if role == "clerk" else make_user(role)
    client = client_for(user)
    assert client.post(CREATE, {"as_of": "2015-04"}).status_code == 403
    for end in ("", "status.json", "download/"):
        assert client.get(f"/exports/jobs/{job.pk}/{end}").status_code == 403
    assert ExportJob.objects.count() == 1


def test_anonymous_is_sent_to_the_login(figures) -> None:
    response = Client().post(CREATE, {"as_of": "2015-04"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ExportJob.objects.exists()


def test_create_is_post_only_and_checks_the_month(figures, auditor) -> None:
    client = client_for(auditor)
    assert client.get(CREATE, {"as_of": "2015-04"}).status_code == 405
    response = client.post(CREATE, {"as_of": "2015-13"})
    assert response.status_code == 400
    assert "截止月份" in response.content.decode()
    assert client.post("/exports/2099/jobs/", {"as_of": "2099-01"}).status_code == 404
    assert not ExportJob.objects.exists()


def test_exporting_in_the_background_changes_no_figure(figures, auditor, queue) -> None:
    before = list(Submission.objects.order_by("pk").values())
    export_jobs.run(queue(client_for(auditor)).pk)
    assert list(Submission.objects.order_by("pk").values()) == before


# A real worker against Redis ----------------------------------------------------------------


# PostgreSQL as well: on SQLite the worker thread and the test share an in-memory database
# whose table locks fail at once.
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_a_large_export_with_progress(
    require_postgres, require_broker, plan, figure, auditor, monkeypatch
) -> None:
    assert not app.conf.task_always_eager, "with a broker, tasks must go through it"
    for month in range(1, 7):
        for county in COUNTIES:
            figure("rural-transfer", county, month, 10 * month)
    rebuild(plan)
    app.control.purge()  # the rollups the figures sent, and leftovers of earlier runs
    # Slow the writing down so that the page can see it part-way: 30 figures and 90 events,
    # progress every 10 rows, a tenth of a second each.
    monkeypatch.setattr(styles, "TICK_ROWS", 10)
    monkeypatch.setattr(export_jobs, "PROGRESS_INTERVAL", 0)
    tick = export_jobs.Progress.__call__

    def slow(self: Any, rows: int) -> None:
        tick(self, rows)
        time.sleep(0.1)

    monkeypatch.setattr(export_jobs.Progress, "__call__", slow)
    client = client_for(auditor)
    seen: list[dict[str, Any]] = []
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        response = client.post(CREATE, {"as_of": "2015-06"})  # committed: on_commit → Redis
        job_url = response["Location"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(f"{job_url}status.json").json()
            seen.append(state)
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.05)

    assert seen[-1]["status"] == "done", seen[-1]
    assert seen[-1]["rows_total"] == 120 and seen[-1]["rows_done"] == 120
    partway = [s["percent"] for s in seen if s["status"] == "running" and 0 < s["percent"] < 100]
    assert partway, "the progress bar never moved between 0 and 100"
    assert partway == sorted(partway)
    content = client.get(seen[-1]["download_url"]).getvalue()
    log = ExportLog.objects.get(source="task")
    assert log.sha256 == hashlib.sha256(content).hexdigest()
    detail = _sheets(content)["月度明细"][styles.HEADER_ROW :]
    assert len(detail) == 30
    assert sum(row[7] for row in detail) == 5 * sum(10 * m for m in range(1, 7))
