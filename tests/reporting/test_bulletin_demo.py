"""The bulletin's text for the demo data, September 2015, word for word."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from reporting.bulletins import numbers as bulletin_numbers
from reporting.bulletins import rankings
from reporting.bulletins import text as bulletin_text
from reporting.selectors import progress

pytestmark = pytest.mark.django_db


DEMO_SEPTEMBER = """\
各县区人民政府，市人民政府有关部门：
根据《鹤壁市2015年深入实施全民技能振兴工程工作方案》（鹤政办〔2015〕39号）要求，现将截至2015年9月底全市全民技能振兴工程目标任务进展情况通报如下。
一、总体进展
截至2015年9月底（序时进度75%），全市完成各类职业技能培训5万人次，占年度目标（7万人次）的71.4%，数据不全（已审核45/54项），暂不评价进度；职业教育在校生规模达到3.94万人，为年度目标（4万人）的98.6%，数据不全（已审核5/6项），暂不评价进度；新培养高技能人才1495人，占年度目标（2000人）的74.8%，数据不全（已审核5/6项），暂不评价进度；参加职业技能鉴定考核1.04万人，占年度目标（1.5万人）的69.6%，数据不全（已审核5/6项），暂不评价进度。全年各类职业技能培训目标中，有8550人次未分解到部门。9月份应报报表36份（各部门每个县区1份），已全部审核通过30份。
二、各县区进展
按各县区分解任务（有县区分解目标的任务，不含比率类）平均完成率与序时进度之差由高到低排列：
（1）淇滨区：8项分解任务平均完成年度目标的82.5%，超序时进度7.5个百分点。
（2）浚县：8项分解任务平均完成年度目标的77.6%，超序时进度2.6个百分点。
（3）淇县：8项分解任务平均完成年度目标的75.9%，超序时进度0.9个百分点。
（4）鹤山区：8项分解任务平均完成年度目标的63.5%，低于序时进度11.5个百分点。
山城区分解任务数据不全，本期暂不排名。
市直（市直单位，不参加县区排名）：8项分解任务平均完成年度目标的73.8%，低于序时进度1.2个百分点。
三、各部门进展
按各项任务完成率与序时进度之差由高到低排列（数据不全的任务列后，不排名）：
（1）人力资源社会保障局：农村劳动力转移就业技能培训完成1.41万人次，占年度目标（2万人次）的70.4%，数据不全（已审核5/6项），暂不评价进度。
（2）人力资源社会保障局：企业在岗职工培训完成1.79万人次，占年度目标（2.3万人次）的77.9%，数据不全（已审核5/6项），暂不评价进度。
（3）人力资源社会保障局：失业人员再就业技能培训完成5714人次，占年度目标（8000人次）的71.4%，数据不全（已审核5/6项），暂不评价进度。
（4）人力资源社会保障局：创业培训完成2316人，占年度目标（3500人）的66.2%，数据不全（已审核5/6项），暂不评价进度。
（5）人力资源社会保障局：机关事业单位工勤技能人员岗位技能提升培训完成920人，占年度目标（1200人）的76.7%，数据不全（已审核5/6项），暂不评价进度。
（6）农业局：新型职业农民教育培训完成654人，占年度目标（1150人）的56.9%，数据不全（已审核5/6项），暂不评价进度。
（7）扶贫办：“雨露计划”培训完成2248人，占年度目标（3000人）的74.9%，数据不全（已审核5/6项），暂不评价进度。
（8）残联：城乡残疾人培训完成1314人，占年度目标（1600人）的82.1%，数据不全（已审核5/6项），暂不评价进度。
（9）民政局：退役士兵政策知晓率为98.4%（1054/1071，目标100%），数据不全（已审核10/12项），暂不评价进度。
（10）民政局：退役士兵报名率为97.9%（1049/1071，目标100%），数据不全（已审核10/12项），暂不评价进度。
（11）民政局：退役士兵参训率为90.4%（948/1049，目标90%），数据不全（已审核10/12项），暂不评价进度。
（12）民政局：退役士兵合格率为90.7%（860/948，目标90%），数据不全（已审核10/12项），暂不评价进度。
其他职业技能培训（未分解到部门，不排名）：完成4816人次，占未分解目标（8550人次）的56.3%。
以上8项分解任务与其他职业技能培训合计5万人次，即全市各类职业技能培训完成数。
四、重点工作进展
截至2015年9月底，方案确定的13项重点工作中，已完成3项，推进中7项，滞后3项，未开始0项（以审核通过的工作台账为准）。各责任单位共设定工作措施44项，逾期未完成1项。
进度滞后的重点工作：服务鹤壁职业技术学院与河南理工大学合作举办应用技术本科学院（牵头单位：教育局）、省级技能人才公共实训鉴定示范基地项目（依托市机电信息工程学校）（牵头单位：人力资源社会保障局）、城乡劳动者技能培训品牌基地项目（鹤山区依托鹤壁工业中专）（牵头单位：鹤山区人力资源社会保障局）。
滞后的工作措施：教育局“报请省教育厅审批”（完成时限9月30日）；人力资源社会保障局“完成实训设备采购招标”（完成时限9月30日）；鹤山区人力资源社会保障局“落实项目配套资金”（完成时限5月31日，已逾期）；鹤山区人力资源社会保障局“完成培训基地改造”（完成时限10月31日）。
五、存在的问题
进度滞后的任务（县区层面）：鹤山区4项，农村劳动力转移就业技能培训完成年度目标的64.2%、失业人员再就业技能培训完成年度目标的62.0%、创业培训完成年度目标的56.4%、新型职业农民教育培训完成年度目标的50.0%；浚县1项，新型职业农民教育培训完成年度目标的59.1%；淇县1项，新型职业农民教育培训完成年度目标的58.7%。
数据不全、本期暂不评价的任务：各类职业技能培训、职业教育在校生规模、新培养高技能人才、参加职业技能鉴定考核、农村劳动力转移就业技能培训、企业在岗职工培训、失业人员再就业技能培训、创业培训、机关事业单位工勤技能人员岗位技能提升培训、新型职业农民教育培训、“雨露计划”培训、城乡残疾人培训、退役士兵政策知晓率、退役士兵报名率、退役士兵参训率、退役士兵合格率。
9月份数据未报或迟报的有：人力资源社会保障局山城区未报8项；教育局山城区未报1项；农业局山城区未报1项；扶贫办山城区未报1项；民政局山城区未报5项；残联山城区未报1项。
六、下步工作要求
（一）加快滞后任务进度。人力资源社会保障局、农业局和鹤山区、浚县、淇县要针对进度滞后的任务，逐项分析原因，制定赶超措施，尽快追上序时进度。
（二）加快重点工作推进。请教育局、人力资源社会保障局、鹤山区人力资源社会保障局对滞后、逾期的工作措施逐项制定整改措施，明确完成时限，按月如实报送工作台账。
（三）及时报送审核数据。请人力资源社会保障局（山城区）、教育局（山城区）、农业局（山城区）、扶贫办（山城区）、民政局（山城区）、残联（山城区）抓紧补报9月份数据，市人力资源社会保障局抓紧审核；今后各部门、各县区须于每月5日前报送上月数据。
（四）加强统筹调度。各县区、各部门要对照年度目标和序时进度，落实责任，加强调度，确保全年目标任务按时完成。"""


def test_the_demo_september_bulletin_word_for_word(demo_plan) -> None:
    numbers = bulletin_numbers.collect(demo_plan, 9)

    title, text = bulletin_text.render(numbers)

    assert title == "关于2015年1—9月全民技能振兴工程目标任务进展情况的通报"
    assert text == DEMO_SEPTEMBER


def test_the_demo_numbers_are_the_progress_apis(demo_plan) -> None:
    numbers = bulletin_numbers.collect(demo_plan, 9)
    assert numbers["progress"] == progress(demo_plan, 9)
    training = next(g for g in numbers["progress"].goals if g.code == "training-total")
    assert (training.actual, training.completion) == (49973, 0.7139)  # "5万…71.4%"


def test_the_demo_training_goals_parts_add_up(demo_plan) -> None:
    numbers = bulletin_numbers.collect(demo_plan, 9)
    (part,) = numbers["breakdowns"]
    quotas = {q.code: q.actual for q in numbers["progress"].quotas}
    # 49,973 = the eight training quotas + 4,816 其他职业技能培训 (against the 8,550 left over).
    assert sum(quotas[code] for code in part["quotas"]) + part["own_actual"] == 49973
    assert (part["own_actual"], part["own_target"]) == (4816, 8550)


def test_the_demo_counties_rank_by_mean_completion(demo_plan) -> None:
    standings = rankings.ranked_counties(progress(demo_plan, 9), judged_only=True)
    # 山城区 sent nothing for September: its rows are pending, not ranked.
    assert [s.name for s in standings] == ["淇滨区", "浚县", "淇县", "鹤山区"]
    assert rankings.unranked_counties(progress(demo_plan, 9)) == ["山城区"]
    # skill-appraisal has no county split and rates have none: 8 of the 12 quotas count.
    assert {s.quotas for s in standings} == {8}
    # 鹤山区: the mean of its eight split quotas' actual ÷ target, computed here exactly and
    # rounded at four places (63.5 % in the text).
    shares = [
        Fraction(row.actual, row.target)
        for quota in progress(demo_plan, 9).quotas
        if quota.kind != "rate"
        for row in quota.regions
        if row.name == "鹤山区" and row.target
    ]
    mean = sum(shares) / len(shares)
    expected = (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(Decimal("0.0001"))
    assert (len(shares), standings[-1].completion) == (8, expected)
