"""The 工作台账 review page under two-level review: a county's reviewer (浚县) sees and approves
their county's steps' sent reports only; the city's reviewer then accepts them, seeing who
approved them, and how many still wait for the counties. A report outside the reviewer's
page named in a POST is 404; one the county has not approved yet is refused with the reason;
nothing is written either way. The clerk sees where the report is."""

from __future__ import annotations

from typing import Any

import pytest

from targets import services
from targets.models import Plan, StepReport, WorkStep
from tests.helpers import client_for
from tests.targets.work_flow import Progress, Status, cooperate, item, step
from tests.targets.work_pages import QUEUE, everything, page_text

pytestmark = pytest.mark.django_db


def sent(clerk: Any, work_step: WorkStep) -> StepReport:
    saved = services.step_report_save(
        actor=clerk, step=work_step, month=3, progress=Progress.IN_PROGRESS, done="召开了对接会"
    )
    services.step_report_submit(actor=clerk, report=saved)
    saved.refresh_from_db()
    return saved


@pytest.fixture
def reports(two_levels: Plan, clerk: Any, county_clerk: Any) -> dict[str, StepReport]:
    """March reports of 三个对接行动 sent for review: of 人社局 in 浚县, in 淇滨区, in 市直 and
    city-wide."""
    milestone = item(two_levels)
    for code in ("410621", "410611", "410601"):
        cooperate(milestone, "hrss", code)
    return {
        "410621": sent(
            county_clerk, step(county_clerk, milestone, region="410621", title="浚县会")
        ),
        "410611": sent(clerk, step(clerk, milestone, region="410611", title="淇滨区会")),
        "410601": sent(clerk, step(clerk, milestone, region="410601", title="市直会")),
        "city": sent(clerk, step(clerk, milestone, title="全市会")),
    }


def listed(response: Any) -> set[int]:
    return {row.report.pk for group in response.context["groups"] for row in group.reports}


def test_the_county_reviewer_approves_their_county_then_the_city_accepts(
    reports: dict[str, StepReport], county_people: dict[str, Any], reviewer: Any
) -> None:
    xun = reports["410621"]
    client = client_for(county_people["reviewer"])
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert listed(queue) == {xun.pk}
    assert "台账审核（浚县）" in page_text(queue)
    assert queue.context["at_county"] == 0

    response = client.post(
        QUEUE, {"report": xun.pk, "action": "approve", "comment": "县里核过"}, follow=True
    )
    assert "县区审核通过 人社局（浚县） “浚县会” 3月台账，待市人社局确认后计入统计。" in page_text(
        response
    )
    xun.refresh_from_db()
    assert (xun.status, xun.is_counted) == (Status.VERIFIED, False)
    assert listed(response) == set()

    city = client_for(reviewer)
    page = city.get(QUEUE)
    assert listed(page) == {xun.pk, reports["410601"].pk, reports["city"].pk}
    text = page_text(page)
    assert "县区已审核（reviewer-410621，" in text
    assert "县区意见：县里核过" in text
    assert page.context["at_county"] == 1  # 淇滨区's, with its county
    response = city.post(QUEUE, {"report": xun.pk, "action": "approve"}, follow=True)
    assert "已审核通过 人社局（浚县） “浚县会” 3月台账。" in page_text(response)
    xun.refresh_from_db()
    assert (xun.status, xun.is_counted) == (Status.APPROVED, True)


@pytest.mark.parametrize("code", ["410611", "410601", "city"])
def test_a_county_reviewer_cannot_post_a_report_outside_their_county(
    reports: dict[str, StepReport], county_people: dict[str, Any], code: str
) -> None:
    before = everything()
    response = client_for(county_people["reviewer"]).post(
        QUEUE, {"report": reports[code].pk, "action": "return", "comment": "越权"}
    )
    assert response.status_code == 404
    assert everything() == before


def test_the_city_reviewer_is_told_the_county_has_not_approved_yet(
    reports: dict[str, StepReport], reviewer: Any
) -> None:
    client = client_for(reviewer)
    queue = client.get(QUEUE)
    assert queue.context["at_county"] == 2  # 浚县 and 淇滨区 wait for their counties
    assert "另有 2 份县区台账已报送，正在等待县区审核员审核" in page_text(queue)
    assert listed(queue) == {reports["410601"].pk, reports["city"].pk}
    before = everything()
    response = client.post(QUEUE, {"report": reports["410611"].pk, "action": "approve"})
    assert response.status_code == 400
    assert "须先经县区审核员审核通过" in page_text(response)
    assert everything() == before


def test_the_county_reviewer_returns_and_the_clerk_sees_why(
    reports: dict[str, StepReport], county_people: dict[str, Any], county_clerk: Any
) -> None:
    xun = reports["410621"]
    client = client_for(county_people["reviewer"])
    client.post(QUEUE, {"report": xun.pk, "action": "return", "comment": "请补充佐证"})
    xun.refresh_from_db()
    assert (xun.status, xun.reviewed_by) == (Status.RETURNED, county_people["reviewer"])
    month = page_text(client_for(county_clerk).get("/work/2015/3/"))
    assert "退回意见：请补充佐证" in month


def test_the_clerk_sees_a_report_the_county_approved_still_waiting(
    reports: dict[str, StepReport], county_people: dict[str, Any], county_clerk: Any
) -> None:
    xun = reports["410621"]
    services.step_report_approve(actor=county_people["reviewer"], report=xun)
    clerk = client_for(county_clerk)
    assert "县区已审核，等待市人社局确认。" in page_text(clerk.get("/work/2015/3/"))
    months = {row["month"]: row for row in clerk.get("/work/").context["months"]}
    assert (months[3]["submitted"], months[3]["approved"]) == (1, 0)
    history = page_text(clerk.get(f"/work/report/{xun.pk}/history/"))
    assert "县区审核通过" in history and "县区已审核" in history  # the trail, the status
    assert "<dt>县区审核</dt><dd>reviewer-410621 " in history  # the revision's county step


def test_under_one_level_the_county_reviewer_is_told_why_the_queue_is_empty(
    plan: Plan, county_clerk: Any, county_people: dict[str, Any]
) -> None:
    cooperate(item(plan), "hrss", "410621")
    xun = sent(county_clerk, step(county_clerk, item(plan), region="410621"))
    client = client_for(county_people["reviewer"])
    page = client.get(QUEUE)
    assert page.context["total"] == 0
    assert "本年度方案实行一级审核" in page_text(page)
    before = everything()
    response = client.post(QUEUE, {"report": xun.pk, "action": "approve"})
    assert response.status_code == 404
    assert everything() == before
