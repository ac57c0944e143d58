"""The summary workbook (``reporting.exports``): read back, every total traced to the figures.

Reconciliation: each total in 总表 and 分县区 is rebuilt from the 月度明细 rows (flow: sum;
stock: each county's latest level, summed; rate: ratio of the summed count series) and
compared with the cell and with the progress API's document for the same month.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting.api import document as api_document
from reporting.exports.styles import HEADER_ROW, INTEGER, PERCENT
from reporting.exports.workbook import SHEETS, write_summary
from reporting.formatting import completion_of, rate_of, rounded_fraction
from reporting.rollup import rebuild
from reporting.selectors import progress
from targets.models import Milestone, Plan, Submission, SubmissionEvent, places_of
from targets.periods import deadline

pytestmark = pytest.mark.django_db

COUNTIES = ["410602", "410603", "410611", "410621", "410622", "410601"]  # and 市直
STATUS = {"green": "正常", "amber": "预警", "red": "滞后", None: "—"}
ACTUAL = "累计完成（比率类为实际比率）"
COMPLETION = "完成率（完成÷目标）"
OWN_PART = "未列入部门任务"
FROZEN = {"总表": "D6", "分县区": "C6", "月度明细": "C6", "修改记录": "C6", "里程碑": "C6"}
FROZEN["目标调整记录"] = "B6"  # the time of the change names its row
FROZEN["重点工作台账"] = "C6"  # the item code and title name each row
FROZEN["项目台账"] = "C6"  # the project's code and name
FROZEN["花名册核对"] = "C6"  # the item's code and name
FROZEN["疑点清单"] = "B6"  # the kind of finding


def workbook(plan: Plan, month: int, **kwargs: Any) -> tuple[Any, dict[str, int]]:
    out = io.BytesIO()
    counts = write_summary(out, plan, month, exported_by="审计员", **kwargs)
    out.seek(0)
    return load_workbook(out), counts


def table(ws: Any) -> list[dict[str, Any]]:
    """The data rows of a sheet, as dicts keyed by its header row."""
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


class Detail:
    """The 月度明细 rows, and the totals an auditor computes from them."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.values: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
        for row in rows:
            county = self.values[row["填报项代码"]][row["县区代码"]]
            assert row["月份"] not in county, "one counted figure per cell"
            county[row["月份"]] = row["数值"]

    def county(self, code: str, county: str, kind: str) -> int | None:
        months = self.values.get(code, {}).get(county)
        if not months:
            return None
        if kind == "stock":
            return months[max(months)]
        return sum(months.values())

    def city(self, code: str, kind: str) -> int | None:
        found = [self.county(code, c, kind) for c in COUNTIES]
        found = [v for v in found if v is not None]
        return sum(found) if found else None


def _kind(row: dict[str, Any]) -> str:
    return {"累计量": "flow", "存量": "stock", "比率": "rate"}[row["统计口径"]]


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    """A rate as the workbook holds it: the exact ratio rounded once to 0.1 % (0.0% cells)."""
    if not denominator:
        return None
    return float(rounded_fraction(Fraction(numerator or 0, denominator)))


def _status(item: dict[str, Any]) -> str:
    """A judged row's colour; a pending one says how many of its reports are approved."""
    if item["status"] == "pending":
        reported = item["reported"]
        return f"待报（已审核 {reported['approved']}/{reported['expected']}）"
    return STATUS[item["status"]]


def _percent(value: Any) -> float | None:
    return None if value is None else float(rounded_fraction(value))


