"""A county's workbook (``reporting.exports.workbook.write_summary(region=…)``): its rows only,
its numbers those of its bulletin and dashboard, the city's sheets left out, typed text kept
as text."""

from __future__ import annotations

import io
from collections import defaultdict
from fractions import Fraction
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting import formatting as fmt
from reporting.bulletins import county, text
from reporting.exports.styles import HEADER_ROW
from reporting.exports.workbook import COUNTY_SHEETS, write_summary
from reporting.formatting import rounded_fraction
from targets.models import Plan, ProjectEntry, Region
from tests.reporting.test_exports_projects import local
from tests.reporting.test_exports_projects import row as ledger_row
from tests.reporting.work_ledger import build
from tests.targets.test_projects_services import VALUES, heshan_project

pytestmark = pytest.mark.django_db

Kind = ProjectEntry.Kind
ACTUAL = "累计完成（比率类为实际比率）"
COMPLETION = "完成率（完成÷目标）"


def book_of(plan: Plan, code: str = "410621", month: int = 3) -> tuple[Any, dict[str, int]]:
    out = io.BytesIO()
    counts = write_summary(
        out, plan, month, exported_by="审计员", region=Region.objects.get(code=code)
    )
    out.seek(0)
    return load_workbook(out), counts


def table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return [dict(zip(rows[0], values, strict=True)) for values in rows[1:]]


def every_cell(book: Any) -> list[Any]:
    return [value for ws in book for r in ws.iter_rows(values_only=True) for value in r]


# --- its rows only -------------------------------------------------------------------------------


def test_the_workbook_holds_the_countys_rows_only(county_march) -> None:
    book, counts = book_of(county_march)

    assert book.sheetnames == list(COUNTY_SHEETS)
    assert "分县区" not in book.sheetnames and "里程碑" not in book.sheetnames
    cells = every_cell(book)
    assert 999 not in cells and "淇滨区的数" not in cells
    assert not any(isinstance(c, str) and "淇滨区" in c for c in cells)
    detail = table(book["月度明细"])
    assert detail and {r["县区代码"] for r in detail} == {"410621"}
    assert counts["月度明细"] == len(detail)
    assert {r["县区"] for r in table(book["修改记录"])} == {"浚县"}
    splits = table(book["目标调整记录"])
    assert sorted((r["指标代码"], r["县区"], r["新目标"]) for r in splits) == [
        ("in-service", "浚县", 5000),
        ("rural-transfer", "浚县", 4000),
    ]


def test_the_cover_and_headings_say_which_county(county_march) -> None:
    book, _counts = book_of(county_march)
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}

    assert cover["浚县2015年全民技能振兴工程审计工作簿"] is None  # the title row
    assert cover["范围"] == "浚县（410621）"
    assert cover["填报单位"] == "浚县人力资源社会保障局"
    assert "只含浚县的数据" in cover["县区工作簿"]
    for name in COUNTY_SHEETS[1:]:
        assert book[name]["A1"].value.startswith("浚县2015年"), name
        assert book[name]["A2"].value == "填报单位：浚县人力资源社会保障局"


# --- numbers that reconcile ----------------------------------------------------------------------


def test_the_summary_is_the_county_bulletins_numbers(county_march) -> None:
    book, _counts = book_of(county_march)
    rows = {r["代码"]: r for r in table(book["总表"])}
    numbers = county.collect(county_march, 3, Region.objects.get(code="410621"))
    written = text.render(numbers)[1]

    assert set(rows) == {q.code for q in numbers["progress"].quotas}
    for quota in numbers["progress"].quotas:
        row = rows[quota.code]
        completion = fmt.completion_of(quota)
        assert row["年度目标"] == quota.target, quota.code
        assert row[COMPLETION] == (
            None if completion is None else float(rounded_fraction(completion))
        ), quota.code
        if quota.kind == "rate":
            assert row[ACTUAL] == float(rounded_fraction(fmt.rate_of(quota)))
            assert (row["分子（累计）"], row["分母（累计）"]) == (
                quota.numerator,
                quota.denominator,
            )
        else:
            assert row[ACTUAL] == quota.actual
    # The digits the bulletin prints are the cells' (30.0 % of 4,000; 65.3 % of 90 %).
    rural, participation = rows["rural-transfer"], rows["veterans-participation"]
    assert (rural[ACTUAL], rural["年度目标"], rural["状态"]) == (1200, 4000, "正常")
    assert f"占年度目标（4000人次）的{fmt.percent(rural[COMPLETION])}" in written
    assert f"退役士兵参训率为{fmt.percent(participation[ACTUAL])}（98/150" in written
    assert rows["in-service"]["状态"] == "待报（已审核 0/1）"
    assert rows["reemployment"]["年度目标"] is None and rows["reemployment"][ACTUAL] == 700


def test_the_summary_is_rebuilt_from_the_countys_figures(county_march) -> None:
    book, _counts = book_of(county_march)
    summary = {r["代码"]: r for r in table(book["总表"])}
    by_code: dict[str, int] = defaultdict(int)
    for r in table(book["月度明细"]):
        by_code[r["填报项代码"]] += r["数值"]

    for code in ("rural-transfer", "reemployment", "new-farmers"):
        assert summary[code][ACTUAL] == by_code[code], code
    for code in ("veterans-awareness", "veterans-participation"):
        row = summary[code]
        rate = Fraction(by_code[row["分子填报项"]], by_code[row["分母填报项"]])
        assert row[ACTUAL] == float(rounded_fraction(rate)), code


# --- the county's steps and projects; typed text ------------------------------------------------


def test_the_countys_steps_and_projects_only(
    plan, administrator, clerk, clerk_of, reviewer
) -> None:
    build(plan, administrator, clerk, clerk_of, reviewer)
    project = heshan_project(administrator, plan)
    typed = {**VALUES[Kind.COMPETITION], "name": '=HYPERLINK("http://x")焊工竞赛'}
    heshan_clerk = clerk_of("hrss", "410602")
    ledger_row(heshan_clerk, reviewer, project, Kind.COMPETITION, typed, local(2015, 3, 20, 10))

    heshan, _counts = book_of(plan, "410602", month=12)
    xun, _counts = book_of(plan, "410621", month=12)

    steps = table(heshan["重点工作台账"])
    assert [r["工作措施"] for r in steps] == ["申报基地"]
    assert table(xun["重点工作台账"]) == []
    projects = table(heshan["项目台账"])
    assert [r["项目代码"] for r in projects] == ["heshan-base"]
    typed_cell = heshan["项目台账"].cell(HEADER_ROW + 1, 6)
    assert typed_cell.data_type == "s" and typed_cell.quotePrefix
    assert table(xun["项目台账"]) == []
