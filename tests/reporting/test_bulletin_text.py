"""The bulletin's text: number formats, rankings, red items, reports missing, a hand-made March."""

from __future__ import annotations

from typing import Any

import pytest

from reporting import formatting as fmt
from reporting.bulletins import numbers as bulletin_numbers
from reporting.bulletins import rankings
from reporting.bulletins import text as bulletin_text
from reporting.rollup import rebuild
from reporting.selectors import progress
from tests.reporting import items

pytestmark = pytest.mark.django_db


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (1479, "1479"),
        (9999, "9999"),
        (10000, "1万"),
        (10826, "1.08万"),
        (14030, "1.4万"),
        (15000, "1.5万"),
        (49560, "4.96万"),
        (49950, "5万"),  # 4.995 rounds half up
        (70000, "7万"),
        (123456, "12.35万"),
    ],
)
def test_counts_from_ten_thousand_are_written_in_wan(value: int, text: str) -> None:
    assert fmt.amount(value) == text


@pytest.mark.parametrize(
    ("fraction", "trim", "text"),
    [
        (0.708, False, "70.8%"),
        (0.7395, False, "74.0%"),  # 73.95 rounds half up
        (0.25, False, "25.0%"),
        (0.25, True, "25%"),
        (0.0833, True, "8.3%"),
        (1.0022, False, "100.2%"),
        (0.9, True, "90%"),
    ],
)
def test_percentages_carry_one_decimal(fraction: float, trim: bool, text: str) -> None:
    assert fmt.percent(fraction, trim=trim) == text


def test_titles_name_the_months_covered() -> None:
    doc = items.progress(year=2015, month=1)
    assert bulletin_text.title(doc) == "关于2015年1月全民技能振兴工程目标任务进展情况的通报"
    doc = items.progress(year=2015, month=9)
    assert bulletin_text.title(doc) == "关于2015年1—9月全民技能振兴工程目标任务进展情况的通报"


# --- a hand-made March -----------------------------------------------------------------------


@pytest.fixture
def march(plan, figure, complete, time_machine, split_in_two):
    """A few figures, all sent on time (2 April), split targets for two quotas in two counties;
    every other cell of March approved as 0, so every row is judged."""
    time_machine.move_to("2015-04-02 10:00 +08:00")
    split_in_two()
    for code, region, month, value in [
        ("rural-transfer", "410611", 1, 1000),
        ("rural-transfer", "410611", 3, 800),
        ("rural-transfer", "410621", 3, 400),
        ("in-service", "410611", 3, 1500),
        ("in-service", "410621", 3, 1000),
        ("training-total", "410611", 3, 100),
        ("vocational-enrolment", "410611", 1, 20000),
        ("vocational-enrolment", "410611", 3, 21000),
        ("vocational-enrolment", "410621", 3, 15000),
        ("high-skill-talent", "410611", 3, 500),
        ("skill-appraisal", "410621", 3, 12000),
        ("veterans-eligible", "410611", 3, 40),
        ("veterans-aware", "410611", 3, 38),
        ("veterans-registered", "410611", 3, 40),
        ("veterans-trained", "410611", 3, 36),
        ("veterans-passed", "410611", 3, 30),
    ]:
        figure(code, region, month, value)
    complete(3)  # every other cell of March approved as 0: the month is judged
    rebuild(plan)
    return plan


