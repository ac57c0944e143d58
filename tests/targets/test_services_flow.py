"""The flow of a figure through the services (DESIGN.md, "Flow of a figure").

clerk enters (draft) → submits → the reviewer approves, or returns with a comment; every step
is audited.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from targets.models import Indicator, Plan, Region, Submission
from targets.services import (
    submission_approve,
    submission_return,
    submission_save,
    submission_submit,
)
from tests.targets.services_flow import Action, Status, at, events, message, written

pytestmark = pytest.mark.django_db

# --- The happy paths ---------------------------------------------------------------------------


def test_save_submit_approve(clerk: Any, reviewer: Any, rural: Indicator, qibin: Region) -> None:
    figure = submission_save(
        actor=clerk, indicator=rural, region=qibin, month=3, value=1200, note="3月台账", at=at(1)
    )
    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.note) == (Status.DRAFT, 1200, "3月台账")
    assert (figure.revision, figure.is_current) == (1, True)
    assert (figure.entered_by, figure.entered_at) == (clerk, at(1))
    assert figure.submitted_by is None and figure.reviewed_by is None

    submission_submit(actor=clerk, submission=figure, at=at(2))
    figure.refresh_from_db()
    assert figure.status == Status.SUBMITTED
    assert (figure.submitted_by, figure.submitted_at) == (clerk, at(2))

    submission_approve(actor=reviewer, submission=figure, comment="同意", at=at(3))
    figure.refresh_from_db()
    assert figure.status == Status.APPROVED
    assert (figure.reviewed_by, figure.reviewed_at, figure.review_comment) == (
        reviewer,
        at(3),
        "同意",
    )
    assert figure.value == 1200

    assert events(figure) == [
        (Action.CREATE, "clerk-hrss", None, 1200, "", Status.DRAFT, ""),
        (Action.SUBMIT, "clerk-hrss", 1200, 1200, Status.DRAFT, Status.SUBMITTED, ""),
        (Action.APPROVE, "reviewer", 1200, 1200, Status.SUBMITTED, Status.APPROVED, "同意"),
    ]
    assert [e.at for e in figure.events.order_by("at")] == [at(1), at(2), at(3)]
    assert Submission.objects.count() == 1


def test_draft_can_be_changed_before_submitting(clerk: Any, rural: Indicator, qibin: Region):
    figure = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1200)
    again = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1250)
    assert again.pk == figure.pk
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.revision) == (1250, Status.DRAFT, 1)
    assert events(figure)[-1] == (
        Action.CHANGE,
        "clerk-hrss",
        1200,
        1250,
        Status.DRAFT,
        Status.DRAFT,
        "",
    )
    assert Submission.objects.count() == 1


def test_return_change_resubmit_approve(
    clerk: Any, reviewer: Any, rural: Indicator, qibin: Region
) -> None:
    figure = submission_save(
        actor=clerk, indicator=rural, region=qibin, month=3, value=1200, at=at(1)
    )
    submission_submit(actor=clerk, submission=figure, at=at(2))
    submission_return(
        actor=reviewer, submission=figure, comment="  与培训台账不符，请核实。 ", at=at(3)
    )
    figure.refresh_from_db()
    assert figure.status == Status.RETURNED
    assert figure.review_comment == "与培训台账不符，请核实。"
    assert figure.reviewed_by == reviewer

    submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1150, at=at(4))
    figure.refresh_from_db()
    assert (figure.value, figure.status) == (1150, Status.RETURNED)

    submission_submit(actor=clerk, submission=figure, at=at(5))
    submission_approve(actor=reviewer, submission=figure, at=at(6))
    figure.refresh_from_db()
    assert (figure.value, figure.status, figure.revision) == (1150, Status.APPROVED, 1)

    assert events(figure) == [
        (Action.CREATE, "clerk-hrss", None, 1200, "", Status.DRAFT, ""),
        (Action.SUBMIT, "clerk-hrss", 1200, 1200, Status.DRAFT, Status.SUBMITTED, ""),
        (
            Action.RETURN,
            "reviewer",
            1200,
            1200,
            Status.SUBMITTED,
            Status.RETURNED,
            "与培训台账不符，请核实。",
        ),
        (Action.CHANGE, "clerk-hrss", 1200, 1150, Status.RETURNED, Status.RETURNED, ""),
        (Action.SUBMIT, "clerk-hrss", 1150, 1150, Status.RETURNED, Status.SUBMITTED, ""),
        (Action.APPROVE, "reviewer", 1150, 1150, Status.SUBMITTED, Status.APPROVED, ""),
    ]
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_needs_a_comment(
    clerk: Any, reviewer: Any, rural: Indicator, qibin: Region, comment: str
) -> None:
    figure = submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1200)
    submission_submit(actor=clerk, submission=figure)
    before = written()
    with pytest.raises(ValidationError) as caught:
        submission_return(actor=reviewer, submission=figure, comment=comment)
    assert "审核意见" in message(caught.value)
    assert written() == before


def test_a_county_clerk_enters_in_own_county(
    county_clerk: Any, reviewer: Any, rural: Indicator, xun: Region
) -> None:
    figure = submission_save(actor=county_clerk, indicator=rural, region=xun, month=5, value=300)
    submission_submit(actor=county_clerk, submission=figure)
    submission_approve(actor=reviewer, submission=figure)
    figure.refresh_from_db()
    assert (figure.region.code, figure.status, figure.value) == ("410621", Status.APPROVED, 300)


def test_a_veterans_count_series_is_entered_by_the_civil_clerk(
    civil_clerk: Any, plan: Plan, qibin: Region
) -> None:
    eligible = plan.indicators.get(code="veterans-eligible")
    figure = submission_save(actor=civil_clerk, indicator=eligible, region=qibin, month=6, value=40)
    assert (figure.indicator.code, figure.value) == ("veterans-eligible", 40)
