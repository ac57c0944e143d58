"""Uploads refused: anything but the month's own template, a stale template, a changed locked
cell, another clerk's template or a user who is no clerk leaves the month as it was."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.core import signing
from django.test import Client
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from targets import services
from targets.models import Plan, Submission
from targets.workbooks import entry as entry_workbook
from tests.helpers import assert_sent_to_log_in, client_for, zip_of, zip_parts
from tests.targets.entry_upload import (
    HRSS_SERIES,
    TEMPLATE,
    UPLOAD,
    Role,
    cell,
    counts,
    download,
    filled,
    indicator,
    messages_of,
    nothing_changed,
    region,
    saved,
    upload,
    where,
    workbook_of,
)

pytestmark = pytest.mark.django_db

# --- workbooks that are refused whole ------------------------------------------------------


def _zip_with(content: bytes, extra: dict[str, bytes]) -> bytes:
    return zip_of({**zip_parts(content), **extra})


def _props(workbook: Any) -> dict[str, str]:
    return {p.name: p.value for p in workbook.custom_doc_props}


def _set_prop(workbook: Any, name: str, value: str) -> None:
    del workbook.custom_doc_props[name]
    workbook.custom_doc_props.append(StringProperty(name=name, value=value))


def _resigned(content: bytes, **changes: Any) -> bytes:
    """The template re-signed with the server's key but for something else (another plan…)."""
    workbook = workbook_of(content)
    properties = _props(workbook)
    parts = sorted(n for n in properties if n.startswith("skills_plan.signature."))
    payload = signing.loads("".join(properties[n] for n in parts), salt=entry_workbook.SIGNING_SALT)
    payload.update(changes)
    for name in parts:
        del workbook.custom_doc_props[name]
    signature = signing.dumps(payload, salt=entry_workbook.SIGNING_SALT, compress=True)
    workbook.custom_doc_props.append(StringProperty(name=parts[0], value=signature))
    for name, value in changes.items():
        _set_prop(workbook, f"skills_plan.{name}", str(value))
    return saved(workbook)


def _with_sheet(content: bytes, change: Any) -> bytes:
    workbook = workbook_of(content)
    change(workbook, workbook["填报"])
    return saved(workbook)


def _csv(content: bytes) -> bytes:
    return "填报项,单位,鹤山区\n农村劳动力转移就业技能培训,人次,5\n".encode()


def _bomb(content: bytes) -> bytes:
    return _zip_with(content, {"xl/media/image1.bin": b"\0" * (51 * 1024 * 1024)})


def _dense(content: bytes) -> bytes:
    return _zip_with(content, {"xl/media/image1.bin": b"\0" * (2 * 1024 * 1024)})


def _not_a_workbook(content: bytes) -> bytes:
    return zip_of({"readme.txt": "你好".encode()})


