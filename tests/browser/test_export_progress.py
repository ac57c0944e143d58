"""A background export's page in Chromium: the bar moves when the worker finishes, the link works.

The job is queued in the database and run here, in the test, as a worker would run it, while
the page polls its status URL (the worker itself is tested in tests/reporting).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reporting.exports import jobs as export_jobs
from reporting.models import ExportJob, ExportLog
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_page_follows_the_job(live_server, page, make_user, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    plan = load_plan_file()
    auditor = make_user("auditor", username="auditor-browser")
    job = ExportJob.objects.create(plan=plan, month=3, requested_by=auditor, rows_total=40)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and problems.append(r.url),
    )

    log_in(page, live_server, "auditor-browser", "test-password")
    page.goto(f"{live_server.url}/exports/jobs/{job.pk}/")
    assert page.locator("#job-status").inner_text() == "排队中"
    assert page.locator("#job-progress").get_attribute("value") == "0"
    assert page.locator("#job-download").is_hidden()

    # Part-way, as a worker reports it: the bar follows without a reload.
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=10)
    page.wait_for_function("() => document.getElementById('job-percent').textContent === '25%'")
    assert page.locator("#job-status").inner_text() == "生成中"
    assert page.locator("#rows-done").inner_text() == "10"

    ExportJob.objects.filter(pk=job.pk).update(status="queued", rows_done=0)
    assert export_jobs.run(job.pk).status == "done"
    page.wait_for_selector("#job-download:not([hidden])")
    assert page.locator("#job-status").inner_text() == "已完成"
    assert page.locator("#job-progress").evaluate("bar => bar.value") == 100
    assert page.locator("#job-hint").is_hidden()

    with page.expect_download() as info:
        page.locator("#job-download").click()
    download = info.value
    assert download.suggested_filename.endswith("（截至2015年3月）.xlsx")
    saved = Path(download.path()).read_bytes()
    assert hashlib.sha256(saved).hexdigest() == ExportLog.objects.get().sha256
    assert not problems, problems
