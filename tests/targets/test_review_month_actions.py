"""Approving or returning a department's month under review: all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from targets import services
from targets.models import Department, Submission
from targets.services import submissions
from tests.helpers import client_for
from tests.targets.review_month import Action, Status, url, written

# Approving and returning


def test_approve_all(reviewer: Any, hrss: Department, march: list[Submission]) -> None:
    response = client_for(reviewer).post(url(hrss, 3), {"action": "approve_all"}, follow=True)
    assert "已审核通过 3 条数据。" in response.content.decode()
    for submission in march[:3]:
        submission.refresh_from_db()
        assert submission.status == Status.APPROVED
        assert submission.is_counted
        assert submission.reviewed_by == reviewer
        assert submission.reviewed_at is not None
        event = submission.events.order_by("at", "pk").last()
        assert (event.action, event.actor, event.old_status, event.new_status) == (
            Action.APPROVE,
            reviewer,
            Status.SUBMITTED,
            Status.APPROVED,
        )
    march[3].refresh_from_db()
    assert march[3].status == Status.SUBMITTED  # another department's month
    assert response.context["rows"] == []


def test_approve_some(reviewer: Any, hrss: Department, march: list[Submission]) -> None:
    chosen = [march[0].pk, march[2].pk]
    response = client_for(reviewer).post(
        url(hrss, 3), {"action": "approve", "ids": chosen}, follow=True
    )
    assert "已审核通过 2 条数据。" in response.content.decode()
    statuses = {s.pk: s.status for s in Submission.objects.all()}
    assert statuses == {
        march[0].pk: Status.APPROVED,
        march[1].pk: Status.SUBMITTED,
        march[2].pk: Status.APPROVED,
        march[3].pk: Status.SUBMITTED,
    }
    assert [row.submission.pk for row in response.context["rows"]] == [march[1].pk]


def test_approving_a_correction_moves_the_count(
    reviewer: Any, hrss: Department, figure: Any, people: dict[str, Any]
) -> None:
    first = figure("rural-transfer", "410611", 3, 110, status="approved")
    correction = services.submission_correct(
        actor=people["clerk"], submission=first, value=121, reason="补录"
    )
    services.submission_submit(actor=people["clerk"], submission=correction)
    client_for(reviewer).post(url(hrss, 3), {"action": "approve", "ids": [correction.pk]})
    first.refresh_from_db()
    correction.refresh_from_db()
    assert (first.is_counted, correction.is_counted) == (False, True)


def test_return_with_a_comment(reviewer: Any, hrss: Department, march: list[Submission]) -> None:
    response = client_for(reviewer).post(
        url(hrss, 3),
        {
            "action": "return",
            "ids": [march[0].pk, march[1].pk],
            "comment": "  与台账不符，请核实  ",
        },
        follow=True,
    )
    assert "已退回 2 条数据。" in response.content.decode()
    for submission in march[:2]:
        submission.refresh_from_db()
        assert submission.status == Status.RETURNED
        assert not submission.is_counted
        assert submission.reviewed_by == reviewer
        assert submission.review_comment == "与台账不符，请核实"
        event = submission.events.order_by("at", "pk").last()
        assert (event.action, event.reason, event.new_status) == (
            Action.RETURN,
            "与台账不符，请核实",
            Status.RETURNED,
        )
    march[2].refresh_from_db()
    assert march[2].status == Status.SUBMITTED


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_without_a_comment_writes_nothing(
    reviewer: Any, hrss: Department, march: list[Submission], comment: str
) -> None:
    before = written()
    response = client_for(reviewer).post(
        url(hrss, 3), {"action": "return", "ids": [march[0].pk], "comment": comment}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "退回时必须填写审核意见。" in page
    assert "没有数据被审核或退回。" in page
    assert f'value="{march[0].pk}" id="pick-{march[0].pk}" checked' in page
    assert written() == before


@pytest.mark.parametrize("action", ["approve", "return"])
def test_a_comment_over_the_limit_writes_nothing(
    reviewer: Any, hrss: Department, march: list[Submission], action: str
) -> None:
    too_long = "请" * (services.REVIEW_COMMENT_MAX + 1)
    before = written()
    response = client_for(reviewer).post(
        url(hrss, 3), {"action": action, "ids": [march[0].pk], "comment": too_long}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"审核意见不能超过 {services.REVIEW_COMMENT_MAX} 字。" in page
    assert too_long in page  # given back as typed, to be shortened
    assert f'maxlength="{services.REVIEW_COMMENT_MAX}"' in page
    assert written() == before


def test_a_comment_at_the_limit_is_kept(
    reviewer: Any, hrss: Department, march: list[Submission]
) -> None:
    longest = "核" * services.REVIEW_COMMENT_MAX
    client_for(reviewer).post(
        url(hrss, 3), {"action": "return", "ids": [march[0].pk], "comment": longest}
    )
    march[0].refresh_from_db()
    assert (march[0].status, march[0].review_comment) == (Status.RETURNED, longest)


def test_the_services_refuse_a_comment_over_the_limit(
    reviewer: Any, march: list[Submission]
) -> None:
    """Whatever calls them (a view, a command, the shell): nothing is written."""
    too_long = "x" * (services.REVIEW_COMMENT_MAX + 1)
    for review in (services.submission_return, services.submission_approve):
        with pytest.raises(ValidationError):
            review(actor=reviewer, submission=march[0], comment=too_long)
    march[0].refresh_from_db()
    assert (march[0].status, march[0].review_comment) == (Status.SUBMITTED, "")


@pytest.mark.parametrize("action", ["approve", "return"])
def test_nothing_chosen_writes_nothing(
    reviewer: Any, hrss: Department, march: list[Submission], action: str
) -> None:
    before = written()
    response = client_for(reviewer).post(url(hrss, 3), {"action": action, "comment": "x"})
    assert response.status_code == 200
    assert "请至少选择一条数据。" in response.content.decode()
    assert written() == before


def test_an_unknown_action_writes_nothing(
    reviewer: Any, hrss: Department, march: list[Submission]
) -> None:
    before = written()
    response = client_for(reviewer).post(url(hrss, 3), {"action": "delete", "ids": [march[0].pk]})
    assert response.status_code == 200
    assert "未知的操作。" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("action", ["approve", "return"])
@pytest.mark.parametrize(
    "forged", ["other_department", "other_month", "nonexistent", "not_a_number"]
)
def test_forged_ids_write_nothing(
    reviewer: Any,
    hrss: Department,
    march: list[Submission],
    figure: Any,
    action: str,
    forged: str,
) -> None:
    forged_id = {
        "other_department": lambda: march[3].pk,
        "other_month": lambda: figure("rural-transfer", "410611", 4).pk,
        "nonexistent": lambda: Submission.objects.order_by("-pk").first().pk + 100,
        "not_a_number": lambda: "1 OR 1=1",
    }[forged]()
    before = written()
    # A genuine id of the page goes with the forged one: it must not be approved either.
    response = client_for(reviewer).post(
        url(hrss, 3), {"action": action, "ids": [march[0].pk, forged_id], "comment": "请核实"}
    )
    assert response.status_code == 404
    assert written() == before


def test_figures_no_longer_waiting_write_nothing(
    reviewer: Any, hrss: Department, march: list[Submission], figure: Any
) -> None:
    approved = figure("rural-transfer", "410603", 3, status="approved")
    draft = figure("rural-transfer", "410622", 3, status="draft")
    client = client_for(reviewer)
    for stale in (approved, draft):
        before = written()
        response = client.post(url(hrss, 3), {"action": "approve", "ids": [march[0].pk, stale.pk]})
        assert response.status_code == 200
        assert "所选数据中有已被审核或退回的，请刷新页面后重试。" in response.content.decode()
        assert written() == before


def test_a_refusal_midway_rolls_back_the_whole_post(
    reviewer: Any, hrss: Department, march: list[Submission], monkeypatch: pytest.MonkeyPatch
) -> None:
    approve = services.submission_approve
    calls = []

    def approve_then_refuse(**kwargs: Any) -> Submission:
        calls.append(kwargs["submission"].pk)
        if len(calls) == 2:
            raise ValidationError("只有已报送、待审核的数据可以审核。")
        return approve(**kwargs)

    monkeypatch.setattr(submissions, "submission_approve", approve_then_refuse)
    before = written()
    response = client_for(reviewer).post(url(hrss, 3), {"action": "approve_all"})
    assert len(calls) == 2  # the first was approved, then rolled back
    assert response.status_code == 200
    assert "只有已报送、待审核的数据可以审核。" in response.content.decode()
    assert written() == before


def test_approve_all_with_nothing_waiting(reviewer: Any, hrss: Department) -> None:
    before = written()
    response = client_for(reviewer).post(url(hrss, 5), {"action": "approve_all"})
    assert response.status_code == 200
    assert "没有等待审核的数据。" in response.content.decode()
    assert written() == before


def test_the_page_in_english(reviewer: Any, hrss: Department, march: list[Submission]) -> None:
    client = client_for(reviewer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(url(hrss, 3)).content.decode()
    assert "Approve selected" in page
    assert "Return selected" in page
    assert "退回所选" not in page
    response = client.post(url(hrss, 3), {"action": "approve_all"}, follow=True)
    assert "Approved 3 figures." in response.content.decode()
