"""The clerk's Excel round trip: a month's template out, the filled workbook in.

An upload is checked whole before anything is saved; any bad workbook leaves the month as it
was, with a message in Chinese that says what to fix, by sheet and cell.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from typing import Any
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty

from targets import services
from targets.models import Indicator, Membership, Plan, Region, Submission, SubmissionEvent
from targets.workbooks import entry as entry_workbook

pytestmark = pytest.mark.django_db

Role = Membership.Role
MARCH = "/entry/2015/3/"
TEMPLATE = "/entry/2015/3/template.xlsx"
UPLOAD = "/entry/2015/3/upload/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HRSS_SERIES = 8
REGIONS = 6  # five counties and 市直


@pytest.fixture
def clerk(plan: Plan, make_user: Any) -> User:
    return make_user(Role.CLERK, "hrss", username="clerk-hrss")


@pytest.fixture
def county_clerk(plan: Plan, make_user: Any) -> User:
    return make_user(Role.CLERK, "hrss", "410621", username="clerk-hrss-xunxian")


@pytest.fixture
def reviewer(plan: Plan, make_user: Any) -> User:
    return make_user(Role.REVIEWER, username="reviewer")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def cell(code: str, region_code: str, month: int = 3) -> Submission | None:
    return Submission.objects.filter(
        indicator=indicator(code), region__code=region_code, month=month, is_current=True
    ).first()


def download(client: Client, url: str = TEMPLATE) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return response.getvalue()


def workbook_of(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def saved(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client: Client, content: bytes, action: str = "save", name: str = "填报.xlsx") -> Any:
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(UPLOAD, {"file": file, "action": action})


def where(sheet: Any, code: str, region_code: str, *, note: bool = False) -> str:
    """The coordinate of a series × county figure (or note), found from the sheet's labels."""
    name = indicator(code).entry_name
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == name)
    header = region(region_code).name + ("备注" if note else "")
    column = next(
        c
        for c in range(1, sheet.max_column + 1)
        if sheet.cell(entry_workbook.HEADER_ROW, c).value == header
    )
    return sheet.cell(row, column).coordinate


def figure_cells(sheet: Any) -> list[Any]:
    """Every figure cell of the table, row by row."""
    first = entry_workbook.FIRST_ROW
    return [
        sheet.cell(row, column)
        for row in range(first, first + HRSS_SERIES)
        for column in range(3, 3 + REGIONS)
    ]


def filled(content: bytes, value: Any = 10, **cells: Any) -> bytes:
    """The template with every empty figure set to ``value`` and some cells set by name.

    ``cells`` are keyed ``<series code>__<region code>`` (``__note`` appended for the note).
    """
    workbook = workbook_of(content)
    sheet = workbook[entry_workbook.SHEET]
    if value is not None:
        for item in figure_cells(sheet):
            if item.value is None and item.protection.locked is False:
                item.value = value
    for name, typed in cells.items():
        code, region_code, *note = name.split("__")
        sheet[where(sheet, code, region_code, note=bool(note))] = typed
    return saved(workbook)


def messages_of(response: Any) -> str:
    return response.content.decode()


def nothing_changed(before: tuple[int, int]) -> bool:
    return (Submission.objects.count(), SubmissionEvent.objects.count()) == before


def counts() -> tuple[int, int]:
    return Submission.objects.count(), SubmissionEvent.objects.count()


@pytest.fixture
def one_draft(clerk: User) -> Submission:
    """A figure already saved, so that "nothing changed" means something."""
    return services.submission_save(
        actor=clerk,
        indicator=indicator("reemployment"),
        region=region("410602"),
        month=3,
        value=4,
        note="已有",
    )


# --- the template --------------------------------------------------------------------------


