"""The bulletin as a paper of its own: number, issuer, date, 抄送, sections, rates as rates,
pending rows not judged, 市直 apart, the training goal's parts, English punctuation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import translation

from reporting.bulletins import numbers as bulletin_numbers
from reporting.bulletins import rankings, wording
from reporting.bulletins import text as bulletin_text
from reporting.models import Bulletin
from reporting.rollup import rebuild
from reporting.rows import IndicatorProgress, Progress
from reporting.selectors import progress
from reporting.services import bulletins as publishing
from targets.models import Indicator
from tests.helpers import client_for
from tests.reporting import items

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_DEADLINE = "2015-04-10 10:00 +08:00"  # March's figures were due by 5 April
CJK_PUNCTUATION = set("、，。（）：；")


@pytest.fixture
def march(plan, figure, complete, time_machine, split_in_two):
    """March, sent on time: two quotas split to 淇滨区 and 浚县; 浚县's veterans: 32 of 49
    registered trained (参训率 65.3 %, 72.6 % of the 90 % target); 100 其他职业技能培训;
    every other figure approved as 0 except 教育局's in 鹤山区 (enrolment: pending)."""
    time_machine.move_to("2015-04-02 10:00 +08:00")
    split_in_two()
    for code, region, value in [
        ("rural-transfer", "410611", 1800),
        ("rural-transfer", "410621", 400),
        ("in-service", "410611", 1500),
        ("in-service", "410621", 1000),
        ("training-total", "410611", 100),
        ("veterans-eligible", "410621", 50),
        ("veterans-aware", "410621", 50),
        ("veterans-registered", "410621", 49),
        ("veterans-trained", "410621", 32),
        ("veterans-passed", "410621", 30),
    ]:
        figure(code, region, 3, value)
    # Every other cell approved as 0 but 教育局's in 鹤山区: only the enrolment goal is pending.
    complete(3, leave=(("vocational-enrolment", "410602"),))
    rebuild(plan)
    return plan


def text_of(plan, month: int = 3) -> str:
    return bulletin_text.render(bulletin_numbers.collect(plan, month))[1]


# --- §2: a county's rate is its rate -----------------------------------------------------------


def test_a_countys_rate_is_printed_as_its_rate_and_its_completion_labelled(march) -> None:
    document = progress(march, 3)
    quota = next(q for q in document.quotas if q.code == "veterans-participation")
    row = next(r for r in quota.regions if r.code == "410621")
    assert row.status == "red"

    text = text_of(march)

    # 32/49 = 65.31 %; 0.6531/0.9 = 72.56 % of the target.
    assert "浚县" in text
    assert "退役士兵参训率65.3%（目标90%，为目标的72.6%）" in text
    assert "退役士兵参训率72.6%" not in text


def test_the_dashboard_and_the_bulletin_print_the_same_digits() -> None:
    item = items.item(
        code="x",
        name="某项培训",
        department="某局",
        kind="flow",
        unit="人次",
        target=200000,
        actual=150498,
        completion=0.7525,  # the API's four places: rounding it again gave 75.3 %
        expected=0.75,
        status="green",
    )
    dashboard = Template("{% load progress_format %}{{ item|completion_percent }}").render(
        Context({"item": item})
    )

    assert dashboard == "75.2%"
    assert "的75.2%，超序时进度0.2个百分点" in wording.clause(item)


# --- §3: the training goal's own figures are a visible part ------------------------------------


def test_the_training_goals_parts_add_up_to_the_goal(march) -> None:
    numbers = bulletin_numbers.collect(march, 3)
    document = numbers["progress"]
    goal = next(g for g in document.goals if g.code == "training-total")
    (part,) = numbers["breakdowns"]
    quotas = {q.code: q for q in document.quotas}

    assert part["own_actual"] == 100 and part["own_target"] == 8550
    assert sum(quotas[c].actual for c in part["quotas"]) + part["own_actual"] == goal.actual
    assert len(part["quotas"]) == 8
    text = bulletin_text.render(numbers)[1]
    assert (
        "其他职业技能培训（未分解到部门，不排名）：完成100人次，占未分解目标（8550人次）的1.2%。"
    ) in text
    assert "以上8项分解任务与其他职业技能培训合计4800人次，即全市各类职业技能培训完成数。" in text


# --- §1: pending rows are not judged -----------------------------------------------------------


