"""The project library and ledger pages: who reaches which project by editing the URL, a row
entered, sent, approved and returned through the pages, files uploaded and downloaded, and the
ledger workbook opened and read back."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from targets import services
from targets.models import Plan, Project, ProjectEntry, ProjectEvent, ProjectFile
from tests.targets.test_evidence import PDF
from tests.targets.test_projects_services import (
    VALUES,
    heshan_project,
    ledger_row,
    pdf,
    state,
    training_values,
)

pytestmark = pytest.mark.django_db

Kind = ProjectEntry.Kind


@pytest.fixture
def heshan_clerk(clerk_of: Any) -> Any:
    return clerk_of("hrss", "410602")


@pytest.fixture
def project(plan: Plan, administrator: Any) -> Project:
    return heshan_project(administrator, plan)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ledger_html(user: Any, project: Project) -> str:
    response = signed_in(user).get(reverse("project-ledger", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- who reaches what -----------------------------------------------------------------------


def test_it_checks_ownership_by_url(
    project: Project, heshan_clerk: Any, county_clerk: Any, clerk_of: Any, reviewer: Any
) -> None:
    """Another county's or department's clerk editing the ids in the URL finds nothing."""
    row = ledger_row(heshan_clerk, reviewer, project, status="submitted")
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="application"
    )
    urls = [
        reverse("project-ledger", args=[project.pk]),
        reverse("project-ledger-xlsx", args=[project.pk]),
        reverse("project-file", args=[link.pk]),
        reverse("project-entry-new", args=[project.pk]),
        reverse("project-entry-edit", args=[row.pk]),
    ]
    posts = [
        reverse("project-entry-submit", args=[row.pk]),
        reverse("project-entry-review", args=[row.pk]),
        reverse("project-file-attach", args=[project.pk]),
        reverse("project-entry-edit", args=[row.pk]),
    ]
    before = state()
    for outsider in (county_clerk, clerk_of("edu")):
        client = signed_in(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, url
        for url in posts:
            assert client.post(url, {"action": "approve"}).status_code == 404, url
    assert state() == before


def test_readers_read_but_do_not_enter(
    project: Project, heshan_clerk: Any, reviewer: Any, leader: Any, auditor: Any
) -> None:
    ledger_row(heshan_clerk, reviewer, project)
    for reader in (leader, auditor):
        client = signed_in(reader)
        assert client.get(reverse("project-ledger", args=[project.pk])).status_code == 200
        assert client.get(reverse("project-entry-new", args=[project.pk])).status_code == 403
        response = client.post(
            reverse("project-entry-new", args=[project.pk]) + "?kind=funding", {}
        )
        assert response.status_code == 403


def test_the_library_lists_a_clerks_own_projects_and_filters_by_county(
    plan: Plan,
    project: Project,
    administrator: Any,
    heshan_clerk: Any,
    county_clerk: Any,
    leader: Any,
    regions: Any,
) -> None:
    xunxian = regions["410621"]
    other = services.project_save(
        actor=administrator,
        plan=plan,
        code="xunxian-base",
        name="浚县实训基地",
        department=project.department,
        region=xunxian,
        county=xunxian,
    )
    assert "浚县实训基地" in signed_in(leader).get(reverse("projects")).content.decode()
    page = signed_in(leader).get(reverse("projects"), {"county": "410602"}).content.decode()
    assert project.name in page and other.name not in page
    page = signed_in(heshan_clerk).get(reverse("projects")).content.decode()
    assert project.name in page and other.name not in page
    page = signed_in(county_clerk).get(reverse("projects")).content.decode()
    assert other.name in page and project.name not in page


def test_the_library_is_paginated(plan: Plan, administrator: Any, regions: Any, leader: Any):
    for number in range(23):
        services.project_save(
            actor=administrator,
            plan=plan,
            code=f"p-{number:02d}",
            name=f"项目{number:02d}",
            department=plan.milestones.get(code="heshan-brand-base").department,
            county=regions["410611"],
        )
    first = signed_in(leader).get(reverse("projects")).content.decode()
    second = signed_in(leader).get(reverse("projects"), {"page": 2}).content.decode()
    assert "项目00" in first and "项目19" in first and "项目20" not in first
    assert "项目20" in second and "项目22" in second and "项目00" not in second


# --- the ledger page ------------------------------------------------------------------------


def test_the_ledger_shows_each_part_with_status_source_and_approver(
    project: Project, heshan_clerk: Any, reviewer: Any, leader: Any
) -> None:
    heshan_clerk.first_name = "小张"
    heshan_clerk.save()
    reviewer.first_name = "王审核"
    reviewer.save()
    approved = ledger_row(heshan_clerk, reviewer, project, Kind.FUNDING)
    draft = ledger_row(heshan_clerk, reviewer, project, Kind.COMPETITION, status="draft")
    page = ledger_html(leader, project)
    for label in ("建设节点", "配套资金", "分解培训任务", "专业与教材", "承办竞赛"):
        assert label in page
    assert f'id="entry-{approved.pk}"' in page and "市级财政配套" in page
    assert "3,000,000" in page and "1,200,000" in page  # 元, grouped
    assert "小张" in page and "王审核" in page and "已审核" in page
    assert f'id="entry-{draft.pk}"' not in page  # a draft is its unit's own
    assert f'id="entry-{draft.pk}"' in ledger_html(heshan_clerk, project)


def test_a_clerk_enters_and_sends_a_row_and_a_reviewer_returns_then_approves_it(
    project: Project, heshan_clerk: Any, reviewer: Any
) -> None:
    clerk_client, reviewer_client = signed_in(heshan_clerk), signed_in(reviewer)
    new = reverse("project-entry-new", args=[project.pk]) + "?kind=milestone"
    assert "计划时间" in clerk_client.get(new).content.decode()
    response = clerk_client.post(
        new, {"name": "实训楼主体封顶", "planned_on": "2015-06-30", "progress": "in-progress"}
    )
    assert response.status_code == 302
    row = ProjectEntry.objects.get(project=project)
    assert (row.kind, row.name, row.status, row.entered_by) == (
        "milestone",
        "实训楼主体封顶",
        "draft",
        heshan_clerk,
    )
    clerk_client.post(reverse("project-entry-submit", args=[row.pk]))
    review = reverse("project-entry-review", args=[row.pk])
    before = state()
    assert reviewer_client.post(review, {"action": "return", "comment": ""}).status_code == 400
    assert state() == before
    reviewer_client.post(review, {"action": "return", "comment": "请补充验收记录"})
    row.refresh_from_db()
    assert (row.status, row.review_comment) == ("returned", "请补充验收记录")
    edit = reverse("project-entry-edit", args=[row.pk])
    clerk_client.post(
        edit,
        {
            "name": "实训楼主体封顶",
            "planned_on": "2015-06-30",
            "progress": "done",
            "done_on": "2015-07-02",
        },
    )
    clerk_client.post(reverse("project-entry-submit", args=[row.pk]))
    reviewer_client.post(review, {"action": "approve"})
    row.refresh_from_db()
    assert (row.status, row.progress, row.reviewed_by) == ("approved", "done", reviewer)
    assert list(ProjectEvent.objects.filter(entry=row).values_list("action", flat=True)) == [
        "create",
        "submit",
        "return",
        "change",
        "submit",
        "approve",
    ]
    # Approved: locked. The edit page says so and a POST changes nothing.
    before = state()
    assert "已锁定" in clerk_client.get(edit).content.decode()
    response = clerk_client.post(
        edit, {"name": "改", "planned_on": "2015-06-30", "progress": "in-progress"}
    )
    assert response.status_code == 400 and state() == before


def test_bad_input_is_refused_with_a_message_and_nothing_is_written(
    project: Project, heshan_clerk: Any
) -> None:
    client = signed_in(heshan_clerk)
    url = reverse("project-entry-new", args=[project.pk]) + "?kind=funding"
    before = state()
    response = client.post(
        url, {"source": "财政", "planned_amount": "-5", "arrived_amount": "x", "on": "2015-13-01"}
    )
    assert response.status_code == 400 and state() == before
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    assert (
        client.get(reverse("project-entry-new", args=[project.pk]) + "?kind=x").status_code == 404
    )


# --- files ----------------------------------------------------------------------------------


def test_files_are_uploaded_and_downloaded_as_attachments(
    project: Project, heshan_clerk: Any, auditor: Any, leader: Any
) -> None:
    client = signed_in(heshan_clerk)
    attach = reverse("project-file-attach", args=[project.pk])
    response = client.post(attach, {"role": "plan", "file": pdf("建设方案.pdf")})
    assert response.status_code == 302
    link = ProjectFile.objects.get(project=project)
    assert "建设方案.pdf" in ledger_html(leader, project)
    download = signed_in(auditor).get(reverse("project-file", args=[link.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    before = state()
    program = SimpleUploadedFile("申报书.pdf", b"MZ\x90\0" + b"\0" * 90)
    response = client.post(attach, {"role": "application", "file": program})
    assert response.status_code == 400 and "是程序、脚本或网页" in response.content.decode()
    assert state() == before


# --- the workbook ---------------------------------------------------------------------------


def test_the_ledger_workbook_has_a_sheet_per_part_with_source_and_approver(
    plan: Plan, project: Project, heshan_clerk: Any, reviewer: Any, auditor: Any
) -> None:
    reviewer.first_name = "王审核"
    reviewer.save()
    for kind in (Kind.MILESTONE, Kind.FUNDING, Kind.PRODUCT, Kind.COMPETITION, Kind.TRAINING):
        ledger_row(heshan_clerk, reviewer, project, kind)
    # A second training task in 人 (entrepreneurship): totals are kept apart by unit.
    extra = services.project_entry_save(
        actor=heshan_clerk,
        project=project,
        kind=Kind.TRAINING,
        values=training_values(plan, "entrepreneurship", 40),
    )
    services.project_entry_submit(actor=heshan_clerk, entry=extra)
    services.project_entry_approve(actor=reviewer, entry=extra)
    formula = services.project_entry_save(
        actor=heshan_clerk,
        project=project,
        kind=Kind.FUNDING,
        values={**VALUES[Kind.FUNDING], "source": '=HYPERLINK("http://x","点我")'},
    )
    services.project_entry_submit(actor=heshan_clerk, entry=formula)
    ledger_row(heshan_clerk, reviewer, project, Kind.PRODUCT, status="draft")  # not for readers

    response = signed_in(auditor).get(reverse("project-ledger-xlsx", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "项目概况",
        "建设节点",
        "配套资金",
        "分解培训任务",
        "专业与教材",
        "承办竞赛",
    ]
    funding = book["配套资金"]
    header = [cell.value for cell in funding[1]]
    assert header[:4] == ["资金来源", "计划金额（元）", "到位金额（元）", "日期"]
    assert {"状态", "填报人", "填报时间", "审核人", "审核时间"} <= set(header)
    rows = [[cell for cell in row] for row in funding.iter_rows(min_row=2)]
    approved = rows[0]
    assert approved[0].value == "市级财政配套" and approved[1].value == 3_000_000
    assert approved[header.index("审核人")].value == "王审核"
    assert approved[header.index("状态")].value == "已审核"
    sent = rows[1]
    assert sent[0].value == '=HYPERLINK("http://x","点我")' and sent[0].data_type == "s"
    assert sent[header.index("状态")].value == "已报送"
    assert sent[header.index("审核人")].value in (None, "")
    # Totals of approved rows only: 3,000,000 planned, not counting the sent row.
    assert rows[-1][0].value == "合计（已审核）" and rows[-1][1].value == 3_000_000
    training = [[c.value for c in row] for row in book["分解培训任务"].iter_rows(min_row=2)]
    totals = {row[0]: row[1:4] for row in training if str(row[0]).startswith("合计")}
    assert totals == {
        "合计（已审核，人）": [40, 350, "人"],
        "合计（已审核，人次）": [800, 350, "人次"],
    }
    assert book["专业与教材"].max_row == 2  # the header and the approved row; no draft
    about = {row[0].value: row[1].value for row in book["项目概况"].iter_rows()}
    assert about["责任单位"] == "人社局（鹤山区）" and about["所在县区"] == "鹤山区"
