"""The auditors' workbook's 花名册核对 and 疑点清单: each approved training figure against its
roster, the findings of the rosters, up to the as-of month, a county's own rows in its
workbook, and no ID number in clear anywhere in the file."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting.exports.styles import HEADER_ROW
from reporting.exports.workbook import write_summary
from targets.models import Region

pytestmark = pytest.mark.django_db

CLEAR_ID = re.compile(rb"\d{17}[\dXx]")


def _book(plan: Any, month: int, region: Region | None = None) -> tuple[Any, bytes]:
    out = io.BytesIO()
    write_summary(out, plan, month, exported_by="审计员", region=region)
    return load_workbook(io.BytesIO(out.getvalue())), out.getvalue()


def _table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_check_sheet_sets_each_figure_beside_its_roster(plan, rosters):
    book, _content = _book(plan, 6)
    (row,) = [r for r in _table(book["花名册核对"]) if r["填报项代码"] == "rural-transfer"]
    assert (row["县区"], row["月份"], row["单位"]) == ("浚县", 6, "人次")
    assert (row["审核通过数据"], row["花名册"], row["培训班数"]) == (4, 3, 2)
    assert (row["差额（花名册－数据）"], row["核对结果"]) == (-1, "不一致")


def test_the_findings_sheet_lists_what_needs_explaining_masked(plan, rosters):
    book, content = _book(plan, 6)
    findings = _table(book["疑点清单"])
    kinds = {row["规则代码"] for row in findings}
    assert {"overlap", "no-disability-card"} <= kinds
    overlap = next(row for row in findings if row["规则代码"] == "overlap")
    assert "410621********0015" in overlap["说明"] and "浚县" in overlap["涉及培训班"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            assert not CLEAR_ID.search(archive.read(name)), name


def test_nothing_after_the_as_of_month_and_only_a_countys_own(plan, rosters):
    may, _content = _book(plan, 5)
    assert _table(may["花名册核对"]) == [] and _table(may["疑点清单"]) == []
    qibin, _content = _book(plan, 6, Region.objects.get(code="410611"))
    assert _table(qibin["花名册核对"]) == [] and _table(qibin["疑点清单"]) == []
    xun, _content = _book(plan, 6, Region.objects.get(code="410621"))
    assert len(_table(xun["花名册核对"])) == 1 and _table(xun["疑点清单"])