def _pending(document: Progress, code: str, region: str | None = None) -> Progress:
    """The document with one row (a goal or quota, or one of a quota's counties) pending."""
    waiting = {"status": "pending", "reported": items.reported(6, 5)}

    def changed(item: IndicatorProgress) -> IndicatorProgress:
        if item.code != code:
            return item
        if region is None:
            return replace(item, **waiting)
        places = tuple(replace(r, **waiting) if r.code == region else r for r in item.regions)
        return replace(item, regions=places)

    return replace(
        document,
        goals=tuple(changed(goal) for goal in document.goals),
        quotas=tuple(changed(quota) for quota in document.quotas),
    )


def test_a_pending_quota_is_not_judged_nor_listed_in_red(march) -> None:
    numbers = bulletin_numbers.collect(march, 3)
    before = bulletin_text.render(numbers)[1]
    assert "人力资源社会保障局企业在岗职工培训完成2500人次" in before  # red, judged today
    numbers["progress"] = _pending(numbers["progress"], "in-service")
    numbers["progress"] = _pending(numbers["progress"], "rural-transfer", "410621")

    text = bulletin_text.render(numbers)[1]

    line = next(x for x in text.split("\n") if "企业在岗职工培训完成2500人次" in x)
    assert "数据不全（已审核5/6项），暂不评价进度" in line
    assert "序时进度" not in line
    problems = text.split("五、存在的问题")[1].split("六、")[0]
    assert "人力资源社会保障局企业在岗职工培训完成" not in problems
    assert "数据不全、本期暂不评价的任务：职业教育在校生规模、企业在岗职工培训。" in problems
    assert "浚县1项，退役士兵参训率" in problems  # its rural row is pending now: not red
    # Pending quotas come after the judged ones (every quota has data here).
    assert [q.code for q in rankings.ranked_quotas(numbers["progress"])][-1] == "in-service"
    # 浚县's mean leaves out its pending row and says so.
    judged = rankings.ranked_counties(numbers["progress"], judged_only=True)
    standing = next(s for s in judged if s.code == "410621")
    assert (standing.quotas, standing.pending) == (1, 1)
    # The dashboard's ranking keeps 浚县 on both rows (and greys it).
    everyone = next(s for s in rankings.ranked_counties(numbers["progress"]) if s.code == "410621")
    assert (everyone.quotas, everyone.pending) == (2, 1)
    assert "另有1项数据不全，未计入" in text


def test_a_row_without_reported_counts_is_complete() -> None:
    assert not bulletin_numbers.is_pending(items.item(status="red"))
    assert bulletin_numbers.is_pending(items.item(status="red", reported=items.reported(6, 5)))
    assert not bulletin_numbers.is_pending(items.item(status="red", reported=items.reported(6, 6)))
    assert bulletin_numbers.is_pending(items.item(status="pending"))


def test_city_level_units_are_listed_apart_from_the_county_ranking(march) -> None:
    numbers = bulletin_numbers.collect(march, 3)
    city_level = items.region(
        code="410600",
        name="市直",
        kind="city",
        target=2000,
        actual=500,
        completion=0.25,
        status="green",
    )
    found = numbers["progress"]
    numbers["progress"] = replace(
        found,
        quotas=tuple(
            replace(quota, regions=(*quota.regions, city_level))
            if quota.code == "rural-transfer"
            else quota
            for quota in found.quotas
        ),
    )

    standings = rankings.ranked_counties(numbers["progress"], judged_only=True)
    text = bulletin_text.render(numbers)[1]

    assert "410600" not in [s.code for s in standings]
    assert [s.code for s in rankings.city_places(numbers["progress"])] == ["410600"]
    assert (
        "市直（市直单位，不参加县区排名）：1项分解任务平均完成年度目标的25.0%，与序时进度持平。"
    ) in text


# --- §6: sections, masthead, numbers ----------------------------------------------------------


def test_the_sections_come_in_the_usual_order(march) -> None:
    headings = [line for heading, line in bulletin_text.blocks(text_of(march)) if heading]
    assert headings == [
        "一、总体进展",
        "二、各县区进展",
        "三、各部门进展",
        "四、重点工作进展",
        "五、存在的问题",
        "六、下步工作要求",
    ]
    text = text_of(march)
    assert "时间进度" not in text and "（序时进度25%）" in text
    # It cites the plan, as the plan's own words: never as its own number.
    assert "根据《鹤壁市2015年深入实施全民技能振兴工程工作方案》（鹤政办〔2015〕39号）要求" in text


