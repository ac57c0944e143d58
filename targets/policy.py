"""The access policy: one place that answers "may this user …?".

Every view, form, export and API asks these functions; none decides on its own.

| role          | read cells          | enter cells         | approve | dashboard | export | admin |
|---------------|---------------------|---------------------|---------|-----------|--------|-------|
| clerk         | own dept (+ county) | own dept (+ county) | no      | no        | no     | no    |
| reviewer      | all                 | no                  | yes     | yes       | no     | no    |
| leader        | all                 | no                  | no      | yes       | no     | no    |
| auditor       | all                 | no                  | no      | yes       | yes    | no    |
| administrator | all                 | no                  | no      | yes       | yes    | yes   |

A reviewer, leader or auditor may belong to a county (县区人社局, ``Membership.region``): the
table's "all" is then their county's cells and pages only (``county_of``); the city's own
pages (its dashboard, drill-downs, bulletins, exports, notices, registers) are the city's
people's; the county's own bulletin and workbook are its people's (``policy_county``).
Under two-level review (``Plan.review_levels``) a county's figures and its steps' reports are
approved by that county's reviewer first and accepted by the city's reviewer after
(``awaiting_review``, ``awaiting_step_review``).

Administrators set the system up but neither enter nor approve figures: the people who
answer for a number are the clerk who reported it and the reviewer who accepted it.
A user with no membership (and not a superuser) may do nothing. Superusers are
administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Q, QuerySet

from .models import (
    AnnualPlan,
    Department,
    EvidenceFile,
    Indicator,
    Membership,
    Milestone,
    Plan,
    Rectification,
    Region,
    RegisterRecord,
    StepReport,
    Submission,
    SupervisionNotice,
    WorkStep,
    local_plans,
    places_of,
    responsible_units,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

Role = Membership.Role
Readable = TypeVar("Readable", Submission, SupervisionNotice)
R = TypeVar("R", bound=RegisterRecord)
Row = TypeVar("Row")

READ_ALL_ROLES = frozenset({Role.REVIEWER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR})
DASHBOARD_ROLES = READ_ALL_ROLES
EXPORT_ROLES = frozenset({Role.AUDITOR, Role.ADMINISTRATOR})
# The roles a county (县区) may have people of its own in.
COUNTY_ROLES = frozenset({Role.REVIEWER, Role.LEADER, Role.AUDITOR})


def membership_of(user: User) -> Membership | None:
    """The user's membership, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_membership_cache"):
        try:
            membership = Membership.objects.select_related("department", "region").get(user=user)
        except Membership.DoesNotExist:
            membership = None
        user._membership_cache = membership
    return user._membership_cache


def role_of(user: User) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = membership_of(user)
    if membership is not None:
        return membership.role
    if user.is_superuser:
        return Role.ADMINISTRATOR
    return None


def county_of(user: User) -> int | None:
    """The county (its ``Region`` id) a county's reviewer, leader or auditor answers for;
    ``None`` for the city's people, clerks (see ``clerk_covers_unit``) and everyone else."""
    if role_of(user) not in COUNTY_ROLES:
        return None
    return membership_of(user).region_id


def reads_all(user: User) -> bool:
    """Does this user read every county's cells and the city's pages: the city's reviewers,
    leaders and auditors, and administrators (not a county's own people)."""
    return role_of(user) in READ_ALL_ROLES and county_of(user) is None


def reads_county(user: User, region_id: int | None) -> bool:
    """Does this user read everything of the county ``region_id`` (its dashboard, its cells,
    its sent rows): the city's readers, and that county's own people."""
    if reads_all(user):
        return True
    return region_id is not None and county_of(user) == region_id


def _clerk_covers(membership: Membership, indicator: Indicator, region: Region | None) -> bool:
    if indicator.department_id != membership.department_id:
        return False
    if membership.region_id is None:
        return True
    return region is not None and region.pk == membership.region_id


def may_read_cell(user: User, indicator: Indicator, region: Region | None) -> bool:
    """Read a figure of ``indicator`` in ``region`` (``None``: the city-wide figure)."""
    role = role_of(user)
    if role in READ_ALL_ROLES:
        return reads_county(user, region and region.pk)
    if role == Role.CLERK:
        return _clerk_covers(membership_of(user), indicator, region)
    return False


def may_enter_cell(user: User, indicator: Indicator, region: Region) -> bool:
    """Enter, save, submit or correct a monthly figure."""
    if role_of(user) != Role.CLERK or not indicator.accepts_figures:
        return False
    return _clerk_covers(membership_of(user), indicator, region)


def is_city_reviewer(user: User) -> bool:
    """The lead bureau's own reviewers (市人社局), not a county's."""
    return role_of(user) == Role.REVIEWER and county_of(user) is None


