"""Two-level review (逐级审核): under a two-level plan a county's figure is approved by that
county's reviewer (县区人社局) first and accepted by the city's reviewer after; it counts only
then. Either level returns it with a comment; every step is in the trail. 市直 has no reviewer
of its own: the city's reviews its figures in one step. A one-level plan is reviewed by the
city alone, as before.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets import completeness, policy
from targets.models import Indicator, Plan, Region, Submission
from targets.services import (
    month_withdraw,
    submission_approve,
    submission_return,
    submission_save,
    submission_submit,
)
from tests.targets.services_flow import Action, Status, at, events, message, written

pytestmark = pytest.mark.django_db


def sent(clerk: Any, rural: Indicator, region: Region, value: int = 300) -> Submission:
    figure = submission_save(
        actor=clerk, indicator=rural, region=region, month=3, value=value, at=at(1)
    )
    submission_submit(actor=clerk, submission=figure, at=at(2))
    figure.refresh_from_db()
    return figure


@pytest.fixture
def xun(regions: dict[str, Region]) -> Region:
    return regions["410621"]


def test_the_county_approves_then_the_city_accepts_and_only_then_it_counts(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], reviewer: Any, rural, xun
) -> None:
    figure = sent(county_clerk, rural, xun)
    county_reviewer = county_people["reviewer"]

    submission_approve(actor=county_reviewer, submission=figure, comment="县里核过", at=at(3))
    figure.refresh_from_db()
    assert figure.status == Status.VERIFIED
    assert not figure.is_counted, "the city has not accepted it yet"
    assert (figure.verified_by, figure.verified_at) == (county_reviewer, at(3))
    assert figure.reviewed_by is None

    submission_approve(actor=reviewer, submission=figure, comment="市里确认", at=at(4))
    figure.refresh_from_db()
    assert (figure.status, figure.is_counted) == (Status.APPROVED, True)
    assert (figure.reviewed_by, figure.reviewed_at) == (reviewer, at(4))
    assert figure.verified_by == county_reviewer, "the county's step stays on the record"
    assert events(figure) == [
        (Action.CREATE, "clerk-hrss-410621", None, 300, "", Status.DRAFT, ""),
        (Action.SUBMIT, "clerk-hrss-410621", 300, 300, Status.DRAFT, Status.SUBMITTED, ""),
        (Action.VERIFY, "reviewer-410621", 300, 300, Status.SUBMITTED, Status.VERIFIED, "县里核过"),
        (Action.APPROVE, "reviewer", 300, 300, Status.VERIFIED, Status.APPROVED, "市里确认"),
    ]


def test_the_city_cannot_count_a_figure_the_county_has_not_approved(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], reviewer: Any, rural, xun
) -> None:
    figure = sent(county_clerk, rural, xun)
    before = written()
    with pytest.raises(ValidationError) as refused:
        submission_approve(actor=reviewer, submission=figure)
    assert "须先经县区审核员审核" in message(refused.value)
    assert written() == before
    assert not policy.awaiting_review(reviewer, Submission.objects.all()).exists()
    assert list(policy.awaiting_review(county_people["reviewer"], Submission.objects.all())) == [
        figure
    ]


def test_a_county_reviewer_cannot_approve_another_county_or_the_city_level(
    two_levels: Plan, clerk: Any, county_people: dict[str, Any], rural, regions
) -> None:
    county_reviewer = county_people["reviewer"]
    for code in ("410611", "410601"):  # 淇滨区, 市直
        figure = sent(clerk, rural, regions[code])
        before = written()
        with pytest.raises(PermissionDenied):
            submission_approve(actor=county_reviewer, submission=figure)
        with pytest.raises(PermissionDenied):
            submission_return(actor=county_reviewer, submission=figure, comment="越权")
        assert written() == before
    assert not policy.awaiting_review(county_reviewer, Submission.objects.all()).exists()


def test_under_one_level_the_county_reviewer_has_nothing_to_review(
    plan: Plan, county_clerk: Any, county_people: dict[str, Any], reviewer: Any, rural, xun
) -> None:
    assert plan.review_levels == 1
    figure = sent(county_clerk, rural, xun)
    with pytest.raises(PermissionDenied):
        submission_approve(actor=county_people["reviewer"], submission=figure)
    submission_approve(actor=reviewer, submission=figure)
    figure.refresh_from_db()
    assert (figure.status, figure.is_counted, figure.verified_by) == (Status.APPROVED, True, None)


def test_the_city_level_place_is_reviewed_once_by_the_city(
    two_levels: Plan, clerk: Any, reviewer: Any, rural, regions
) -> None:
    figure = sent(clerk, rural, regions["410601"])
    assert policy.review_levels_of(two_levels, regions["410601"]) == 1
    submission_approve(actor=reviewer, submission=figure)
    figure.refresh_from_db()
    assert (figure.status, figure.is_counted) == (Status.APPROVED, True)


@pytest.mark.parametrize("level", ["county", "city"])
def test_either_level_returns_and_a_figure_sent_again_goes_through_both(
    two_levels: Plan,
    county_clerk: Any,
    county_people: dict[str, Any],
    reviewer: Any,
    rural,
    xun,
    level: str,
) -> None:
    county_reviewer = county_people["reviewer"]
    figure = sent(county_clerk, rural, xun)
    if level == "city":
        submission_approve(actor=county_reviewer, submission=figure, at=at(3))
    returner = county_reviewer if level == "county" else reviewer
    submission_return(actor=returner, submission=figure, comment="请核实人数", at=at(4))
    figure.refresh_from_db()
    assert (figure.status, figure.review_comment, figure.reviewed_by) == (
        Status.RETURNED,
        "请核实人数",
        returner,
    )
    assert (figure.verified_by, figure.is_counted) == (None, False)
    assert events(figure)[-1][:2] == (Action.RETURN, returner.username)

    submission_save(actor=county_clerk, indicator=rural, region=xun, month=3, value=280, at=at(5))
    submission_submit(actor=county_clerk, submission=figure, at=at(6))
    with pytest.raises(ValidationError):
        submission_approve(actor=reviewer, submission=figure)
    submission_approve(actor=county_reviewer, submission=figure, at=at(7))
    submission_approve(actor=reviewer, submission=figure, at=at(8))
    figure.refresh_from_db()
    assert (figure.status, figure.value, figure.is_counted) == (Status.APPROVED, 280, True)


def test_a_figure_the_county_approved_is_locked_to_its_clerk(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], rural, xun
) -> None:
    figure = sent(county_clerk, rural, xun)
    submission_approve(actor=county_people["reviewer"], submission=figure)
    before = written()
    with pytest.raises(ValidationError, match="等待审核"):
        submission_save(actor=county_clerk, indicator=rural, region=xun, month=3, value=1)
    with pytest.raises(ValidationError):
        month_withdraw(actor=county_clerk, plan=two_levels, month=3, ids=[figure.pk])
    assert written() == before


def test_a_figure_the_county_approved_is_not_yet_complete_for_the_month(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], reviewer: Any, rural, xun
) -> None:
    figure = sent(county_clerk, rural, xun)
    submission_approve(actor=county_people["reviewer"], submission=figure)

    def gap() -> Any:
        found = [
            g
            for g in completeness.missing_reports(two_levels, 3)
            if g.region == xun and g.department.code == "hrss"
        ]
        return found[0] if found else None

    waiting = gap()
    assert waiting is not None and waiting.approved == 0 and waiting.sent == 1
    submission_approve(actor=reviewer, submission=figure)
    after = gap()
    assert after is None or after.approved == 1


# --- what a county's own people read -----------------------------------------------------------


def test_county_people_read_their_county_only(
    plan: Plan, clerk: Any, county_people: dict[str, Any], reviewer: Any, rural, regions
) -> None:
    xun_figure = sent(clerk, rural, regions["410621"])
    sent(clerk, rural, regions["410611"])
    for role, person in county_people.items():
        assert policy.may_read_cell(person, rural, regions["410621"]), role
        assert not policy.may_read_cell(person, rural, regions["410611"]), role
        assert not policy.may_read_cell(person, rural, None), f"{role}: the city-wide figure"
        assert list(policy.readable_submissions(person, Submission.objects.all())) == [xun_figure]
        assert policy.may_view_county(person, regions["410621"]), role
        assert not policy.may_view_county(person, regions["410611"]), role
        assert not policy.may_view_dashboard(person), f"{role}: the city's dashboard"
        assert not policy.may_export(person), f"{role}: the city's workbook"
        assert not policy.may_publish_bulletin(person)
        assert not policy.may_read_all_notices(person)
    assert policy.readable_submissions(reviewer, Submission.objects.all()).count() == 2
    assert policy.may_view_county(reviewer, regions["410621"])


def test_a_county_reviewer_reviews_no_register_or_project_row(
    county_people: dict[str, Any],
) -> None:
    """Two levels are for figures and step reports (``test_two_level_work``); the other records
    keep the city's one-level review."""
    county_reviewer = county_people["reviewer"]
    assert policy.may_review(county_reviewer)
    assert not policy.may_review_register(county_reviewer)
    assert not policy.may_review_project_entry(county_reviewer, None)
    assert not policy.may_close_notice(county_reviewer)


def test_a_plan_set_back_to_one_level_strands_no_figure_the_county_approved(
    two_levels: Plan, county_clerk: Any, county_people: dict[str, Any], reviewer: Any, rural, xun
) -> None:
    figure = sent(county_clerk, rural, xun)
    submission_approve(actor=county_people["reviewer"], submission=figure)
    two_levels.review_levels = 1
    two_levels.save(update_fields=["review_levels"])
    assert list(policy.awaiting_review(reviewer, Submission.objects.all())) == [figure]
    submission_approve(actor=reviewer, submission=figure)
    figure.refresh_from_db()
    assert (figure.status, figure.is_counted) == (Status.APPROVED, True)
