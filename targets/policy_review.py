"""Who reviews a figure or a step's report (工作台账), and when: one level (the city's
reviewers) or two (the county's reviewer first, then the city's), as the plan says
(``Plan.review_levels``). Asked through ``policy`` like every other question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import Indicator, Membership, Plan, Region, StepReport, Submission, WorkStep
from .policy import county_of, role_of

if TYPE_CHECKING:
    from .policy import User

Role = Membership.Role


def review_levels_of(plan: Plan, region: Region) -> int:
    """How many reviews a figure of ``region`` takes under ``plan``: two where the plan says so
    for a county's figures (the county's reviewer, then the city's); one for 市直's, which has
    no reviewer of its own, and under a one-level plan."""
    return 2 if plan.review_levels == 2 and not region.is_city_level else 1


def may_approve_cell(user: User, indicator: Indicator, region: Region) -> bool:
    """Approve or return figures of the cell, at this reviewer's level: the city's reviewers
    every cell; a county's reviewer its own county's, where they take two reviews."""
    if role_of(user) != Role.REVIEWER:
        return False
    county = county_of(user)
    if county is None:
        return True
    return region.pk == county and review_levels_of(indicator.plan, region) == 2


def waiting_statuses(user: User, indicator: Indicator, region: Region) -> frozenset[str]:
    """The statuses a figure of the cell waits in for this reviewer (``may_approve_cell``): sent,
    for a county's reviewer and for one-level cells; approved by the county, for the city's
    reviewer (also under a plan set back to one level meanwhile: it is not stranded)."""
    Status = Submission.Status
    if county_of(user) is not None:
        return frozenset({Status.SUBMITTED})
    if review_levels_of(indicator.plan, region) == 2:
        return frozenset({Status.VERIFIED})
    return frozenset({Status.SUBMITTED, Status.VERIFIED})


def awaiting_review(user: User, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The figures of ``queryset`` waiting for this reviewer's step (``waiting_statuses``), as
    one filter: the queue, the month's page and its POSTs list the same figures."""
    if role_of(user) != Role.REVIEWER:
        return queryset.none()
    Status = Submission.Status
    two = Q(indicator__plan__review_levels=2) & ~Q(region__kind=Region.Kind.CITY)
    county = county_of(user)
    if county is None:
        return queryset.filter(Q(status=Status.VERIFIED) | (~two & Q(status=Status.SUBMITTED)))
    return queryset.filter(two, region_id=county, status=Status.SUBMITTED)


# --- Step reports (工作台账): the same two levels, for a step of a county's unit ---------------


def step_review_levels(step: WorkStep) -> int:
    """How many reviews a report of ``step`` takes: two where the plan says so for a step of a
    county's unit; one for a city-wide step and a 市直 one, and under a one-level plan."""
    if step.region is None:
        return 1
    return review_levels_of(step.milestone.plan, step.region)


def may_review_work(user: User) -> bool:
    """Open the work reports' review queue: the reviewers (a county's, with their county's
    reports)."""
    return role_of(user) == Role.REVIEWER


def may_review_step(user: User, step: WorkStep) -> bool:
    """Approve or return reports of ``step``, at this reviewer's level: the city's reviewers
    every step's; a county's reviewer their county's steps', where they take two reviews."""
    if role_of(user) != Role.REVIEWER:
        return False
    county = county_of(user)
    if county is None:
        return True
    return step.region_id == county and step_review_levels(step) == 2


def step_waiting_statuses(user: User, step: WorkStep) -> frozenset[str]:
    """The statuses a report of ``step`` waits in for this reviewer (``may_review_step``), as
    ``waiting_statuses`` says for a figure."""
    Status = StepReport.Status
    if county_of(user) is not None:
        return frozenset({Status.SUBMITTED})
    if step_review_levels(step) == 2:
        return frozenset({Status.VERIFIED})
    return frozenset({Status.SUBMITTED, Status.VERIFIED})


def awaiting_step_review(user: User, queryset: QuerySet[StepReport]) -> QuerySet[StepReport]:
    """The reports of ``queryset`` waiting for this reviewer's step (``step_waiting_statuses``),
    as one filter: the queue and its POSTs name the same reports."""
    if role_of(user) != Role.REVIEWER:
        return queryset.none()
    Status = StepReport.Status
    two = (
        Q(step__milestone__plan__review_levels=2)
        & Q(step__region__isnull=False)
        & ~Q(step__region__kind=Region.Kind.CITY)
    )
    county = county_of(user)
    if county is None:
        return queryset.filter(Q(status=Status.VERIFIED) | (~two & Q(status=Status.SUBMITTED)))
    return queryset.filter(two, step__region_id=county, status=Status.SUBMITTED)
