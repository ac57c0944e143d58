"""A county split further (乡镇、街道 or 责任单位): its parts' rollup rows (their shares of the
county's counted figures, by the county's rules, against their shares of its split), the
county's page ranking them, and the county's progress document listing them as a quota's
``regions``."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting.bulletins import county, text
from reporting.bulletins import numbers as numbers_mod
from reporting.exports.workbook import write_summary
from reporting.models import PartRollup
from reporting.rollup import rebuild, rebuild_after_change
from reporting.rollup.parts import compute_parts
from reporting.rows import ROW_FIELDS
from targets.models import Region, RegionTarget, Submission, TownshipFigure, TownshipTarget
from targets.services import submission_approve
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

XUN = "410621"
PAGE = "/dashboard/county/410621/"
PARTS = {"410621101": "示例镇一", "410621102": "示例镇二", "410621103": "示例镇三"}


@pytest.fixture
def parts(plan, split) -> dict[str, Region]:
    """浚县 split into three (synthetic) parts; rural transfer's 5,000 split 2,000, 1,500 and
    1,000 among them (500 left unsplit)."""
    xun = Region.objects.get(code=XUN)
    found = {
        code: Region.objects.create(
            code=code, name=name, kind=Region.Kind.TOWNSHIP, parent=xun, order=index
        )
        for index, (code, name) in enumerate(PARTS.items())
    }
    split("rural-transfer", XUN, 5000)
    county = RegionTarget.objects.get(indicator__code="rural-transfer", region=xun)
    for code, target in zip(PARTS, (2000, 1500, 1000), strict=True):
        TownshipTarget.objects.create(split=county, township=found[code], target=target)
    return found


def broken(submission: Submission, *values: int) -> Submission:
    """The figure broken down among the three parts, in their order."""
    for code, value in zip(PARTS, values, strict=True):
        TownshipFigure.objects.create(
            submission=submission, township=Region.objects.get(code=code), value=value
        )
    return submission


def stored(code: str, month: int) -> dict[str, tuple]:
    return {
        row.region.code: (row.actual, row.target, row.completion, row.status)
        for row in PartRollup.objects.filter(indicator__code=code, month=month).select_related(
            "region"
        )
    }


@pytest.fixture
def xun_parts(plan, parts, figure) -> None:
    """浚县's rural transfer broken down in January (400: 200, 150, 50) and February (300: 100
    each); its enrolment level (3,000 then 3,500) and its veterans' counts too."""
    broken(figure("rural-transfer", XUN, 1, 400), 200, 150, 50)
    broken(figure("rural-transfer", XUN, 2, 300), 100, 100, 100)
    broken(figure("vocational-enrolment", XUN, 1, 3000), 1000, 1000, 1000)
    broken(figure("vocational-enrolment", XUN, 2, 3500), 1500, 1000, 1000)
    broken(figure("veterans-eligible", XUN, 1, 20), 10, 6, 4)
    broken(figure("veterans-aware", XUN, 1, 18), 10, 5, 3)
    rebuild(plan)


# The rollup ----------------------------------------------------------------------------------


def test_a_parts_flow_adds_up_its_shares_against_its_share_of_the_split(xun_parts) -> None:
    february = stored("rural-transfer", 2)
    assert february["410621101"][:3] == (300, 2000, Decimal("0.15"))
    assert february["410621102"][:2] == (250, 1500)
    assert february["410621103"][:2] == (150, 1000)
    assert stored("rural-transfer", 1)["410621101"][0] == 200


def test_a_parts_level_is_its_latest_share_never_a_sum(xun_parts) -> None:
    assert stored("vocational-enrolment", 2)["410621101"][0] == 1500
    assert stored("vocational-enrolment", 1)["410621101"][0] == 1000


def test_a_parts_rate_is_the_ratio_of_its_counts(xun_parts) -> None:
    row = PartRollup.objects.get(
        indicator__code="veterans-awareness", region__code="410621102", month=1
    )
    assert (row.numerator, row.denominator) == (5, 6)


def test_a_county_that_does_not_split_further_has_no_part_rows(plan, figure) -> None:
    figure("rural-transfer", "410611", 1, 400)
    rebuild(plan)
    assert not PartRollup.objects.exists()


def test_only_counted_figures_count_for_the_parts(xun_parts, plan, figure) -> None:
    broken(figure("rural-transfer", XUN, 3, 90, status="submitted"), 30, 30, 30)
    rebuild(plan)
    assert stored("rural-transfer", 3)["410621101"][0] == 300  # March's figure not approved


