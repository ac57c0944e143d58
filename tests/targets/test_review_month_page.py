"""A department's month under review (/review/<department>/<month>/): who may open it, the
waiting figures with their change columns, and the context a reviewer needs beside each.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from targets import services
from targets.models import Department, Plan, Submission
from tests.helpers import client_for
from tests.targets.review_month import REFUSED, Status, at, url, written

# Permissions


@pytest.mark.parametrize(("who", "status"), [("reviewer", 200), *((w, 403) for w in REFUSED)])
def test_it_checks_the_policy(
    people: dict[str, Any], hrss: Department, march: list[Submission], who: str, status: int
) -> None:
    assert client_for(people[who]).get(url(hrss, 3)).status_code == status


POSTS = {
    "approve_all": lambda figures: {"action": "approve_all"},
    "approve": lambda figures: {"action": "approve", "ids": [figures[0].pk]},
    "return": lambda figures: {"action": "return", "ids": [figures[0].pk], "comment": "请核实"},
}


@pytest.mark.parametrize("action", list(POSTS))
@pytest.mark.parametrize("who", REFUSED)
def test_only_reviewers_may_approve_or_return(
    people: dict[str, Any], hrss: Department, march: list[Submission], who: str, action: str
) -> None:
    before = written()
    response = client_for(people[who]).post(url(hrss, 3), POSTS[action](march))
    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize("action", list(POSTS))
def test_reviewers_may_approve_or_return(
    reviewer: Any, hrss: Department, march: list[Submission], action: str
) -> None:
    response = client_for(reviewer).post(url(hrss, 3), POSTS[action](march))
    assert response.status_code == 302
    assert response["Location"] == url(hrss, 3)
    march[0].refresh_from_db()
    assert march[0].status != Status.SUBMITTED


@pytest.mark.parametrize("action", list(POSTS))
def test_anonymous_users_are_sent_to_login(
    hrss: Department, march: list[Submission], action: str
) -> None:
    before = written()
    response = Client().post(url(hrss, 3), POSTS[action](march))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    get = Client().get(url(hrss, 3))
    assert get.status_code == 302
    assert get["Location"] == f"/accounts/login/?next={url(hrss, 3)}"
    assert written() == before


def test_unknown_department_or_month_is_not_found(reviewer: Any, hrss: Department) -> None:
    client = client_for(reviewer)
    missing = Department.objects.order_by("-pk").first().pk + 1
    assert client.get(f"/review/{missing}/3/").status_code == 404
    assert client.get(url(hrss, 13)).status_code == 404
    assert client.get(url(hrss, 0)).status_code == 404


# The list


def test_it_lists_the_waiting_figures_of_the_department_and_month(
    reviewer: Any, hrss: Department, march: list[Submission], figure: Any
) -> None:
    figure("rural-transfer", "410603", 3, status="draft")
    figure("rural-transfer", "410622", 3, status="approved")
    figure("rural-transfer", "410611", 4)
    response = client_for(reviewer).get(url(hrss, 3))
    listed = [row.submission.pk for row in response.context["rows"]]
    assert sorted(listed) == sorted(s.pk for s in march[:3])
    page = response.content.decode()
    assert "人力资源社会保障局 · 3月 待审核数据" in page
    assert "农村劳动力转移就业技能培训" in page
    assert "企业在岗职工培训" in page
    assert "新型职业农民教育培训" not in page  # another department's
    assert f'href="/review/cell/{march[0].pk}/history/"' in page


def test_each_row_shows_value_unit_note_sender_and_lateness(
    reviewer: Any, hrss: Department, figure: Any, people: dict[str, Any]
) -> None:
    people["clerk"].first_name = "小李"
    people["clerk"].save()
    on_time = figure("rural-transfer", "410611", 3, 12345, note="含补录", submitted_at=at(4, 5, 23))
    late = figure("rural-transfer", "410621", 3, 7, submitted_at=at(4, 6, 0))
    response = client_for(reviewer).get(url(hrss, 3))
    rows = {row.submission.pk: row for row in response.context["rows"]}
    assert rows[on_time.pk].value == "12,345"
    assert not rows[on_time.pk].is_late
    assert rows[late.pk].is_late
    page = response.content.decode()
    for shown in ("12,345", "人次", "含补录", "小李", "2015-04-05 23:00"):
        assert shown in page, shown
    assert page.count("逾期</span>") == 1
    assert "报送截止日期：2015-04-05（含当日）" in page


def test_lateness_follows_the_plans_deadline_day(
    reviewer: Any, hrss: Department, figure: Any, plan: Plan
) -> None:
    Plan.objects.filter(pk=plan.pk).update(deadline_day=10)
    sent = figure("rural-transfer", "410611", 3, submitted_at=at(4, 8))
    response = client_for(reviewer).get(url(hrss, 3))
    assert [row.is_late for row in response.context["rows"]] == [False]
    assert sent.pk == response.context["rows"][0].submission.pk
    assert "报送截止日期：2015-04-10（含当日）" in response.content.decode()


def test_lateness_is_judged_by_the_first_sending(
    reviewer: Any, hrss: Department, figure: Any, people: dict[str, Any]
) -> None:
    clerk = people["clerk"]
    # Sent on time, returned, sent again after the deadline: still on time.
    resent = figure("rural-transfer", "410611", 3, submitted_at=at(4, 3))
    services.submission_return(actor=reviewer, submission=resent, comment="请核实", at=at(4, 4))
    services.submission_submit(actor=clerk, submission=resent, at=at(4, 20))
    # A correction sent months later follows an approved report: not late either.
    first = figure("in-service", "410611", 3, status="approved", submitted_at=at(4, 2))
    correction = services.submission_correct(
        actor=clerk, submission=first, value=5, reason="补录", at=at(7, 1)
    )
    services.submission_submit(actor=clerk, submission=correction, at=at(7, 1))
    # First sent after the deadline: late.
    late = figure("reemployment", "410611", 3, submitted_at=at(4, 6))
    rows = {
        row.submission.pk: row.is_late
        for row in client_for(reviewer).get(url(hrss, 3)).context["rows"]
    }
    assert rows == {resent.pk: False, correction.pk: False, late.pk: True}


def test_change_columns_on_a_hand_made_history(
    reviewer: Any, hrss: Department, figure: Any, people: dict[str, Any]
) -> None:
    # February counted 100; March first approved at 110, then corrected to 121 with a reason.
    figure("rural-transfer", "410611", 2, 100, status="approved")
    first = figure("rural-transfer", "410611", 3, 110, status="approved")
    correction = services.submission_correct(
        actor=people["clerk"], submission=first, value=121, reason="补录漏报的两个培训班"
    )
    services.submission_submit(actor=people["clerk"], submission=correction)
    # A new cell: no earlier revision; February's figure of it is a draft, shown and marked.
    figure("in-service", "410611", 2, 50, status="draft")
    fresh = figure("in-service", "410611", 3, 60)
    # A cell whose February counted 0.
    figure("reemployment", "410611", 2, 0, status="approved")
    from_zero = figure("reemployment", "410611", 3, 5)
    # A drop.
    figure("entrepreneurship", "410611", 2, 200, status="approved")
    drop = figure("entrepreneurship", "410611", 3, 150)

    response = client_for(reviewer).get(url(hrss, 3))
    rows = {row.submission.pk: row for row in response.context["rows"]}
    corrected = rows[correction.pk]
    assert corrected.previous_revision == "110"
    assert corrected.previous_month == "100"
    assert corrected.previous_month_change == "+21%"
    assert rows[fresh.pk].previous_revision is None
    assert rows[fresh.pk].previous_month_change == "+20%"
    assert rows[fresh.pk].previous_month_pending == "草稿"
    assert corrected.previous_month_pending == ""  # approved: no mark
    assert rows[from_zero.pk].previous_month_change == "新增"
    assert rows[drop.pk].previous_month_change == "-25%"
    page = response.content.decode()
    for shown in (
        "更正（第 2 版）：110 → 121",
        "理由：补录漏报的两个培训班",
        "+21%",
        "（上月 100）",
        "首次报送",
    ):
        assert shown in page, shown


def test_january_has_no_previous_month(reviewer: Any, hrss: Department, figure: Any) -> None:
    january = figure("rural-transfer", "410611", 1, 10)
    response = client_for(reviewer).get(url(hrss, 1))
    (row,) = response.context["rows"]
    assert row.submission.pk == january.pk
    assert row.previous_month_change == "—"


def test_nothing_waiting_shows_an_empty_state(reviewer: Any, hrss: Department) -> None:
    response = client_for(reviewer).get(url(hrss, 7))
    assert response.status_code == 200
    page = response.content.decode()
    assert "人力资源社会保障局 7月目前没有等待审核的数据。" in page
    assert 'name="action"' not in page


def test_without_an_active_plan(
    reviewer: Any, hrss: Department, march: list[Submission], plan: Plan
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    response = client_for(reviewer).get(url(hrss, 3))
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_it_reads_a_fixed_number_of_queries(
    reviewer: Any,
    hrss: Department,
    figure: Any,
    people: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    client = client_for(reviewer)
    figure("rural-transfer", "410611", 3)
    # The page's reads, then the rows' context: revisions, earlier months, county targets (for
    # the entry warnings), return events and the rosters behind training figures, one each.
    with django_assert_num_queries(13) as one:
        client.get(url(hrss, 3))
    for region in ("410603", "410602", "410621", "410622"):
        figure("rural-transfer", region, 2, status="approved")
        figure("in-service", region, 3)
    first = figure("reemployment", "410611", 3, status="approved")
    correction = services.submission_correct(
        actor=people["clerk"], submission=first, value=9, reason="更正"
    )
    services.submission_submit(actor=people["clerk"], submission=correction)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url(hrss, 3))
    assert len(response.context["rows"]) == 6


# The context a reviewer needs beside each figure (issue: act on a figure knowing its story)


def test_the_previous_month_is_shown_even_when_still_waiting_and_marked_so(
    reviewer: Any, hrss: Department, figure: Any
) -> None:
    # Before: February waiting for review showed as "—", as if there were no February.
    figure("rural-transfer", "410611", 2, 100)  # sent, not reviewed
    march = figure("rural-transfer", "410611", 3, 150)

    response = client_for(reviewer).get(url(hrss, 3))

    row = next(r for r in response.context["rows"] if r.submission.pk == march.pk)
    assert (row.previous_month, row.previous_month_change) == ("100", "+50%")
    assert row.previous_month_pending == "待审"
    assert '<span class="review-pending">待审</span>' in response.content.decode()


def test_the_clerks_warnings_and_note_are_shown(
    reviewer: Any, hrss: Department, figure: Any
) -> None:
    for month, value in ((1, 40), (2, 40)):
        figure("rural-transfer", "410611", month, value, status="approved")
    jump = figure("rural-transfer", "410611", 3, 500, note="春季集中开班")

    response = client_for(reviewer).get(url(hrss, 3))

    (row,) = [r for r in response.context["rows"] if r.submission.pk == jump.pk]
    assert row.warnings == ["远高于本县区以往各月（最高 40）。"]
    page = response.content.decode()
    assert "春季集中开班" in page and "远高于本县区以往各月（最高 40）。" in page


def test_a_figure_returned_and_sent_again_shows_the_old_value_and_the_comment(
    reviewer: Any, hrss: Department, figure: Any, people: dict[str, Any]
) -> None:
    first = figure("rural-transfer", "410611", 3, 1200)
    services.submission_return(actor=reviewer, submission=first, comment="一个月 1200 人次，请核实")
    services.submission_save(
        actor=people["clerk"],
        indicator=first.indicator,
        region=first.region,
        month=3,
        value=120,
    )
    services.submission_submit(actor=people["clerk"], submission=first)
    other = figure("in-service", "410611", 3, 30)

    response = client_for(reviewer).get(url(hrss, 3))

    rows = {r.submission.pk: r for r in response.context["rows"]}
    assert (rows[first.pk].returned_value, rows[first.pk].return_comment) == (
        "1,200",
        "一个月 1200 人次，请核实",
    )
    assert rows[other.pk].returned_value is None
    page = response.content.decode()
    assert "退回后重报：1,200 → 120" in page
    assert "退回意见：一个月 1200 人次，请核实" in page