def test_the_template_is_the_clerks_month_protected_and_validated(clerk: User) -> None:
    response = client_for(clerk).get(TEMPLATE)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    workbook = workbook_of(response.getvalue())
    assert workbook.sheetnames == ["填报"]
    sheet = workbook["填报"]
    title = sheet["A1"].value
    assert "鹤政办〔2015〕39号" in title
    assert "人力资源社会保障局" in title
    assert "2015年3月" in title
    names = ["鹤山区", "山城区", "淇滨区", "浚县", "淇县", "市直"]
    headers = [c.value for c in sheet[entry_workbook.HEADER_ROW]]
    assert headers == ["填报项", "单位", *names, *(f"{n}备注" for n in names)]
    series = [sheet.cell(r, 1).value for r in range(4, 4 + HRSS_SERIES)]
    assert series[3] == "农村劳动力转移就业技能培训"
    assert sheet.cell(4 + HRSS_SERIES, 1).value is None
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["A"].width > 20

    assert sheet.protection.sheet is True
    assert all(c.protection.locked is False for c in figure_cells(sheet))
    assert sheet["I4"].protection.locked is False  # a note
    assert sheet["A4"].protection.locked is not False
    assert sheet["C3"].protection.locked is not False

    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "whole"
    assert validation.operator == "greaterThanOrEqual"
    assert validation.formula1 == "0"
    assert validation.showErrorMessage
    assert "整数" in validation.error
    assert "C4" in validation.sqref and "H11" in validation.sqref

    properties = {p.name: p.value for p in workbook.custom_doc_props}
    assert properties["skills_plan.year"] == "2015"
    assert properties["skills_plan.department"] == "hrss"
    assert properties["skills_plan.region"] in ("", None)  # empty reads back as None
    assert properties["skills_plan.month"] == "3"
    assert all(len(str(value)) <= 255 for value in properties.values())
    assert "skills_plan.signature.1" in properties


