"""The access policy of the rosters' personal data (part of ``policy``, asked there).

An ID number, phone or 残疾证号 is shown in clear only to an auditor who asks for one roster
row with a stated reason (the reveal is recorded): the city's auditors for any county, a
county's own auditor for that county's classes. Nobody else, administrators included: they
read the list of reveals, not the numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .policy import Role, may_enter_cell, reads_county, role_of, unit_rows

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import TrainingClass
    from .policy import User


def may_reveal_personal_data(user: User, training_class: TrainingClass) -> bool:
    return role_of(user) == Role.AUDITOR and reads_county(user, training_class.region_id)


# Who reads rosters (masked): the clerks of the unit, reviewers and auditors. Leaders read the
# counts on the dashboards, not names; administrators the list of reveals.
ROSTER_READERS = (Role.CLERK, Role.REVIEWER, Role.AUDITOR)


def may_read_rosters(user: User) -> bool:
    return role_of(user) in ROSTER_READERS


def readable_classes(user: User, queryset: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """The classes whose (masked) rosters this user may read: a clerk those of the units they
    cover, a reviewer or auditor every county's (a county's own, that county's)."""
    if not may_read_rosters(user):
        return queryset.none()
    return unit_rows(user, queryset, department="indicator__department_id", region="region_id")


def may_edit_roster(user: User, training_class: TrainingClass) -> bool:
    """Register classes and enter or upload their rosters: the clerk who enters the cell."""
    return may_enter_cell(user, training_class.indicator, training_class.region)


def may_explain_finding(user: User, classes: list[TrainingClass]) -> bool:
    """Explain a finding: a clerk who enters the rosters of one of its classes."""
    return any(may_edit_roster(user, training_class) for training_class in classes)


def may_review_finding(user: User, classes: list[TrainingClass]) -> bool:
    """Accept or return an explanation: a reviewer who reads every county of its classes."""
    return role_of(user) == Role.REVIEWER and all(
        reads_county(user, training_class.region_id) for training_class in classes
    )