def test_a_rebuild_of_some_indicators_keeps_the_others_part_rows(xun_parts, plan) -> None:
    before = PartRollup.objects.count()
    rural = plan.indicators.get(code="rural-transfer")
    run = rebuild(plan, indicator_ids={rural.pk}, from_month=2)
    assert PartRollup.objects.count() == before
    assert run.rows  # the plan's own rows were rebuilt beside them
    assert stored("rural-transfer", 2)["410621101"][0] == 300


def test_a_rerun_writes_identical_part_rows(xun_parts, plan) -> None:
    first = sorted(PartRollup.objects.values_list("indicator_id", "region_id", "month", "actual"))
    rebuild(plan)
    again = sorted(PartRollup.objects.values_list("indicator_id", "region_id", "month", "actual"))
    assert again == first


# The county's page and document ----------------------------------------------------------------


def quota_parts(response: Any, code: str) -> Any:
    return next(item for item in response.context["parts"] if item.quota.code == code)


def test_the_county_page_ranks_its_parts_by_completion(xun_parts, complete, plan, reviewer) -> None:
    complete(1)
    complete(2)
    rebuild(plan)
    response = client_for(reviewer).get(PAGE, {"as_of": "2015-02"})
    assert response.status_code == 200
    item = quota_parts(response, "rural-transfer")
    # 300/2000 = 15 %, 250/1500 = 16.7 %, 150/1000 = 15 %: 示例镇二 first, then the parts'
    # order between equals.
    assert [(s.name, s.rank) for s in item.standings] == [
        ("示例镇二", 1),
        ("示例镇一", 2),
        ("示例镇三", 3),
    ]
    assert item.quota.unsplit == 0 and item.quota.unsplit_target == 500
    assert all(s.progress.status not in (None, "pending") for s in item.standings)
    page = response.content.decode()
    assert "各乡镇（责任单位）完成情况" in page and "示例镇二" in page
    assert 'data-place="unsplit"' in page  # 500 of the target left to no part


def test_parts_are_pending_while_the_countys_reports_are(xun_parts, figure, reviewer) -> None:
    broken(figure("rural-transfer", XUN, 3, 90, status="submitted"), 30, 30, 30)
    response = client_for(reviewer).get(PAGE, {"as_of": "2015-03"})
    item = quota_parts(response, "rural-transfer")
    assert {s.progress.status for s in item.standings} == {"pending"}
    assert "待报" in response.content.decode()


def test_parts_are_not_judged_while_the_countys_figures_are_not_wholly_broken_down(
    xun_parts, figure, complete, plan, reviewer
) -> None:
    figure("rural-transfer", XUN, 3, 90)  # no breakdown
    for month in (1, 2, 3):
        complete(month)
    rebuild(plan)
    response = client_for(reviewer).get(PAGE, {"as_of": "2015-03"})
    item = quota_parts(response, "rural-transfer")
    assert item.quota.unsplit == 90 and not item.ranked
    assert {s.progress.status for s in item.standings} == {None}
    assert {s.rank for s in item.standings} == {None}
    assert "尚未分解到乡镇（责任单位），乡镇暂不排名、不评判" in response.content.decode()


def test_a_county_without_parts_shows_no_ranking(xun_parts, reviewer) -> None:
    response = client_for(reviewer).get("/dashboard/county/410611/", {"as_of": "2015-02"})
    assert response.status_code == 200
    assert response.context["parts"] == []
    assert "各乡镇（责任单位）完成情况" not in response.content.decode()


def test_the_countys_document_lists_its_parts_as_a_quotas_regions(xun_parts, reviewer) -> None:
    body = client_for(reviewer).get("/api/progress/2015/", {"as_of": "2015-02", "unit": XUN})
    quotas = {quota["code"]: quota for quota in body.json()["quotas"]}
    regions = quotas["rural-transfer"]["regions"]
    assert [(r["code"], r["name"], r["target"], r["actual"]) for r in regions] == [
        ("410621101", "示例镇一", 2000, 300),
        ("410621102", "示例镇二", 1500, 250),
        ("410621103", "示例镇三", 1000, 150),
    ]
    city = client_for(reviewer).get("/api/progress/2015/", {"as_of": "2015-02"}).json()
    city_rural = next(q for q in city["quotas"] if q["code"] == "rural-transfer")
    assert "410621101" not in {r["code"] for r in city_rural["regions"]}  # the city's: counties


# The county's bulletin ---------------------------------------------------------------------------