def may_enter(user: User) -> bool:
    """Open the monthly entry pages at all."""
    return role_of(user) == Role.CLERK


def may_review(user: User) -> bool:
    """Open the reviewer's queue (a county's reviewer, with their county's figures)."""
    return role_of(user) == Role.REVIEWER


def may_view_dashboard(user: User) -> bool:
    """Open the city's dashboard and its pages: the city's readers (``reads_all``)."""
    return reads_all(user)


def may_view_county(user: User, region: Region) -> bool:
    """Open one county's own dashboard: the city's readers, and that county's own people."""
    return reads_county(user, region.pk)


def may_view_county_dashboards(user: User) -> bool:
    """Open county dashboards at all (which one: ``may_view_county``): the city's readers,
    and a county's own people (their county's)."""
    return reads_all(user) or county_of(user) is not None


def county_home(user: User) -> Region | None:
    """The county whose pages a county's own people read; a province's leader has none."""
    region = membership_of(user).region if county_of(user) is not None else None
    return region if region is not None and region.kind in Region.PLACE_KINDS else None


# A plan's life (draft → active → closed, ``services.plan_activate``/``plan_close``) decides two
# things, here and nowhere else: whether it is open to writes, and whether it is shown at all.


def plan_is_open(plan: Plan) -> bool:
    """Does ``plan`` take figures, corrections, reviews and notice answers now? Only while it
    is active: a draft is not open yet, a closed plan is read-only."""
    return plan.status == Plan.Status.ACTIVE


def plan_is_published(plan: Plan) -> bool:
    """Is ``plan`` shown to people other than administrators? Not while it is a draft, which
    may still change; an active or closed plan is (a closed one read-only, not hidden)."""
    return plan.status != Plan.Status.DRAFT


def may_view_plan(user: User, plan: Plan) -> bool:
    """Read one plan's dashboards, progress API and bulletins.

    Active and closed plans: every dashboard role (a closed plan is read-only, not hidden).
    A draft plan only administrators, who set it up and check it before activating it; to
    everyone else it does not exist yet (404), so nobody reads a plan that may still change.
    """
    if role_of(user) not in DASHBOARD_ROLES:
        return False
    return plan_is_published(plan) or role_of(user) == Role.ADMINISTRATOR


def may_enter_plan(user: User, plan: Plan) -> bool:
    """Open a plan's entry pages and templates (clerks, with ``may_enter``).

    A draft plan may still change and takes no figures: to a clerk it does not exist yet (404).
    """
    return plan_is_published(plan)


def viewable_plans(user: User) -> QuerySet[Plan]:
    """The plans whose dashboards this user may read (``may_view_plan``), latest year first."""
    if role_of(user) not in DASHBOARD_ROLES:
        return Plan.objects.none()
    plans = local_plans().order_by("-year")
    return plans if role_of(user) == Role.ADMINISTRATOR else plans.exclude(status=Plan.Status.DRAFT)


def may_export(user: User) -> bool:
    return role_of(user) in EXPORT_ROLES and reads_all(user)


def may_administer(user: User) -> bool:
    return role_of(user) == Role.ADMINISTRATOR


def enterable_indicators(user: User, plan_id: int) -> QuerySet[Indicator]:
    """The series this user may enter figures for, in one plan."""
    if role_of(user) != Role.CLERK:
        return Indicator.objects.none()
    membership = membership_of(user)
    return Indicator.objects.filter(
        plan_id=plan_id, department_id=membership.department_id, accepts_figures=True
    )


def enterable_regions(user: User, plan: Plan) -> QuerySet[Region]:
    """The places of ``plan`` this user may enter figures for."""
    if role_of(user) != Role.CLERK:
        return Region.objects.none()
    membership = membership_of(user)
    places = places_of(plan)
    return places if membership.region_id is None else places.filter(pk=membership.region_id)


def unit_rows(
    user: User, queryset: QuerySet[Row], *, department: str, region: str, draft: bool = False
) -> QuerySet[Row]:
    """Rows that belong to a unit (its department and county are at the field paths
    ``department`` and ``region``) narrowed to what this user may read: the readers every row
    (once sent, when ``draft``: a draft is its unit's own), a clerk the rows of the units they
    cover (a city-wide clerk every county of the department), anybody else none. The one place
    that says which unit's rows a person sees."""
    role = role_of(user)
    if role in READ_ALL_ROLES:
        queryset = queryset.exclude(status=Submission.Status.DRAFT) if draft else queryset
        county = county_of(user)
        return queryset if county is None else queryset.filter(**{region: county})
    if role == Role.CLERK:
        membership = membership_of(user)
        queryset = queryset.filter(**{department: membership.department_id})
        if membership.region_id is not None:
            queryset = queryset.filter(**{region: membership.region_id})
        return queryset
    return queryset.none()


