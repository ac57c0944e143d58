"""The bulletin's text for the demo data, September 2015, word for word."""

from __future__ import annotations

import pytest
from django.db import transaction

from reporting import bulletin
from reporting.rollup import rebuild
from reporting.selectors import progress
from targets import demo
from targets.plan_loader import load_plan_file

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_plan(django_db_setup, django_db_blocker):
    """The demo once for this module, rolled up, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        plan = load_plan_file()
        demo.load_demo(plan, "demo-pass-for-tests")
        rebuild(plan)
        yield plan
        transaction.set_rollback(True)


# 市直 is ranked with the counties in 三 until the bulletin lists it apart (#15, the bulletin's
# part): then this text changes.
DEMO_SEPTEMBER = """\
各县区人民政府，市人民政府有关部门：
现将截至2015年9月底全市全民技能振兴工程目标任务进展情况通报如下。
一、全市目标任务完成情况
截至2015年9月底（时间进度75%），全市完成各类职业技能培训5万人次，占年度目标（7万人次）的71.4%，低于序时进度3.6个百分点；职业教育在校生规模达到3.94万人，为年度目标（4万人）的98.6%，距年度目标差1.4个百分点；新培养高技能人才1495人，占年度目标（2000人）的74.8%，低于序时进度0.2个百分点；参加职业技能鉴定考核1.04万人，占年度目标（1.5万人）的69.6%，低于序时进度5.4个百分点。全年各类职业技能培训目标中，有8550人次未分解到部门。
二、各部门任务完成情况
按各项任务完成率与序时进度之差由高到低排列：
（1）残联：城乡残疾人培训完成1314人，占年度目标（1600人）的82.1%，超序时进度7.1个百分点。
（2）人力资源社会保障局：企业在岗职工培训完成1.79万人次，占年度目标（2.3万人次）的77.9%，超序时进度2.9个百分点。
（3）人力资源社会保障局：机关事业单位工勤技能人员岗位技能提升培训完成920人，占年度目标（1200人）的76.7%，超序时进度1.7个百分点。
（4）民政局：退役士兵合格率为90.7%（860/948，目标90%），已达到目标。
（5）民政局：退役士兵参训率为90.4%（948/1049，目标90%），已达到目标。
（6）扶贫办：“雨露计划”培训完成2248人，占年度目标（3000人）的74.9%，低于序时进度0.1个百分点。
（7）民政局：退役士兵政策知晓率为98.4%（1054/1071，目标100%），低于目标1.6个百分点。
（8）民政局：退役士兵报名率为98.0%（1049/1071，目标100%），低于目标2.0个百分点。
（9）人力资源社会保障局：失业人员再就业技能培训完成5714人次，占年度目标（8000人次）的71.4%，低于序时进度3.6个百分点。
（10）人力资源社会保障局：农村劳动力转移就业技能培训完成1.41万人次，占年度目标（2万人次）的70.4%，低于序时进度4.6个百分点。
（11）人力资源社会保障局：创业培训完成2316人，占年度目标（3500人）的66.2%，低于序时进度8.8个百分点。
（12）农业局：新型职业农民教育培训完成654人，占年度目标（1150人）的56.9%，低于序时进度18.1个百分点。
三、各县区任务完成情况
按各县区分解任务（有县区分解目标的任务，不含比率类）平均完成率与序时进度之差由高到低排列：
（1）淇滨区：8项分解任务平均完成年度目标的82.5%，超序时进度7.5个百分点。
（2）浚县：8项分解任务平均完成年度目标的77.6%，超序时进度2.6个百分点。
（3）淇县：8项分解任务平均完成年度目标的75.9%，超序时进度0.9个百分点。
（4）市直：8项分解任务平均完成年度目标的73.8%，低于序时进度1.2个百分点。
（5）鹤山区：8项分解任务平均完成年度目标的63.5%，低于序时进度11.5个百分点。
（6）山城区：8项分解任务平均完成年度目标的48.4%，低于序时进度26.6个百分点。
四、进度滞后的任务
全市层面：农业局新型职业农民教育培训完成654人，占年度目标（1150人）的56.9%，低于序时进度18.1个百分点。
县区层面（百分比为完成年度目标的比例）：鹤山区4项，农村劳动力转移就业技能培训64.2%、失业人员再就业技能培训62.0%、创业培训56.4%、新型职业农民教育培训50.0%；山城区8项，农村劳动力转移就业技能培训46.0%、企业在岗职工培训53.0%、失业人员再就业技能培训49.8%、创业培训44.1%、机关事业单位工勤技能人员岗位技能提升培训53.0%、新型职业农民教育培训36.7%、“雨露计划”培训50.0%、城乡残疾人培训54.5%；浚县1项，新型职业农民教育培训59.1%；淇县1项，新型职业农民教育培训58.7%。
五、数据报送情况
9月份数据未报或迟报的有：人力资源社会保障局山城区未报8项；教育局山城区未报1项；农业局山城区未报1项；扶贫办山城区未报1项；民政局山城区未报5项；残联山城区未报1项。请有关部门抓紧补报，今后按时报送。"""


def test_the_demo_september_bulletin_word_for_word(demo_plan) -> None:
    numbers = bulletin.collect(demo_plan, 9)

    title, text = bulletin.render(numbers)

    assert title == "关于2015年1—9月全民技能振兴工程目标任务进展情况的通报"
    assert text == DEMO_SEPTEMBER


def test_the_demo_numbers_are_the_progress_apis(demo_plan) -> None:
    numbers = bulletin.collect(demo_plan, 9)
    assert numbers["progress"] == progress(demo_plan, 9)
    training = next(g for g in numbers["progress"]["goals"] if g["code"] == "training-total")
    assert (training["actual"], training["completion"]) == (49973, 0.7139)  # "5万…71.4%"


@pytest.mark.xfail(
    strict=True,
    reason="the bulletin ranks counties only and lists 市直 (kind 'city') apart: its part of #15",
)
def test_the_demo_counties_rank_by_mean_completion(demo_plan) -> None:
    standings = bulletin.ranked_counties(progress(demo_plan, 9))
    assert [s.name for s in standings] == ["淇滨区", "浚县", "淇县", "鹤山区", "山城区"]
    # skill-appraisal has no county split and rates have none: 8 of the 12 quotas count.
    assert {s.quotas for s in standings} == {8}
    # 山城区: the mean of its eight completions (46.0 %, 53.0 %, 49.8 %, 44.1 %, 53.0 %,
    # 36.7 %, 50.0 %, 54.5 % as printed in 四).
    assert str(standings[-1].completion) == "0.4837"
