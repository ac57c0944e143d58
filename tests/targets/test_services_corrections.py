"""Approved figures are locked; corrections are new revisions with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from targets.models import Indicator, Region, Submission
from targets.services import (
    submission_approve,
    submission_correct,
    submission_return,
    submission_save,
    submission_submit,
)
from tests.targets.services_flow import Action, Status, at, events, message, written

pytestmark = pytest.mark.django_db

# --- Approved figures are locked; corrections are new revisions -------------------------------


def test_an_approved_figure_cannot_be_changed(
    approved: Submission, clerk: Any, rural: Indicator, qibin: Region
) -> None:
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1300)
    assert "已审核锁定" in message(caught.value)
    assert "更正" in message(caught.value)
    assert written() == before


def test_a_submitted_figure_waits_for_review(
    clerk: Any, rural: Indicator, qibin: Region, figure: Callable[..., Submission]
) -> None:
    sent = figure("rural-transfer", "410611", 3, 1200)
    before = written()
    with pytest.raises(ValidationError) as caught:
        submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=1300)
    assert "等待审核" in message(caught.value)
    with pytest.raises(ValidationError):
        submission_submit(actor=clerk, submission=sent)
    assert written() == before


def test_only_submitted_figures_are_reviewed(
    clerk: Any, reviewer: Any, rural: Indicator, qibin: Region, approved: Submission
) -> None:
    draft = submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    before = written()
    for figure in (draft, approved):
        with pytest.raises(ValidationError):
            submission_approve(actor=reviewer, submission=figure)
        with pytest.raises(ValidationError):
            submission_return(actor=reviewer, submission=figure, comment="退回")
    assert written() == before


def test_correction_opens_revision_2(
    approved: Submission, clerk: Any, reviewer: Any, rural: Indicator, qibin: Region
) -> None:
    original = {
        key: value
        for key, value in Submission.objects.filter(pk=approved.pk).values().get().items()
        if key != "is_current"
    }
    correction = submission_correct(
        actor=clerk, submission=approved, value=1300, reason="漏报一个培训班", at=at(10)
    )
    correction.refresh_from_db()
    assert correction.pk != approved.pk
    assert (correction.revision, correction.value, correction.status) == (2, 1300, Status.DRAFT)
    assert correction.correction_reason == "漏报一个培训班"
    assert correction.is_current is True
    assert (correction.entered_by, correction.entered_at) == (clerk, at(10))

    # Revision 1 stays approved and unchanged; it is simply no longer the current one.
    first = Submission.objects.get(pk=approved.pk)
    assert first.is_current is False
    now = {
        key: value
        for key, value in Submission.objects.filter(pk=approved.pk).values().get().items()
        if key != "is_current"
    }
    assert now == original
    assert (first.status, first.value, first.reviewed_by) == (Status.APPROVED, 1200, reviewer)

    cell = Submission.objects.filter(indicator=rural, region=qibin, month=3)
    assert cell.count() == 2
    assert list(cell.filter(is_current=True).values_list("revision", flat=True)) == [2]

    assert events(correction) == [
        (
            Action.CORRECT,
            "clerk-hrss",
            1200,
            1300,
            Status.APPROVED,
            Status.DRAFT,
            "漏报一个培训班",
        )
    ]
    # The correction goes through review again.
    submission_submit(actor=clerk, submission=correction)
    submission_approve(actor=reviewer, submission=correction)
    assert list(cell.filter(status=Status.APPROVED).values_list("revision", "value")) == [
        (1, 1200),
        (2, 1300),
    ]
    assert list(cell.filter(is_current=True).values_list("revision", flat=True)) == [2]

    third = submission_correct(actor=clerk, submission=correction, value=1310, reason="补录学员")
    assert third.revision == 3
    assert cell.filter(is_current=True).get().pk == third.pk


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_correction_without_a_reason_is_refused(
    approved: Submission, clerk: Any, reason: str
) -> None:
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        submission_correct(actor=clerk, submission=approved, value=1300, reason=reason)
    assert "更正理由" in message(caught.value)
    assert written() == before


def test_only_the_current_approved_revision_is_corrected(
    approved: Submission, clerk: Any, rural: Indicator, qibin: Region
) -> None:
    submission_correct(actor=clerk, submission=approved, value=1300, reason="更正")
    draft = submission_save(actor=clerk, indicator=rural, region=qibin, month=5, value=1)
    before = written()
    for figure in (approved, draft):  # a superseded revision; a draft
        with pytest.raises(ValidationError):
            submission_correct(actor=clerk, submission=figure, value=1400, reason="再次更正")
    assert written() == before