# Every number by hand, at the end of March (序时进度 3/12 = 25%):
# training-total 100 own + rural 1000+800+400 + in-service 1500+1000 = 4800 of 70000 = 6.857%;
# enrolment is a level: 21000 (淇滨区's latest) + 15000 (浚县) = 36000 of 40000 = 90%;
# rural 2200/20000 = 11%; in-service 2500/23000 = 10.87%; six quotas without figures are 0;
# rates: aware 38/40 = 95%, registered 40/40, trained 36/40 = 90% of 90%, passed 30/36 = 83.3%
# (completion 83.33/90 = 92.59%); counties: 淇滨区 (1800/6000 + 1500/5000)/2 = 30%,
# 浚县 (400/4000 + 1000/5000)/2 = 15%; 浚县's rural 10% is the only county row in red.
# 其他职业技能培训: 4800 − 2200 − 2500 = 100 of the 8550 left to no quota (1.2%).
# Reports (department × county, 6 × 5 = 30): all approved (the other cells as 0).
HAND_MADE_MARCH = """\
各县区人民政府，市人民政府有关部门：
根据《鹤壁市2015年深入实施全民技能振兴工程工作方案》（鹤政办〔2015〕39号）要求，现将截至2015年3月底全市全民技能振兴工程目标任务进展情况通报如下。
一、总体进展
截至2015年3月底（序时进度25%），全市完成各类职业技能培训4800人次，占年度目标（7万人次）的6.9%，低于序时进度18.1个百分点；职业教育在校生规模达到3.6万人，为年度目标（4万人）的90.0%，距年度目标差10.0个百分点；新培养高技能人才500人，占年度目标（2000人）的25.0%，与序时进度持平；参加职业技能鉴定考核1.2万人，占年度目标（1.5万人）的80.0%，超序时进度55.0个百分点。全年各类职业技能培训目标中，有8550人次未分解到部门。3月份应报报表36份（各部门每个县区1份），已全部审核通过36份。
二、各县区进展
按各县区分解任务（有县区分解目标的任务，不含比率类）平均完成率与序时进度之差由高到低排列：
（1）淇滨区：2项分解任务平均完成年度目标的30.0%，超序时进度5.0个百分点。
（2）浚县：2项分解任务平均完成年度目标的15.0%，低于序时进度10.0个百分点。
三、各部门进展
按各项任务完成率与序时进度之差由高到低排列（数据不全的任务列后，不排名）：
（1）民政局：退役士兵报名率为100.0%（40/40，目标100%），已达到目标。
（2）民政局：退役士兵参训率为90.0%（36/40，目标90%），已达到目标。
（3）民政局：退役士兵政策知晓率为95.0%（38/40，目标100%），低于目标5.0个百分点。
（4）民政局：退役士兵合格率为83.3%（30/36，目标90%），低于目标6.7个百分点。
（5）人力资源社会保障局：农村劳动力转移就业技能培训完成2200人次，占年度目标（2万人次）的11.0%，低于序时进度14.0个百分点。
（6）人力资源社会保障局：企业在岗职工培训完成2500人次，占年度目标（2.3万人次）的10.9%，低于序时进度14.1个百分点。
（7）人力资源社会保障局：失业人员再就业技能培训完成0人次，占年度目标（8000人次）的0.0%，低于序时进度25.0个百分点。
（8）人力资源社会保障局：创业培训完成0人，占年度目标（3500人）的0.0%，低于序时进度25.0个百分点。
（9）人力资源社会保障局：机关事业单位工勤技能人员岗位技能提升培训完成0人，占年度目标（1200人）的0.0%，低于序时进度25.0个百分点。
（10）农业局：新型职业农民教育培训完成0人，占年度目标（1150人）的0.0%，低于序时进度25.0个百分点。
（11）扶贫办：“雨露计划”培训完成0人，占年度目标（3000人）的0.0%，低于序时进度25.0个百分点。
（12）残联：城乡残疾人培训完成0人，占年度目标（1600人）的0.0%，低于序时进度25.0个百分点。
其他职业技能培训（未分解到部门，不排名）：完成100人次，占未分解目标（8550人次）的1.2%。
以上8项分解任务与其他职业技能培训合计4800人次，即全市各类职业技能培训完成数。
四、重点工作进展
截至2015年3月底，方案确定的13项重点工作中，已完成0项，推进中0项，滞后0项，未开始13项（以审核通过的工作台账为准）。各责任单位尚未设定工作措施。
五、存在的问题
进度滞后的任务（全市层面）：人力资源社会保障局完成各类职业技能培训4800人次，占年度目标（7万人次）的6.9%，低于序时进度18.1个百分点；人力资源社会保障局农村劳动力转移就业技能培训完成2200人次，占年度目标（2万人次）的11.0%，低于序时进度14.0个百分点；人力资源社会保障局企业在岗职工培训完成2500人次，占年度目标（2.3万人次）的10.9%，低于序时进度14.1个百分点；人力资源社会保障局失业人员再就业技能培训完成0人次，占年度目标（8000人次）的0.0%，低于序时进度25.0个百分点；人力资源社会保障局创业培训完成0人，占年度目标（3500人）的0.0%，低于序时进度25.0个百分点；人力资源社会保障局机关事业单位工勤技能人员岗位技能提升培训完成0人，占年度目标（1200人）的0.0%，低于序时进度25.0个百分点；农业局新型职业农民教育培训完成0人，占年度目标（1150人）的0.0%，低于序时进度25.0个百分点；扶贫办“雨露计划”培训完成0人，占年度目标（3000人）的0.0%，低于序时进度25.0个百分点；残联城乡残疾人培训完成0人，占年度目标（1600人）的0.0%，低于序时进度25.0个百分点。
进度滞后的任务（县区层面）：浚县1项，农村劳动力转移就业技能培训完成年度目标的10.0%。
3月份数据各部门、各县区均已按时报送。
六、下步工作要求
（一）加快滞后任务进度。人力资源社会保障局、农业局、扶贫办、残联和浚县要针对进度滞后的任务，逐项分析原因，制定赶超措施，尽快追上序时进度。
（二）加强统筹调度。各县区、各部门要对照年度目标和序时进度，落实责任，加强调度，确保全年目标任务按时完成。"""