def _readable(user: User, queryset: QuerySet[Readable]) -> QuerySet[Readable]:
    """Rows of an indicator in a county (figures, notices) this user may read."""
    return unit_rows(user, queryset, department="indicator__department_id", region="region_id")


def readable_submissions(user: User, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """Narrow a queryset of submissions to what this user may read."""
    return _readable(user, queryset)


def home_url_name(user: User) -> str:
    """Where each role starts (a county's leader and auditor: their county's dashboard, which
    ``dashboard`` sends them to)."""
    if county_of(user) is not None and role_of(user) != Role.REVIEWER:
        return "dashboard"
    return {
        Role.CLERK: "entry",
        Role.REVIEWER: "review",
        Role.LEADER: "dashboard",
        Role.AUDITOR: "exports",
        Role.ADMINISTRATOR: "admin:index",
    }.get(role_of(user), "no-role")


# Supervision notices (督办单): the reviewer's list is read by every role that reads all cells;
# a notice is answered by a clerk of the quota's department (and of that county for a county
# notice, so a county clerk never answers the city-wide one).


def may_read_all_notices(user: User) -> bool:
    return reads_all(user)


def may_answer_notice(user: User, notice: SupervisionNotice) -> bool:
    if role_of(user) != Role.CLERK:
        return False
    return _clerk_covers(membership_of(user), notice.indicator, notice.region)


NOTICE_CLOSE_ROLES = frozenset({Role.REVIEWER, Role.ADMINISTRATOR})


def may_close_notice(user: User, notice: SupervisionNotice | None = None) -> bool:
    """Close (销号) a notice by hand, with a reason: the lead bureau's reviewers, and
    administrators (the system closes one itself when the item is back on track)."""
    return role_of(user) in NOTICE_CLOSE_ROLES and county_of(user) is None


def readable_notices(
    user: User, queryset: QuerySet[SupervisionNotice]
) -> QuerySet[SupervisionNotice]:
    """Narrow a queryset of notices to what this user may read: a clerk, the ones they answer."""
    return _readable(user, queryset)


BULLETIN_PUBLISH_ROLES = frozenset({Role.REVIEWER, Role.ADMINISTRATOR})


def may_publish_bulletin(user: User) -> bool:
    """Publish (freeze) a month's bulletin: the lead bureau's reviewers, and administrators.

    Reading bulletins follows ``may_view_dashboard``; clerks neither read nor publish them.
    """
    return role_of(user) in BULLETIN_PUBLISH_ROLES and county_of(user) is None


# 工作台账 (work items): a unit is a department, city-wide or in one county (or 市直). A clerk
# covers a unit of their department: every unit of it when city-wide, only their county's
# when a county clerk (never the city-wide unit, as with notices). Steps are set by the clerks
# of the item's responsible units (or an administrator); reports are entered by the clerks
# covering the step's unit, reviewed by reviewers, in two levels for a county's step as for
# its figures (``policy_review``); readers see every report that was sent.


def clerk_covers_unit(user: User, department_id: int, region_id: int | None) -> bool:
    if role_of(user) != Role.CLERK:
        return False
    membership = membership_of(user)
    if membership.department_id != department_id:
        return False
    return membership.region_id is None or membership.region_id == region_id


def may_set_work_units(user: User, milestone: Milestone) -> bool:
    """Name a work item's requirement and co-operating units: administrators, who set the
    plan up (like the figures' definitions)."""
    return role_of(user) == Role.ADMINISTRATOR


def may_set_work_step(
    user: User, milestone: Milestone, department_id: int, region_id: int | None
) -> bool:
    """Set (create or edit) a step of ``milestone`` for the unit (``department_id``,
    ``region_id``): an administrator, or a clerk covering that unit when it is one of the
    item's responsible units."""
    if role_of(user) == Role.ADMINISTRATOR:
        return True
    if not clerk_covers_unit(user, department_id, region_id):
        return False
    return (department_id, region_id) in responsible_units(milestone)


def may_report_step(user: User, step: WorkStep) -> bool:
    """Enter, save, send or correct a step's monthly report: the clerks covering its unit."""
    return clerk_covers_unit(user, step.department_id, step.region_id)


def readable_step_reports(user: User, queryset: QuerySet[StepReport]) -> QuerySet[StepReport]:
    """Narrow step reports to what this user may read: a clerk, every report of the units they
    cover; reviewers, leaders, auditors and administrators, every report once sent (a draft is
    its unit's own); nobody else, none."""
    return unit_rows(
        user, queryset, department="step__department_id", region="step__region_id", draft=True
    )


def may_download_evidence(user: User, file: EvidenceFile) -> bool:
    """Download an evidence file: whoever may read a step report or an annual implementation
    plan that points to it (a clerk, their units' own; reviewers, leaders, auditors and
    administrators, sent ones)."""
    reports = StepReport.objects.filter(evidence_links__evidence=file)
    if readable_step_reports(user, reports).exists():
        return True
    return readable_registers(user, AnnualPlan.objects.filter(file=file)).exists()


# Registers (竞赛, 评价试点, 年度实施方案, 会议与督查调研): a row belongs to a unit, as a step does.
# Competitions, pilots and meetings are the lead department's (人社局) to keep, city-wide or a
# county's; each department sends its own annual implementation plan and self-assessments,
# city-wide. Reviewers review; readers see every row once sent; 整改事项 are answered by
# their responsible unit.
LEAD_DEPARTMENT_REGISTERS = frozenset({"competitions", "pilots", "meetings"})


def may_enter_register(user: User, kind: str, department_id: int, region_id: int | None) -> bool:
    """Enter, change, send or reopen a register row of ``kind`` for the unit."""
    if not clerk_covers_unit(user, department_id, region_id):
        return False
    if kind in LEAD_DEPARTMENT_REGISTERS:
        return Department.objects.filter(pk=department_id, is_lead=True).exists()
    return kind in ("annual-plans", "self-assessments") and region_id is None


def register_units(user: User, kind: str) -> tuple[int, int | None] | None:
    """The unit a clerk enters ``kind`` rows for (their own), or ``None`` if they may not."""
    membership = membership_of(user)
    if membership is None or role_of(user) != Role.CLERK:
        return None
    unit = (membership.department_id, membership.region_id)
    return unit if may_enter_register(user, kind, *unit) else None


def may_review_register(user: User) -> bool:
    """Approve or return a sent register row, close a 整改事项: the city's reviewers."""
    return is_city_reviewer(user)


def may_read_registers(user: User) -> bool:
    return reads_all(user) or role_of(user) == Role.CLERK


def readable_registers(user: User, queryset: QuerySet[R]) -> QuerySet[R]:
    """Register rows this user may read: a clerk, their units' (a city-wide clerk every unit
    of the department, a county clerk their county's); the readers, every row once sent."""
    return unit_rows(user, queryset, department="department_id", region="region_id", draft=True)


def may_answer_rectification(user: User, item: Rectification) -> bool:
    """Report progress on a 整改事项: the clerks covering its responsible unit."""
    return item.closed_on is None and clerk_covers_unit(user, item.department_id, item.region_id)


def readable_rectifications(
    user: User, queryset: QuerySet[Rectification]
) -> QuerySet[Rectification]:
    """整改事项 of sent meetings for the readers; a clerk, their units' own and those of the
    meetings their unit keeps."""
    role = role_of(user)
    if reads_all(user):
        return queryset.exclude(meeting__status=Submission.Status.DRAFT)
    if role == Role.CLERK:
        membership = membership_of(user)
        own = Q(department_id=membership.department_id)
        kept = Q(meeting__department_id=membership.department_id)
        if membership.region_id is not None:
            own &= Q(region_id=membership.region_id)
            kept &= Q(meeting__region_id=membership.region_id)
        sent = ~Q(meeting__status=Submission.Status.DRAFT)
        return queryset.filter((own & sent) | kept)
    return queryset.none()


# --- A county's own bulletin, workbook and parts' shares: ``policy_county`` -------------------
from .policy_county import (  # noqa: E402, F401
    may_export_county,
    may_open_exports,
    may_publish_county_bulletin,
    may_read_bulletins,
    may_split_county,
)

# --- 项目库 and 一项目一台账 (projects), a province's page, rosters' personal data: own modules
from .policy_projects import (  # noqa: E402, F401
    may_choose_project_unit,
    may_create_projects,
    may_download_project_file,
    may_keep_project_ledger,
    may_read_project,
    may_review_project_entry,
    may_set_project,
    may_view_projects,
    own_project_unit,
    readable_project_entries,
    readable_projects,
)
from .policy_province import may_view_province, may_view_provinces, province_of  # noqa: E402, F401

# --- Figures' and step reports' review at the county's and the city's level -------------------
from .policy_review import (  # noqa: E402, F401
    awaiting_review,
    awaiting_step_review,
    may_approve_cell,
    may_review_step,
    may_review_work,
    review_levels_of,
    step_review_levels,
    step_waiting_statuses,
    waiting_statuses,
)
from .policy_rosters import may_reveal_personal_data  # noqa: E402, F401
