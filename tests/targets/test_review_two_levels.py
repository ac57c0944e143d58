"""The review pages under two-level review: a county's reviewer (浚县) sees and approves their
county's sent figures only; the city's reviewer then accepts them. A figure of another county
named in a POST is not on the page (404); one the county has not approved yet is refused with
the reason, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from targets import services
from targets.models import Department, Indicator, Plan, Region, Submission
from tests.helpers import client_for
from tests.targets.review_month import Status, url, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def hrss(departments: dict[str, Department]) -> Department:
    return departments["hrss"]


@pytest.fixture
def sent(two_levels: Plan, figure: Any) -> dict[str, Submission]:
    """March figures of the HR bureau sent for review: in 浚县, in 淇滨区 and in 市直."""
    return {
        code: figure("rural-transfer", code, 3, value, status="submitted")
        for code, value in (("410621", 300), ("410611", 200), ("410601", 100))
    }


def test_the_county_reviewer_sees_and_approves_their_county_only(
    sent: dict[str, Submission], county_people: dict[str, Any], reviewer: Any, hrss: Department
) -> None:
    client = client_for(county_people["reviewer"])
    queue = client.get("/review/")
    assert queue.context["total"] == 1
    assert "审核（浚县）" in queue.content.decode()
    page = client.get(url(hrss, 3))
    assert [row.submission for row in page.context["rows"]] == [sent["410621"]]

    response = client.post(url(hrss, 3), {"action": "approve_all"}, follow=True)
    assert "县区审核通过 1 条数据，待市人社局确认后计入统计。" in response.content.decode()
    xun = Submission.objects.get(pk=sent["410621"].pk)
    assert (xun.status, xun.is_counted) == (Status.VERIFIED, False)

    city = client_for(reviewer)
    rows = city.get(url(hrss, 3)).context["rows"]
    assert {row.submission.pk for row in rows} == {sent["410621"].pk, sent["410601"].pk}
    assert "县区已审核（reviewer-410621）" in city.get(url(hrss, 3)).content.decode()
    city.post(url(hrss, 3), {"action": "approve", "ids": [sent["410621"].pk]})
    xun.refresh_from_db()
    assert (xun.status, xun.is_counted) == (Status.APPROVED, True)


def test_a_county_reviewer_cannot_post_another_countys_figure(
    sent: dict[str, Submission], county_people: dict[str, Any], hrss: Department
) -> None:
    before = written()
    response = client_for(county_people["reviewer"]).post(
        url(hrss, 3), {"action": "approve", "ids": [sent["410611"].pk]}
    )
    assert response.status_code == 404
    assert written() == before


def test_the_city_reviewer_is_told_the_county_has_not_approved_yet(
    sent: dict[str, Submission], reviewer: Any, hrss: Department
) -> None:
    client = client_for(reviewer)
    queue = client.get("/review/")
    assert queue.context["at_county"] == 2  # 浚县 and 淇滨区 wait for their counties
    assert queue.context["total"] == 1  # 市直, reviewed by the city alone
    before = written()
    response = client.post(url(hrss, 3), {"action": "approve", "ids": [sent["410611"].pk]})
    assert "须先由县区审核员审核通过" in response.content.decode()
    assert written() == before


def test_under_one_level_the_county_reviewer_is_told_why_the_queue_is_empty(
    plan: Plan, figure: Any, county_people: dict[str, Any]
) -> None:
    figure("rural-transfer", "410621", 3, 300, status="submitted")
    page = client_for(county_people["reviewer"]).get("/review/")
    assert page.context["total"] == 0
    assert "本年度方案实行一级审核" in page.content.decode()


def test_the_clerk_sees_a_figure_the_county_approved_as_still_waiting(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], hrss: Department
) -> None:
    figure = services.submission_save(
        actor=county_clerk,
        indicator=Indicator.objects.get(plan=two_levels, code="rural-transfer"),
        region=Region.objects.get(code="410621"),
        month=3,
        value=300,
    )
    services.submission_submit(actor=county_clerk, submission=figure)
    services.submission_approve(actor=county_people["reviewer"], submission=figure)
    client = client_for(county_clerk)
    march = next(row for row in client.get("/entry/").context["months"] if row["month"] == 3)
    assert (march["submitted"], march["approved"]) == (1, 0)
    page = client.get("/entry/2015/3/")
    assert "待审核 1 · 已审核 0" in page.content.decode()
    assert "县区已审核" in page.content.decode()