def test_the_template_is_prefilled_and_sent_figures_are_locked_and_shaded(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    rural = services.submission_save(
        actor=clerk, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=120, note="春季班",
    )  # fmt: skip
    services.submission_submit(actor=clerk, submission=rural)
    services.submission_approve(actor=reviewer, submission=rural)
    services.submission_save(
        actor=clerk, indicator=indicator("in-service"), region=region("410621"), month=3, value=35
    )

    sheet = workbook_of(download(client))["填报"]

    approved = sheet[where(sheet, "rural-transfer", "410611")]
    assert approved.value == 120
    assert sheet[where(sheet, "rural-transfer", "410611", note=True)].value == "春季班"
    assert approved.protection.locked is True
    assert approved.fill.fgColor.rgb.endswith("D9D9D9")
    assert approved.coordinate not in str(sheet.data_validations.dataValidation[0].sqref)
    draft = sheet[where(sheet, "in-service", "410621")]
    assert (draft.value, draft.protection.locked) == (35, False)


def test_a_county_clerk_gets_one_county_column(county_clerk: User) -> None:
    sheet = workbook_of(download(client_for(county_clerk)))["填报"]

    assert [c.value for c in sheet[entry_workbook.HEADER_ROW]] == [
        "填报项",
        "单位",
        "浚县",
        "浚县备注",
    ]
    assert "浚县" in sheet["A1"].value
    assert sheet.max_column == 4


def test_the_month_page_links_the_template_and_the_upload_form(clerk: User) -> None:
    page = client_for(clerk).get(MARCH).content.decode()

    assert 'href="/entry/2015/3/template.xlsx"' in page
    assert 'action="/entry/2015/3/upload/"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "下载Excel模板" in page


# --- the round trip ------------------------------------------------------------------------


def test_a_filled_template_saves_exactly_its_figures(clerk: User) -> None:
    client = client_for(clerk)
    content = filled(
        download(client),
        value=None,
        **{
            "rural-transfer__410611": 1200,
            "in-service__410621": "１，２００",
            "in-service__410621__note": "含企业新型学徒制",
            "reemployment__410622": 12.0,
            "entrepreneurship__410602": 0,
        },
    )

    response = upload(client, content)

    assert response.status_code == 302
    assert response["Location"] == MARCH
    figures = {
        (s.indicator.code, s.region.code): (s.value, s.note, s.status)
        for s in Submission.objects.select_related("indicator", "region")
    }
    assert figures == {
        ("rural-transfer", "410611"): (1200, "", "draft"),
        ("in-service", "410621"): (1200, "含企业新型学徒制", "draft"),
        ("reemployment", "410622"): (12, "", "draft"),
        ("entrepreneurship", "410602"): (0, "", "draft"),
    }
    assert set(SubmissionEvent.objects.values_list("action", "actor")) == {("create", clerk.pk)}
    assert "已从Excel导入 3月数据，保存为草稿。" in client.get(MARCH).content.decode()

    # The next template carries the saved figures; uploaded again unchanged, nothing moves.
    again = download(client)
    sheet = workbook_of(again)["填报"]
    assert sheet[where(sheet, "in-service", "410621")].value == 1200
    before = counts()
    assert upload(client, again).status_code == 302
    assert nothing_changed(before)


def test_a_full_template_is_submitted_for_review(clerk: User) -> None:
    client = client_for(clerk)

    response = upload(client, filled(download(client), 7), action="submit")

    assert response.status_code == 302
    submitted = Submission.objects.filter(month=3)
    assert submitted.count() == HRSS_SERIES * REGIONS
    assert set(submitted.values_list("status", "value")) == {("submitted", 7)}
    assert "已从Excel导入并报送 3月数据。" in client.get(MARCH).content.decode()


def test_submitting_an_incomplete_template_names_the_empty_cells(
    clerk: User, one_draft: Submission
) -> None:
    client = client_for(clerk)
    content = download(client)
    sheet = workbook_of(content)["填报"]
    empty = where(sheet, "rural-transfer", "410611")
    before = counts()

    response = upload(client, filled(content, 5, **{"rural-transfer__410611": None}), "submit")

    assert response.status_code == 400
    assert f"填报!{empty}：请填写本月数据（没有发生请填 0）。" in messages_of(response)
    assert "Excel文件未导入" in messages_of(response)
    assert nothing_changed(before)


def test_a_bad_figure_is_named_by_sheet_and_cell_and_saves_nothing(
    clerk: User, one_draft: Submission
) -> None:
    client = client_for(clerk)
    content = filled(
        download(client), None, **{"rural-transfer__410611": 12, "in-service__410621": 3.5}
    )
    before = counts()

    response = upload(client, content)

    assert response.status_code == 400
    # in-service is the fifth series (row 8); 浚县 the fourth county (column F).
    assert "填报!F8：请填写整数，人数、人次不能有小数。" in messages_of(response)
    assert nothing_changed(before)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (-5, "不能为负数"),
        ("十二", "请填写数字"),
        (True, "请填写数字"),
        (date(2015, 3, 1), "请填写数字"),
        (100_000_000, "数值过大"),
        (1e20, "数值过大"),
    ],
)
def test_odd_cell_types_are_refused_with_a_message(
    clerk: User, one_draft: Submission, typed: Any, message: str
) -> None:
    client = client_for(clerk)
    content = filled(download(client), None, **{"rural-transfer__410611": typed})
    before = counts()

    response = upload(client, content)

    assert response.status_code == 400
    assert "填报!E7：" in messages_of(response)
    assert message in messages_of(response)
    assert nothing_changed(before)


def test_a_figure_that_needs_a_note_is_accepted_with_one_from_the_sheet(clerk: User) -> None:
    client = client_for(clerk)
    services.region_target_set(
        reason="测试：县区分解",
        indicator=indicator("rural-transfer"),
        region=region("410621"),
        target=2000,
    )
    content = download(client)

    refused = upload(client, filled(content, None, **{"rural-transfer__410621": 2500}))
    assert refused.status_code == 400
    assert "超过了该县区全年目标（2,000）" in messages_of(refused)
    assert "请在备注中说明原因后再保存" in messages_of(refused)
    assert not Submission.objects.exists()

    with_note = {"rural-transfer__410621": 2500, "rural-transfer__410621__note": "集中春训"}
    assert upload(client, filled(content, None, **with_note)).status_code == 302
    assert (cell("rural-transfer", "410621").value, cell("rural-transfer", "410621").note) == (
        2500,
        "集中春训",
    )