def reconcile(plan: Plan, month: int) -> dict[str, int]:
    """Check every total of the workbook against its detail rows and the API; the row counts."""
    book, counts = workbook(plan, month)
    detail = Detail(table(book["月度明细"]))
    rows = table(book["总表"])
    summary = [row for row in rows if row["类别"] != OWN_PART]
    own_parts = {row["计入目标"]: row for row in rows if row["类别"] == OWN_PART}
    typed = progress(plan, month)
    document = api_document(typed)
    api = {item["code"]: item for item in document["goals"] + document["quotas"]}
    rows_of = {item.code: item for item in [*typed.goals, *typed.quotas]}
    assert [row["代码"] for row in summary] == list(api)
    feeders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in summary:
        if row["计入目标"]:
            feeders[row["计入目标"]].append(row)

    checked = 0
    for row in summary:
        item, kind = api[row["代码"]], _kind(row)
        if kind == "rate":
            numerator = detail.city(row["分子填报项"], "flow") or 0
            denominator = detail.city(row["分母填报项"], "flow") or 0
            assert (row["分子（累计）"], row["分母（累计）"]) == (numerator, denominator)
            rate = _percent(rate_of(rows_of[item["code"]]))
            assert row[ACTUAL] == _ratio(numerator, denominator) == rate
            assert row["预计全年"] == row[ACTUAL]
        else:
            parts = [detail.city(row["代码"], kind)]
            parts += [detail.city(f["代码"], kind) for f in feeders[row["代码"]]]
            found = [p for p in parts if p is not None]
            expected = sum(found) if found else (0 if kind == "flow" else None)
            assert row[ACTUAL] == expected == item["actual"], row["代码"]
            assert row["预计全年"] == item["projected"]
        if row["年度目标"] and row[ACTUAL] is not None:
            # Each cell is rounded once to 0.1 %; a rate's value is such a cell, so the quotient
            # of it carries that rounding divided by the target as well.
            slack = 5e-4 / row["年度目标"] if kind == "rate" else 0
            assert row[COMPLETION] == pytest.approx(row[ACTUAL] / row["年度目标"], abs=6e-4 + slack)
        if feeders[row["代码"]]:
            allocated = sum(f["年度目标"] for f in feeders[row["代码"]])
            assert row["未分配到部门"] == row["年度目标"] - allocated == item["unallocated"]
            # The goal's own part is a row too: with the quotas it adds up to the goal.
            own = own_parts[row["代码"]]
            assert own["年度目标"] == item["unallocated"]
            assert own["年度目标"] + allocated == row["年度目标"]
            quota_actuals = sum(f[ACTUAL] for f in feeders[row["代码"]])
            assert own[ACTUAL] == (detail.city(row["代码"], "flow") or 0)
            assert own[ACTUAL] + quota_actuals == row[ACTUAL]
        assert row["年度目标"] == item["target"]
        assert row[COMPLETION] == _percent(completion_of(rows_of[item["code"]]))
        assert row["序时进度"] == _percent(item["expected"])
        assert row["状态"] == _status(item)
        checked += 1
    assert set(own_parts) == {code for code, rows in feeders.items() if rows}

    # 分县区: each county cell from the detail and the API; the city column; per-unit totals.
    matrix = table(book["分县区"])
    goals = {goal["code"] for goal in document["goals"]}
    quota_rows = [row for row in matrix if row["代码"] is not None and row["代码"] not in goals]
    own_rows = [row for row in matrix if row["代码"] in goals]
    total_rows = {row["单位"]: row for row in matrix if row["代码"] is None}
    kinds = {row["代码"]: _kind(row) for row in summary}
    numerators = {row["代码"]: (row["分子填报项"], row["分母填报项"]) for row in summary}
    regions = {r.code: f"{r.name}\n{r.code}" for r in places_of(plan)}
    assert [row["代码"] for row in quota_rows] == [q["code"] for q in document["quotas"]]
    column_totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in quota_rows:
        quota, kind = api[row["代码"]], kinds[row["代码"]]
        by_county = {r["code"]: r for r in quota["regions"]}
        typed_county = {r.code: r for r in rows_of[quota["code"]].regions}
        for county in COUNTIES:
            cell = row[regions[county]]
            if kind == "rate":
                num, den = numerators[row["代码"]]
                expected = _ratio(
                    detail.county(num, county, "flow"), detail.county(den, county, "flow")
                )
                assert cell == expected == _percent(rate_of(typed_county[county]))
            else:
                expected = detail.county(row["代码"], county, kind)
                if expected is None and kind == "flow":
                    expected = 0
                assert cell == expected == by_county[county]["actual"], (row["代码"], county)
            if kind == "flow":
                column_totals[row["单位"]][county] += cell
        city = row["全市合计"]
        assert city == next(r for r in summary if r["代码"] == row["代码"])[ACTUAL]
        if kind != "rate":
            assert city == quota["actual"]
            counted = [row[regions[c]] for c in COUNTIES if row[regions[c]] is not None]
            assert city == (sum(counted) if counted else None)
        if kind == "flow":
            column_totals[row["单位"]]["city"] += city
        checked += 1
    # A goal's own part by county: the figures reported against the goal itself.
    assert [row["代码"] for row in own_rows] == list(own_parts)
    for row in own_rows:
        for county in COUNTIES:
            cell = row[regions[county]]
            assert cell == (detail.county(row["代码"], county, "flow") or 0)
            column_totals[row["单位"]][county] += cell
        assert row["全市合计"] == own_parts[row["代码"]][ACTUAL]
        column_totals[row["单位"]]["city"] += row["全市合计"]
    # One total per unit, never 人次 and 人 together; each equals the 总表's rows of its unit.
    assert set(total_rows) == set(column_totals)
    for unit, total in total_rows.items():
        for county in COUNTIES:
            assert total[regions[county]] == column_totals[unit][county]
        in_summary = [
            r[ACTUAL]
            for r in rows
            if r["类别"] != "全市目标" and r["单位"] == unit and _kind(r) == "flow"
        ]
        assert total["全市合计"] == column_totals[unit]["city"] == sum(in_summary)
        assert total["部门任务"] == f"累加类任务合计（{unit}）"
    assert checked == len(summary) + len(quota_rows)
    return counts


