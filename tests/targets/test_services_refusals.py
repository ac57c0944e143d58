"""Service refusals write nothing: who may do what, bad values, plans that are not active."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from targets import services
from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent
from tests.targets.services_flow import message, written

pytestmark = pytest.mark.django_db

# --- Who may do what: refusals write nothing ---------------------------------------------------


@pytest.mark.parametrize("who", ["civil_clerk", "county_clerk", "reviewer", "auditor", "admin"])
def test_entry_outside_ones_department_or_county_is_denied(
    request: pytest.FixtureRequest,
    make_user: Callable[..., Any],
    rural: Indicator,
    qibin: Region,
    who: str,
) -> None:
    actor = {
        "auditor": lambda: make_user("auditor"),
        "admin": lambda: make_user(None, is_superuser=True, is_staff=True),
    }.get(who, lambda: request.getfixturevalue(who))()
    before = written()
    with pytest.raises(PermissionDenied):
        services.submission_save(actor=actor, indicator=rural, region=qibin, month=3, value=1200)
    assert written() == before
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("who", ["civil_clerk", "county_clerk"])
def test_submit_and_correct_outside_ones_cell_are_denied(
    request: pytest.FixtureRequest,
    clerk: Any,
    rural: Indicator,
    qibin: Region,
    approved: Submission,
    who: str,
) -> None:
    other = request.getfixturevalue(who)
    draft = services.submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    before = written()
    with pytest.raises(PermissionDenied):
        services.submission_submit(actor=other, submission=draft)
    with pytest.raises(PermissionDenied):
        services.submission_correct(actor=other, submission=approved, value=1, reason="越权更正")
    assert written() == before


@pytest.mark.parametrize("role", ["clerk", "leader", "auditor", "administrator"])
def test_only_reviewers_approve_or_return(
    make_user: Callable[..., Any], clerk: Any, figure: Callable[..., Submission], role: str
) -> None:
    actor = clerk if role == "clerk" else make_user(role)
    sent = figure("rural-transfer", "410611", 3, 1200)
    before = written()
    with pytest.raises(PermissionDenied):
        services.submission_approve(actor=actor, submission=sent)
    with pytest.raises(PermissionDenied):
        services.submission_return(actor=actor, submission=sent, comment="退回")
    assert written() == before


def test_rates_are_not_entered(civil_clerk: Any, plan: Plan, qibin: Region) -> None:
    before = written()
    for code in ("veterans-awareness", "veterans-registration", "veterans-participation"):
        with pytest.raises(PermissionDenied):
            services.submission_save(
                actor=civil_clerk,
                indicator=plan.indicators.get(code=code),
                region=qibin,
                month=3,
                value=90,
            )
    assert written() == before


# --- Bad values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-1, "不能为负数"),
        (1.5, "整数"),
        (1200.0, "整数"),
        ("1200", "整数"),
        (Decimal("1200"), "整数"),
        (None, "整数"),
        (True, "整数"),
        (False, "整数"),
    ],
)
def test_bad_values_are_refused(
    clerk: Any, rural: Indicator, qibin: Region, value: object, text: str
) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.submission_save(actor=clerk, indicator=rural, region=qibin, month=3, value=value)
    assert text in message(caught.value)
    assert Submission.objects.count() == 0
    assert SubmissionEvent.objects.count() == 0


@pytest.mark.parametrize("month", [0, 13, -1, "3", 3.0, None, True])
def test_bad_months_are_refused(clerk: Any, rural: Indicator, qibin: Region, month: object):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.submission_save(actor=clerk, indicator=rural, region=qibin, month=month, value=10)
    assert "1 到 12" in message(caught.value)
    assert Submission.objects.count() == 0
    assert SubmissionEvent.objects.count() == 0


@pytest.mark.parametrize("value", [-1, 1.5, True])
def test_bad_values_are_refused_in_a_change_and_a_correction(
    clerk: Any, rural: Indicator, qibin: Region, approved: Submission, value: object
) -> None:
    draft = services.submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    before = written()
    with pytest.raises(ValidationError):
        services.submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=value)
    with pytest.raises(ValidationError):
        services.submission_correct(actor=clerk, submission=approved, value=value, reason="更正")
    assert written() == before
    draft.refresh_from_db()
    assert draft.value == 10


# --- Plans that are not active ----------------------------------------------------------------


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.CLOSED])
def test_entries_into_a_plan_not_active_are_refused(
    plan: Plan, clerk: Any, qibin: Region, approved: Submission, status: str
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=status)
    rural = Indicator.objects.get(plan=plan, code="rural-transfer")
    approved = Submission.objects.get(pk=approved.pk)
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.submission_save(actor=clerk, indicator=rural, region=qibin, month=4, value=10)
    assert "不在执行中" in message(caught.value)
    with pytest.raises(ValidationError):
        services.submission_correct(actor=clerk, submission=approved, value=1300, reason="更正")
    assert written() == before
