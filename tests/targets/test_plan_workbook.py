"""The plan definition workbook: export, import into a draft, and every refusal at its cell."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Model
from openpyxl import Workbook, load_workbook

from targets import services
from targets.models import Indicator, Milestone, Plan, Region, RegionTarget, TargetChange
from targets.plan_workbook import (
    SHEET_CODES,
    SHEETS,
    DefinitionRefused,
    build_definition,
    import_definition,
)
from targets.services import plan_definition
from targets.services.plan_definition import plan_clone
from targets.services.plans import plan_close

DOC_2016 = "鹤政办〔2016〕12号"
PLAN_ROW = {"year": 2, "doc_number": 4, "written_on": 8, "deadline_day": 12}


# --- helpers -------------------------------------------------------------------------------


def _row(obj: Model, skip: set[str]) -> dict[str, Any]:
    """Every stored field; references to indicators by code, so plans compare across ids."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(obj, field.attname)
        if field.is_relation and field.related_model is Indicator and value is not None:
            value = Indicator.objects.get(pk=value).code
        out[field.name] = value
    return out


def dump(plan: Plan, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        "plan": _row(plan, {"id", *skip}),
        "indicators": [_row(i, {"id", "plan"}) for i in plan.indicators.order_by("code")],
        "splits": sorted(
            (s.indicator.code, s.region.code, s.target, s.is_demo)
            for s in RegionTarget.objects.filter(indicator__plan=plan).select_related(
                "indicator", "region"
            )
        ),
        "milestones": [_row(m, {"id", "plan"}) for m in plan.milestones.order_by("code")],
    }


def _counts() -> tuple[int, ...]:
    return (
        Plan.objects.count(),
        Indicator.objects.count(),
        RegionTarget.objects.count(),
        Milestone.objects.count(),
    )


