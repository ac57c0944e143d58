"""The auditors' workbook's 项目台账: every project ledger row approved by the end of the export's
month, opened with openpyxl; units never mixed, clerks' text stays text, drafts never counted."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from reporting.exports.styles import HEADER_ROW
from reporting.exports.workbook import write_summary
from targets import services
from targets.models import Plan, ProjectEntry
from tests.targets.test_projects_services import VALUES, heshan_project, training_values

pytestmark = pytest.mark.django_db

SHEET = "项目台账"
Kind = ProjectEntry.Kind


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def row(
    clerk: Any,
    reviewer: Any,
    project: Any,
    kind: str,
    values: dict,
    approved_at=None,
    *,
    returned: bool = False,
    sent: bool = True,
) -> ProjectEntry:
    entry = services.project_entry_save(actor=clerk, project=project, kind=kind, values=values)
    if sent:
        services.project_entry_submit(actor=clerk, entry=entry, at=local(2015, 3, 1))
    if approved_at is not None:
        services.project_entry_approve(actor=reviewer, entry=entry, at=approved_at)
    if returned:
        services.project_entry_return(actor=reviewer, entry=entry, comment="请补充材料")
    return entry


@pytest.fixture
def ledger(plan: Plan, administrator: Any, clerk_of: Any, reviewer: Any) -> dict[str, Any]:
    reviewer.first_name, reviewer.last_name = "审核", "员甲"
    reviewer.save()
    clerk = clerk_of("hrss", "410602")
    project = heshan_project(administrator, plan)
    typed = {**VALUES[Kind.COMPETITION], "name": '=HYPERLINK("http://x")焊工竞赛'}
    return {
        "funding": row(
            clerk, reviewer, project, Kind.FUNDING, VALUES[Kind.FUNDING], local(2015, 3, 20, 10)
        ),
        "competition": row(
            clerk, reviewer, project, Kind.COMPETITION, typed, local(2015, 4, 30, 23, 30)
        ),
        "training": row(
            clerk, reviewer, project, Kind.TRAINING, training_values(plan), local(2015, 5, 1, 0, 10)
        ),
        "draft": row(clerk, reviewer, project, Kind.MILESTONE, VALUES[Kind.MILESTONE], sent=False),
        "sent": row(clerk, reviewer, project, Kind.PRODUCT, VALUES[Kind.PRODUCT]),
    }


def rows_of(plan: Plan, month: int) -> tuple[list[dict[str, Any]], Any, dict[str, int]]:
    out = io.BytesIO()
    counts = write_summary(out, plan, month, exported_by="审计员")
    out.seek(0)
    ws = load_workbook(out)[SHEET]
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return [dict(zip(rows[0], values, strict=True)) for values in rows[1:]], ws, counts


def test_approved_rows_by_the_end_of_the_month_each_with_source_and_approver(
    plan: Plan, ledger: dict
) -> None:
    rows, ws, counts = rows_of(plan, 4)
    assert ws["A1"].value == "2015年项目台账（截至4月，已审核台账）"
    assert ws.freeze_panes == "C6"
    # Approved at 23:30 on 30 April (local) counts in April; 00:10 on 1 May does not.
    assert counts[SHEET] == len(rows) == 2
    funding, competition = rows  # the parts in the ledger's order
    assert (funding["项目代码"], funding["责任单位"], funding["所在县区"]) == (
        "heshan-base",
        "人社局（鹤山区）",
        "鹤山区",
    )
    assert (funding["台账类别"], funding["名称"], funding["计量单位"]) == (
        "配套资金",
        "市级财政配套",
        "元",
    )
    assert (funding["计划数"], funding["实际数"]) == (3_000_000, 1_200_000)
    assert funding["日期"].date().isoformat() == "2015-05-10"
    assert funding["审核人"] == "审核 员甲"
    assert funding["审核时间"] == datetime(2015, 3, 20, 10, 0)
    assert funding["填报人"] and funding["填报时间"] is not None
    assert (competition["进展、类型或级别"], competition["实际数"], competition["计量单位"]) == (
        "市级",
        86,
        "人",
    )


def test_training_rows_carry_their_indicators_unit_and_later_months_add_them(
    plan: Plan, ledger: dict
) -> None:
    rows, _ws, counts = rows_of(plan, 5)
    assert counts[SHEET] == 3
    training = next(r for r in rows if r["台账类别"] == "分解培训任务")
    indicator = plan.indicators.get(code="rural-transfer")
    assert (training["名称"], training["计量单位"]) == (indicator.name, indicator.unit)
    assert (training["计划数"], training["实际数"]) == (800, 350)
    assert {r["台账类别"] for r in rows_of(plan, 12)[0]} == {"配套资金", "承办竞赛", "分解培训任务"}


def test_no_row_before_its_approval_and_drafts_never(plan: Plan, ledger: dict) -> None:
    assert rows_of(plan, 2)[0] == []
    december = rows_of(plan, 12)[0]
    assert "建设节点" not in {r["台账类别"] for r in december}  # a draft
    assert "专业与教材" not in {r["台账类别"] for r in december}  # sent, not approved


def test_clerks_text_is_written_as_text(plan: Plan, ledger: dict) -> None:
    _rows, ws, _counts = rows_of(plan, 4)
    cells = [c for line in ws.iter_rows(min_row=HEADER_ROW + 1) for c in line]
    typed = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert typed.data_type == "s" and typed.quotePrefix
    assert not any(c.data_type == "f" for c in cells)