def test_the_requirements_press_the_red_items_and_chase_the_missing_reports(march) -> None:
    requirements = text_of(march).split("六、下步工作要求\n")[1].split("\n")
    assert requirements[0].startswith("（一）加快滞后任务进度。")
    assert "浚县" in requirements[0]
    assert requirements[1].startswith("（二）及时报送审核数据。请教育局（鹤山区）抓紧补报3月份数据")
    assert "抓紧补报3月份数据" in requirements[1]
    assert requirements[2].startswith("（三）加强统筹调度。")


def test_a_draft_shows_the_next_number_its_own_issuer_and_today(march, make_user) -> None:
    page = client_for(make_user("leader")).get("/bulletins/2015/3/")
    paper = page.context["paper"]
    html = page.content.decode()

    assert paper["number"] == "第1期（草稿）"
    assert paper["issuer"] == "鹤壁市全民技能振兴工程领导小组办公室"
    assert paper["date"] == "2015年4月2日"
    assert paper["cc"] == "抄送：市委办公室、市人大常委会办公室、市政府办公室、市政协办公室。"
    article = html.split('id="bulletin"')[1].split("</article>")[0]
    assert "鹤壁市人民政府办公室" not in article  # the plan's issuer is not the bulletin's
    assert article.count("鹤政办〔2015〕39号") == 1  # cited once in the text, not a number
    assert "（鹤政办〔2015〕39号）要求" in article
    assert '<p class="bulletin__number">第1期（草稿）</p>' in article


def test_numbers_follow_publication_per_plan_without_gaps(
    march, make_user, time_machine, plan_of_year
) -> None:
    reviewer = make_user("reviewer")
    time_machine.move_to(AFTER_DEADLINE)
    march.bulletin_issuer = "鹤壁市人力资源和社会保障局"
    march.bulletin_cc = "市政府办公室"
    march.save()

    second_plan = plan_of_year(2016)
    rebuild(second_plan)
    first = publishing.bulletin_publish(plan=march, month=3, actor=reviewer, confirmed=True)
    earlier = publishing.bulletin_publish(plan=march, month=2, actor=reviewer, confirmed=True)
    time_machine.move_to("2016-02-10 10:00 +08:00")
    other = publishing.bulletin_publish(plan=second_plan, month=1, actor=reviewer, confirmed=True)

    assert (first.number, earlier.number, other.number) == (1, 2, 1)
    assert (first.issuer, first.cc) == ("鹤壁市人力资源和社会保障局", "市政府办公室")
    assert str(first.issued_on) == "2015-04-10"
    # Changing the plan's settings later leaves the published bulletin as it was.
    march.bulletin_issuer = "别的单位"
    march.save()
    page = client_for(reviewer).get("/bulletins/2015/3/").context["paper"]
    assert (page["number"], page["issuer"], page["date"]) == (
        "第1期",
        "鹤壁市人力资源和社会保障局",
        "2015年4月10日",
    )
    april = client_for(reviewer).get("/bulletins/2015/4/").context["paper"]
    assert april["number"] == "第3期（草稿）"
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.filter(pk=earlier.pk).update(number=1)


# --- §1: publishing waits for the deadline and names what is missing ---------------------------


def test_a_month_cannot_be_published_before_its_deadline(march, make_user, time_machine) -> None:
    time_machine.move_to("2015-04-05 23:00 +08:00")  # the last day on time
    client = client_for(make_user("reviewer"))

    refused = client.post("/bulletins/2015/3/publish/", {"confirm": "1"})

    assert refused.status_code == 409
    assert "3月数据的报送截止日（2015年4月5日）之后才能发布本月通报。" in refused.content.decode()
    assert not Bulletin.objects.exists()
    page = client.get("/bulletins/2015/3/").content.decode()
    assert 'id="bulletin-too-early"' in page and 'id="bulletin-publish"' not in page


def test_missing_reports_are_named_and_publishing_needs_a_confirmation(
    march, make_user, time_machine
) -> None:
    time_machine.move_to(AFTER_DEADLINE)
    client = client_for(make_user("reviewer"))

    asked = client.post("/bulletins/2015/3/publish/")

    assert asked.status_code == 409
    html = asked.content.decode()
    assert "3月份还有" in html and "份报表未报齐或未审核通过" in html
    assert "教育局 × 鹤山区：应报1项，已报送0项，已审核0项" in html
    assert "3月份还有1份报表未报齐或未审核通过" in html
    assert "民政局 × 浚县" not in html  # all five of its series approved
    assert 'name="confirm" value="1"' in html
    assert not Bulletin.objects.exists()

    confirmed = client.post("/bulletins/2015/3/publish/", {"confirm": "1"})

    assert confirmed.status_code == 302
    assert Bulletin.objects.get().number == 1