def test_a_note_too_long_is_refused(clerk: User) -> None:
    client = client_for(clerk)
    content = filled(
        download(client),
        None,
        **{"rural-transfer__410611": 5, "rural-transfer__410611__note": "长" * 1001},
    )

    response = upload(client, content)

    assert response.status_code == 400
    assert "备注不能超过 1000 字" in messages_of(response)
    assert not Submission.objects.exists()


# --- stale templates and locked cells ------------------------------------------------------


def test_a_stale_template_is_a_conflict_not_a_lost_update(clerk: User, make_user: Any) -> None:
    other = make_user(Role.CLERK, "hrss", username="clerk-hrss-2")
    mine = client_for(clerk)
    content = download(mine)
    services.submission_save(
        actor=other, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=7,
    )  # fmt: skip
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
    clerk: User, make_user: Any
) -> None:
    other = make_user(Role.CLERK, "hrss", username="clerk-hrss-2")
    mine = client_for(clerk)
    content = download(mine)
    services.submission_save(
        actor=other, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=7,
    )  # fmt: skip

    # The stale template still shows that cell empty; another cell is what the clerk changed.
    response = upload(mine, filled(content, None, **{"in-service__410621": 3}))

    assert response.status_code == 400
    assert "请重新下载模板" in messages_of(response)
    assert cell("rural-transfer", "410611").value == 7
    assert cell("in-service", "410621") is None


def test_a_cell_approved_after_the_download_does_not_block_the_rest(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    rural = services.submission_save(
        actor=clerk, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=9,
    )  # fmt: skip
    services.submission_submit(actor=clerk, submission=rural)
    content = download(client)
    services.submission_approve(actor=reviewer, submission=rural)

    response = upload(client, filled(content, None, **{"in-service__410621": 3}))

    assert response.status_code == 302
    assert cell("in-service", "410621").value == 3
    assert cell("rural-transfer", "410611").status == "approved"


def test_changing_a_locked_cell_with_protection_removed_is_refused(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    rural = services.submission_save(
        actor=clerk, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=9,
    )  # fmt: skip
    services.submission_submit(actor=clerk, submission=rural)
    services.submission_approve(actor=reviewer, submission=rural)
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


# --- workbooks that are refused whole ------------------------------------------------------


def _zip_with(content: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "你好")
    return out.getvalue()


def _broken_workbook(content: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


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


def _append_row(workbook: Any, sheet: Any) -> None:
    sheet["A12"] = "新增的一项"
    sheet["C12"] = 5


def _delete_column(workbook: Any, sheet: Any) -> None:
    sheet.delete_cols(4)


def _add_column(workbook: Any, sheet: Any) -> None:
    sheet["O3"] = "鹤壁市"
    sheet["O4"] = 5


def _rename_series(workbook: Any, sheet: Any) -> None:
    sheet["A7"] = "农村劳动力培训"


def _rename_county(workbook: Any, sheet: Any) -> None:
    sheet["E3"] = "淇滨"


def _formula_figure(workbook: Any, sheet: Any) -> None:
    sheet["E7"] = "=1+1"


def _formula_far_away(workbook: Any, sheet: Any) -> None:
    sheet["Z99"] = "=SUM(C4:C11)"


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
    "a formula in a figure": (_sheet(_formula_figure), "填报!E7：不能使用公式"),
    "a formula outside the table": (_sheet(_formula_far_away), "填报!Z99：不能使用公式"),
    "an extra sheet": (_sheet(_extra_sheet), "只能有一个名为“填报”的工作表"),
    "a hidden sheet": (_sheet(_hidden_sheet), "隐藏的工作表（底稿）"),
    "a renamed sheet": (_sheet(_renamed_sheet), "只能有一个名为“填报”的工作表"),
    "a row inserted": (_sheet(_insert_row), "表格范围外有内容，请不要增加行或列"),
    "a row deleted": (_sheet(_delete_row), "请不要增删或改动填报项"),
    "a row appended": (_sheet(_append_row), "填报!A12：表格范围外有内容"),
    "a county column removed": (_sheet(_delete_column), "请不要增删或改动县区列"),
    "a column added": (_sheet(_add_column), "填报!O3：表格范围外有内容"),
    "a series renamed": (_sheet(_rename_series), "应为“农村劳动力转移就业技能培训”"),
    "a county renamed": (_sheet(_rename_county), "表头应为“淇滨区”"),
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
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_unknown_year_or_month_is_not_found_and_upload_takes_only_posts(clerk: User) -> None:
    client = client_for(clerk)
    assert client.get("/entry/2099/3/template.xlsx").status_code == 404
    assert client.get("/entry/2015/13/template.xlsx").status_code == 404
    assert client.post("/entry/2015/0/upload/", {"action": "save"}).status_code == 404
    assert client.get(UPLOAD).status_code == 405


# --- hypothesis: any workbook is saved whole or refused, never a 500 -----------------------

ODD_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 1, 1)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["=1+1", "=SUM(C4:C5)", '=HYPERLINK("x")', "1,200", "３５", "3.5", " 7 "]),
)