def _broken_workbook(content: bytes) -> bytes:
    parts = zip_parts(content)
    sheet = parts["xl/worksheets/sheet1.xml"]
    return zip_of({**parts, "xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})


def _tamper_signature(workbook: Any, sheet: Any) -> None:
    value = _props(workbook)["skills_plan.signature.1"]
    _set_prop(workbook, "skills_plan.signature.1", value[:-3] + ("A" if value[-3] != "A" else "B"))


def _no_signature(workbook: Any, sheet: Any) -> None:
    for name in list(_props(workbook)):
        del workbook.custom_doc_props[name]


def _insert_row(workbook: Any, sheet: Any) -> None:
    sheet.insert_rows(6)
    sheet["A6"] = "新增的一项"


def _delete_row(workbook: Any, sheet: Any) -> None:
    sheet.delete_rows(6)


def _delete_column(workbook: Any, sheet: Any) -> None:
    sheet.delete_cols(4)


def _extra_sheet(workbook: Any, sheet: Any) -> None:
    workbook.create_sheet("说明")


def _hidden_sheet(workbook: Any, sheet: Any) -> None:
    workbook.create_sheet("底稿").sheet_state = "hidden"


def _renamed_sheet(workbook: Any, sheet: Any) -> None:
    sheet.title = "Sheet1"


def _other_month(workbook: Any, sheet: Any) -> None:
    _set_prop(workbook, "skills_plan.month", "4")


def _plain_workbook(content: bytes) -> bytes:
    workbook = Workbook()
    workbook.active.title = "填报"
    workbook.active["A1"] = "填报项"
    return saved(workbook)


def _cells(**values: Any) -> Any:
    """A change of the sheet that writes ``values`` by cell name."""

    def change(workbook: Any, sheet: Any) -> None:
        for name, value in values.items():
            sheet[name] = value

    return change


def _sheet(change: Any) -> Any:
    return lambda content: _with_sheet(content, change)


BAD_WORKBOOKS = {
    "random bytes": (lambda content: os.urandom(4096), "不是Excel（.xlsx）文件"),
    "an .xls": (
        lambda content: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096),
        "旧版Excel（.xls）",
    ),
    "a csv renamed": (_csv, "不是Excel（.xlsx）文件"),
    "an empty file": (lambda content: b"", "文件是空的"),
    "too large": (lambda content: b"PK" + b"\0" * (5 * 1024 * 1024), "文件太大"),
    "a zip, not a workbook": (_not_a_workbook, "不是Excel（.xlsx）文件"),
    "a zip bomb": (_bomb, "解压后过大"),
    "a dense part": (_dense, "解压后过大"),
    "a truncated sheet": (_broken_workbook, "无法读取"),
    "a workbook not from us": (_plain_workbook, "不是本系统下载的填报模板"),
    "no signature": (_sheet(_no_signature), "不是本系统下载的填报模板"),
    "a tampered signature": (_sheet(_tamper_signature), "不是本系统下载的填报模板"),
    "a month property edited": (_sheet(_other_month), "不是本系统下载的填报模板"),
    "another month's template": (
        lambda content: _resigned(content, month=4),
        "这是 4月的模板，不能导入到 3月",
    ),
    "another plan's template": (
        lambda content: _resigned(content, year=2016),
        "这是 2016 年方案的模板",
    ),
    "a formula in a figure": (_sheet(_cells(E7="=1+1")), "填报!E7：不能使用公式"),
    "a formula outside the table": (_sheet(_cells(Z99="=SUM(C4:C11)")), "填报!Z99：不能使用公式"),
    "an extra sheet": (_sheet(_extra_sheet), "只能有一个名为“填报”的工作表"),
    "a hidden sheet": (_sheet(_hidden_sheet), "隐藏的工作表（底稿）"),
    "a renamed sheet": (_sheet(_renamed_sheet), "只能有一个名为“填报”的工作表"),
    "a row inserted": (_sheet(_insert_row), "表格范围外有内容，请不要增加行或列"),
    "a row deleted": (_sheet(_delete_row), "请不要增删或改动填报项"),
    "a row appended": (_sheet(_cells(A12="新增的一项", C12=5)), "填报!A12：表格范围外有内容"),
    "a county column removed": (_sheet(_delete_column), "请不要增删或改动县区列"),
    "a column added": (_sheet(_cells(O3="鹤壁市", O4=5)), "填报!O3：表格范围外有内容"),
    "a series renamed": (_sheet(_cells(A7="农村劳动力培训")), "应为“农村劳动力转移就业技能培训”"),
    "a county renamed": (_sheet(_cells(E3="淇滨")), "表头应为“淇滨区”"),
}


@pytest.mark.parametrize("case", list(BAD_WORKBOOKS))
def test_a_bad_workbook_is_refused_whole_with_a_message(
    clerk: User, one_draft: Submission, case: str
) -> None:
    client = client_for(clerk)
    make, message = BAD_WORKBOOKS[case]
    # Every case also carries figures that would be saved if it were let through.
    content = make(filled(download(client), 6))
    before = counts()

    response = upload(client, content)

    assert response.status_code == 400
    page = messages_of(response)
    assert message in page
    assert "Excel文件未导入，本月数据没有任何改动。" in page
    assert nothing_changed(before)
    assert cell("reemployment", "410602").value == 4


def test_an_upload_without_a_file_is_refused(clerk: User) -> None:
    response = client_for(clerk).post(UPLOAD, {"action": "save"})

    assert response.status_code == 400
    assert "请选择要上传的Excel文件" in messages_of(response)


def test_another_departments_template_is_refused(clerk: User, make_user: Any) -> None:
    agri = make_user(Role.CLERK, "agri", username="clerk-agri")
    theirs = download(client_for(agri))
    workbook = workbook_of(theirs)
    workbook["填报"]["C4"] = 5
    before = counts()

    response = upload(client_for(clerk), saved(workbook))

    assert response.status_code == 400
    assert "这是农业局的填报模板，您只能导入本部门的模板" in messages_of(response)
    assert nothing_changed(before)


def test_another_countys_template_is_refused(county_clerk: User, make_user: Any) -> None:
    qibin = make_user(Role.CLERK, "hrss", "410611", username="clerk-hrss-qibin")
    theirs = filled(download(client_for(qibin)), 5)

    response = upload(client_for(county_clerk), theirs)

    assert response.status_code == 400
    assert "这是其他县区的填报模板" in messages_of(response)
    assert not Submission.objects.exists()

    # A city clerk cannot import a county's template either, nor a county clerk the city's.
    city = make_user(Role.CLERK, "hrss", username="clerk-hrss-city")
    assert "县区填报人员的模板" in messages_of(upload(client_for(city), theirs))
    city_template = filled(download(client_for(city)), 5)
    assert "其他县区的填报模板" in messages_of(upload(client_for(county_clerk), city_template))
    assert not Submission.objects.exists()


def test_a_county_clerk_cannot_add_another_countys_column(county_clerk: User) -> None:
    client = client_for(county_clerk)
    workbook = workbook_of(filled(download(client), 5))
    sheet = workbook["填报"]
    sheet.insert_cols(4)
    sheet["D3"] = "淇滨区"
    for row in range(4, 4 + HRSS_SERIES):
        sheet.cell(row, 4, 9)

    response = upload(client, saved(workbook))

    assert response.status_code == 400
    assert "请不要增删或改动县区列" in messages_of(response) or "表格范围外" in messages_of(
        response
    )
    assert not Submission.objects.exists()


def test_a_closed_plan_takes_no_upload(clerk: User, plan: Plan) -> None:
    client = client_for(clerk)
    content = filled(download(client), None, **{"rural-transfer__410611": 5})
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)

    response = upload(client, content)

    assert response.status_code == 403
    assert "2015年度方案已结束，数据只读" in response.content.decode()
    assert not Submission.objects.exists()