def _edited(content: bytes, *edits: Callable[[Workbook], Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for edit in edits:
        edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _as_2016(workbook: Workbook) -> None:
    sheet = workbook["方案"]
    sheet.cell(PLAN_ROW["year"], 3, 2016)
    sheet.cell(PLAN_ROW["doc_number"], 3, DOC_2016)


def _row_of(workbook: Workbook, sheet: str, code: str) -> int:
    for cells in workbook[sheet].iter_rows(min_row=2):
        if cells[0].value == code:
            return cells[0].row
    raise AssertionError(f"{code} not on {sheet}")


def _set(sheet: str, code: str, column: str, value: Any) -> Callable[[Workbook], str]:
    """An edit that sets one cell of the row of ``code`` and says where it is."""

    def edit(workbook: Workbook) -> str:
        row = _row_of(workbook, sheet, code)
        workbook[sheet][f"{column}{row}"] = value
        return f"{sheet}!{column}{row}"

    return edit


def _import(content: bytes) -> Any:
    return import_definition(io.BytesIO(content))


def _refusal(content: bytes) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionRefused) as refused:
        _import(content)
    return [(error.location, error.message) for error in refused.value.errors]


def _wipe(plan: Plan) -> None:
    """Delete a plan's definition; indicators name each other, so referring ones go first."""
    TargetChange.objects.filter(plan=plan).delete()  # its audit trail protects it otherwise
    RegionTarget.objects.filter(indicator__plan=plan).delete()
    plan.milestones.all().delete()
    plan.indicators.filter(kind="rate").delete()
    plan.indicators.exclude(feeds=None).delete()
    plan.indicators.all().delete()
    plan.delete()


@pytest.fixture
def defined(plan: Plan) -> Plan:
    """The 2015 plan with county splits, a county milestone and text Excel would evaluate."""
    regions = {r.code: r for r in Region.objects.all()}
    for code, region, target in (
        ("rural-transfer", "410611", 6000),
        ("rural-transfer", "410621", 5000),
        ("in-service", "410622", 0),
        ("disabled", "410603", 1600),
    ):
        services.region_target_set(
            reason="测试：县区分解",
            indicator=Indicator.objects.get(plan=plan, code=code),
            region=regions[region],
            target=target,
        )
    plan.milestones.filter(code="publicity").update(description="=宣传月+成果展")
    plan.deadline_day = 8
    plan.save()
    plan.refresh_from_db()
    return plan


@pytest.fixture
def exported(defined: Plan) -> bytes:
    return build_definition(defined)


@pytest.fixture
def workbook_2016(exported: bytes) -> bytes:
    return _edited(exported, _as_2016)


# --- export --------------------------------------------------------------------------------


def test_the_workbook_has_chinese_sheets_and_headers(exported: bytes) -> None:
    workbook = load_workbook(io.BytesIO(exported))

    assert workbook.sheetnames == [*SHEETS, SHEET_CODES]
    assert [c.value for c in workbook["方案"][1]] == ["字段代码", "项目", "内容"]
    assert [c.value for c in workbook["指标"][1]][:7] == [
        "代码",
        "名称",
        "类别",
        "统计口径",
        "责任部门代码",
        "单位",
        "年度目标",
    ]
    assert [c.value for c in workbook["县区分解"][1]][:3] == ["指标代码", "县区代码", "分解目标"]
    sheet = workbook["指标"]
    rural = _row_of(workbook, "指标", "rural-transfer")
    assert [sheet[f"{col}{rural}"].value for col in "ACDEGK"] == [
        "rural-transfer",
        "quota",
        "flow",
        "hrss",
        20000,
        "training-total",
    ]
    veterans = _row_of(workbook, "指标", "veterans-pass")
    assert sheet[f"H{veterans}"].value == pytest.approx(0.9)
    assert sheet[f"I{veterans}"].value == "veterans-passed"
    assert workbook["方案"]["C4"].value == "鹤政办〔2015〕39号"


def test_text_that_looks_like_a_formula_stays_text(exported: bytes) -> None:
    workbook = load_workbook(io.BytesIO(exported))
    cell = workbook["重点工作"][f"F{_row_of(workbook, '重点工作', 'publicity')}"]

    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=宣传月+成果展", "s", True)


# --- round trips ---------------------------------------------------------------------------


def test_round_trip_into_a_wiped_database(defined: Plan, exported: bytes) -> None:
    before = dump(defined, skip=frozenset({"status"}))
    _wipe(defined)
    assert _counts()[:2] == (0, 0)

    result = _import(exported)

    assert result.created
    assert result.plan.status == "draft"
    assert dump(result.plan, skip=frozenset({"status"})) == before


def test_round_trip_as_another_year(defined: Plan, workbook_2016: bytes) -> None:
    result = _import(workbook_2016)

    assert (result.plan.year, result.plan.doc_number, result.plan.status) == (
        2016,
        DOC_2016,
        "draft",
    )
    own = frozenset({"year", "doc_number", "status"})
    assert dump(result.plan, skip=own) == dump(defined, skip=own)
    assert len(dump(result.plan)["splits"]) == 4


def test_importing_the_same_workbook_twice_changes_nothing(workbook_2016: bytes) -> None:
    first = dump(_import(workbook_2016).plan)

    second = _import(workbook_2016)

    assert not second.created
    assert dump(second.plan) == first


def test_it_replaces_a_drafts_definition_whole(defined: Plan) -> None:
    draft = plan_clone(source=defined, year=2016, doc_number=DOC_2016)
    content = _edited(
        build_definition(draft),
        _set("指标", "in-service", "G", 24000),
        _set("指标", "rural-transfer", "G", 10000),  # below its old splits: set afresh
        lambda wb: wb["指标"].delete_rows(_row_of(wb, "指标", "veterans-pass")),
        lambda wb: wb["指标"].delete_rows(_row_of(wb, "指标", "veterans-participation")),
        lambda wb: wb["指标"].delete_rows(_row_of(wb, "指标", "veterans-passed")),
        lambda wb: wb["重点工作"].delete_rows(_row_of(wb, "重点工作", "publicity")),
        lambda wb: wb["县区分解"].delete_rows(2, 2),  # both rural-transfer splits
    )

    result = _import(content)

    assert not result.created
    assert result.plan.pk == draft.pk
    codes = set(draft.indicators.values_list("code", flat=True))
    assert {"veterans-pass", "veterans-participation", "veterans-passed"}.isdisjoint(codes)
    assert len(codes) == 18
    assert draft.indicators.get(code="in-service").target == 24000
    assert draft.indicators.get(code="rural-transfer").target == 10000
    assert not draft.milestones.filter(code="publicity").exists()
    assert sorted(
        RegionTarget.objects.filter(indicator__plan=draft).values_list("indicator__code", "target")
    ) == [("disabled", 1600), ("in-service", 0)]
    assert Indicator.objects.filter(plan=defined).count() == 21  # the 2015 plan is untouched


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


CELL_CASES: dict[str, tuple[Callable[[Workbook], Any], str, str]] = {
    # name: (edit, where, message)
    "unknown department": (
        _set("指标", "rural-transfer", "E", "labour"),
        "指标!E@rural-transfer",
        "未知的部门代码“labour”（见“代码表”）。",
    ),
    "unknown county in a split": (
        _split_rows(("rural-transfer", "410699", 100)),
        "县区分解!B2",
        "未知的县区代码“410699”（见“代码表”）。",
    ),
    "unknown county of a milestone": (
        _set("重点工作", "heshan-brand-base", "E", "410600"),
        "重点工作!E@heshan-brand-base",
        "未知的县区代码“410600”（见“代码表”）。",
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
    "a rate without a numerator": (
        _set("指标", "veterans-pass", "I", None),
        "指标!I@veterans-pass",
        "比率指标必须填写分子代码。",
    ),
    "a rate without a denominator": (
        _set("指标", "veterans-awareness", "J", None),
        "指标!J@veterans-awareness",
        "比率指标必须填写分母代码。",
    ),
    "a rate counting an unknown series": (
        _set("指标", "veterans-awareness", "I", "veterans-nobody"),
        "指标!I@veterans-awareness",
        "指标代码“veterans-nobody”不存在（须在本表中）。",
    ),
    "a rate counting a quota": (
        _set("指标", "veterans-awareness", "I", "disabled"),
        "指标!I@veterans-awareness",
        "“disabled”不是计数指标；分子和分母必须是计数指标。",
    ),
    "a rate without its target rate": (
        _set("指标", "veterans-pass", "H", None),
        "指标!H@veterans-pass",
        "比率指标必须填写目标比率。",
    ),
    "a target rate above 100 %": (
        _set("指标", "veterans-pass", "H", 1.5),
        "指标!H@veterans-pass",
        "目标比率：目标比率必须在 0 到 1 之间（0% 到 100%）。",
    ),
    "a duplicate indicator code": (
        _set("指标", "skill-appraisal", "A", "high-skill-talent"),
        "指标!A@skill-appraisal",
        "代码“high-skill-talent”重复（第 4 行已有）。",
    ),
    "a duplicate milestone code": (
        _set("重点工作", "publicity", "A", "brand-majors"),
        "重点工作!A@publicity",
        "代码“brand-majors”重复（第 3 行已有）。",
    ),
    "a missing target": (
        _set("指标", "in-service", "G", None),
        "指标!G@in-service",
        "全市目标和部门任务必须填写年度目标（整数）。",
    ),
    "a target in words": (
        _set("指标", "in-service", "G", "两万三"),
        "指标!G@in-service",
        "年度目标：应为不小于 0 的整数，实为“两万三”。",
    ),
    "a negative target": (
        _set("指标", "in-service", "G", -5),
        "指标!G@in-service",
        "年度目标：应为不小于 0 的整数，实为“-5”。",
    ),
    "a fractional split": (
        _split_rows(("disabled", "410611", 2.5)),
        "县区分解!C2",
        "分解目标：应为不小于 0 的整数，实为“2.5”。",
    ),
    "a formula": (
        _set("指标", "in-service", "G", "=20000+3000"),
        "指标!G@in-service",
        "不能使用公式，请直接填写内容。",
    ),
    "a bad plan date": (
        lambda wb: wb["方案"].cell(PLAN_ROW["written_on"], 3, "2016-13-01"),
        "方案!C8",
        "成文日期：日期格式应为 YYYY-MM-DD（如 2015-06-11），实为“2016-13-01”。",
    ),
    "a bad due date": (
        _set("重点工作", "publicity", "H", "年底前"),
        "重点工作!H@publicity",
        "完成时限：日期格式应为 YYYY-MM-DD（如 2015-06-11），实为“年底前”。",
    ),
    "a deadline day of 31": (
        lambda wb: wb["方案"].cell(PLAN_ROW["deadline_day"], 3, 31),
        "方案!C12",
        "报送截止日必须在 1 到 28 日之间。",
    ),
    "an unknown kind": (
        _set("指标", "rural-transfer", "D", "monthly"),
        "指标!D@rural-transfer",
        "统计口径：未知的统计口径“monthly”，应为 flow、stock、rate 之一。",
    ),
    "an unknown role": (
        _set("指标", "rural-transfer", "C", "target"),
        "指标!C@rural-transfer",
        "类别：未知的指标类别“target”，应为 goal、quota、count 之一。",
    ),
    "an unknown milestone category": (
        _set("重点工作", "publicity", "C", "party"),
        "重点工作!C@publicity",
        "类别：未知的重点工作类别“party”，应为 project-ledger、competition、"
        "evaluation-pilot、school-enterprise、education-reform、publicity、supervision 之一。",
    ),
    "a missing name": (
        _set("指标", "disabled", "B", "  "),
        "指标!B@disabled",
        "“名称”不能为空。",
    ),
    "a renamed column": (
        lambda wb: wb["指标"].cell(1, 7, "目标"),
        "指标!G1",
        "表头应为“年度目标”，实为“目标”；请不要增删、移动或改名列。",
    ),
    "content right of the table": (
        _set("重点工作", "publicity", "J", "备注"),
        "重点工作!J@publicity",
        "表格范围外有内容，请删除或移入表内。",
    ),
    "a code with spaces": (
        _set("重点工作", "publicity", "A", "publicity 2016"),
        "重点工作!A@publicity",
        "代码：代码只能包含英文字母、数字、连字符和下划线，实为“publicity 2016”。",
    ),
}


@pytest.mark.parametrize("case", CELL_CASES)
def test_a_bad_cell_is_named_and_nothing_is_saved(workbook_2016: bytes, case: str) -> None:
    edit, where, message = CELL_CASES[case]
    if "@" in where:  # the row of a code, found before the edit changes it
        sheet_cell, code = where.split("@")
        workbook = load_workbook(io.BytesIO(workbook_2016))
        where = f"{sheet_cell}{_row_of(workbook, sheet_cell.split('!')[0], code)}"
    before = _counts()

    errors = _refusal(_edited(workbook_2016, edit))

    assert errors == [(where, message)]
    assert not Plan.objects.filter(year=2016).exists()
    assert _counts() == before


def test_every_problem_is_reported_at_once(workbook_2016: bytes) -> None:
    content = _edited(
        workbook_2016,
        _set("指标", "in-service", "G", "many"),
        _set("指标", "rural-transfer", "E", "labour"),
        _set("重点工作", "publicity", "H", "soon"),
    )

    locations = [where for where, _message in _refusal(content)]

    assert locations == ["指标!E6", "指标!G7", "重点工作!H14"]


def test_a_workbook_without_indicators_is_refused(workbook_2016: bytes) -> None:
    def empty(workbook: Workbook) -> None:
        for title in ("指标", "县区分解", "重点工作"):
            workbook[title].delete_rows(2, workbook[title].max_row)

    assert _refusal(_edited(workbook_2016, empty)) == [("指标", "没有任何指标。")]


def test_a_missing_header_field_is_named(workbook_2016: bytes) -> None:
    content = _edited(workbook_2016, lambda wb: wb["方案"].delete_rows(PLAN_ROW["deadline_day"]))

    assert _refusal(content) == [("方案", "缺少字段“deadline_day”（报送截止日（次月几日））。")]


def test_targets_may_be_typed_as_people_type_them(workbook_2016: bytes) -> None:
    content = _edited(
        workbook_2016,
        _set("指标", "veterans-pass", "H", "85%"),
        _set("指标", "in-service", "G", "24,000"),
        _set("重点工作", "publicity", "H", "2016-06-30"),
    )

    plan = _import(content).plan

    assert plan.indicators.get(code="veterans-pass").target_rate == Decimal("0.85")
    assert plan.indicators.get(code="in-service").target == 24000
    assert plan.milestones.get(code="publicity").due_on == date(2016, 6, 30)


def test_an_active_or_closed_plan_is_not_changed(defined: Plan, exported: bytes) -> None:
    before = dump(defined)
    changed = _edited(exported, _set("指标", "in-service", "G", 1))

    assert _refusal(changed) == [
        (
            "方案!C2",
            "2015 年度方案当前为“执行中”，不能通过导入修改；只能导入新方案或更新草稿方案。",
        )
    ]
    plan_close(plan=defined)
    assert _refusal(changed)[0][1].startswith("2015 年度方案当前为“已结束”")
    assert dump(defined, skip=frozenset({"status"})) == {
        **before,
        "plan": {k: v for k, v in before["plan"].items() if k != "status"},
    }


def test_a_document_number_of_another_plan_is_refused(defined: Plan, exported: bytes) -> None:
    content = _edited(exported, lambda wb: wb["方案"].cell(PLAN_ROW["year"], 3, 2016))

    assert _refusal(content) == [("方案!C4", "文号“鹤政办〔2015〕39号”已被 2015 年度方案使用。")]
    assert not Plan.objects.filter(year=2016).exists()


def test_a_draft_refused_midway_keeps_its_old_definition(
    defined: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = plan_clone(source=defined, year=2016, doc_number=DOC_2016)
    before = dump(draft)
    content = _edited(build_definition(draft), _set("指标", "in-service", "G", 24000))

    def fail(**kwargs: Any) -> None:
        raise ValidationError("县区分解保存失败")

    monkeypatch.setattr(plan_definition, "region_target_set", fail)

    assert _refusal(content) == [("", "县区分解保存失败")]
    draft.refresh_from_db()
    assert dump(draft) == before


# --- refusals of the file itself ------------------------------------------------------------


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


def _only_plan_sheet(content: bytes) -> bytes:
    def drop(workbook: Workbook) -> None:
        for title in ("指标", "县区分解", "重点工作"):
            del workbook[title]

    return _edited(content, drop)


def _truncated_sheet(content: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


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
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            name = item.filename
            target.writestr(name, sheet if name.endswith("sheet2.xml") else source.read(name))
    return out.getvalue()


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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "你好")
    return out.getvalue()


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_malformed_file_is_refused_whole(workbook_2016: bytes, case: str) -> None:
    make, message = FILE_CASES[case]
    before = _counts()

    errors = _refusal(make(workbook_2016))

    assert len(errors) == 1
    assert errors[0][0] == ""
    assert message in errors[0][1]
    assert _counts() == before


# --- commands ------------------------------------------------------------------------------


def test_the_commands_export_and_import(
    defined: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.xlsx"
    call_command("export_plan_definition", "2015", "-o", str(path))
    assert f"{path}: 2015 鹤政办〔2015〕39号" in capsys.readouterr().out
    path.write_bytes(_edited(path.read_bytes(), _as_2016))

    call_command("import_plan_definition", str(path))

    assert "2016 鹤政办〔2016〕12号 (created, draft): 21 indicators, 13 milestones" in (
        capsys.readouterr().out
    )
    assert Plan.objects.get(year=2016).status == "draft"


def test_the_import_command_lists_each_bad_cell(
    workbook_2016: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_edited(workbook_2016, _set("指标", "in-service", "G", "many")))

    with pytest.raises(CommandError, match="1 处错误，未导入任何内容"):
        call_command("import_plan_definition", str(path))

    assert "指标!G7：年度目标：应为不小于 0 的整数，实为“many”。" in capsys.readouterr().err
    assert not Plan.objects.filter(year=2016).exists()
