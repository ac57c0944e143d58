"""The clerk's Excel round trip: the month's template out, the filled workbook saved or sent.

An upload is checked whole before anything is saved; a bad figure leaves the month as it was,
with a message in Chinese that says what to fix, by sheet and cell.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User

from targets import services
from targets.models import Submission, SubmissionEvent
from targets.workbooks import entry as entry_workbook
from tests.helpers import client_for
from tests.targets.entry_upload import (
    HRSS_SERIES,
    MARCH,
    REGIONS,
    TEMPLATE,
    XLSX,
    cell,
    counts,
    download,
    figure_cells,
    filled,
    indicator,
    messages_of,
    nothing_changed,
    region,
    upload,
    where,
    workbook_of,
)

pytestmark = pytest.mark.django_db

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
    clerk: User, figure: Any
) -> None:
    client = client_for(clerk)
    figure("rural-transfer", "410611", 3, 120, status="approved", note="春季班")
    figure("in-service", "410621", 3, 35, status="draft")

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
