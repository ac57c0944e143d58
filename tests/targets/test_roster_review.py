"""The reviewer sees each training figure beside its roster before approving; the plan's
花名册核对 setting decides whether a mismatch only shows (warn) or refuses the approval (block),
one figure or a whole batch, with nothing approved."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from targets import services
from targets.models import Submission
from targets.roster_rows import TypedRow
from tests.targets.rosters import OTHER_XUN, QIBIN_WOMAN, XUN_MAN, make_class
from tests.targets.rosters import person as _person

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_people(county_clerk: Any) -> None:
    """浚县's June class of rural transfer with two people on its roster."""
    services.roster_replace(
        actor=county_clerk,
        training_class=make_class(county_clerk),
        rows=[TypedRow(line=1, **_person(XUN_MAN)), TypedRow(line=2, **_person(OTHER_XUN))],
    )


def _review_page(client: Any, reviewer: Any, figure: Submission) -> str:
    client.force_login(reviewer)
    url = reverse("review-month", args=[figure.indicator.department_id, figure.month])
    return client.get(url).content.decode()


def test_warn_shows_the_mismatch_and_lets_the_figure_be_approved(
    two_people, figure, reviewer, client
):
    three = figure("rural-transfer", "410621", 6, 3)
    page = _review_page(client, reviewer, three)
    assert "花名册 2 人次，不一致" in page and "不得审核通过" not in page
    services.submission_approve(actor=reviewer, submission=three)
    assert Submission.objects.get(pk=three.pk).status == "approved"


def test_block_refuses_a_mismatch_and_approves_a_match(
    two_people, figure, reviewer, plan, client, county_clerk
):
    plan.roster_mismatch = "block"
    plan.save(update_fields=["roster_mismatch"])
    three = figure("rural-transfer", "410621", 6, 3)
    assert "（不得审核通过）" in _review_page(client, reviewer, three)
    with pytest.raises(ValidationError, match="花名册为2人次"):
        services.submission_approve(actor=reviewer, submission=three)
    assert Submission.objects.get(pk=three.pk).status == "submitted"
    # The clerk completes the roster: figure and roster agree, the approval goes through.
    training_class = Submission.objects.get(pk=three.pk).region.training_classes.get()
    kept = list(training_class.trainees.values_list("pk", flat=True))
    third = _person(QIBIN_WOMAN, name="王五", household="淇滨区")
    services.roster_replace(
        actor=county_clerk,
        training_class=training_class,
        rows=[TypedRow(line=3, **third)],
        keep=kept,
    )
    assert "花名册 3 人次，一致" in _review_page(client, reviewer, three)
    services.submission_approve(actor=reviewer, submission=three)
    assert Submission.objects.get(pk=three.pk).is_counted


def test_block_refuses_the_whole_batch_from_the_review_page(
    two_people, figure, reviewer, plan, client
):
    plan.roster_mismatch = "block"
    plan.save(update_fields=["roster_mismatch"])
    match = figure("rural-transfer", "410621", 6, 2)
    other = figure("in-service", "410621", 6, 5)  # no roster behind it at all
    client.force_login(reviewer)
    url = reverse("review-month", args=[match.indicator.department_id, 6])
    response = client.post(url, {"action": "approve", "ids": [match.pk, other.pk]})
    assert "花名册为0人次" in response.content.decode()
    statuses = Submission.objects.filter(pk__in=[match.pk, other.pk]).values_list(
        "status", flat=True
    )
    assert set(statuses) == {"submitted"}


def test_a_figure_of_an_item_without_rosters_is_not_checked(figure, reviewer, plan):
    plan.roster_mismatch = "block"
    plan.save(update_fields=["roster_mismatch"])
    rate_part = figure("veterans-trained", "410621", 6, 3)  # a rate's part, counted in 人
    services.submission_approve(actor=reviewer, submission=rate_part)
    assert Submission.objects.get(pk=rate_part.pk).status == "approved"
