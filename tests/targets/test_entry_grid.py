"""Clerks' monthly entry: the grid, its validation, saving whole, submitting, corrections,
the deadline shown, and rates kept at or under 100 per cent.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User

from targets import services
from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent
from tests.helpers import client_for
from tests.targets.entry_grid import MARCH, cell, fill, form_of, post_month, refused_whole

pytestmark = pytest.mark.django_db

# --- the pages -----------------------------------------------------------------------------


def test_saving_a_draft_keeps_every_figure_with_its_audit_trail(clerk: User) -> None:
    client = client_for(clerk)
    response = post_month(client, {"rural-transfer__410611": "1,200", "in-service__410621": "３５"})

    assert response.status_code == 302
    assert cell("rural-transfer", "410611").value == 1200
    assert cell("in-service", "410621").value == 35
    assert cell("rural-transfer", "410611").status == Submission.Status.DRAFT
    assert Submission.objects.count() == 2
    events = SubmissionEvent.objects.filter(submission=cell("rural-transfer", "410611"))
    assert [(e.action, e.actor, e.new_value) for e in events] == [("create", clerk, 1200)]
    again = client.get(MARCH)
    assert "已保存 3月草稿。" in again.content.decode()
    assert 'value="1200"' in again.content.decode()


def test_one_bad_figure_saves_nothing_and_says_where(clerk: User) -> None:
    client = client_for(clerk)
    response = post_month(client, {"rural-transfer__410611": "1200", "in-service__410621": "3.5"})

    assert response.status_code == 400
    assert not Submission.objects.exists()
    page = response.content.decode()
    assert "本月数据未保存" in page
    assert "人数、人次不能有小数" in page
    assert 'value="3.5"' in page  # what was typed stays on the page to be fixed
    assert 'value="1200"' in page


def test_a_refused_page_fixed_and_sent_again_is_saved(clerk: User) -> None:
    client = client_for(clerk)
    data = fill(client.get(MARCH), "10")
    bad = sorted(name for name in data if name.startswith("v-"))[5]
    data[bad] = "abc"
    refused = client.post(MARCH, {**data, "action": "submit"})
    assert refused.status_code == 400

    again = fill(refused, "10")  # the page as the clerk sees it, with the bad cell fixed
    again[bad] = "10"
    response = client.post(MARCH, {**again, "action": "submit"})

    assert response.status_code == 302
    # 8 series × 6 places (five counties and 市直).
    assert Submission.objects.filter(status="submitted").count() == 48


def test_submitting_needs_every_cell(clerk: User) -> None:
    client = client_for(clerk)
    response = post_month(client, {"rural-transfer__410611": "12"}, "submit")

    refused_whole(response, 400, "请填写本月数据（没有发生请填 0）")


def test_submitting_a_full_month_sends_it_for_review(clerk: User) -> None:
    client = client_for(clerk)
    data = fill(client.get(MARCH), "10")

    response = client.post(MARCH, {**data, "action": "submit"})

    assert response.status_code == 302
    submitted = Submission.objects.filter(month=3)
    assert submitted.count() == 48  # 8 series × 6 places
    assert set(submitted.values_list("status", flat=True)) == {"submitted"}
    assert all(s.submitted_by == clerk for s in submitted)
    page = client.get(MARCH).content.decode()
    assert "保存并报送审核" not in page  # nothing left to send
    assert 'name="v-' not in page  # submitted figures are not editable


def test_a_figure_that_needs_a_note_is_accepted_with_one(
    clerk: User, rural: Indicator, xun: Region
) -> None:
    client = client_for(clerk)
    services.region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=2000)
    data = form_of(client.get(MARCH), **{"rural-transfer__410621": "2500"})

    refused = client.post(MARCH, {**data, "action": "save"})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "超过了该县区全年目标（2,000）" in page
    assert "请在备注中说明原因后再保存" in page
    assert not Submission.objects.exists()

    data[f"n-{rural.pk}-{xun.pk}"] = "集中开展春季培训"
    accepted = client.post(MARCH, {**data, "action": "save"})

    assert accepted.status_code == 302
    saved = cell("rural-transfer", "410621")
    assert (saved.value, saved.note) == (2500, "集中开展春季培训")


def test_returned_figures_show_the_comment_and_can_be_sent_again(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    client.post(MARCH, {**fill(client.get(MARCH), "10"), "action": "submit"})
    returned = cell("rural-transfer", "410611")
    services.submission_return(actor=reviewer, submission=returned, comment="与台账不符，请核实")

    assert "退回意见：与台账不符，请核实" in client.get(MARCH).content.decode()
    response = post_month(client, {"rural-transfer__410611": "12"}, "submit")

    assert response.status_code == 302
    again = cell("rural-transfer", "410611")
    assert (again.pk, again.value, again.status) == (returned.pk, 12, "submitted")
    actions = list(
        SubmissionEvent.objects.filter(submission=again).values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "return", "change", "submit"]


def test_approved_figures_are_locked_and_corrected_with_a_reason(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    client.post(MARCH, {**fill(client.get(MARCH), "10"), "action": "submit"})
    approved = cell("rural-transfer", "410611")
    services.submission_approve(actor=reviewer, submission=approved)
    page = client.get(MARCH)
    key = f"{approved.indicator_id}-{approved.region_id}"
    assert f'name="v-{key}"' not in page.content.decode()

    forged = {**form_of(page), f"v-{key}": "99", "action": "save"}
    assert client.post(MARCH, forged).status_code == 400
    assert cell("rural-transfer", "410611").value == 10

    url = f"/entry/cell/{approved.pk}/correct/"
    assert client.get(url).status_code == 200
    no_reason = client.post(url, {"value": "11", "reason": ""})
    assert no_reason.status_code == 400
    assert "必须填写更正理由" in no_reason.content.decode()
    assert client.post(url, {"value": "11", "reason": "漏报一个培训班"}).status_code == 302

    correction = cell("rural-transfer", "410611")
    assert (correction.revision, correction.value, correction.status) == (2, 11, "draft")
    assert correction.correction_reason == "漏报一个培训班"
    approved.refresh_from_db()
    assert approved.is_counted and not approved.is_current


def test_a_stale_page_is_a_conflict_not_a_lost_update(clerk: User, make_user: Any) -> None:
    other = make_user("clerk", "hrss", username="clerk-hrss-2")
    mine, theirs = client_for(clerk), client_for(other)
    my_page = mine.get(MARCH)
    their_page = theirs.get(MARCH)
    theirs.post(MARCH, {**form_of(their_page, **{"rural-transfer__410611": "7"}), "action": "save"})

    response = mine.post(
        MARCH, {**form_of(my_page, **{"rural-transfer__410611": "8"}), "action": "save"}
    )

    assert response.status_code == 400
    assert "clerk-hrss-2" in response.content.decode()
    assert "您的修改未保存" in response.content.decode()
    assert cell("rural-transfer", "410611").value == 7


def test_a_month_not_yet_begun_takes_nothing(clerk: User, time_machine: Any) -> None:
    time_machine.move_to("2015-03-20 10:00 +08:00")
    client = client_for(clerk)
    assert 'href="/entry/2015/4/"' not in client.get("/entry/").content.decode()
    april = "/entry/2015/4/"
    response = post_month(client, {"rural-transfer__410611": "5"}, "save", april)

    refused_whole(response, 400, "4月尚未开始")


def test_a_closed_plan_takes_nothing(clerk: User, plan: Plan) -> None:
    client = client_for(clerk)
    data = form_of(client.get(MARCH), **{"rural-transfer__410611": "5"})
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)

    response = client.post(MARCH, {**data, "action": "save"})

    refused_whole(response, 403, "2015年度方案已结束，数据只读")


def test_the_deadline_shown_is_the_last_day_on_time(clerk: User, plan: Plan) -> None:
    client = client_for(clerk)
    assert "报送截止：2015-04-05（含当天）" in client.get(MARCH).content.decode()
    Plan.objects.filter(pk=plan.pk).update(deadline_day=10)
    assert "报送截止：2015-04-10（含当天）" in client.get(MARCH).content.decode()
    index = client.get("/entry/").content.decode()
    assert "<td>2015-04-10" in index and "<td>2016-01-10" in index


# --- rates: a numerator's year to date never above its denominator's --------------------------


def test_a_rate_above_100_percent_is_refused_beside_its_cell(civil_clerk: User) -> None:
    client = client_for(civil_clerk)
    response = post_month(
        client, {"veterans-eligible__410621": "17", "veterans-aware__410621": "26"}
    )

    assert response.status_code == 400
    aware = next(
        c
        for c in response.context["grid"].cells
        if c.indicator.code == "veterans-aware" and c.region.code == "410621"
    )
    assert aware.errors == [
        "知晓培训政策的退役士兵人数（浚县）1—3月累计 26 超过退役士兵人数累计 17。"
    ]
    assert "1—3月累计 26 超过退役士兵人数累计 17" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_grid_lowering_a_denominator_and_its_numerator_together_saves(
    civil_clerk: User,
) -> None:
    # The denominator comes first in the grid: checked alone, 20 would be below 28.
    client = client_for(civil_clerk)
    client.post(
        MARCH,
        {
            **form_of(
                client.get(MARCH),
                **{"veterans-eligible__410621": "30", "veterans-aware__410621": "28"},
            ),
            "action": "save",
        },
    )
    response = post_month(
        client, {"veterans-eligible__410621": "20", "veterans-aware__410621": "18"}
    )

    assert response.status_code == 302
    assert (cell("veterans-eligible", "410621").value, cell("veterans-aware", "410621").value) == (
        20,
        18,
    )


def test_lowering_a_denominator_below_a_later_months_sum_is_refused(civil_clerk: User) -> None:
    for month, eligible, aware in ((3, "30", "20"), (4, "10", "20")):
        url = f"/entry/2015/{month}/"
        client = client_for(civil_clerk)
        data = form_of(
            client.get(url),
            **{"veterans-eligible__410621": eligible, "veterans-aware__410621": aware},
        )
        assert client.post(url, {**data, "action": "save"}).status_code == 302
    response = post_month(client, {"veterans-eligible__410621": "25"})

    assert response.status_code == 400
    assert "知晓培训政策的退役士兵人数（浚县）1—4月累计 40 超过退役士兵人数累计 35。" in (
        response.content.decode()
    )
    assert cell("veterans-eligible", "410621").value == 30
    assert not Submission.objects.filter(status=Submission.Status.SUBMITTED).exists()
