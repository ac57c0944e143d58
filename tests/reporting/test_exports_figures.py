"""The workbook's numbers as people read them: rounded once like the pages, parts that add up
to their goal, totals per unit, names instead of codes, and every 总表 number equal to the
progress API's document for the same month."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import Any

import lxml.html
import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from reporting.dashboard import allocations, goal_breakdown
from reporting.exports.progress_sheets import status_text
from reporting.exports.styles import HEADER_ROW
from reporting.exports.workbook import write_summary
from reporting.formatting import completion_of, rate_of, rounded_fraction
from reporting.rollup import rebuild
from reporting.selectors import progress
from targets.completeness import Reported
from targets.models import Indicator, Plan, Submission
from tests.helpers import client_for
from tests.reporting import items

pytestmark = pytest.mark.django_db

ACTUAL = "累计完成（比率类为实际比率）"
COMPLETION = "完成率（完成÷目标）"
OWN_PART = "未列入部门任务"


def workbook(plan: Plan, month: int) -> Any:
    out = io.BytesIO()
    write_summary(out, plan, month, exported_by="审计员")
    out.seek(0)
    return load_workbook(out)


def table(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def cells(ws: Any) -> list[tuple[Any, ...]]:
    """The data rows' cells (for their number formats)."""
    return list(ws.iter_rows(min_row=HEADER_ROW + 1))


def _css(element: Any, selector: str) -> list[Any]:
    """Elements by ``[attr="v"]``, ``tag.class`` or ``.class`` (lxml without cssselect)."""
    paths = []
    for part in selector.split():
        if match := re.fullmatch(r'\[([\w-]+)="([^"]*)"\]', part):
            paths.append(f'//*[@{match[1]}="{match[2]}"]')
        else:
            tag, _dot, cls = part.partition(".")
            test = f'[contains(concat(" ", @class, " "), " {cls} ")]' if cls else ""
            paths.append(f"//{tag or '*'}{test}")
    return element.xpath("." + "/.".join(paths))


@pytest.fixture
def figures(plan: Plan, figure: Any, split: Any) -> Plan:
    """Flows in 人次 and in 人 in several counties, the goal's own figures, a level, rates."""
    figure("rural-transfer", "410611", 1, 1000)  # 人次
    figure("rural-transfer", "410621", 2, 300)
    figure("in-service", "410603", 2, 2300)  # 人次
    figure("entrepreneurship", "410611", 1, 120)  # 人
    figure("rain-dew", "410622", 2, 400)  # 人
    figure("disabled", "410621", 1, 40)  # 人
    figure("training-total", "410602", 2, 2000)  # the goal's own: 其他职业技能培训
    figure("training-total", "410621", 1, 150)
    figure("vocational-enrolment", "410611", 1, 10000)
    figure("veterans-eligible", "410611", 1, 40)
    figure("veterans-aware", "410611", 1, 38)
    figure("veterans-registered", "410611", 2, 33)
    figure("veterans-trained", "410611", 2, 29)
    figure("veterans-passed", "410611", 2, 21)
    split("rural-transfer", "410611", 6000)
    rebuild(plan)
    return plan


# Rounded once, as the dashboard prints it ----------------------------------------------------


def test_completion_cell_shows_the_digits_the_dashboard_prints(
    plan: Plan, figure: Any, leader: Any
) -> None:
    # 150,498 of 200,000 is exactly 75.249 %: 75.2 % everywhere. The API's four places (0.7525)
    # in a 0.0% cell would show 75.3 %.
    Indicator.objects.filter(plan=plan, code="high-skill-talent").update(target=200_000)
    figure("high-skill-talent", "410611", 1, 100_000)
    figure("high-skill-talent", "410621", 2, 50_498)
    rebuild(plan)
    api = client_for(leader).get("/api/progress/2015/?as_of=2015-02").json()
    goal = next(g for g in api["goals"] if g["code"] == "high-skill-talent")
    assert (goal["actual"], goal["target"], goal["completion"]) == (150_498, 200_000, 0.7525)

    book = workbook(plan, 2)
    summary = book["总表"]
    header = [c.value for c in summary[HEADER_ROW]]
    row = next(r for r in cells(summary) if r[1].value == "high-skill-talent")
    cell = row[header.index(COMPLETION)]
    assert cell.value == 0.752
    assert cell.number_format == "0.0%"

    page = client_for(leader).get("/dashboard/?as_of=2015-02").content.decode()
    card = _css(lxml.html.fromstring(page), '[data-goal="high-skill-talent"]')[0]
    assert _css(card, ".goal-completion")[0].text_content() == "75.2%"


def test_rates_are_values_and_completion_is_apart(figures: Plan) -> None:
    rows = {r["代码"]: r for r in table(workbook(figures, 2)["总表"]) if r["类别"] != OWN_PART}
    # 参训率 29 of 33 = 87.87…%: the value is the rate; its completion against 90 % apart.
    participation = rows["veterans-participation"]
    assert participation[ACTUAL] == 0.879
    assert participation[COMPLETION] == 0.976  # 0.8787… ÷ 0.9 = 97.6 %
    assert participation["年度目标"] == 0.9
    assert (participation["分子（累计）"], participation["分母（累计）"]) == (29, 33)
    summary = workbook(figures, 2)["总表"]
    header = [c.value for c in summary[HEADER_ROW]]
    row = next(r for r in cells(summary) if r[1].value == "veterans-participation")
    for title in ("年度目标", ACTUAL, COMPLETION, "预计全年"):
        assert row[header.index(title)].number_format == "0.0%"