def _has_figure(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(ODD_VALUES, min_size=4, max_size=4), submit=st.booleans())
def test_any_figures_in_the_template_save_whole_or_not_at_all(
    clerk: User, values: list[Any], submit: bool
) -> None:
    SubmissionEvent.objects.all().delete()
    Submission.objects.all().delete()
    client = client_for(clerk)
    workbook = workbook_of(filled(download(client), 3))
    sheet = workbook["填报"]
    targets = [sheet["C4"], sheet["D5"], sheet["E6"], sheet["I4"]]  # three figures, a note
    for target, value in zip(targets, values, strict=True):
        target.value = value

    response = upload(client, saved(workbook), "submit" if submit else "save")

    assert response.status_code in (302, 400)
    stored = Submission.objects.count()
    if response.status_code == 400:
        assert stored == 0
        assert "Excel文件未导入" in messages_of(response)
    else:
        figures = [*([3] * (HRSS_SERIES * REGIONS - 3)), *values[:3]]
        assert stored == sum(1 for value in figures if _has_figure(value))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.integers(1, 14), st.integers(1, 14), ODD_VALUES), min_size=1, max_size=4
    )
)
def test_any_cell_of_the_sheet_edited_never_fails_and_never_half_saves(
    clerk: User, edits: list[tuple[int, int, Any]]
) -> None:
    SubmissionEvent.objects.all().delete()
    Submission.objects.all().delete()
    client = client_for(clerk)
    workbook = workbook_of(filled(download(client), 2))
    sheet = workbook["填报"]
    for row, column, value in edits:
        target = sheet.cell(row, column)
        if type(target).__name__ == "MergedCell":
            continue
        target.value = value

    response = upload(client, saved(workbook))

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not Submission.objects.exists()


