"""The bulletin's text: number formats, rankings, red items, reports missing, a hand-made March."""

from __future__ import annotations

from typing import Any

import pytest

from reporting import bulletin
from reporting.rollup import rebuild
from reporting.selectors import progress
from targets import services
from targets.models import Indicator, Region

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
    assert bulletin.amount(value) == text


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
    assert bulletin.percent(fraction, trim=trim) == text


def test_titles_name_the_months_covered() -> None:
    doc: dict[str, Any] = {"plan": {"year": 2015}, "as_of": "2015-01"}
    assert bulletin.title(doc) == "关于2015年1月全民技能振兴工程目标任务进展情况的通报"
    doc["as_of"] = "2015-09"
    assert bulletin.title(doc) == "关于2015年1—9月全民技能振兴工程目标任务进展情况的通报"


# --- a hand-made March -----------------------------------------------------------------------


@pytest.fixture
def march(plan, figure, time_machine):
    """A few figures, all sent on time (2 April), split targets for two quotas in two counties."""
    time_machine.move_to("2015-04-02 10:00 +08:00")
    for code, region, target in [
        ("rural-transfer", "410611", 6000),
        ("rural-transfer", "410621", 4000),
        ("in-service", "410611", 5000),
        ("in-service", "410621", 5000),
    ]:
        services.region_target_set(
            reason="测试：县区分解",
            indicator=Indicator.objects.get(plan=plan, code=code),
            region=Region.objects.get(code=region),
            target=target,
        )
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
    rebuild(plan)
    return plan


ZERO = "占年度目标（%s）的0.0%%，低于序时进度25.0个百分点"

# Every number by hand, at the end of March (time progress 3/12 = 25%):
# training-total 100 own + rural 1000+800+400 + in-service 1500+1000 = 4800 of 70000 = 6.857%;
# enrolment is a level: 21000 (淇滨区's latest) + 15000 (浚县) = 36000 of 40000 = 90%;
# rural 2200/20000 = 11%; in-service 2500/23000 = 10.87%; six quotas without figures are 0;
# rates: aware 38/40 = 95%, registered 40/40, trained 36/40 = 90% of 90%, passed 30/36 = 83.3%
# (completion 83.33/90 = 92.59%); counties: 淇滨区 (1800/6000 + 1500/5000)/2 = 30%,
# 浚县 (400/4000 + 1000/5000)/2 = 15%; 浚县's rural 10% is the only county row in red.
HAND_MADE_MARCH = "\n".join(
    [
        "各县区人民政府，市人民政府有关部门：",
        "现将截至2015年3月底全市全民技能振兴工程目标任务进展情况通报如下。",
        "一、全市目标任务完成情况",
        "截至2015年3月底（时间进度25%），全市"
        "完成各类职业技能培训4800人次，占年度目标（7万人次）的6.9%，低于序时进度18.1个百分点；"
        "职业教育在校生规模达到3.6万人，为年度目标（4万人）的90.0%，距年度目标差10.0个百分点；"
        "新培养高技能人才500人，占年度目标（2000人）的25.0%，与序时进度持平；"
        "参加职业技能鉴定考核1.2万人，占年度目标（1.5万人）的80.0%，超序时进度55.0个百分点。"
        "全年各类职业技能培训目标中，有8550人次未分解到部门。",
        "二、各部门任务完成情况",
        "按各项任务完成率与序时进度之差由高到低排列：",
        "（1）民政局：退役士兵报名率为100.0%（40/40，目标100%），已达到目标。",
        "（2）民政局：退役士兵参训率为90.0%（36/40，目标90%），已达到目标。",
        "（3）民政局：退役士兵政策知晓率为95.0%（38/40，目标100%），低于目标5.0个百分点。",
        "（4）民政局：退役士兵合格率为83.3%（30/36，目标90%），低于目标6.7个百分点。",
        "（5）人力资源社会保障局：农村劳动力转移就业技能培训完成2200人次，"
        "占年度目标（2万人次）的11.0%，低于序时进度14.0个百分点。",
        "（6）人力资源社会保障局：企业在岗职工培训完成2500人次，"
        "占年度目标（2.3万人次）的10.9%，低于序时进度14.1个百分点。",
        "（7）人力资源社会保障局：失业人员再就业技能培训完成0人次，" + ZERO % "8000人次" + "。",
        "（8）人力资源社会保障局：创业培训完成0人，" + ZERO % "3500人" + "。",
        "（9）人力资源社会保障局：机关事业单位工勤技能人员岗位技能提升培训完成0人，"
        + ZERO % "1200人"
        + "。",
        "（10）农业局：新型职业农民教育培训完成0人，" + ZERO % "1150人" + "。",
        "（11）扶贫办：“雨露计划”培训完成0人，" + ZERO % "3000人" + "。",
        "（12）残联：城乡残疾人培训完成0人，" + ZERO % "1600人" + "。",
        "三、各县区任务完成情况",
        "按各县区分解任务（有县区分解目标的任务，不含比率类）平均完成率与序时进度之差"
        "由高到低排列：",
        "（1）淇滨区：2项分解任务平均完成年度目标的30.0%，超序时进度5.0个百分点。",
        "（2）浚县：2项分解任务平均完成年度目标的15.0%，低于序时进度10.0个百分点。",
        "四、进度滞后的任务",
        "全市层面："
        "人力资源社会保障局完成各类职业技能培训4800人次，"
        "占年度目标（7万人次）的6.9%，低于序时进度18.1个百分点；"
        "人力资源社会保障局农村劳动力转移就业技能培训完成2200人次，"
        "占年度目标（2万人次）的11.0%，低于序时进度14.0个百分点；"
        "人力资源社会保障局企业在岗职工培训完成2500人次，"
        "占年度目标（2.3万人次）的10.9%，低于序时进度14.1个百分点；"
        "人力资源社会保障局失业人员再就业技能培训完成0人次，" + ZERO % "8000人次" + "；"
        "人力资源社会保障局创业培训完成0人，" + ZERO % "3500人" + "；"
        "人力资源社会保障局机关事业单位工勤技能人员岗位技能提升培训完成0人，"
        + ZERO
        % "1200人"
        + "；"
        "农业局新型职业农民教育培训完成0人，" + ZERO % "1150人" + "；"
        "扶贫办“雨露计划”培训完成0人，" + ZERO % "3000人" + "；"
        "残联城乡残疾人培训完成0人，" + ZERO % "1600人" + "。",
        "县区层面（百分比为完成年度目标的比例）：浚县1项，农村劳动力转移就业技能培训10.0%。",
        "五、数据报送情况",
        "3月份数据未报或迟报的有："
        "人力资源社会保障局鹤山区未报8项，山城区未报8项，淇滨区未报4项，浚县未报5项，"
        "淇县未报8项，市直未报8项；"
        "教育局鹤山区未报1项，山城区未报1项，淇县未报1项，市直未报1项；"
        "农业局鹤山区未报1项，山城区未报1项，淇滨区未报1项，浚县未报1项，淇县未报1项，"
        "市直未报1项；"
        "扶贫办鹤山区未报1项，山城区未报1项，淇滨区未报1项，浚县未报1项，淇县未报1项，"
        "市直未报1项；"
        "民政局鹤山区未报5项，山城区未报5项，浚县未报5项，淇县未报5项，市直未报5项；"
        "残联鹤山区未报1项，山城区未报1项，淇滨区未报1项，浚县未报1项，淇县未报1项，"
        "市直未报1项。"
        "请有关部门抓紧补报，今后按时报送。",
    ]
)


