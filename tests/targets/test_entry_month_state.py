"""The clerk's context: returned figures, a month fully sent, withdrawal, late badges."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.test import Client

from targets import services
from targets.models import Submission, SubmissionEvent
from tests.helpers import client_for
from tests.targets.entry_grid import MARCH, cell, fill, form_of

pytestmark = pytest.mark.django_db

# --- the clerk's context: returned figures, a month fully sent, withdrawal, late badges -------


def send_march(clerk: User, value: str = "10") -> Client:
    client = client_for(clerk)
    response = client.post(MARCH, {**fill(client.get(MARCH), value), "action": "submit"})
    assert response.status_code == 302
    return client


def test_a_month_fully_sent_is_read_only_with_a_withdraw_button(clerk: User) -> None:
    client = send_march(clerk)

    page = client.get(MARCH)
    html = page.content.decode()

    assert page.context["fully_sent"]
    assert 'id="sent-state"' in html and "撤回</button>" in html
    assert "保存草稿" not in html and "保存并报送审核" not in html and "上传并报送" not in html
    assert html.count('name="ids"') == 48


def test_saving_a_month_with_nothing_to_save_does_not_say_saved(clerk: User) -> None:
    # Before: "已保存 3月草稿。" although nothing was written.
    client = send_march(clerk)
    events = SubmissionEvent.objects.count()

    response = client.post(MARCH, {**form_of(client.get(MARCH)), "action": "save"}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["没有修改，本月数据未作任何改动。"]
    assert SubmissionEvent.objects.count() == events


def test_withdrawing_makes_the_month_editable_again(clerk: User) -> None:
    client = send_march(clerk)
    ids = [c.current.pk for c in client.get(MARCH).context["grid"].cells]

    response = client.post("/entry/2015/3/withdraw/", {"ids": ids}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "已撤回 48 个数据，现为草稿，可修改后重新报送。"
    ]
    assert not response.context["fully_sent"]
    assert response.content.decode().count('class="entry-input') == 48
    assert Submission.objects.filter(status=Submission.Status.DRAFT).count() == 48


def test_withdrawing_after_a_review_is_refused_and_changes_nothing(
    clerk: User, reviewer: User
) -> None:
    client = send_march(clerk)
    ids = [c.current.pk for c in client.get(MARCH).context["grid"].cells]
    services.submission_approve(actor=reviewer, submission=Submission.objects.get(pk=ids[0]))

    response = client.post("/entry/2015/3/withdraw/", {"ids": ids}, follow=True)

    assert "本月已有数据被审核（或已撤回），不能撤回。" in response.content.decode()
    assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 47


def test_withdrawing_another_countys_figures_is_not_found(clerk: User, county_clerk: User) -> None:
    client = send_march(clerk)
    ids = [c.current.pk for c in client.get(MARCH).context["grid"].cells]
    other = client_for(county_clerk)

    assert other.post("/entry/2015/3/withdraw/", {"ids": ids}).status_code == 404
    assert other.post("/entry/2015/3/withdraw/", {"ids": "x"}).status_code == 404
    assert other.get("/entry/2015/3/withdraw/").status_code == 405
    assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 48


def test_a_returned_figure_is_a_banner_on_the_month_and_the_index(
    clerk: User, reviewer: User
) -> None:
    client = send_march(clerk)
    figure = cell("rural-transfer", "410621")
    services.submission_return(actor=reviewer, submission=figure, comment="与台账不符")

    month = client.get(MARCH).content.decode()
    index = client.get("/entry/").content.decode()

    assert 'id="returned-banner"' in month
    assert "本月有 1 个数据被审核员退回，请按退回意见修改后重新报送" in month
    assert "农村劳动力转移就业技能培训 · 浚县</a>：与台账不符" in month
    assert 'id="returned-banner"' in index and "2015年3月：退回 1 个" in index
    assert 'badge--returned">退回 1</span>' in index


def test_late_badges_follow_the_first_sending(clerk: User, time_machine: Any) -> None:
    # March is due by 5 April. Sent on 7 April: late ("迟报"), though nothing is missing.
    time_machine.move_to("2015-04-07 10:00 +08:00")
    client = send_march(clerk)
    time_machine.move_to("2015-05-10 10:00 +08:00")
    client.force_login(clerk)  # the session of April has expired

    rows = {row["month"]: row for row in client.get("/entry/").context["months"]}

    assert (rows[3]["late"], rows[3]["overdue"], rows[3]["nothing_sent"]) == (48, False, False)
    # April is past its deadline (5 May) with nothing sent: 逾期未报. May is not due yet.
    assert (rows[4]["overdue"], rows[4]["nothing_sent"]) == (True, True)
    assert (rows[5]["overdue"], rows[5]["late"]) == (False, 0)
    html = client.get("/entry/").content.decode()
    assert "迟报 48 个" in html and "逾期未报</span>" in html


def test_a_correction_draft_does_not_make_an_old_month_overdue(
    clerk: User, reviewer: User, time_machine: Any
) -> None:
    # Before: any draft past the deadline marked the month 已逾期, a correction too.
    time_machine.move_to("2015-04-02 10:00 +08:00")
    client = send_march(clerk)
    for figure in Submission.objects.all():
        services.submission_approve(actor=reviewer, submission=figure)
    time_machine.move_to("2015-06-01 10:00 +08:00")
    services.submission_correct(
        actor=clerk, submission=cell("rural-transfer", "410621"), value=12, reason="补录"
    )
    client.force_login(clerk)

    row = next(r for r in client.get("/entry/").context["months"] if r["month"] == 3)
    page = client.get(MARCH)

    assert (row["overdue"], row["late"], row["draft"]) == (False, 0, 1)
    # Sending the correction now is not late either.
    assert not page.context["late"]