def _with_doctype(content: bytes, part: str, doctype: str, replace: tuple[str, str]) -> bytes:
    """The workbook with a DOCTYPE put into one of its XML parts and an entity used there."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                assert replace[0] in text, (part, replace[0])  # the entity is really used
                head, _sep, body = text.partition("?>")
                text = f"{head}?>{doctype}{body}".replace(*replace, 1)
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("doctype", "entity"), [(LAUGHS, "&lol9;"), (EXTERNAL, "&secret;")], ids=["laughs", "xxe"]
)
@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_attacks_are_refused_and_read_nothing(
    clerk: User, doctype: str, entity: str, part: str
) -> None:
    client = client_for(clerk)
    content = filled(download(client), 10)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert part in names
    marker = (
        ("<sheetData>", f"<sheetData>{entity}")
        if "worksheets" in part
        else ('name="填报"', f'name="填报{entity}"')
    )
    attack = _with_doctype(content, part, doctype, marker)

    response = upload(client, attack)

    assert response.status_code == 400
    page = response.content.decode()
    assert "root:" not in page and "lollol" not in page
    assert not Submission.objects.exists()


# --- typed text that looks like a formula --------------------------------------------------

# (Notes are stripped when saved, so no leading tab: tests/reporting/test_exports.py has those.)
NOTES_LIKE_FORMULAS = ["=1+1", "@SUM(A1)", "+86 123", "-5 人", "=cmd|' /C calc'!A0"]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.mark.parametrize("note", NOTES_LIKE_FORMULAS)
def test_a_note_like_a_formula_is_text_in_the_template_and_uploads_again(
    clerk: User, county_clerk: User, note: str
) -> None:
    """A county clerk's note "=1+1" is text in the city clerk's template (no <f> in its XML,
    the exact text), and that template, and the county clerk's own, upload again."""
    services.submission_save(
        actor=county_clerk,
        indicator=indicator("rural-transfer"),
        region=region("410621"),
        month=3,
        value=5,
        note=note,
    )
    for user, other_cell in ((clerk, "in-service__410611"), (county_clerk, "in-service__410621")):
        client = client_for(user)
        content = download(client)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        assert xml.find(f".//{MAIN}f") is None
        assert note in [text.text for text in xml.iter(f"{MAIN}t")]
        sheet = workbook_of(content)[entry_workbook.SHEET]
        noted = sheet[where(sheet, "rural-transfer", "410621", note=True)]
        assert (noted.value, noted.data_type, noted.quotePrefix) == (note, "s", True)

        response = upload(client, filled(content, None, **{other_cell: 3}))

        assert response.status_code == 302, messages_of(response)
        code, county = other_cell.split("__")
        assert cell(code, county).value == 3
        assert cell("rural-transfer", "410621").note == note


def test_a_note_the_clerk_types_like_a_formula_is_saved_as_typed(clerk: User) -> None:
    client = client_for(clerk)
    workbook = workbook_of(download(client))
    sheet = workbook[entry_workbook.SHEET]
    typed = sheet[where(sheet, "rural-transfer", "410611", note=True)]
    typed.value, typed.data_type = "=A1*2 人次", "s"  # what Excel stores for '=A1*2 人次
    sheet[where(sheet, "rural-transfer", "410611")] = 4

    assert upload(client, saved(workbook)).status_code == 302
    assert cell("rural-transfer", "410611").note == "=A1*2 人次"


def test_a_real_formula_in_a_note_is_still_refused(clerk: User) -> None:
    client = client_for(clerk)
    workbook = workbook_of(download(client))
    sheet = workbook[entry_workbook.SHEET]
    coordinate = where(sheet, "rural-transfer", "410611", note=True)
    sheet[coordinate] = "=1+1"  # openpyxl writes this as a formula, as Excel would
    before = counts()

    response = upload(client, saved(workbook))

    assert response.status_code == 400
    assert f"填报!{coordinate}：不能使用公式" in messages_of(response)
    assert nothing_changed(before)


# --- rates: a numerator's year to date never above its denominator's --------------------------


def test_a_rate_above_100_percent_is_named_by_sheet_and_cell_and_saves_nothing(
    plan: Plan, make_user: Any
) -> None:
    client = client_for(make_user(Role.CLERK, "civil"))
    content = filled(
        download(client),
        None,
        **{"veterans-eligible__410621": 17, "veterans-aware__410621": 26},
    )
    before = counts()

    response = upload(client, content)

    assert response.status_code == 400
    sheet = workbook_of(content)[entry_workbook.SHEET]
    assert (
        f"填报!{where(sheet, 'veterans-aware', '410621')}："
        "知晓培训政策的退役士兵人数（浚县）1—3月累计 26 超过退役士兵人数累计 17。"
    ) in messages_of(response)
    assert nothing_changed(before)