# --- stale templates and locked cells ------------------------------------------------------


@pytest.fixture
def stale_template(clerk: User, make_user: Any) -> tuple[Client, bytes]:
    """The clerk's client and March template, downloaded before another hrss clerk
    (clerk-hrss-2) saved 7 for rural-transfer in 淇滨区."""
    other = make_user(Role.CLERK, "hrss", username="clerk-hrss-2")
    mine = client_for(clerk)
    content = download(mine)
    services.submission_save(
        actor=other, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=7,
    )  # fmt: skip
    return mine, content


def test_a_stale_template_is_a_conflict_not_a_lost_update(
    stale_template: tuple[Client, bytes],
) -> None:
    mine, content = stale_template
    before = counts()

    response = upload(mine, filled(content, None, **{"rural-transfer__410611": 8}))

    assert response.status_code == 400
    page = messages_of(response)
    assert "填报!E7：" in page
    assert "clerk-hrss-2" in page
    assert "您的修改未保存" in page
    assert "请重新下载模板" in page
    assert cell("rural-transfer", "410611").value == 7
    assert nothing_changed(before)


def test_a_stale_template_cannot_clear_what_another_clerk_entered(
    stale_template: tuple[Client, bytes],
) -> None:
    mine, content = stale_template

    # The stale template still shows that cell empty; another cell is what the clerk changed.
    response = upload(mine, filled(content, None, **{"in-service__410621": 3}))

    assert response.status_code == 400
    assert "请重新下载模板" in messages_of(response)
    assert cell("rural-transfer", "410611").value == 7
    assert cell("in-service", "410621") is None


def test_a_cell_approved_after_the_download_does_not_block_the_rest(
    clerk: User, reviewer: User, figure: Any
) -> None:
    client = client_for(clerk)
    rural = figure("rural-transfer", "410611", 3, 9)
    content = download(client)
    services.submission_approve(actor=reviewer, submission=rural)

    response = upload(client, filled(content, None, **{"in-service__410621": 3}))

    assert response.status_code == 302
    assert cell("in-service", "410621").value == 3
    assert cell("rural-transfer", "410611").status == "approved"


def test_changing_a_locked_cell_with_protection_removed_is_refused(
    clerk: User, figure: Any
) -> None:
    client = client_for(clerk)
    figure("rural-transfer", "410611", 3, 9, status="approved")
    workbook = workbook_of(download(client))
    sheet = workbook["填报"]
    sheet.protection.sheet = False
    sheet[where(sheet, "rural-transfer", "410611")] = 99
    before = counts()

    response = upload(client, saved(workbook))

    assert response.status_code == 400
    assert "填报!E7：该数据已审核锁定" in messages_of(response)
    assert cell("rural-transfer", "410611").value == 9
    assert nothing_changed(before)


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.REVIEWER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR, None]
)
def test_only_clerks_may_download_or_upload(clerk: User, make_user: Any, role: Any) -> None:
    content = filled(download(client_for(clerk)), 5)
    client = client_for(make_user(role))

    assert client.get(TEMPLATE).status_code == 403
    assert upload(client, content).status_code == 403
    assert not Submission.objects.exists()


def test_a_superuser_without_a_role_may_not_either(clerk: User, make_user: Any) -> None:
    client = client_for(make_user(None, is_superuser=True, is_staff=True))

    assert client.get(TEMPLATE).status_code == 403
    assert upload(client, filled(download(client_for(clerk)), 5)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(plan: Plan) -> None:
    for response in (Client().get(TEMPLATE), Client().post(UPLOAD, {"action": "save"})):
        assert_sent_to_log_in(response)


def test_unknown_year_or_month_is_not_found_and_upload_takes_only_posts(clerk: User) -> None:
    client = client_for(clerk)
    assert client.get("/entry/2099/3/template.xlsx").status_code == 404
    assert client.get("/entry/2015/13/template.xlsx").status_code == 404
    assert client.post("/entry/2015/0/upload/", {"action": "save"}).status_code == 404
    assert client.get(UPLOAD).status_code == 405
