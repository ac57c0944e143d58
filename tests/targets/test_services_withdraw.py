"""A clerk takes back a month's figures sent and not yet reviewed (撤回): drafts again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets import completeness, services
from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent
from targets.signals import figures_changed

pytestmark = pytest.mark.django_db

Status = Submission.Status
Action = SubmissionEvent.Action
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2015, 4, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def sent(clerk: Any, plan: Plan, regions: dict[str, Region]) -> list[Submission]:
    """Two March figures of 人社局 sent on 2 April (on time)."""
    figures = []
    for code in ("410611", "410621"):
        figure = services.submission_save(
            actor=clerk,
            indicator=plan.indicators.get(code="rural-transfer"),
            region=regions[code],
            month=3,
            value=100,
            at=at(1),
        )
        services.submission_submit(actor=clerk, submission=figure, at=at(2))
        figures.append(figure)
    return figures


def received(plan: Plan) -> dict[str, int]:
    """人社局's March reports received per county, as the completeness report counts them."""
    return {g.region: g.received for g in completeness.gaps(plan, 3) if g.department == "hrss"}


@pytest.fixture
def changes() -> Iterator[list[dict[str, Any]]]:
    heard: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    figures_changed.connect(listen)
    yield heard
    figures_changed.disconnect(listen)


def test_withdrawing_turns_the_sent_figures_into_drafts_with_an_audit_event(
    clerk: Any, plan: Plan, sent: list[Submission], changes: list[dict[str, Any]]
) -> None:
    received_before = received(plan)

    withdrawn = services.month_withdraw(
        actor=clerk, plan=plan, month=3, ids=[s.pk for s in sent], at=at(3)
    )

    assert {s.pk for s in withdrawn} == {s.pk for s in sent}
    for figure in sent:
        figure.refresh_from_db()
        assert (figure.status, figure.value, figure.is_current) == (Status.DRAFT, 100, True)
        assert (figure.submitted_by, figure.submitted_at, figure.first_submitted_at) == (
            None,
            None,
            None,
        )
        last = figure.events.order_by("at", "pk").last()
        assert (last.action, last.actor, last.at) == (Action.WITHDRAW, clerk, at(3))
        assert (last.old_status, last.new_status, last.old_value, last.new_value) == (
            Status.SUBMITTED,
            Status.DRAFT,
            100,
            100,
        )
    # What sending signalled, taking back signals too: counts and rollups follow.
    assert sorted((c["region_id"], c["month"]) for c in changes) == sorted(
        (s.region_id, 3) for s in sent
    )
    assert (received_before["410611"], received(plan)["410611"]) == (1, 0)


def test_without_ids_every_waiting_figure_of_the_clerk_is_withdrawn(
    clerk: Any, plan: Plan, sent: list[Submission]
) -> None:
    assert len(services.month_withdraw(actor=clerk, plan=plan, month=3)) == 2
    assert not Submission.objects.filter(status=Status.SUBMITTED).exists()


def test_a_figure_returned_and_sent_again_keeps_its_first_sending(
    clerk: Any, reviewer: Any, sent: list[Submission]
) -> None:
    figure = sent[0]
    services.submission_return(actor=reviewer, submission=figure, comment="核实", at=at(3))
    services.submission_submit(actor=clerk, submission=figure, at=at(4))

    services.submission_withdraw(actor=clerk, submission=figure, at=at(5))

    figure.refresh_from_db()
    assert (figure.status, figure.first_submitted_at) == (Status.DRAFT, at(2))


def test_withdrawing_is_refused_once_any_figure_is_reviewed(
    clerk: Any, reviewer: Any, plan: Plan, sent: list[Submission]
) -> None:
    services.submission_approve(actor=reviewer, submission=sent[1])
    events = SubmissionEvent.objects.count()

    with pytest.raises(ValidationError, match="已有数据被审核"):
        services.month_withdraw(actor=clerk, plan=plan, month=3, ids=[s.pk for s in sent])

    assert SubmissionEvent.objects.count() == events
    assert Submission.objects.get(pk=sent[0].pk).status == Status.SUBMITTED


def test_a_draft_is_not_withdrawn(clerk: Any, plan: Plan, regions: dict[str, Region]) -> None:
    draft = services.submission_save(
        actor=clerk,
        indicator=plan.indicators.get(code="in-service"),
        region=regions["410611"],
        month=3,
        value=5,
    )
    with pytest.raises(ValidationError, match="不能撤回"):
        services.submission_withdraw(actor=clerk, submission=draft)
    with pytest.raises(ValidationError, match="没有等待审核的数据"):
        services.month_withdraw(actor=clerk, plan=plan, month=3)


def test_another_departments_or_countys_figures_are_refused(
    make_user: Callable[..., Any], plan: Plan, sent: list[Submission]
) -> None:
    others = [
        make_user("clerk", department="civil"),
        make_user("clerk", department="hrss", region="410621"),  # 淇滨区's is not theirs
        make_user("reviewer"),
    ]
    for other in others:
        with pytest.raises(PermissionDenied):
            services.month_withdraw(actor=other, plan=plan, month=3, ids=[s.pk for s in sent])
    assert Submission.objects.filter(status=Status.SUBMITTED).count() == 2


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.CLOSED])
def test_a_plan_not_active_takes_no_withdrawal(
    clerk: Any, plan: Plan, sent: list[Submission], status: str
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="不在执行中"):
        services.month_withdraw(actor=clerk, plan=plan, month=3)
    assert Submission.objects.filter(status=Status.SUBMITTED).count() == 2


def test_withdrawn_figures_can_be_changed_and_sent_again(
    clerk: Any, plan: Plan, sent: list[Submission]
) -> None:
    services.month_withdraw(actor=clerk, plan=plan, month=3, at=at(3))
    figure = services.submission_save(
        actor=clerk,
        indicator=Indicator.objects.get(pk=sent[0].indicator_id),
        region=sent[0].region,
        month=3,
        value=90,
        at=at(4),
    )
    services.submission_submit(actor=clerk, submission=figure, at=at(10))
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.first_submitted_at) == (
        90,
        Status.SUBMITTED,
        at(10),
    )