# The goal's own part: a row wherever the goal is broken down --------------------------------


def test_the_goal_s_own_part_completes_the_summary(figures: Plan) -> None:
    rows = table(workbook(figures, 2)["总表"])
    goal = next(r for r in rows if r["代码"] == "training-total" and r["类别"] == "全市目标")
    parts = [r for r in rows if r["计入目标"] == "training-total"]
    (own,) = [r for r in parts if r["类别"] == OWN_PART]
    assert own["名称"].startswith("其他职业技能培训")
    assert (own["年度目标"], own[ACTUAL]) == (8550, 2000 + 150)
    assert sum(r["年度目标"] for r in parts) == goal["年度目标"] == 70_000
    assert sum(r[ACTUAL] for r in parts) == goal[ACTUAL] == 1300 + 2300 + 120 + 400 + 40 + 2150
    # It sits right after the goal's last quota.
    assert rows.index(own) == rows.index(next(r for r in rows if r["代码"] == "disabled")) + 1


def test_goal_breakdown_adds_up_to_the_goal(figures: Plan) -> None:
    document = progress(figures, 2)
    (breakdown,) = goal_breakdown(document, allocations(figures))
    goal = breakdown.goal
    assert goal.code == "training-total"
    assert sum(row.target for row in breakdown.rows) == goal.target == 70_000
    assert sum(row.actual for row in breakdown.rows) == goal.actual
    own = breakdown.own
    assert (own.target, own.actual) == (8550, 2150)
    assert [row.code for row in breakdown.rows[:-1]] == items.TRAINING_QUOTAS
    assert goal_breakdown(None, allocations(figures)) == []


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_dashboard_shows_the_goal_s_own_part_and_the_parts_add_up(
    figures: Plan, leader: Any
) -> None:
    page = client_for(leader).get("/dashboard/?as_of=2015-02").content.decode()
    (table_el,) = _css(lxml.html.fromstring(page), '[data-breakdown="training-total"]')
    parts = _css(table_el, "tbody tr")
    own = _css(table_el, "tr.goal-breakdown__own")[0]
    assert _css(own, "th")[0].text_content().startswith("其他职业技能培训")
    assert _css(own, ".breakdown-target")[0].text_content() == "8,550"
    assert _css(own, ".breakdown-actual")[0].text_content() == "2,150"
    total = _css(table_el, "tr.goal-breakdown__total")[0]
    for cls in (".breakdown-target", ".breakdown-actual"):
        assert sum(_number(_css(p, cls)[0].text_content()) for p in parts) == _number(
            _css(total, cls)[0].text_content()
        )
    assert _css(total, ".breakdown-target")[0].text_content() == "70,000"