def test_a_sent_but_unapproved_report_is_outstanding(march, figure) -> None:
    figure("vocational-enrolment", "410602", 3, 10, status="submitted")

    (entry,) = bulletin_numbers.outstanding(march, 3)

    assert (entry["department"], entry["region"]) == ("edu", "410602")
    assert (entry["expected"], entry["sent"], entry["approved"]) == (1, 1, 0)
    text = text_of(march)
    assert "已报送尚未审核通过的有：教育局鹤山区1项。" in text
    assert "数据不全（已审核5/6项），暂不评价进度" in text  # enrolment: 6 places, 5 approved


# --- English ------------------------------------------------------------------------------------


def test_the_english_version_uses_english_punctuation(march, make_user) -> None:
    numbers = bulletin_numbers.collect(march, 3)
    with translation.override("en"):
        title, text = bulletin_text.render(numbers)
        masthead = bulletin_text.masthead(march, 3, None)
    for line in [title, *text.split("\n"), *masthead.values()]:
        assert not CJK_PUNCTUATION & set(line), line
    assert masthead["cc"].startswith("CC: ")
    assert text.split("\n")[2] == "1. Overall progress"

    client = client_for(make_user("leader"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/bulletins/2015/3/")
    article = page.content.decode().split('id="bulletin"')[1].split("</article>")[0]
    assert not CJK_PUNCTUATION & set(article)


def test_a_published_bulletin_in_english_is_its_stored_numbers_in_english(
    march, make_user, time_machine, correct
) -> None:
    reviewer = make_user("reviewer")
    time_machine.move_to(AFTER_DEADLINE)
    published = publishing.bulletin_publish(plan=march, month=3, actor=reviewer, confirmed=True)
    with translation.override("en"):
        english = bulletin_text.render(bulletin_numbers.from_stored(published.numbers))[1]
    rural = Indicator.objects.get(plan=march, code="rural-transfer")
    correct(rural.submissions.get(region__code="410611", month=3, is_counted=True), 2800)
    rebuild(march)

    client = client_for(reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/bulletins/2015/3/")

    assert [line for _h, line in page.context["paper"]["blocks"]] == english.split("\n")
    assert published.text.startswith("各县区人民政府")  # stored in Chinese, whoever published


def test_published_at_is_local_in_the_issue_date(march, make_user, time_machine) -> None:
    time_machine.move_to(datetime(2015, 4, 30, 23, 30, tzinfo=SHANGHAI))  # 15:30 UTC
    published = publishing.bulletin_publish(
        plan=march, month=3, actor=make_user("reviewer"), confirmed=True
    )
    assert str(published.issued_on) == "2015-04-30"


def test_next_years_plan_keeps_the_bulletins_issuer_and_cc(plan) -> None:
    from targets.services.plan_definition import plan_clone

    plan.bulletin_issuer, plan.bulletin_cc = "鹤壁市人力资源和社会保障局", "市政府办公室"
    plan.save()

    new = plan_clone(source=plan, year=2016, doc_number="鹤政办〔2016〕12号")

    assert (new.bulletin_issuer, new.bulletin_cc) == ("鹤壁市人力资源和社会保障局", "市政府办公室")


def test_a_month_with_every_report_approved_publishes_without_asking(
    march, make_user, time_machine, monkeypatch
) -> None:
    time_machine.move_to(AFTER_DEADLINE)
    monkeypatch.setattr(bulletin_numbers, "outstanding", lambda plan, month: [])

    response = client_for(make_user("reviewer")).post("/bulletins/2015/3/publish/")

    assert response.status_code == 302
    published = Bulletin.objects.get()
    assert published.number == 1 and published.numbers["outstanding"] == []
    assert "已全部审核通过36份" in published.text


def test_an_empty_issuer_is_the_leading_group_office(march) -> None:
    march.bulletin_issuer, march.bulletin_cc = "", ""
    march.save()

    masthead = bulletin_text.masthead(march, 3, None)

    assert masthead["issuer"] == "鹤壁市全民技能振兴工程领导小组办公室"
    assert masthead["cc"] == ""  # no 抄送 line
