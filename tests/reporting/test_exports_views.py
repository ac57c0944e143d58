"""/exports/ and /exports/<year>/summary.xlsx: who may, the file, the as-of month, the log."""

from __future__ import annotations

import hashlib
import io
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reporting.models import ExportLog
from reporting.rollup import rebuild
from targets.models import Plan, Submission
from tests.helpers import client_for

SHEET_NAMES = (
    "封面",
    "总表",
    "分县区",
    "月度明细",
    "修改记录",
    "目标调整记录",
    "里程碑",
    "重点工作台账",
    "项目台账",
    "花名册核对",
    "疑点清单",
)

pytestmark = pytest.mark.django_db

PAGE = "/exports/"
DOWNLOAD = "/exports/2015/summary.xlsx"
URLS = [PAGE, DOWNLOAD]


def _book(response: Any) -> Any:
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def figures(plan: Plan, figure: Any) -> Plan:
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410621", 2, 300)
    figure("rural-transfer", "410622", 4, 900)
    figure("vocational-enrolment", "410611", 3, 12000)
    rebuild(plan)
    return plan


# Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_auditors_and_administrators_may(figures, make_user, role, url) -> None:
    assert client_for(make_user(role)).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_superuser_may(figures, django_user_model, url) -> None:
    root = django_user_model.objects.create_superuser("root", password="x")
    assert client_for(root).get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["leader", "reviewer", "clerk", None])
def test_it_checks_the_role(figures, make_user, role, url) -> None:
    user = make_user(role, department="hrss" if role == "clerk" else None)
    assert client_for(user).get(url).status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_the_login(figures, url) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", URLS)
def test_only_get(figures, auditor, url) -> None:
    assert client_for(auditor).post(url).status_code == 405


# The download ---------------------------------------------------------------------------


def test_unknown_year_is_404(figures, auditor) -> None:
    assert client_for(auditor).get("/exports/2014/summary.xlsx").status_code == 404


@pytest.mark.parametrize("as_of", ["2015-13", "2014-09", "abc", "2015-9", "2015-00"])
def test_bad_as_of_is_a_chinese_400(figures, auditor, as_of) -> None:
    response = client_for(auditor).get(DOWNLOAD, {"as_of": as_of})
    assert response.status_code == 400
    assert "截止月份" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_download_is_the_workbook_with_a_chinese_file_name(figures, auditor) -> None:
    response = client_for(auditor).get(DOWNLOAD, {"as_of": "2015-02"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = "2015年全民技能振兴工程审计工作簿（截至2015年2月）.xlsx"
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    book = _book(response)
    assert book.sheetnames == [*SHEET_NAMES]
    months = [row[6] for row in book["月度明细"].iter_rows(min_row=6, values_only=True)]
    assert sorted(months) == [1, 2]  # April's figure is after the as-of month
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["制表人"] == "审计员甲"
    assert cover["截至月份"] == "2015-02"


def test_default_as_of_is_the_latest_reported_month(figures, auditor) -> None:
    book = _book(client_for(auditor).get(DOWNLOAD))
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["截至月份"] == "2015-04"


def test_each_download_is_logged_with_the_files_sha256(figures, auditor) -> None:
    response = client_for(auditor).get(DOWNLOAD, {"as_of": "2015-04"})
    content = b"".join(response.streaming_content)
    log = ExportLog.objects.get()
    assert log.sha256 == hashlib.sha256(content).hexdigest()
    assert log.size == len(content)
    assert (log.plan, log.month, log.exported_by, log.source) == (figures, 4, auditor, "web")
    assert log.row_counts["月度明细"] == 4
    assert set(log.row_counts) == set(SHEET_NAMES)


def test_exporting_changes_no_other_data(figures, auditor) -> None:
    before = list(Submission.objects.order_by("pk").values())
    client_for(auditor).get(DOWNLOAD, {"as_of": "2015-04"})
    assert list(Submission.objects.order_by("pk").values()) == before


# The page -------------------------------------------------------------------------------


def test_page_links_the_download_and_lists_past_exports(figures, auditor) -> None:
    client = client_for(auditor)
    client.get(DOWNLOAD, {"as_of": "2015-02"})
    response = client.get(PAGE, {"year": "2015", "as_of": "2015-02"})
    page = response.content.decode()
    assert 'href="/exports/2015/summary.xlsx?as_of=2015-02"' in page
    log = ExportLog.objects.get()
    assert log.sha256 in page
    assert "审计员甲" in page


def test_page_with_a_bad_as_of_says_so(figures, auditor) -> None:
    response = client_for(auditor).get(PAGE, {"as_of": "2015-13"})
    assert response.status_code == 400
    assert "截止月份" in response.content.decode()


def test_log_is_read_only_in_the_admin(figures, auditor, django_user_model) -> None:
    client_for(auditor).get(DOWNLOAD)
    root = django_user_model.objects.create_superuser("root", password="x")
    client = client_for(root)
    log = ExportLog.objects.get()
    assert client.get("/admin/reporting/exportlog/").status_code == 200
    assert client.get(f"/admin/reporting/exportlog/{log.pk}/change/").status_code == 200
    assert client.get("/admin/reporting/exportlog/add/").status_code == 403
    assert client.post(f"/admin/reporting/exportlog/{log.pk}/delete/").status_code == 403


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        b"".join(client.get(DOWNLOAD, {"as_of": "2015-04"}).streaming_content)
    return len(queries)


def test_download_reads_a_fixed_number_of_queries(figures, auditor, figure) -> None:
    client = client_for(auditor)
    _queries(client)  # warm the progress cache
    few = _queries(client)
    for month in range(1, 5):
        for county in ("410602", "410603", "410611"):
            figure("in-service", county, month, 10 * month)
    rebuild(figures)
    _queries(client)
    assert few == _queries(client) <= 32  # no query per figure (the rosters' sheets: 11)


def test_a_draft_plan_is_exported_to_administrators_only(figures, auditor, make_user) -> None:
    Plan.objects.filter(pk=figures.pk).update(status=Plan.Status.DRAFT)
    client = client_for(auditor)
    assert client.get(DOWNLOAD, {"as_of": "2015-04"}).status_code == 404
    assert client.post("/exports/2015/jobs/", {"as_of": "2015-04"}).status_code == 404
    assert 'href="/exports/2015/summary.xlsx' not in client.get(PAGE).content.decode()
    assert "目前没有年度方案" in client.get(PAGE).content.decode()
    assert not ExportLog.objects.exists()
    administrator = client_for(make_user("administrator"))
    assert administrator.get(DOWNLOAD, {"as_of": "2015-04"}).status_code == 200
    assert 'href="/exports/2015/summary.xlsx' in administrator.get(PAGE).content.decode()
