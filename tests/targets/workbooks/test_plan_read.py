"""The plan definition workbook refused: each problem at its cell, or the file whole."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from targets.models import Plan
from tests.helpers import zip_of, zip_parts

from .plan_book import PLAN_ROW, counts, edited, import_workbook, refusal, row_of, set_cell

# --- refusals: nothing saved, each problem at its cell --------------------------------------


def _append(sheet: str, *values: Any) -> Callable[[Workbook], str]:
    def edit(workbook: Workbook) -> str:
        workbook[sheet].append(list(values))
        return f"{sheet}!?{workbook[sheet].max_row}"

    return edit


def _split_rows(*rows: tuple[str, str, Any]) -> Callable[[Workbook], None]:
    def edit(workbook: Workbook) -> None:
        sheet = workbook["县区分解"]
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(list(row))

    return edit


def _cell(
    sheet: str, code: str, column: str, value: Any, message: str
) -> tuple[Callable[[Workbook], Any], str, str]:
    """The case of one bad cell in the row of ``code``: where is found once the sheet is read."""
    return set_cell(sheet, code, column, value), f"{sheet}!{column}@{code}", message


CELL_CASES: dict[str, tuple[Callable[[Workbook], Any], str, str]] = {
    # name: (edit, where, message)
    "unknown department": _cell(
        "指标", "rural-transfer", "E", "labour", "未知的部门代码“labour”（见“代码表”）。"
    ),
    "unknown county in a split": (
        _split_rows(("rural-transfer", "410699", 100)),
        "县区分解!B2",
        "未知的县区代码“410699”（见“代码表”）。",
    ),
    "unknown county of a milestone": _cell(
        "重点工作", "heshan-brand-base", "E", "410600", "未知的县区代码“410600”（见“代码表”）。"
    ),
    "splits above the city target": (
        _split_rows(("rural-transfer", "410611", 15000), ("rural-transfer", "410621", 6000)),
        "县区分解!C3",
        "“rural-transfer”的县区分解合计 21000 超过全市目标 20000。",
    ),
    "a split of a rate": (
        _split_rows(("veterans-pass", "410611", 1)),
        "县区分解!A2",
        "“veterans-pass”没有人数目标，不能分解到县区。",
    ),
    "a split of an unknown indicator": (
        _split_rows(("rural", "410611", 1)),
        "县区分解!A2",
        "指标代码“rural”不存在（须在“指标”表中）。",
    ),
    "a duplicate split": (
        _split_rows(("disabled", "410611", 1), ("disabled", "410611", 2)),
        "县区分解!B3",
        "“disabled”在县区 410611 的分解重复（第 2 行已有）。",
    ),
    "a rate without a numerator": _cell(
        "指标", "veterans-pass", "I", None, "比率指标必须填写分子代码。"
    ),
    "a rate without a denominator": _cell(
        "指标", "veterans-awareness", "J", None, "比率指标必须填写分母代码。"
    ),
    "a rate counting an unknown series": _cell(
        "指标",
        "veterans-awareness",
        "I",
        "veterans-nobody",
        "指标代码“veterans-nobody”不存在（须在本表中）。",
    ),
    "a rate counting a quota": _cell(
        "指标",
        "veterans-awareness",
        "I",
        "disabled",
        "“disabled”不是计数指标；分子和分母必须是计数指标。",
    ),
    "a rate without its target rate": _cell(
        "指标", "veterans-pass", "H", None, "比率指标必须填写目标比率。"
    ),
    "a target rate above 100 %": _cell(
        "指标", "veterans-pass", "H", 1.5, "目标比率：目标比率必须在 0 到 1 之间（0% 到 100%）。"
    ),
    "a duplicate indicator code": _cell(
        "指标",
        "skill-appraisal",
        "A",
        "high-skill-talent",
        "代码“high-skill-talent”重复（第 4 行已有）。",
    ),
    "a duplicate milestone code": _cell(
        "重点工作", "publicity", "A", "brand-majors", "代码“brand-majors”重复（第 3 行已有）。"
    ),
    "a missing target": _cell(
        "指标", "in-service", "G", None, "全市目标和部门任务必须填写年度目标（整数）。"
    ),
    "a target in words": _cell(
        "指标", "in-service", "G", "两万三", "年度目标：应为不小于 0 的整数，实为“两万三”。"
    ),
    "a negative target": _cell(
        "指标", "in-service", "G", -5, "年度目标：应为不小于 0 的整数，实为“-5”。"
    ),
    "a fractional split": (
        _split_rows(("disabled", "410611", 2.5)),
        "县区分解!C2",
        "分解目标：应为不小于 0 的整数，实为“2.5”。",
    ),
    "a formula": _cell("指标", "in-service", "G", "=20000+3000", "不能使用公式，请直接填写内容。"),
    "a bad plan date": (
        lambda wb: wb["方案"].cell(PLAN_ROW["written_on"], 3, "2016-13-01"),
        "方案!C8",
        "成文日期：日期格式应为 YYYY-MM-DD（如 2015-06-11），实为“2016-13-01”。",
    ),
    "a bad due date": _cell(
        "重点工作",
        "publicity",
        "H",
        "年底前",
        "完成时限：日期格式应为 YYYY-MM-DD（如 2015-06-11），实为“年底前”。",
    ),
    "a deadline day of 31": (
        lambda wb: wb["方案"].cell(PLAN_ROW["deadline_day"], 3, 31),
        "方案!C12",
        "报送截止日必须在 1 到 28 日之间。",
    ),
    "an unknown kind": _cell(
        "指标",
        "rural-transfer",
        "D",
        "monthly",
        "统计口径：未知的统计口径“monthly”，应为 flow、stock、rate 之一。",
    ),
    "an unknown role": _cell(
        "指标",
        "rural-transfer",
        "C",
        "target",
        "类别：未知的指标类别“target”，应为 goal、quota、count 之一。",
    ),
    "an unknown milestone category": _cell(
        "重点工作",
        "publicity",
        "C",
        "party",
        "类别：未知的重点工作类别“party”，应为 project-ledger、competition、"
        "evaluation-pilot、school-enterprise、education-reform、publicity、supervision 之一。",
    ),
    "a missing name": _cell("指标", "disabled", "B", "  ", "“名称”不能为空。"),
    "a renamed column": (
        lambda wb: wb["指标"].cell(1, 7, "目标"),
        "指标!G1",
        "表头应为“年度目标”，实为“目标”；请不要增删、移动或改名列。",
    ),
    "content right of the table": _cell(
        "重点工作", "publicity", "K", "备注", "表格范围外有内容，请删除或移入表内。"
    ),
    "a code with spaces": _cell(
        "重点工作",
        "publicity",
        "A",
        "publicity 2016",
        "代码：代码只能包含英文字母、数字、连字符和下划线，实为“publicity 2016”。",
    ),
}


@pytest.mark.parametrize("case", CELL_CASES)
def test_a_bad_cell_is_named_and_nothing_is_saved(workbook_2016: bytes, case: str) -> None:
    edit, where, message = CELL_CASES[case]
    if "@" in where:  # the row of a code, found before the edit changes it
        sheet_cell, code = where.split("@")
        workbook = load_workbook(io.BytesIO(workbook_2016))
        where = f"{sheet_cell}{row_of(workbook, sheet_cell.split('!')[0], code)}"
    before = counts()

    errors = refusal(edited(workbook_2016, edit))

    assert errors == [(where, message)]
    assert not Plan.objects.filter(year=2016).exists()
    assert counts() == before


def test_every_problem_is_reported_at_once(workbook_2016: bytes) -> None:
    problems = [
        ("指标", "in-service", "G", "many"),
        ("指标", "rural-transfer", "E", "labour"),
        ("重点工作", "publicity", "H", "soon"),
    ]
    content = edited(workbook_2016, *(set_cell(*problem) for problem in problems))

    locations = [where for where, _message in refusal(content)]

    assert locations == ["指标!E6", "指标!G7", "重点工作!H14"]


def test_a_workbook_without_indicators_is_refused(workbook_2016: bytes) -> None:
    def empty(workbook: Workbook) -> None:
        for title in ("指标", "县区分解", "重点工作", "配合单位", "工作措施"):
            workbook[title].delete_rows(2, workbook[title].max_row)

    assert refusal(edited(workbook_2016, empty)) == [("指标", "没有任何指标。")]


def test_a_missing_header_field_is_named(workbook_2016: bytes) -> None:
    content = edited(workbook_2016, lambda wb: wb["方案"].delete_rows(PLAN_ROW["deadline_day"]))

    assert refusal(content) == [("方案", "缺少字段“deadline_day”（报送截止日（次月几日））。")]


def test_targets_may_be_typed_as_people_type_them(workbook_2016: bytes) -> None:
    content = edited(
        workbook_2016,
        set_cell("指标", "veterans-pass", "H", "85%"),
        set_cell("指标", "in-service", "G", "24,000"),
        set_cell("重点工作", "publicity", "H", "2016-06-30"),
    )

    plan = import_workbook(content).plan

    assert plan.indicators.get(code="veterans-pass").target_rate == Decimal("0.85")
    assert plan.indicators.get(code="in-service").target == 24000
    assert plan.milestones.get(code="publicity").due_on == date(2016, 6, 30)


# --- refusals of the file itself ------------------------------------------------------------


def _zip_with(content: bytes, extra: dict[str, bytes]) -> bytes:
    return zip_of({**zip_parts(content), **extra})


def _only_plan_sheet(content: bytes) -> bytes:
    def drop(workbook: Workbook) -> None:
        for title in ("指标", "县区分解", "重点工作"):
            del workbook[title]

    return edited(content, drop)


def _truncated_sheet(content: bytes) -> bytes:
    parts = zip_parts(content)
    sheet = parts["xl/worksheets/sheet2.xml"]
    return zip_of({**parts, "xl/worksheets/sheet2.xml": sheet[: len(sheet) // 2]})


FILE_CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "an empty file": (lambda c: b"", "上传的文件是空的。"),
    "a CSV file": (lambda c: "代码,名称\n".encode(), "上传的不是Excel（.xlsx）文件"),
    "an old .xls": (lambda c: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版Excel"),
    "a zip that is no workbook": (
        lambda c: _plain_zip(),
        "上传的不是Excel（.xlsx）文件",
    ),
    "a zip bomb": (
        lambda c: _zip_with(c, {"xl/media/image1.bin": b"\0" * (51 * 1024 * 1024)}),
        "文件解压后过大，可能已损坏或不是方案定义工作簿，不能导入。",
    ),
    "a file over 5 MB": (lambda c: b"PK" + b"x" * (5 * 1024 * 1024), "文件太大（超过 5 MB）"),
    "missing sheets": (
        _only_plan_sheet,
        "工作簿缺少工作表：指标、县区分解、重点工作。"
        "方案定义工作簿应有 方案、指标、县区分解、重点工作 四个工作表。",
    ),
    "a broken sheet": (_truncated_sheet, "无法读取该Excel文件"),
    "a 9 MB sheet of 400,000 cells in one row": (
        lambda c: _with_sheet2(c, _one_row(400_000)),
        "工作表过大（超过 10,000 行、100 列或 100,000 个单元格），不是方案定义工作簿的大小",
    ),
    "a 47 MB sheet": (
        lambda c: _with_sheet2(c, _one_row(2_200_000)),
        "文件解压后过大，可能已损坏或不是方案定义工作簿，不能导入。",
    ),
    "a dimension of the whole sheet": (
        lambda c: _with_sheet2(c, _one_row(1, "A1:XFD1048576")),
        "工作表过大",
    ),
}


def _with_sheet2(content: bytes, sheet: bytes) -> bytes:
    """``content`` with its 指标 sheet replaced."""
    return zip_of({**zip_parts(content), "xl/worksheets/sheet2.xml": sheet})


def _one_row(cells: int, dimension: str = "A1:B2") -> bytes:
    """A sheet of ``cells`` cells in row 2, one random digit each: openpyxl would build the row
    whole before the reader saw its first cell."""
    digits = random.Random(15).choices(range(10), k=cells)
    return (
        (
            f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData><row r="2">'
        ).encode()
        + b"".join(b'<c r="B2"><v>%d</v></c>' % d for d in digits)
        + (b"</row></sheetData></worksheet>")
    )


def _plain_zip() -> bytes:
    return zip_of({"readme.txt": "你好".encode()})


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_malformed_file_is_refused_whole(workbook_2016: bytes, case: str) -> None:
    make, message = FILE_CASES[case]
    before = counts()

    errors = refusal(make(workbook_2016))

    assert len(errors) == 1
    assert errors[0][0] == ""
    assert message in errors[0][1]
    assert counts() == before