@pytest.fixture
def small(plan: Plan, figure: Any, correct: Any, split: Any) -> Plan:
    """A hand-made plan's figures: flows, levels, rates, a county split, a correction."""
    figure("rural-transfer", "410611", 1, 1000)
    march = figure("rural-transfer", "410611", 3, 500)
    figure("rural-transfer", "410621", 2, 300)
    figure("rural-transfer", "410622", 4, 900)
    figure("in-service", "410603", 2, 2300)
    figure("training-total", "410602", 2, 2000)
    figure("rain-dew", "410622", 3, 400, status="submitted")  # not counted
    figure("disabled", "410622", 2, 40, status="returned")  # not counted
    figure("vocational-enrolment", "410611", 1, 10000)
    figure("vocational-enrolment", "410611", 3, 12000)
    figure("vocational-enrolment", "410621", 2, 8000)
    figure("veterans-eligible", "410611", 1, 40)
    figure("veterans-aware", "410611", 1, 38)
    figure("veterans-registered", "410611", 2, 32)
    figure("veterans-trained", "410611", 3, 28)
    figure("veterans-passed", "410611", 3, 21)
    figure("veterans-eligible", "410621", 2, 10)
    correct(march, 650)
    split("rural-transfer", "410611", 6000)
    rebuild(plan)
    return plan


@pytest.mark.parametrize("month", [1, 2, 3, 4, 12])
def test_small_plan_reconciles(small: Plan, month: int) -> None:
    counts = reconcile(small, month)
    expected_detail = Submission.objects.filter(is_counted=True, month__lte=month).count()
    assert counts["月度明细"] == expected_detail


def test_small_plan_numbers_by_hand(small: Plan) -> None:
    book, _counts = workbook(small, 4)
    rows = table(book["总表"])
    summary = {row["代码"]: row for row in rows if row["类别"] != OWN_PART}
    assert summary["rural-transfer"][ACTUAL] == 1000 + 650 + 300 + 900
    assert summary["training-total"][ACTUAL] == 2850 + 2300 + 2000
    assert summary["training-total"]["未分配到部门"] == 8550
    assert summary["vocational-enrolment"][ACTUAL] == 12000 + 8000  # levels, not sums
    assert summary["veterans-awareness"][ACTUAL] == 0.76  # 38 of 50
    assert summary["veterans-awareness"][COMPLETION] == 0.76  # against 100 %
    # The goal's own figures (鹤山区's 2,000 其他职业技能培训) and its unallocated target.
    (own,) = [row for row in rows if row["类别"] == OWN_PART]
    assert own["名称"].startswith("其他职业技能培训")
    assert (own["代码"], own["计入目标"]) == ("training-total", "training-total")
    assert (own["年度目标"], own[ACTUAL]) == (8550, 2000)
    assert own[COMPLETION] == 0.234  # 2,000 ÷ 8,550 = 23.39… %
    assert summary["veterans-awareness"]["分母（累计）"] == 50
    detail = table(book["月度明细"])
    march = [r for r in detail if (r["填报项代码"], r["月份"]) == ("rural-transfer", 3)]
    assert [(r["数值"], r["版本"]) for r in march] == [(650, 2)]
    assert not [r for r in detail if r["填报项代码"] in ("rain-dew", "disabled")]


def test_as_of_leaves_later_figures_out(small: Plan) -> None:
    book, counts = workbook(small, 2)
    detail = table(book["月度明细"])
    assert detail and max(row["月份"] for row in detail) == 2
    assert counts["月度明细"] == len(detail) == 10
    summary = {row["代码"]: row for row in table(book["总表"]) if row["类别"] != OWN_PART}
    assert summary["rural-transfer"][ACTUAL] == 1300


