"""The auditors' workbook's 重点工作台账: one row per step as of the export's month, opened with
openpyxl; clerks' text stays text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting.exports.styles import HEADER_ROW
from reporting.exports.workbook import write_summary
from targets.models import Milestone
from targets.work_selectors import work_items
from tests.reporting.work_ledger import build

pytestmark = pytest.mark.django_db

SHEET = "重点工作台账"


@pytest.fixture
def ledger(plan: Any, administrator: Any, clerk: Any, clerk_of: Any, reviewer: Any) -> dict:
    reviewer.first_name, reviewer.last_name = "审核", "员甲"
    reviewer.save()
    return build(plan, administrator, clerk, clerk_of, reviewer)


def rows_of(plan: Any, month: int) -> tuple[list[dict[str, Any]], Any, dict[str, int]]:
    out = io.BytesIO()
    counts = write_summary(out, plan, month, exported_by="审计员")
    out.seek(0)
    book = load_workbook(out)
    ws = book[SHEET]
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], ws, counts


def test_one_row_per_step_as_of_the_month(plan: Any, ledger: dict) -> None:
    rows, ws, counts = rows_of(plan, 4)
    assert counts[SHEET] == len(rows) == 5
    assert ws.freeze_panes == "C6"
    assert ws["A1"].value == "2015年重点工作台账（截至4月，已审核台账）"
    by_step = {row["工作措施"]: row for row in rows}
    meeting = by_step["召开对接会"]
    assert meeting["重点工作代码"] == "three-matchings"
    assert meeting["重点工作"].startswith("实施“政府+企业”")
    assert meeting["责任单位"] == "人社局"
    assert meeting["完成时限"].date().isoformat() == "2015-03-31"
    assert (meeting["状态"], meeting["逾期"], meeting["最新台账月份"]) == ("滞后", "是", 3)
    assert (meeting["工作进展"], meeting["存在问题"]) == ("筹备对接会", "+场地未落实")
    assert meeting["审核人"] == "审核 员甲" and meeting["审核时间"] is not None
    plan_step = by_step["制定对接方案"]
    assert (plan_step["状态"], plan_step["逾期"], plan_step["佐证材料（个）"]) == (
        "已完成",
        "否",
        3,
    )
    assert plan_step["工作进展"] == "方案已印发"  # the latest approved report, March's
    # 校企签约: April's report is only sent; March's approved one is shown.
    signing = by_step["校企签约"]
    assert (signing["责任单位"], signing["最新台账月份"], signing["工作进展"]) == (
        "教育局",
        3,
        "走访企业",
    )
    heshan = by_step["申报基地"]
    assert heshan["责任单位"] == "人社局（鹤山区）" and heshan["存在问题"] == "配套资金未到位"


def test_earlier_months_show_what_was_approved_by_then(plan: Any, ledger: dict) -> None:
    rows, _ws, _counts = rows_of(plan, 1)
    assert all(row["最新台账月份"] is None and row["状态"] == "未开始" for row in rows)
    assert all(row["佐证材料（个）"] == 0 and row["审核人"] is None for row in rows)
    february = {row["工作措施"]: row for row in rows_of(plan, 2)[0]}
    assert february["制定对接方案"]["工作进展"] == "起草方案"
    assert february["制定对接方案"]["佐证材料（个）"] == 1


def test_clerks_text_is_written_as_text(plan: Any, ledger: dict) -> None:
    _rows, ws, _counts = rows_of(plan, 4)
    cells = [c for row in ws.iter_rows(min_row=HEADER_ROW + 1) for c in row]
    problem = next(c for c in cells if c.value == "+场地未落实")
    assert problem.data_type == "s" and problem.quotePrefix
    assert not any(c.data_type == "f" for c in cells)


def test_no_steps_no_rows(plan: Any) -> None:
    rows, _ws, counts = rows_of(plan, 4)
    assert rows == [] and counts[SHEET] == 0


def test_the_milestone_sheet_gives_each_items_status_as_of_the_month(
    plan: Any, ledger: dict
) -> None:
    """里程碑 and the dashboard agree: the status derived from approved reports as of the
    month, whatever an administrator once typed into the item."""
    Milestone.objects.filter(plan=plan).update(status="done")  # a stale hand-set status
    for month in (1, 4):
        out = io.BytesIO()
        write_summary(out, plan, month, exported_by="审计员")
        out.seek(0)
        ws = load_workbook(out)["里程碑"]
        lines = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
        sheet = {row[0]: row[lines[0].index("状态")] for row in lines[1:]}
        derived = {state.item.code: state.status_label for state in work_items(plan, month)}
        assert sheet == derived
        assert ws["A1"].value == f"2015年重点工作（里程碑）推进情况（截至{month}月）"
    assert derived["three-matchings"] == "滞后" and "已完成" in derived.values()
    assert set(derived.values()) != {"已完成"}