def test_a_hand_made_march_word_for_word(march) -> None:
    title, text = bulletin.render(bulletin.collect(march, 3))

    assert title == "关于2015年1—3月全民技能振兴工程目标任务进展情况的通报"
    assert text == HAND_MADE_MARCH


def test_quotas_rank_by_completion_against_time_ties_in_the_plans_order(march) -> None:
    ranked = [q["code"] for q in bulletin.ranked_quotas(progress(march, 3))]
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
    document = {
        "quotas": [
            {"code": "a", "completion": None, "expected": 0.25},
            {"code": "b", "completion": 0.1, "expected": 0.25},
            {"code": "c", "completion": 0.3, "expected": 0.25},
        ]
    }
    assert [q["code"] for q in bulletin.ranked_quotas(document)] == ["c", "b", "a"]


def test_counties_rank_by_their_mean_over_split_quotas(march) -> None:
    standings = bulletin.ranked_counties(progress(march, 3))
    assert [(s.name, s.quotas, str(s.completion), str(s.expected)) for s in standings] == [
        ("淇滨区", 2, "0.3000", "0.2500"),
        ("浚县", 2, "0.1500", "0.2500"),
    ]


def test_red_items_city_wide_and_by_county(march) -> None:
    city, counties = bulletin.red_items(progress(march, 3))
    assert [i["code"] for i in city] == [
        "training-total",
        "rural-transfer",
        "in-service",
        "reemployment",
        "entrepreneurship",
        "public-institution",
        "new-farmers",
        "rain-dew",
        "disabled",
    ]
    assert {name: [q["code"] for q, _row in rows] for name, rows in counties.items()} == {
        "浚县": ["rural-transfer"]
    }


def test_a_report_sent_late_is_reported_late(march, figure, time_machine) -> None:
    time_machine.move_to("2015-05-20 10:00 +08:00")  # April's figures were due by 5 May
    figure("rural-transfer", "410611", 4, 700)
    rebuild(march)

    text = "\n".join(bulletin.paragraphs(bulletin.collect(march, 4)))

    assert (
        "人力资源社会保障局鹤山区未报8项，山城区未报8项，淇滨区未报7项、迟报1项，浚县未报8项"
        in text
    )


def test_a_month_with_every_report_on_time_says_so() -> None:
    numbers: dict[str, Any] = {
        "progress": {
            "plan": {"year": 2015},
            "as_of": "2015-06",
            "time_elapsed": 0.5,
            "goals": [],
            "quotas": [],
        },
        "gaps": [],
    }
    lines = bulletin.paragraphs(numbers)
    assert lines[-1] == "6月份数据各部门、各县区均已按时报送。"
    assert "各项任务尚未分解到县区，本期不作县区排名。" in lines
    assert "本期没有进度滞后（红色）的任务。" in lines
