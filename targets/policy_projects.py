"""The access policy of 项目库 and 一项目一台账 (projects and their ledgers).

Part of ``policy``, kept in its own module so that each stays short: ``policy`` re-exports every
question here and callers ask them there (``policy.may_read_project``), like any other. This
module builds on ``policy``'s shared questions: a user's role and membership, the units a clerk
covers, whether a plan is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Plan, Project, ProjectEntry, ProjectFile
from .policy import (
    READ_ALL_ROLES,
    Role,
    clerk_covers_unit,
    is_city_reviewer,
    membership_of,
    plan_is_published,
    reads_county,
    role_of,
    unit_rows,
)
from .policy_province import province_of

if TYPE_CHECKING:
    from .policy import User

# A project belongs to a unit like a step does. The clerks covering its unit keep its ledger
# (enter rows, send them) and attach its files; reviewers approve or return sent rows;
# reviewers, leaders, auditors and administrators read every project and its sent rows, and
# download its files (auditors above all: the 申报书 and 建设方案 the project is checked
# against). Clerks see only their units' projects, so nobody sees another unit's drafts.
# A draft plan's projects are the administrators' alone, as its dashboards are.


def may_view_projects(user: User) -> bool:
    """Open the project library at all: every role (a clerk sees their units' projects) but a
    province's leader, whose province keeps no projects here."""
    return role_of(user) is not None and province_of(user) is None


def readable_projects(user: User, queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Narrow projects to those this user may read."""
    role = role_of(user)
    if role != Role.ADMINISTRATOR:
        queryset = queryset.exclude(plan__status=Plan.Status.DRAFT)
    return unit_rows(user, queryset, department="department_id", region="region_id")


def may_read_project(user: User, project: Project) -> bool:
    """Read a project's ledger page and workbook (drafts aside: ``readable_project_entries``)."""
    if not plan_is_published(project.plan) and role_of(user) != Role.ADMINISTRATOR:
        return False
    if role_of(user) in READ_ALL_ROLES:
        return reads_county(user, project.region_id)
    return clerk_covers_unit(user, project.department_id, project.region_id)


def may_set_project(user: User, department_id: int, region_id: int | None) -> bool:
    """Create or change a project of the unit (``department_id``, ``region_id``): an
    administrator, who sets the plan up, or a clerk covering that unit."""
    if role_of(user) == Role.ADMINISTRATOR:
        return True
    return clerk_covers_unit(user, department_id, region_id)


def may_choose_project_unit(user: User) -> bool:
    """Choose the unit of a project on its page: administrators, who set projects up for any
    unit. A clerk's unit is given (``own_project_unit``), never chosen."""
    return role_of(user) == Role.ADMINISTRATOR


def own_project_unit(user: User) -> tuple[int, int | None] | None:
    """The unit a clerk creates projects for: their membership's own, as a (department id,
    region id) pair. A city-wide clerk's new projects are city-wide ones; one of a county's is
    set up by that county's clerk or an administrator. ``None`` for everyone else."""
    if role_of(user) != Role.CLERK:
        return None
    membership = membership_of(user)
    return membership.department_id, membership.region_id


def may_create_projects(user: User) -> bool:
    """Open the new-project page: administrators (any unit) and clerks (their own unit)."""
    return may_choose_project_unit(user) or own_project_unit(user) is not None


def may_keep_project_ledger(user: User, project: Project) -> bool:
    """Enter, change and send a project's ledger rows and attach its files: its unit's clerks."""
    return clerk_covers_unit(user, project.department_id, project.region_id)


def may_review_project_entry(user: User, entry: ProjectEntry) -> bool:
    """Approve or return a sent ledger row: the city's reviewers."""
    return is_city_reviewer(user)


def readable_project_entries(
    user: User, queryset: QuerySet[ProjectEntry]
) -> QuerySet[ProjectEntry]:
    """Narrow ledger rows to what this user may read: a clerk, every row of their units'
    projects; reviewers, leaders, auditors and administrators, every row once sent."""
    return unit_rows(
        user,
        queryset,
        department="project__department_id",
        region="project__region_id",
        draft=True,
    )


def may_download_project_file(user: User, file: ProjectFile) -> bool:
    """Download a project's 申报书, 建设方案 or other file: whoever may read the project."""
    return may_read_project(user, file.project)
