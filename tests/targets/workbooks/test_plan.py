"""The plan definition workbook: export, round trips, what may be imported, the commands."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from targets.models import Indicator, Plan, RegionTarget, WorkStep
from targets.services import plan_definition
from targets.services.plan_definition import plan_clone
from targets.services.plans import plan_close
from targets.workbooks.plan import build_definition
from targets.workbooks.plan_sheets import OPTIONAL_SHEETS, SHEET_CODES, SHEETS

from .plan_book import (
    DOC_2016,
    PLAN_ROW,
    as_2016,
    counts,
    dump,
    edited,
    import_workbook,
    refusal,
    row_of,
    set_cell,
    wipe,
)

# --- export --------------------------------------------------------------------------------


def test_the_workbook_has_chinese_sheets_and_headers(exported: bytes) -> None:
    workbook = load_workbook(io.BytesIO(exported))

    assert workbook.sheetnames == [*SHEETS, *OPTIONAL_SHEETS, SHEET_CODES]
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
    rural = row_of(workbook, "指标", "rural-transfer")
    assert [sheet[f"{col}{rural}"].value for col in "ACDEGK"] == [
        "rural-transfer",
        "quota",
        "flow",
        "hrss",
        20000,
        "training-total",
    ]
    veterans = row_of(workbook, "指标", "veterans-pass")
    assert sheet[f"H{veterans}"].value == pytest.approx(0.9)
    assert sheet[f"I{veterans}"].value == "veterans-passed"
    assert workbook["方案"]["C4"].value == "鹤政办〔2015〕39号"


def test_text_that_looks_like_a_formula_stays_text(exported: bytes) -> None:
    workbook = load_workbook(io.BytesIO(exported))
    cell = workbook["重点工作"][f"F{row_of(workbook, '重点工作', 'publicity')}"]

    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=宣传月+成果展", "s", True)


# --- round trips ---------------------------------------------------------------------------


def test_round_trip_into_a_wiped_database(defined: Plan, exported: bytes) -> None:
    before = dump(defined, skip=frozenset({"status"}))
    wipe(defined)
    assert counts()[:2] == (0, 0)

    result = import_workbook(exported)

    assert result.created
    assert result.plan.status == "draft"
    assert dump(result.plan, skip=frozenset({"status"})) == before


def test_round_trip_as_another_year(defined: Plan, workbook_2016: bytes) -> None:
    result = import_workbook(workbook_2016)

    assert (result.plan.year, result.plan.doc_number, result.plan.status) == (
        2016,
        DOC_2016,
        "draft",
    )
    own = frozenset({"year", "doc_number", "status"})
    assert dump(result.plan, skip=own) == dump(defined, skip=own)
    assert len(dump(result.plan)["splits"]) == 4


def test_importing_the_same_workbook_twice_changes_nothing(workbook_2016: bytes) -> None:
    first = dump(import_workbook(workbook_2016).plan)

    second = import_workbook(workbook_2016)

    assert not second.created
    assert dump(second.plan) == first


def test_it_replaces_a_drafts_definition_whole(defined: Plan) -> None:
    draft = plan_clone(source=defined, year=2016, doc_number=DOC_2016)
    content = edited(
        build_definition(draft),
        set_cell("指标", "in-service", "G", 24000),
        set_cell("指标", "rural-transfer", "G", 10000),  # below its old splits: set afresh
        lambda wb: wb["指标"].delete_rows(row_of(wb, "指标", "veterans-pass")),
        lambda wb: wb["指标"].delete_rows(row_of(wb, "指标", "veterans-participation")),
        lambda wb: wb["指标"].delete_rows(row_of(wb, "指标", "veterans-passed")),
        lambda wb: wb["重点工作"].delete_rows(row_of(wb, "重点工作", "publicity")),
        lambda wb: wb["县区分解"].delete_rows(2, 2),  # both rural-transfer splits
    )

    result = import_workbook(content)

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


def test_an_active_or_closed_plan_is_not_changed(defined: Plan, exported: bytes) -> None:
    before = dump(defined)
    changed = edited(exported, set_cell("指标", "in-service", "G", 1))

    assert refusal(changed) == [
        (
            "方案!C2",
            "2015 年度方案当前为“执行中”，不能通过导入修改；只能导入新方案或更新草稿方案。",
        )
    ]
    plan_close(plan=defined)
    assert refusal(changed)[0][1].startswith("2015 年度方案当前为“已结束”")
    assert dump(defined, skip=frozenset({"status"})) == {
        **before,
        "plan": {k: v for k, v in before["plan"].items() if k != "status"},
    }


def test_a_document_number_of_another_plan_is_refused(defined: Plan, exported: bytes) -> None:
    content = edited(exported, lambda wb: wb["方案"].cell(PLAN_ROW["year"], 3, 2016))

    assert refusal(content) == [("方案!C4", "文号“鹤政办〔2015〕39号”已被 2015 年度方案使用。")]
    assert not Plan.objects.filter(year=2016).exists()


def test_a_draft_refused_midway_keeps_its_old_definition(
    defined: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = plan_clone(source=defined, year=2016, doc_number=DOC_2016)
    before = dump(draft)
    content = edited(build_definition(draft), set_cell("指标", "in-service", "G", 24000))

    def fail(**kwargs: Any) -> None:
        raise ValidationError("县区分解保存失败")

    monkeypatch.setattr(plan_definition, "region_target_set", fail)

    assert refusal(content) == [("", "县区分解保存失败")]
    draft.refresh_from_db()
    assert dump(draft) == before


# --- commands ------------------------------------------------------------------------------


def test_the_commands_export_and_import(
    defined: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.xlsx"
    call_command("export_plan_definition", "2015", "-o", str(path))
    assert f"{path}: 2015 鹤政办〔2015〕39号" in capsys.readouterr().out
    path.write_bytes(edited(path.read_bytes(), as_2016))

    # New steps record who set them: the command names that user.
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_plan_definition", str(path))
    assert "载入新的工作措施需要记录设定人" in capsys.readouterr().err
    assert not Plan.objects.filter(year=2016).exists()

    call_command("import_plan_definition", str(path), "--by", "plan-admin")

    assert "2016 鹤政办〔2016〕12号 (created, draft): 21 indicators, 13 milestones" in (
        capsys.readouterr().out
    )
    assert Plan.objects.get(year=2016).status == "draft"
    assert WorkStep.objects.filter(milestone__plan__year=2016).count() == 2


def test_the_import_command_lists_each_bad_cell(
    workbook_2016: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(edited(workbook_2016, set_cell("指标", "in-service", "G", "many")))

    with pytest.raises(CommandError, match="1 处错误，未导入任何内容"):
        call_command("import_plan_definition", str(path))

    assert "指标!G7：年度目标：应为不小于 0 的整数，实为“many”。" in capsys.readouterr().err
    assert not Plan.objects.filter(year=2016).exists()
