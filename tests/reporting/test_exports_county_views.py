"""A county's workbook on the export pages (``?unit=<code>``): a county's auditor exports their
county's (without ``unit`` too), never another county's (404) or the city's (403); its
reviewer and leader export nothing; the city's exporters export any county's; a background job
keeps its county and stays its requester's."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from reporting.exports import jobs as export_jobs
from reporting.models import ExportJob, ExportLog
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGE = "/exports/"
DOWNLOAD = "/exports/2015/summary.xlsx"
CREATE = "/exports/2015/jobs/"
MARCH = {"as_of": "2015-03"}


def _book(response: Any) -> Any:
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _cover(book: Any) -> dict[str, Any]:
    return {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}


@pytest.fixture(autouse=True)
def export_root(settings: Any, tmp_path: Any) -> None:
    settings.EXPORT_ROOT = tmp_path / "exports"


# --- the county's auditor ----------------------------------------------------------------------


def test_a_countys_auditor_sees_their_countys_download(county_march, county_people) -> None:
    page = client_for(county_people["auditor"]).get(PAGE, MARCH)
    html = page.content.decode()

    assert page.status_code == 200 and page.context["region"].code == "410621"
    assert f'href="{DOWNLOAD}?as_of=2015-03&amp;unit=410621"' in html
    assert "只含浚县的数据" in html and "--unit 410621" in html
    assert 'id="export-unit"' not in html  # no other place to choose


@pytest.mark.parametrize("query", [{}, {"unit": "410621"}])
def test_a_countys_auditor_exports_their_countys_workbook(
    county_march, county_people, query
) -> None:
    auditor = county_people["auditor"]

    response = client_for(auditor).get(DOWNLOAD, {**MARCH, **query})

    assert response.status_code == 200
    assert 'filename="summary-2015-03-410621.xlsx"' in response["Content-Disposition"]
    book = _book(response)
    assert _cover(book)["范围"] == "浚县（410621）"
    assert "分县区" not in book.sheetnames
    log = ExportLog.objects.get()
    assert (log.region.code, log.exported_by, log.month) == ("410621", auditor, 3)


@pytest.mark.parametrize("url", [PAGE, DOWNLOAD])
def test_it_checks_the_county(county_march, county_people, url) -> None:
    client = client_for(county_people["auditor"])

    for other in ("410622", "410611", "000000", "abc", "%00"):
        assert client.get(url, {**MARCH, "unit": other}).status_code == 404, other
    assert client.get(url, {**MARCH, "unit": "410601"}).status_code == 403
    assert client.post(CREATE + "?unit=410622", MARCH).status_code == 404
    assert client.post(CREATE + "?unit=410601", MARCH).status_code == 403
    assert not ExportLog.objects.exists() and not ExportJob.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "leader"])
def test_a_countys_reviewer_and_leader_export_nothing(county_march, county_people, role) -> None:
    client = client_for(county_people[role])

    assert client.get(PAGE).status_code == 403
    assert client.get(DOWNLOAD, {**MARCH, "unit": "410621"}).status_code == 403
    assert client.post(CREATE + "?unit=410621", MARCH).status_code == 403
    assert not ExportLog.objects.exists()


def test_a_countys_auditor_sees_only_their_countys_exports(
    county_march, county_people, auditor
) -> None:
    client_for(auditor).get(DOWNLOAD, MARCH)  # the city's
    client_for(auditor).get(DOWNLOAD, {**MARCH, "unit": "410622"})  # 淇县's
    client_for(county_people["auditor"]).get(DOWNLOAD, MARCH)

    own = client_for(county_people["auditor"]).get(PAGE).context["logs"]
    every = client_for(auditor).get(PAGE).context["logs"]

    assert [log.region.code for log in own] == ["410621"]
    assert len(every) == 3


# --- the city's exporters ------------------------------------------------------------------------


def test_the_citys_auditor_exports_any_countys_workbook(county_march, auditor) -> None:
    client = client_for(auditor)
    page = client.get(PAGE, {**MARCH, "unit": "410621"}).content.decode()
    assert 'id="export-unit"' in page and '<option value="410621" selected>' in page

    county = client.get(DOWNLOAD, {**MARCH, "unit": "410621"})
    city = client.get(DOWNLOAD, MARCH)

    assert _cover(_book(county))["填报单位"] == "浚县人力资源社会保障局"
    assert "分县区" in _book(city).sheetnames
    assert [log.region and log.region.code for log in ExportLog.objects.order_by("pk")] == [
        "410621",
        None,
    ]


# --- background jobs -----------------------------------------------------------------------------


def test_a_countys_job_keeps_its_county_and_its_requester(
    county_march, county_people, make_user, django_capture_on_commit_callbacks
) -> None:
    client = client_for(county_people["auditor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(CREATE, MARCH)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    assert (job.region.code, job.requested_by) == ("410621", county_people["auditor"])
    with django_capture_on_commit_callbacks(execute=False):
        again = client.post(CREATE + "?unit=410621", MARCH)
    assert again["Location"] == response["Location"] and ExportJob.objects.count() == 1

    export_jobs.run(job.pk)
    download = client.get(f"/exports/jobs/{job.pk}/download/")

    assert download.status_code == 200
    assert "summary-2015-03-410621.xlsx" in download["Content-Disposition"]
    assert _cover(load_workbook(io.BytesIO(download.getvalue())))["范围"] == "浚县（410621）"
    job.refresh_from_db()
    assert job.log.region.code == "410621"
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "2015年浚县全民技能振兴工程审计工作簿" in page
    # Another county's auditor, or the city's, never reaches it.
    other = make_user("auditor", region="410622")
    for user in (other, make_user("auditor")):
        for url in ("", "status.json", "download/"):
            assert client_for(user).get(f"/exports/jobs/{job.pk}/{url}").status_code == 404


def test_anonymous_is_sent_to_the_login(county_march) -> None:
    response = Client().get(DOWNLOAD, {**MARCH, "unit": "410621"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