def bulletin_of(plan: Any, month: int) -> tuple[dict, str]:
    numbers = county.collect(plan, month, Region.objects.get(code=XUN))
    return numbers, text.render(numbers)[1]


def test_the_countys_bulletin_ranks_its_parts(xun_parts, complete, plan) -> None:
    complete(1)
    complete(2)
    rebuild(plan)
    numbers, body = bulletin_of(plan, 2)
    line = next(line for line in body.splitlines() if line.startswith("农村劳动力"))
    assert line.index("示例镇二") < line.index("示例镇一") < line.index("示例镇三")
    assert "示例镇二完成250人次" in line
    assert "各乡镇（责任单位）完成情况" in body
    assert "企业在岗职工培训：" not in body  # neither shares nor figures in its parts
    # Stored with the published bulletin and worded again to the same text.
    again = numbers_mod.from_stored(json.loads(json.dumps(numbers_mod.stored(numbers))))
    assert text.render(again)[1] == body


def test_the_countys_bulletin_does_not_judge_parts_of_a_figure_not_broken_down(
    xun_parts, figure, complete, plan
) -> None:
    figure("rural-transfer", XUN, 3, 90)
    for month in (1, 2, 3):
        complete(month)
    rebuild(plan)
    _numbers, body = bulletin_of(plan, 3)
    assert "有90人次尚未分解到乡镇（责任单位），乡镇不排名、不评价进度" in body
    assert "已分解的：示例镇一300人次" in body


def test_a_county_without_parts_has_no_parts_paragraph(plan, figure) -> None:
    figure("rural-transfer", XUN, 1, 400)
    rebuild(plan)
    numbers, body = bulletin_of(plan, 1)
    assert numbers["parts"] == [] and "各乡镇（责任单位）完成情况" not in body


# The county's workbook ---------------------------------------------------------------------------


def test_the_countys_workbook_has_its_parts_sheet(xun_parts, complete, plan) -> None:
    complete(1)
    complete(2)
    rebuild(plan)
    out = io.BytesIO()
    write_summary(out, plan, 2, exported_by="审计", region=Region.objects.get(code=XUN))
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames[:3] == ["封面", "总表", "分乡镇"]
    rows = [
        [c.value for c in row]
        for row in book["分乡镇"].iter_rows()
        if row[0].value == "rural-transfer"
    ]
    assert [(r[4], r[6], r[7], r[8]) for r in rows] == [
        (1, "示例镇二", 1500, 250),
        (2, "示例镇一", 2000, 300),
        (3, "示例镇三", 1000, 150),
        (None, "未分解", 500, 0),
    ]
    # The completion as the page and the bulletin print it (16.7 %): the exact ratio rounded once.
    assert rows[0][9] == pytest.approx(0.167)


def test_a_county_without_parts_and_the_city_have_no_parts_sheet(xun_parts, plan) -> None:
    for region in (Region.objects.get(code="410611"), None):
        out = io.BytesIO()
        write_summary(out, plan, 2, exported_by="审计", region=region)
        assert "分乡镇" not in load_workbook(io.BytesIO(out.getvalue())).sheetnames


# On PostgreSQL: the city's statement over the parts equals the reference ------------------------


def part_rows_stored(plan: Any) -> set[tuple]:
    return set(PartRollup.objects.filter(plan=plan).values_list(*ROW_FIELDS))


def part_rows_reference(plan: Any) -> set[tuple]:
    return {tuple(getattr(row, name) for name in ROW_FIELDS) for row in compute_parts(plan)}


@pytest.mark.postgres
def test_the_parts_statement_gives_the_references_rows(xun_parts, plan, figure, reviewer) -> None:
    assert PartRollup.objects.count() == len(part_rows_reference(plan)) > 0
    assert part_rows_stored(plan) == part_rows_reference(plan)
    # One more approval, rolled up as the task after it does: still the reference's rows.
    submission = broken(figure("rural-transfer", XUN, 3, 90, status="submitted"), 30, 30, 30)
    submission_approve(actor=reviewer, submission=submission)
    rebuild_after_change(
        plan,
        series_ids=[submission.indicator_id],
        from_month=3,
        months=[3],
        regions=[submission.region_id],
    )
    assert stored("rural-transfer", 3)["410621101"][0] == 330
    assert part_rows_stored(plan) == part_rows_reference(plan)
    # Parts removed: their rows go with the next rebuild.
    TownshipFigure.objects.all().delete()
    TownshipTarget.objects.all().delete()
    Region.objects.filter(kind=Region.Kind.TOWNSHIP).delete()
    rebuild(plan)
    assert not PartRollup.objects.exists()
