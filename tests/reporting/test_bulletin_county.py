"""A county's own bulletin (县区通报, ``reporting.bulletins.county`` and ``county_text``): its
numbers are the county's rows, judged by the city's rules, printed by the one formatter, on a
paper of its own (第N期 per county, the county's issuer); publishing it freezes it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from reporting import dashboard
from reporting import formatting as fmt
from reporting.bulletins import county, text
from reporting.models import Bulletin
from reporting.rollup import rebuild
from reporting.services import bulletins as publishing
from targets import completeness
from targets.models import Plan, Region, Submission
from targets.services import submission_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def xun(county_march) -> Region:
    return Region.objects.get(code="410621")


def numbers_of(plan: Plan, code: str = "410621") -> dict:
    return county.collect(plan, 3, Region.objects.get(code=code))


def body(plan: Plan, code: str = "410621") -> str:
    return text.render(numbers_of(plan, code))[1]


# --- the numbers: the county's rows ------------------------------------------------------------


def test_the_numbers_are_the_countys_rows_only(county_march) -> None:
    numbers = numbers_of(county_march)
    quotas = {q.code: q for q in numbers["progress"].quotas}

    assert numbers["county"] == {"code": "410621", "name": "浚县", "kind": "county"}
    assert numbers["progress"].goals == ()
    assert (quotas["rural-transfer"].target, quotas["rural-transfer"].actual) == (4000, 1200)
    assert (quotas["reemployment"].target, quotas["reemployment"].actual) == (None, 700)
    assert [r.code for q in quotas.values() for r in q.regions] == ["410621"] * len(quotas)
    assert {o["region"] for o in numbers["outstanding"]} == {"410621"}
    # 淇滨区's 999 of 6,000 ranks it second: only the place is kept, not its numbers.
    assert numbers["standing"] == {"rank": 1, "of": 2}
    written = body(county_march)
    assert "999" not in written and "淇滨区" not in written


def test_the_numbers_are_what_the_county_dashboard_shows(county_march, xun) -> None:
    numbers = numbers_of(county_march)
    coverage = completeness.Coverage(county_march, 3)
    shown = {
        item.code: item
        for item in dashboard.quota_rows(dashboard.county_rollups(county_march, xun, 3), coverage)
    }
    paper = {q.code: q for q in numbers["progress"].quotas}

    assert set(paper) == set(shown)
    for code, item in paper.items():
        row = shown[code]
        assert (item.target, item.actual, item.status) == (row.target, row.actual, row.status)
        assert fmt.percent(fmt.completion_of(item)) == fmt.percent(fmt.completion_of(row))
        assert fmt.percent(fmt.value_of(item)) == fmt.percent(fmt.value_of(row))


def test_the_text_prints_the_formatters_digits(county_march) -> None:
    title, written = text.render(numbers_of(county_march))

    assert title == "关于2015年1—3月浚县全民技能振兴工程目标任务进展情况的通报"
    assert "现将截至2015年3月底浚县全民技能振兴工程目标任务进展情况通报如下。" in written
    assert (
        "（1）人力资源社会保障局：农村劳动力转移就业技能培训完成1200人次，占年度目标"
        "（4000人次）的30.0%，超序时进度5.0个百分点。"
    ) in written
    # A rate's value is the rate; its comparison with the target is labelled apart.
    assert "退役士兵参训率为65.3%（98/150，目标90%），低于目标24.7个百分点" in written
    assert "退役士兵合格率为91.8%（90/98，目标90%），已达到目标" in written
    assert (
        "浚县承担有目标的任务6项，已评价5项，其中正常2项、预警1项、滞后2项；数据不全、暂不评价1项。"
    ) in written
    assert (
        "1项分解任务（不含比率类）平均完成年度目标的30.0%，超序时进度5.0个百分点，"
        "在全市参加排名的2个县区中居第1位。"
    ) in written
    unsplit = "未分解到本县区的任务（不评价进度）：人力资源社会保障局失业人员再就业技能培训"
    assert unsplit + "完成700人次" in written


def test_the_county_line_of_the_citys_bulletin_agrees(county_march) -> None:
    from reporting.bulletins.numbers import collect

    city = text.render(collect(county_march, 3))[1]

    assert "（1）浚县：1项分解任务平均完成年度目标的30.0%，超序时进度5.0个百分点" in city
    assert "平均完成年度目标的30.0%，超序时进度5.0个百分点" in body(county_march)


# --- not judged until all approved ---------------------------------------------------------------


def test_a_row_not_all_approved_is_pending_never_red(county_march, reviewer) -> None:
    written = body(county_march)
    pending = next(q for q in numbers_of(county_march)["progress"].quotas if q.code == "in-service")

    assert pending.status == "pending"
    clause = "企业在岗职工培训完成0人次，占年度目标（5000人次）的0.0%，"
    assert clause + "数据不全（已审核0/1项），暂不评价进度" in written
    assert "数据不全、本期暂不评价的任务：企业在岗职工培训。" in written
    red_line = next(line for line in written.split("\n") if line.startswith("进度滞后的任务"))
    assert "企业在岗职工培训" not in red_line
    assert "已报送尚未审核通过的有：人力资源社会保障局1项。" in written

    # Approved, its 200 of 5,000 (4.0 %) is judged, and red.
    sent = Submission.objects.get(indicator__code="in-service", region__code="410621", month=3)
    submission_approve(actor=reviewer, submission=sent)
    rebuild(county_march)
    judged = body(county_march)
    red_line = next(line for line in judged.split("\n") if line.startswith("进度滞后的任务"))
    clause = "企业在岗职工培训完成200人次，占年度目标（5000人次）的4.0%，"
    assert "人力资源社会保障局" + clause + "低于序时进度21.0个百分点" in red_line
    assert "暂不评价" not in judged


def test_the_reviewer_asked_is_the_countys_under_two_level_review(county_march) -> None:
    assert "市人力资源社会保障局抓紧审核" in body(county_march)

    county_march.review_levels = 2
    county_march.save(update_fields=["review_levels"])

    assert "浚县人力资源社会保障局抓紧审核" in body(county_march)


def test_a_district_is_addressed_as_a_district(county_march) -> None:
    assert body(county_march).startswith("各乡镇人民政府、街道办事处，县直有关部门：")
    assert body(county_march, "410611").startswith("各乡镇人民政府、街道办事处，区直有关部门：")


# --- a paper of its own: issuer, 抄送, 第N期 ---------------------------------------------------


def test_its_issuer_is_the_countys_office_and_it_cites_the_plan(county_march, xun) -> None:
    paper = text.content(county_march, 3, None, xun)

    assert paper["issuer"] == "浚县全民技能振兴工程领导小组办公室"
    assert paper["cc"] == "抄送：鹤壁市全民技能振兴工程领导小组办公室。"
    assert paper["number"] == "第1期（草稿）"
    assert "鹤政办" not in paper["issuer"] + paper["number"]
    assert any("（鹤政办〔2015〕39号）要求" in line for _h, line in paper["blocks"])

    county_march.bulletin_issuer = "鹤壁市技能振兴办公室"
    county_march.save(update_fields=["bulletin_issuer"])

    assert text.content(county_march, 3, None, xun)["issuer"] == "浚县技能振兴办公室"


def test_each_county_numbers_its_own_bulletins(county_march, xun, reviewer) -> None:
    qi = Region.objects.get(code="410622")
    city_march = publishing.bulletin_publish(
        plan=county_march, month=3, actor=reviewer, confirmed=True
    )
    xun_march = publishing.bulletin_publish(
        plan=county_march, month=3, actor=reviewer, confirmed=True, region=xun
    )
    xun_feb = publishing.bulletin_publish(
        plan=county_march, month=2, actor=reviewer, confirmed=True, region=xun
    )
    qi_march = publishing.bulletin_publish(
        plan=county_march, month=3, actor=reviewer, confirmed=True, region=qi
    )

    assert (city_march.number, city_march.region) == (1, None)
    assert (xun_march.number, xun_feb.number, qi_march.number) == (1, 2, 1)
    assert (xun_march.issuer, xun_march.cc) == (
        "浚县全民技能振兴工程领导小组办公室",
        "鹤壁市全民技能振兴工程领导小组办公室",
    )
    assert text.content(county_march, 4, None, xun)["number"] == "第3期（草稿）"
    assert text.content(county_march, 4, None)["number"] == "第2期（草稿）"
    with pytest.raises(publishing.BulletinError):
        publishing.bulletin_publish(
            plan=county_march, month=3, actor=reviewer, confirmed=True, region=xun
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(
            plan=county_march,
            region=xun,
            month=5,
            title="t",
            text="t",
            numbers={},
            published_by=reviewer,
            published_at=xun_march.published_at,
            number=2,
            issued_on=xun_march.issued_on,
        )


# --- publishing ----------------------------------------------------------------------------------


def test_publishing_freezes_the_countys_text_and_only_its_numbers(
    county_march, xun, county_people, correct
) -> None:
    expected = text.render(numbers_of(county_march))

    frozen = publishing.bulletin_publish(
        plan=county_march,
        month=3,
        actor=county_people["reviewer"],
        confirmed=True,
        region=xun,
    )

    assert (frozen.title, frozen.text) == expected
    assert frozen.region == xun and frozen.published_by == county_people["reviewer"]
    assert "淇滨区" not in str(frozen.numbers) and "410611" not in str(frozen.numbers)
    with translation.override("en"):
        english = text.content(county_march, 3, frozen, xun)
    assert "30.0%" in " ".join(line for _h, line in english["blocks"])

    rural = Submission.objects.get(indicator__code="rural-transfer", region__code="410621", month=3)
    correct(rural, 1500)
    rebuild(county_march)
    frozen.refresh_from_db()
    assert frozen.text == expected[1]
    assert "完成1500人次" in body(county_march)


def test_only_the_countys_reviewer_and_the_citys_publishers_publish_it(
    county_march, xun, county_people, make_user
) -> None:
    qi = Region.objects.get(code="410622")
    for user, region in [
        (county_people["reviewer"], qi),
        (county_people["reviewer"], None),
        (county_people["leader"], xun),
        (make_user("leader"), xun),
    ]:
        with pytest.raises(PermissionDenied):
            publishing.bulletin_publish(
                plan=county_march, month=3, actor=user, confirmed=True, region=region
            )
    assert not Bulletin.objects.exists()