def test_sheets_layout_and_cover(small: Plan) -> None:
    book, counts = workbook(small, 4)
    assert book.sheetnames == list(SHEETS)
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(values_only=True) if row[0]}
    assert cover["文号"] == small.doc_number
    assert cover["截至月份"] == "2015-04"
    assert cover["统计口径"] == "已审核数据"
    assert cover["制表人"] == "审计员"
    for name in SHEETS[1:]:
        assert cover[name] == counts[name]
    for name in SHEETS[1:]:
        ws = book[name]
        # The header rows and the columns that name each row stay in view.
        assert ws.freeze_panes == FROZEN[name]
        assert ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
        assert ws.print_title_rows == f"$1:${HEADER_ROW}"
        assert ws.page_setup.orientation == "landscape"
        assert ws["A2"].value.startswith("填报单位：")
        assert ws["A3"].value.startswith("制表时间：")
        assert any(str(c.value).startswith("截止时间：2015年4月") for c in ws[2] if c.value)
        assert any(c.value == "制表人：审计员" for c in ws[3])
        assert ws.column_dimensions["A"].width > 5
    summary = book["总表"]
    first = HEADER_ROW + 1
    assert summary.cell(first, 9).number_format == PERCENT  # 完成率
    detail = book["月度明细"]
    assert detail.cell(first, 8).number_format == INTEGER


def test_late_is_against_the_deadline(small: Plan, figure: Any) -> None:
    late = figure("high-skill-talent", "410611", 1, 7)
    Submission.objects.filter(pk=late.pk).update(
        first_submitted_at=deadline(small, 1)
    )  # the first moment late
    on_time = Submission.objects.get(
        indicator__code="rural-transfer", region__code="410621", month=2, is_counted=True
    )
    Submission.objects.filter(pk=on_time.pk).update(
        first_submitted_at=deadline(small, 2) - timedelta(seconds=1)
    )
    book, _counts = workbook(small, 4)
    rows = {(r["填报项代码"], r["月份"]): r for r in table(book["月度明细"])}
    assert rows[("high-skill-talent", 1)]["是否迟报"] == "是"
    assert rows[("rural-transfer", 2)]["是否迟报"] == "否"


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "+1", "-1", '=HYPERLINK("x")'])
def test_user_text_that_looks_like_a_formula_is_text(plan: Plan, figure: Any, text: str) -> None:
    submission = figure("rural-transfer", "410611", 1, 10)
    Submission.objects.filter(pk=submission.pk).update(note=text)
    Milestone.objects.filter(plan=plan).update(evidence=text)
    user = submission.entered_by
    user.username = text
    user.save()
    rebuild(plan)
    book, _counts = workbook(plan, 1)
    note = book["月度明细"].cell(HEADER_ROW + 1, 16)
    for cell in (
        note,
        book["月度明细"].cell(HEADER_ROW + 1, 10),  # 填报人
        book["里程碑"].cell(HEADER_ROW + 1, 9),  # 佐证材料说明
        book["修改记录"].cell(HEADER_ROW + 1, 3),  # 操作人
    ):
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix


# Excel evaluates these once a clerk edits the cell; openpyxl makes the first a formula itself.
TYPED_FORMULAS = ["=1+1", "@SUM(A1)", "+1", "-1", "\t=cmd|' /C calc'!A0", "\r=2+2"]


@pytest.mark.parametrize("text", TYPED_FORMULAS)
def test_typed_text_is_stored_as_exact_text_never_as_a_formula(
    plan: Plan, figure: Any, text: str
) -> None:
    """The file itself, unzipped: no <f> element anywhere, the typed text there exactly."""
    from xml.sax.saxutils import escape

    submission = figure("rural-transfer", "410611", 1, 10)
    Submission.objects.filter(pk=submission.pk).update(note=text)
    SubmissionEvent.objects.filter(submission=submission).update(reason=text)
    rebuild(plan)
    out = io.BytesIO()
    write_summary(out, plan, 1, exported_by=text)

    with zipfile.ZipFile(out) as archive:
        sheets = [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        ]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)
    stored = escape(text).replace("\r", "&#13;")
    # The note (月度明细), the reason (修改记录) and the exporter's name (each sheet's header).
    assert sum(xml.count(stored) for xml in sheets) >= 3
    out.seek(0)
    detail = load_workbook(out)["月度明细"]
    assert detail.cell(HEADER_ROW + 1, 16).value == text
    assert detail.cell(HEADER_ROW + 1, 16).quotePrefix  # stays text when edited in Excel


def test_exporting_changes_no_data(small: Plan) -> None:
    before = list(Submission.objects.order_by("pk").values())
    workbook(small, 4)
    assert list(Submission.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("month", [3, 9, 10])
def test_demo_reconciles(demo_plan: Plan, month: int) -> None:
    counts = reconcile(demo_plan, month)
    assert (
        counts["月度明细"]
        == (
            Submission.objects.filter(indicator__plan=demo_plan, is_counted=True, month__lte=month)
        ).count()
    )
    assert counts["月度明细"] > 100
    assert counts["里程碑"] == Milestone.objects.filter(plan=demo_plan).count() > 0
