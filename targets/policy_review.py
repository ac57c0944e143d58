"""Who reviews a figure or a step's report (工作台账), and when: one level (the city's
reviewers) or two (the county's reviewer first, then the city's), as the plan says
(``Plan.review_levels``). Asked through ``policy`` like every other question."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Q, QuerySet

from .models import Indicator, Membership, Plan, Region, StepReport, Submission, WorkStep
from .policy import county_of, role_of

if TYPE_CHECKING:
    from .policy import User

Role = Membership.Role
Row = TypeVar("Row", Submission, StepReport)


def review_levels_of(plan: Plan, region: Region | None) -> int:
    """How many reviews a record of ``region`` (a figure, a step's report) takes under
    ``plan``: two where the plan says so for a county's (the county's reviewer, then the
    city's); one for 市直's, which has no reviewer of its own, for a city-wide step's (no
    region), and under a one-level plan."""
    if region is None or region.is_city_level:
        return 1
    return 2 if plan.review_levels == 2 else 1


def _may_review(user: User, plan: Plan, region: Region | None) -> bool:
    """Approve or return a record of ``region``, at this reviewer's level: the city's reviewers
    every record; a county's reviewer their own county's, where it takes two reviews."""
    if role_of(user) != Role.REVIEWER:
        return False
    county = county_of(user)
    if county is None:
        return True
    return region is not None and region.pk == county and review_levels_of(plan, region) == 2


def _waiting(user: User, plan: Plan, region: Region | None) -> frozenset[str]:
    """The statuses a record waits in for this reviewer: sent, for a county's reviewer and for
    one-level records; approved by the county, for the city's reviewer (also under a plan set
    back to one level meanwhile: it is not stranded)."""
    Status = Submission.Status
    if county_of(user) is not None:
        return frozenset({Status.SUBMITTED})
    if review_levels_of(plan, region) == 2:
        return frozenset({Status.VERIFIED})
    return frozenset({Status.SUBMITTED, Status.VERIFIED})


def _awaiting(user: User, queryset: QuerySet[Row], *, plan: str, region: str) -> QuerySet[Row]:
    """The records of ``queryset`` (their plan and county at the field paths ``plan`` and
    ``region``) waiting for this reviewer's step (``_waiting``), as one filter: a queue, its
    pages and their POSTs list the same records."""
    if role_of(user) != Role.REVIEWER:
        return queryset.none()
    Status = Submission.Status
    two = (
        Q(**{f"{plan}__review_levels": 2})
        & Q(**{f"{region}__isnull": False})
        & ~Q(**{f"{region}__kind": Region.Kind.CITY})
    )
    county = county_of(user)
    if county is None:
        return queryset.filter(Q(status=Status.VERIFIED) | (~two & Q(status=Status.SUBMITTED)))
    return queryset.filter(two, **{f"{region}_id": county}, status=Status.SUBMITTED)


# --- Figures ---------------------------------------------------------------------------------


def may_approve_cell(user: User, indicator: Indicator, region: Region) -> bool:
    """Approve or return figures of the cell, at this reviewer's level (``_may_review``)."""
    return _may_review(user, indicator.plan, region)


def waiting_statuses(user: User, indicator: Indicator, region: Region) -> frozenset[str]:
    """The statuses a figure of the cell waits in for this reviewer (``_waiting``)."""
    return _waiting(user, indicator.plan, region)


def awaiting_review(user: User, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The figures of ``queryset`` waiting for this reviewer's step."""
    return _awaiting(user, queryset, plan="indicator__plan", region="region")


# --- Step reports (工作台账): the same two levels, for a step of a county's unit ---------------


def step_review_levels(step: WorkStep) -> int:
    """How many reviews a report of ``step`` takes (``review_levels_of``)."""
    return review_levels_of(step.milestone.plan, step.region)


def may_review_work(user: User) -> bool:
    """Open the work reports' review queue: the reviewers (a county's, with their county's
    reports)."""
    return role_of(user) == Role.REVIEWER


def may_review_step(user: User, step: WorkStep) -> bool:
    """Approve or return reports of ``step``, at this reviewer's level (``_may_review``)."""
    return _may_review(user, step.milestone.plan, step.region)


def step_waiting_statuses(user: User, step: WorkStep) -> frozenset[str]:
    """The statuses a report of ``step`` waits in for this reviewer (``_waiting``)."""
    return _waiting(user, step.milestone.plan, step.region)


def awaiting_step_review(user: User, queryset: QuerySet[StepReport]) -> QuerySet[StepReport]:
    """The reports of ``queryset`` waiting for this reviewer's step."""
    return _awaiting(user, queryset, plan="step__milestone__plan", region="step__region")
