"""A rate's numerator never exceeds its denominator, on the year-to-date sums of a county.

The rule (``services.rate_excesses``) compares the current revisions of the cells, whatever
their status (draft, sent, returned, approved), with the figures being saved put in: a clerk
saving, sending, uploading or correcting a figure meets it wherever it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from targets import services
from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent

pytestmark = pytest.mark.django_db


def series(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def save(clerk: Any, code: str, region: Region, month: int, value: int) -> Submission:
    return services.submission_save(
        actor=clerk, indicator=series(code), region=region, month=month, value=value
    )


def save_months(clerk: Any, code: str, region: Region, *values: int) -> None:
    """``values`` one a month, from January on."""
    for month, value in enumerate(values, start=1):
        save(clerk, code, region, month, value)


def message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def test_awareness_above_100_percent_is_refused(civil_clerk: Any, xun: Region) -> None:
    # Today's bug: 26 aware of 17 eligible (152.9 %) was taken and counted.
    save(civil_clerk, "veterans-eligible", xun, 1, 17)
    with pytest.raises(ValidationError) as refused:
        save(civil_clerk, "veterans-aware", xun, 1, 26)
    assert message(refused.value) == (
        "知晓培训政策的退役士兵人数（浚县）1—1月累计 26 超过退役士兵人数累计 17。"
    )
    assert not Submission.objects.filter(indicator=series("veterans-aware")).exists()


def test_the_sums_are_year_to_date(civil_clerk: Any, xun: Region) -> None:
    # A month's numerator above the month's denominator is fine while the sums are not.
    save(civil_clerk, "veterans-eligible", xun, 1, 200)
    save(civil_clerk, "veterans-registered", xun, 1, 100)
    save(civil_clerk, "veterans-trained", xun, 1, 60)
    save(civil_clerk, "veterans-registered", xun, 2, 20)
    save(civil_clerk, "veterans-trained", xun, 2, 60)  # 120 of 120
    with pytest.raises(ValidationError) as refused:
        save(civil_clerk, "veterans-trained", xun, 3, 10)  # 130 of 120 (no March registered)
    assert message(refused.value) == (
        "参加培训的退役士兵人数（浚县）1—3月累计 130 超过报名参加培训的退役士兵人数累计 120。"
    )


def test_other_counties_and_rates_are_apart(
    civil_clerk: Any, xun: Region, regions: dict[str, Region]
) -> None:
    save(civil_clerk, "veterans-eligible", regions["410611"], 1, 50)
    save(civil_clerk, "veterans-aware", regions["410611"], 1, 50)
    save(civil_clerk, "veterans-registered", regions["410611"], 1, 50)
    with pytest.raises(ValidationError, match="（淇滨区）1—2月累计 51"):
        save(civil_clerk, "veterans-aware", regions["410611"], 2, 1)
    save(civil_clerk, "veterans-aware", xun, 1, 5)  # 浚县's eligible are not 淇滨区's


def test_before_any_denominator_there_is_no_rate_to_exceed(civil_clerk: Any, xun: Region) -> None:
    # No eligible veterans entered yet: the rate has no denominator (no rate), not 500 %. The
    # denominator, when it comes, is checked against what is there.
    save(civil_clerk, "veterans-aware", xun, 1, 5)
    with pytest.raises(ValidationError, match="1—1月累计 5 超过退役士兵人数累计 4"):
        save(civil_clerk, "veterans-eligible", xun, 1, 4)
    save(civil_clerk, "veterans-eligible", xun, 1, 5)


def test_lowering_an_earlier_denominator_below_a_later_sum_is_refused(
    civil_clerk: Any, xun: Region
) -> None:
    save_months(civil_clerk, "veterans-eligible", xun, 30, 10)
    save_months(civil_clerk, "veterans-aware", xun, 20, 20)  # 40 of 40 by February
    save(civil_clerk, "veterans-eligible", xun, 1, 35)  # raising is fine
    with pytest.raises(ValidationError) as refused:
        save(civil_clerk, "veterans-eligible", xun, 1, 25)  # January alone still fits: 20 ≤ 25
    assert message(refused.value) == (
        "知晓培训政策的退役士兵人数（浚县）1—2月累计 40 超过退役士兵人数累计 35。"
    )
    assert Submission.objects.get(indicator=series("veterans-eligible"), month=1).value == 35


def test_a_count_that_is_numerator_and_denominator_is_checked_both_ways(
    civil_clerk: Any, xun: Region
) -> None:
    save(civil_clerk, "veterans-eligible", xun, 1, 30)
    save(civil_clerk, "veterans-registered", xun, 1, 30)
    save(civil_clerk, "veterans-trained", xun, 1, 25)
    with pytest.raises(ValidationError, match="报名参加培训的退役士兵人数（浚县）1—1月累计 31"):
        save(civil_clerk, "veterans-registered", xun, 1, 31)  # above eligible
    with pytest.raises(ValidationError, match="参加培训的退役士兵人数（浚县）1—1月累计 25 超过"):
        save(civil_clerk, "veterans-registered", xun, 1, 24)  # below trained


def test_a_correction_is_checked(civil_clerk: Any, reviewer: Any, xun: Region) -> None:
    eligible = save(civil_clerk, "veterans-eligible", xun, 1, 30)
    aware = save(civil_clerk, "veterans-aware", xun, 1, 28)
    for figure in (eligible, aware):
        services.submission_submit(actor=civil_clerk, submission=figure)
        services.submission_approve(actor=reviewer, submission=figure)
    events = SubmissionEvent.objects.count()
    with pytest.raises(ValidationError, match="1—1月累计 28 超过退役士兵人数累计 20"):
        services.submission_correct(
            actor=civil_clerk, submission=eligible, value=20, reason="重新核对"
        )
    assert SubmissionEvent.objects.count() == events
    assert Submission.objects.filter(indicator=series("veterans-eligible")).count() == 1
    services.submission_correct(actor=civil_clerk, submission=eligible, value=28, reason="核对")


def test_sending_checks_the_sums_as_stored(civil_clerk: Any, xun: Region) -> None:
    # Figures saved before the rule existed (written here past the services) cannot be sent.
    save(civil_clerk, "veterans-eligible", xun, 1, 10)
    aware = save(civil_clerk, "veterans-aware", xun, 1, 10)
    Submission.objects.filter(pk=aware.pk).update(value=15)
    with pytest.raises(ValidationError, match="1—1月累计 15 超过退役士兵人数累计 10"):
        services.submission_submit(actor=civil_clerk, submission=aware)
    assert Submission.objects.get(pk=aware.pk).status == Submission.Status.DRAFT


def test_flows_that_are_no_counts_are_not_checked(
    make_user: Callable[..., Any], plan: Plan, xun: Region
) -> None:
    clerk = make_user("clerk", department="hrss")
    services.submission_save(
        actor=clerk, indicator=series("rural-transfer"), region=xun, month=1, value=99
    )
    assert services.rate_excesses(month=1, values={(series("rural-transfer").pk, xun.pk): 5}) == []