def test_dashboard_english_names_the_breakdown(figures: Plan, leader: Any) -> None:
    client = client_for(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's choice
    page = client.get("/dashboard/?as_of=2015-02").content.decode()
    (table_el,) = _css(lxml.html.fromstring(page), '[data-breakdown="training-total"]')
    text = table_el.text_content()
    assert "Total (city goal)" in text
    assert "reported directly against the city goal" in text


# 分县区: never 人次 + 人 -----------------------------------------------------------------------


def test_county_totals_are_per_unit_and_equal_the_summary(figures: Plan) -> None:
    book = workbook(figures, 2)
    rows = table(book["总表"])
    parts = [r for r in rows if r["类别"] != "全市目标"]  # the quotas and the goal's own part
    matrix = table(book["分县区"])
    totals = {r["单位"]: r for r in matrix if r["代码"] is None}
    assert set(totals) == {"人次", "人"}
    assert totals["人次"]["全市合计"] == 1300 + 2300 + 2150  # with 其他职业技能培训
    assert totals["人"]["全市合计"] == 120 + 400 + 40
    for unit, total in totals.items():
        flows = [r for r in parts if r["单位"] == unit and r["统计口径"] == "累计量"]
        assert total["全市合计"] == sum(r[ACTUAL] for r in flows)
    # Every flow of this plan feeds the training goal: the unit totals are its parts.
    goal = next(r for r in rows if r["代码"] == "training-total" and r["类别"] == "全市目标")
    assert totals["人次"]["全市合计"] + totals["人"]["全市合计"] == goal[ACTUAL]
    assert totals["人次"]["浚县\n410621"] == 300 + 150
    assert totals["人"]["浚县\n410621"] == 40
    own = next(r for r in matrix if r["代码"] == "training-total")
    assert (own["鹤山区\n410602"], own["浚县\n410621"], own["全市合计"]) == (2000, 150, 2150)
    # A rate's county cell is its rate, rounded once: 38 of 40 aware in 淇滨区.
    awareness = next(r for r in matrix if r["代码"] == "veterans-awareness")
    assert awareness["淇滨区\n410611"] == 0.95


# 月度明细 and 修改记录: what each value is, and names ------------------------------------------


def test_monthly_sheet_says_monthly_or_point_in_time_and_names_people(
    figures: Plan, clerk_of: Any
) -> None:
    clerk = clerk_of("hrss")
    clerk.first_name, clerk.last_name = "张", "三"
    clerk.save()
    rows = table(workbook(figures, 2)["月度明细"])
    kinds = {r["填报项代码"]: r["统计口径"] for r in rows}
    assert kinds["rural-transfer"] == "当月数"
    assert kinds["vocational-enrolment"] == "时点数"
    assert "累计量" not in kinds.values()
    rural = next(r for r in rows if r["填报项代码"] == "rural-transfer")
    assert rural["填报人"] == "张 三"  # User.get_full_name()
    assert rural["审核人"] == "reviewer"  # no name: the username


def test_change_log_names_departments_items_and_counties(figures: Plan) -> None:
    rows = table(workbook(figures, 2)["修改记录"])
    rural = next(r for r in rows if r["填报项代码"] == "rural-transfer")
    assert rural["责任部门"] == "人力资源社会保障局"
    assert rural["填报项"] == "农村劳动力转移就业技能培训"
    assert rural["县区"] in {"淇滨区", "浚县"}
    headers = list(rows[0])
    assert headers.index("填报项代码") == len(headers) - 1  # names first; the code last


# Pending rows ---------------------------------------------------------------------------------


def test_pending_rows_say_how_many_reports_are_approved(
    figures: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = progress(figures, 2)
    quota = replace(found.quotas[0], status="pending", reported=Reported(expected=6, approved=5))
    goal = replace(found.goals[0], reported=None, status="green")
    document = replace(found, quotas=(quota, *found.quotas[1:]), goals=(goal, *found.goals[1:]))
    monkeypatch.setattr("reporting.selectors.progress", lambda plan, month: document)
    rows = {r["代码"]: r for r in table(workbook(figures, 2)["总表"]) if r["类别"] != OWN_PART}
    assert rows[document.quotas[0].code]["状态"] == "待报（已审核 5/6）"
    assert rows["training-total"]["状态"] == "正常"  # no "reported": complete, judged


def test_status_text() -> None:
    assert status_text(items.item(status="red", reported=items.reported(2, 2))) == ("滞后")
    assert status_text(items.item(status="pending")) == "待报"
    assert status_text(items.item(status=None)) == "—"


# Reconciliation against the API ---------------------------------------------------------------


def _status(item: dict[str, Any]) -> str:
    if item["status"] == "pending":
        reported = item["reported"]
        return f"待报（已审核 {reported['approved']}/{reported['expected']}）"
    return {"green": "正常", "amber": "预警", "red": "滞后", None: "—"}[item["status"]]


def _fraction(value: Any) -> float | None:
    return None if value is None else float(rounded_fraction(value))


@pytest.mark.parametrize("month", [1, 2])
def test_every_summary_number_is_the_api_s(figures: Plan, leader: Any, month: int) -> None:
    api = client_for(leader).get(f"/api/progress/2015/?as_of=2015-{month:02d}").json()
    rows = [r for r in table(workbook(figures, month)["总表"]) if r["类别"] != OWN_PART]
    listed = api["goals"] + api["quotas"]
    typed = progress(figures, month)
    rows_of = {item.code: item for item in [*typed.goals, *typed.quotas]}
    assert [r["代码"] for r in rows] == [item["code"] for item in listed]
    for row, item in zip(rows, listed, strict=True):
        assert row["名称"] == item["name"]
        assert row["责任部门"] == item["department"]
        assert row["单位"] == item["unit"]
        assert row["年度目标"] == item["target"]
        assert row[COMPLETION] == _fraction(completion_of(rows_of[item["code"]]))
        assert row["序时进度"] == _fraction(item["expected"])
        if item["kind"] == "rate":
            assert row[ACTUAL] == row["预计全年"] == _fraction(rate_of(rows_of[item["code"]]))
            assert (row["分子（累计）"], row["分母（累计）"]) == (
                item["numerator"],
                item["denominator"],
            )
        else:
            assert row[ACTUAL] == item["actual"]
            assert row["预计全年"] == item["projected"]
        assert row["未分配到部门"] == item.get("unallocated")
        assert row["状态"] == _status(item)
    assert Submission.objects.filter(is_counted=True).exists()


def test_workbook_follows_the_language(figures: Plan) -> None:
    # The download is written in the request's language (the command: LANGUAGE_CODE).
    with translation.override("en"):
        book = workbook(figures, 2)
    kinds = {r[exports_en("统计口径")] for r in table(book["月度明细"])}
    assert kinds == {"Month's figure", "Point-in-time figure"}
    totals = [r for r in table(book["分县区"]) if r[exports_en("代码")] is None]
    assert [r[exports_en("部门任务")] for r in totals] == [
        "Total of monthly-added quotas (人次)",
        "Total of monthly-added quotas (人)",
    ]


def exports_en(title: str) -> str:
    with translation.override("en"):
        return translation.gettext(title)
