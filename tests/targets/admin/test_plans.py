"""The plan's admin tools: clone, activate, close, export and import the definition; who may."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from targets.models import Indicator, Plan, RegionTarget
from targets.services.plan_definition import plan_clone
from targets.workbooks.plan import build_definition

from .pages import client_for

CHANGELIST = "/admin/targets/plan/"
IMPORT = "/admin/targets/plan/import-definition/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_url(plan: Plan) -> str:
    return f"/admin/targets/plan/{plan.pk}/export-definition/"


@pytest.fixture
def draft(plan: Plan) -> Plan:
    return plan_clone(source=plan, year=2016, doc_number="鹤政办〔2016〕12号")


def _workbook_for(plan: Plan, year: int, doc_number: str, **cells: Any) -> bytes:
    workbook = load_workbook(io.BytesIO(build_definition(plan)))
    workbook["方案"]["C2"] = year
    workbook["方案"]["C4"] = doc_number
    for where, value in cells.items():
        sheet, cell = where.split("_")
        workbook[{"i": "指标"}[sheet]][cell] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(content: bytes, name: str = "plan.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def _action(client: Client, action: str, *plans: Plan, follow: bool = False, **data: Any) -> Any:
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in plans], **data},
        follow=follow,
    )


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "reviewer", "leader"])
def test_non_staff_roles_are_sent_to_the_login(plan: Plan, make_user: Any, role: str) -> None:
    user = make_user(role, department="hrss" if role == "clerk" else None)
    client = client_for(user)

    for response in (
        client.get(IMPORT),
        client.post(IMPORT, {"file": _upload(build_definition(plan))}),
        client.get(_export_url(plan)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert Plan.objects.count() == 1


def test_it_checks_that_an_auditor_may_only_look(plan: Plan, make_user: Any) -> None:
    client = client_for(make_user("auditor"))
    content = _workbook_for(plan, 2016, "鹤政办〔2016〕12号")

    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": _upload(content)}).status_code == 403
    assert client.get(_export_url(plan)).status_code == 403
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert IMPORT not in html
    assert "export-definition" not in html
    assert "clone_plan" not in html
    _action(client, "clone_plan", plan, apply="1", year=2016, doc_number="x")
    _action(client, "activate_plans", plan)
    assert list(Plan.objects.values_list("year", "status")) == [(2015, "active")]


def test_anonymous_users_are_sent_to_the_login(plan: Plan) -> None:
    response = Client().get(IMPORT)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_administrators_and_superusers_see_the_tools(plan: Plan, make_user: Any) -> None:
    superuser = make_user(None, is_superuser=True, is_staff=True)
    for user in (make_user("administrator"), superuser):
        html = client_for(user).get(CHANGELIST).content.decode()
        assert IMPORT in html
        assert _export_url(plan) in html
        assert "复制为新年度方案" in html
        assert client_for(user).get(IMPORT).status_code == 200


# --- export and import ---------------------------------------------------------------------


def test_the_export_is_the_definition_workbook(plan: Plan, admin_client: Client) -> None:
    response = admin_client.get(_export_url(plan))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert "2015.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "方案",
        "指标",
        "县区分解",
        "重点工作",
        "配合单位",
        "工作措施",
        "代码表",
    ]
    assert workbook["方案"]["C2"].value == 2015


def test_the_export_action_downloads_one_plan(plan: Plan, admin_client: Client) -> None:
    response = _action(admin_client, "export_definition", plan)

    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["方案"]["C4"].value == "鹤政办〔2015〕39号"


def test_an_import_creates_a_draft(plan: Plan, admin_client: Client) -> None:
    content = _workbook_for(plan, 2016, "鹤政办〔2016〕12号")

    response = admin_client.post(IMPORT, {"file": _upload(content)})

    created = Plan.objects.get(year=2016)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/targets/plan/{created.pk}/change/"
    assert (created.status, created.indicators.count()) == ("draft", 21)


def test_a_refused_import_shows_each_cell_and_saves_nothing(
    plan: Plan, admin_client: Client
) -> None:
    content = _workbook_for(plan, 2016, "鹤政办〔2016〕12号", i_G7="many", i_E6="labour")

    response = admin_client.post(IMPORT, {"file": _upload(content)})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="definition-errors"' in html
    assert "发现 2 处错误，未导入任何内容。" in html
    assert "<td>指标</td><td>6</td><td>E</td><td>指标!E6</td>" in html
    assert "未知的部门代码“labour”" in html
    assert "<td>指标!G7</td><td>年度目标：应为不小于 0 的整数，实为“many”。</td>" in html
    assert not Plan.objects.filter(year=2016).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "上传的不是Excel（.xlsx）文件"),
        (b"PK" + b"\0" * (5 * 1024 * 1024), "文件太大（超过 5 MB）"),
        (b"PK" + b"\0" * (6 * 1024 * 1024), "文件太大（超过 5 MB）"),  # refused unread
    ],
)
def test_a_malformed_upload_gets_a_clear_message(
    plan: Plan, admin_client: Client, content: bytes, message: str
) -> None:
    response = admin_client.post(IMPORT, {"file": _upload(content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Plan.objects.count() == 1


def test_an_import_into_the_active_plan_is_refused(plan: Plan, admin_client: Client) -> None:
    content = _workbook_for(plan, 2015, "鹤政办〔2015〕39号", i_G7=1)

    response = admin_client.post(IMPORT, {"file": _upload(content)})

    assert response.status_code == 400
    assert "2015 年度方案当前为“执行中”，不能通过导入修改" in response.content.decode()
    assert Indicator.objects.get(plan=plan, code="in-service").target == 23000


# --- clone, activate, close ----------------------------------------------------------------


def test_the_clone_action_asks_for_the_year_and_document_number(
    plan: Plan, admin_client: Client
) -> None:
    form = _action(admin_client, "clone_plan", plan)

    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="year"' in html and 'value="2016"' in html
    assert 'name="doc_number"' in html

    done = _action(
        admin_client, "clone_plan", plan, apply="1", year=2016, doc_number="鹤政办〔2016〕12号"
    )

    new = Plan.objects.get(year=2016)
    assert done.status_code == 302
    assert done["Location"] == f"/admin/targets/plan/{new.pk}/change/"
    assert (new.status, new.doc_number, new.indicators.count()) == (
        "draft",
        "鹤政办〔2016〕12号",
        21,
    )


def test_the_clone_action_says_why_it_refuses(plan: Plan, admin_client: Client) -> None:
    response = _action(
        admin_client, "clone_plan", plan, apply="1", year=2015, doc_number="鹤政办〔2015〕39号"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "2015 年度方案已存在，不能重复创建。" in html
    assert "文号“鹤政办〔2015〕39号”已被 2015 年度方案使用。" in html
    assert Plan.objects.count() == 1


def test_activation_in_the_admin_names_the_bad_indicator(
    plan: Plan, draft: Plan, admin_client: Client
) -> None:
    Indicator.objects.filter(plan=draft, code="veterans-pass").update(
        numerator=Indicator.objects.get(plan=draft, code="disabled")
    )

    page = _action(admin_client, "activate_plans", draft, follow=True)

    assert "指标“退役士兵合格率”（veterans-pass）的分子必须是本年度方案中的计数指标。" in (
        page.content.decode()
    )
    assert Plan.objects.get(pk=draft.pk).status == "draft"


def test_activate_then_close_in_the_admin(draft: Plan, admin_client: Client) -> None:
    _action(admin_client, "activate_plans", draft)
    assert Plan.objects.get(pk=draft.pk).status == "active"

    _action(admin_client, "close_plans", draft)
    assert Plan.objects.get(pk=draft.pk).status == "closed"


def test_the_status_cannot_be_edited_in_the_form(draft: Plan, admin_client: Client) -> None:
    url = f"/admin/targets/plan/{draft.pk}/change/"
    page = admin_client.get(url)
    assert 'name="status"' not in page.content.decode()
    data = {
        field: getattr(draft, field)
        for field in (
            "year",
            "title",
            "doc_number",
            "issuer",
            "parent_doc_number",
            "parent_doc_title",
            "written_on",
            "published_on",
            "starts_on",
            "ends_on",
            "deadline_day",
            "review_levels",
            "roster_mismatch",
        )
    }

    response = admin_client.post(url, {**data, "unit": draft.unit_id, "status": "closed"})

    assert response.status_code == 302
    assert Plan.objects.get(pk=draft.pk).status == "draft"


def test_a_drafts_targets_are_edited_in_the_admin(draft: Plan, admin_client: Client) -> None:
    quota = Indicator.objects.get(plan=draft, code="rural-transfer")
    page = admin_client.get(f"/admin/targets/indicator/{quota.pk}/change/")

    assert page.status_code == 200
    assert RegionTarget.objects.filter(indicator=quota).count() == 0


def test_a_rate_is_offered_only_its_own_plans_series(
    plan: Plan, draft: Plan, admin_client: Client
) -> None:
    rate = Indicator.objects.get(plan=draft, code="veterans-pass")
    old = Indicator.objects.get(plan=plan, code="veterans-passed")
    new = Indicator.objects.get(plan=draft, code="veterans-passed")

    html = admin_client.get(f"/admin/targets/indicator/{rate.pk}/change/").content.decode()

    assert f'<option value="{new.pk}" selected>' in html
    assert f'<option value="{old.pk}"' not in html