def test_a_hand_made_march_word_for_word(march) -> None:
    title, text = bulletin_text.render(bulletin_numbers.collect(march, 3))

    assert title == "关于2015年1—3月全民技能振兴工程目标任务进展情况的通报"
    assert text == HAND_MADE_MARCH


def test_quotas_rank_by_completion_against_time_ties_in_the_plans_order(march) -> None:
    ranked = [q.code for q in rankings.ranked_quotas(progress(march, 3))]
    assert ranked == [
        "veterans-registration",  # 100% of 100%: level with the target
        "veterans-participation",  # 90% of 90%: level too, later in the plan
        "veterans-awareness",  # −5 points
        "veterans-pass",  # 92.59% of target: −7.41
        "rural-transfer",  # 11% against 25%: −14
        "in-service",  # 10.87%: −14.13
        "reemployment",
        "entrepreneurship",
        "public-institution",
        "new-farmers",
        "rain-dew",
        "disabled",  # all −25, in the plan's order
    ]


def test_quotas_without_data_come_last() -> None:
    document = items.progress(
        quotas=(
            items.item(code="a", kind="flow", actual=None, target=100, expected=0.25),
            items.item(code="b", kind="flow", actual=10, target=100, expected=0.25),
            items.item(code="c", kind="flow", actual=30, target=100, expected=0.25),
        )
    )
    assert [q.code for q in rankings.ranked_quotas(document)] == ["c", "b", "a"]


def test_counties_rank_by_their_mean_over_split_quotas(march) -> None:
    standings = rankings.ranked_counties(progress(march, 3))
    assert [(s.name, s.quotas, str(s.completion), str(s.expected)) for s in standings] == [
        ("淇滨区", 2, "0.3000", "0.2500"),
        ("浚县", 2, "0.1500", "0.2500"),
    ]


def test_red_items_city_wide_and_by_county(march) -> None:
    city, counties = rankings.red_items(progress(march, 3))
    assert [i.code for i in city] == ["training-total", *items.TRAINING_QUOTAS]
    assert {name: [q.code for q, _row in rows] for name, rows in counties.items()} == {
        "浚县": ["rural-transfer"]
    }


def test_a_report_sent_late_is_reported_late(march, figure, time_machine) -> None:
    time_machine.move_to("2015-05-20 10:00 +08:00")  # April's figures were due by 5 May
    figure("rural-transfer", "410611", 4, 700)
    rebuild(march)

    text = "\n".join(bulletin_text.paragraphs(bulletin_numbers.collect(march, 4)))

    assert (
        "人力资源社会保障局鹤山区未报8项，山城区未报8项，淇滨区未报7项、迟报1项，浚县未报8项"
        in text
    )


def test_a_month_with_every_report_on_time_says_so() -> None:
    numbers: dict[str, Any] = {
        "progress": items.progress(year=2015, month=6, time_elapsed=0.5),
        "gaps": [],
    }
    lines = bulletin_text.paragraphs(numbers)
    assert "6月份数据各部门、各县区均已按时报送。" in lines
    assert "各项任务尚未分解到县区或数据不全，本期不作县区排名。" in lines
    assert "本期没有进度滞后（红色）的任务。" in lines
