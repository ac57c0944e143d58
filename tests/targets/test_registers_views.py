"""The registers' pages: entering, sending, reviewing and exporting rows by URL, as each role
sees them; refusals in Chinese that save nothing; 整改事项 answered and closed."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from targets import services
from targets.models import (
    AnnualPlan,
    Competition,
    Department,
    EvaluationPilot,
    Rectification,
    Region,
)
from tests.targets.test_evidence import PDF

pytestmark = pytest.mark.django_db

COMPETITION = {
    "name": "=鹤壁市第三届职业技能竞赛",  # looks like a formula: must stay text in Excel
    "level": "city",
    "starts_on": "2015-09-10",
    "ends_on": "2015-09-12",
    "organiser": "市人力资源社会保障局",
    "occupations": "焊工、电工",
    "participants": "120",
    "winners": "18",
    "winner_names": "",
}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_enters_and_sends_a_competition_and_a_reviewer_returns_it(
    plan: Any, clerk: Any, reviewer: Any
) -> None:
    clerk_client = client_of(clerk)
    response = clerk_client.post(reverse("register-new", args=["competitions"]), COMPETITION)
    row = Competition.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "register", args=["competitions", row.pk]
    )
    page = reverse("register", args=["competitions", row.pk])
    assert clerk_client.post(page, {"action": "submit"}).status_code == 302
    review = client_of(reviewer)
    refused = review.post(page, {"action": "return", "comment": ""})
    assert refused.status_code == 400 and "退回时必须填写审核意见" in refused.content.decode()
    assert Competition.objects.get().status == "submitted"
    assert review.post(page, {"action": "return", "comment": "请补充获奖名单"}).status_code == 302
    shown = clerk_client.get(page).content.decode()
    assert "请补充获奖名单" in shown and "报送审核" in shown


def test_more_winners_than_participants_is_shown_and_nothing_saved(plan: Any, clerk: Any) -> None:
    response = client_of(clerk).post(
        reverse("register-new", args=["competitions"]), {**COMPETITION, "winners": "121"}
    )
    assert response.status_code == 400
    assert "获奖人数不能多于参赛人数" in response.content.decode()
    assert not Competition.objects.exists()


def test_another_department_neither_reads_nor_enters(plan: Any, clerk: Any, clerk_of: Any) -> None:
    client_of(clerk).post(reverse("register-new", args=["competitions"]), COMPETITION)
    row = Competition.objects.get()
    edu = client_of(clerk_of("edu"))
    assert edu.get(reverse("register", args=["competitions", row.pk])).status_code == 404
    assert edu.get(reverse("register-new", args=["competitions"])).status_code == 403
    assert "第三届" not in edu.get(reverse("register-list", args=["competitions"])).content.decode()
    assert edu.get(reverse("register-list", args=["no-such-register"])).status_code == 404


def test_a_county_clerk_enters_pilots_only_in_their_county(plan: Any, clerk_of: Any) -> None:
    county = client_of(clerk_of("hrss", "410621"))
    url = reverse("register-new", args=["pilots"])
    form = county.get(url).content.decode()
    assert "浚县" in form and "淇县" not in form
    data = {
        "enterprise": "鹤壁某机械公司",
        "level": "city",
        "occupations": "车工",
        "skill_levels": "初级、中级",
        "appraised": "45",
    }
    other = Region.objects.get(code="410622")
    assert county.post(url, {**data, "region": other.pk}).status_code == 400
    assert not EvaluationPilot.objects.exists()
    own = Region.objects.get(code="410621")
    assert county.post(url, {**data, "region": own.pk}).status_code == 302
    assert EvaluationPilot.objects.get().region == own


def test_a_renamed_program_as_an_annual_plan_is_refused_in_chinese(
    plan: Any, clerk_of: Any
) -> None:
    edu = client_of(clerk_of("edu"))
    program = SimpleUploadedFile("实施方案.pdf", b"MZ\x90\x00" + b"\0" * 200)
    response = edu.post(
        reverse("register-new", args=["annual-plans"]),
        {"title": "教育局实施方案", "issued_on": "2015-07-01", "upload": program},
    )
    assert response.status_code == 400
    assert "文件“实施方案.pdf”是程序、脚本或网页" in response.content.decode()
    assert not AnnualPlan.objects.exists()


def test_the_index_names_who_has_not_sent_an_annual_plan(
    plan: Any, clerk_of: Any, reviewer: Any
) -> None:
    edu = clerk_of("edu")
    record = services.register_save(
        actor=edu,
        kind="annual-plans",
        plan=plan,
        department=Department.objects.get(code="edu"),
        region=None,
        values={"title": "教育局实施方案", "issued_on": date(2015, 7, 1)},
        upload=SimpleUploadedFile("方案.pdf", PDF),
    )
    page = client_of(reviewer).get(reverse("registers")).content.decode()
    missing = page.split("年度具体实施方案未报送")[1]
    assert "教育局" in missing and "农业局" in missing
    services.register_submit(actor=edu, record=record)
    missing = client_of(reviewer).get(reverse("registers")).content.decode()
    missing = missing.split("年度具体实施方案未报送")[1]
    assert "教育局" not in missing and "农业局" in missing
    url = reverse("evidence-download", args=[record.file_id])
    download = client_of(reviewer).get(url)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert client_of(clerk_of("agri")).get(url).status_code == 403


def test_the_export_keeps_typed_text_as_text_and_flags_overdue_items(
    plan: Any, clerk: Any, reviewer: Any
) -> None:
    client_of(clerk).post(reverse("register-new", args=["competitions"]), COMPETITION)
    book = load_workbook(
        io.BytesIO(client_of(clerk).get(reverse("register-export", args=["competitions"])).content)
    )
    sheet = book.active
    assert sheet["A1"].value == "竞赛名称"
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=鹤壁市第三届职业技能竞赛", "s")
    assert sheet["G2"].value == 120

    meeting = services.register_save(
        actor=clerk,
        kind="meetings",
        plan=plan,
        department=Department.objects.get(code="hrss"),
        region=None,
        values={"held_on": date(2015, 7, 1), "kind": "inspection", "title": "年中督查"},
    )
    services.rectification_add(
        actor=clerk,
        meeting=meeting,
        description="补齐培训台账",
        department=Department.objects.get(code="hrss"),
        region=Region.objects.get(code="410621"),
        due_on=date(2015, 8, 1),
    )
    book = load_workbook(
        io.BytesIO(client_of(clerk).get(reverse("register-export", args=["meetings"])).content)
    )
    items = book["整改事项"]
    assert [c.value for c in items[2]][:3] == ["年中督查", "补齐培训台账", "人社局（浚县）"]
    assert items["H2"].value == "是"  # overdue: open past 2015-08-01


def test_a_rectification_is_answered_and_closed_on_its_page(
    plan: Any, clerk: Any, clerk_of: Any, reviewer: Any
) -> None:
    hrss = Department.objects.get(code="hrss")
    meeting = services.register_save(
        actor=clerk,
        kind="meetings",
        plan=plan,
        department=hrss,
        region=None,
        values={"held_on": date(2015, 7, 1), "kind": "inspection", "title": "年中督查"},
    )
    item = services.rectification_add(
        actor=clerk,
        meeting=meeting,
        description="补齐培训台账",
        department=hrss,
        region=Region.objects.get(code="410621"),
        due_on=date(2015, 8, 1),
    )
    services.register_submit(actor=clerk, record=meeting)
    county = client_of(clerk_of("hrss", "410621"))
    listing = county.get(reverse("rectifications")).content.decode()
    assert "补齐培训台账" in listing and "逾期" in listing
    other = client_of(clerk_of("hrss", "410622"))
    assert "补齐培训台账" not in other.get(reverse("rectifications")).content.decode()
    act = reverse("rectification-act", args=[item.pk, "progress"])
    assert other.post(act, {"progress": "x"}).status_code == 404
    assert county.post(act, {"progress": "已补齐"}).status_code == 302
    services.register_approve(actor=reviewer, record=meeting)
    close = reverse("rectification-act", args=[item.pk, "close"])
    assert client_of(reviewer).post(close, {"comment": "已核实"}).status_code == 302
    item = Rectification.objects.get()
    assert (item.progress, item.closed_by, item.close_note) == ("已补齐", reviewer, "已核实")
