"""工作台账: a work item's steps (set at the start of the year) and their monthly reports, sent,
reviewed and locked like figures. Each write checks the policy, runs in one transaction and
leaves its trail with its actor: ``AuditEntry`` for a step, ``StepReportEvent`` for a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    AuditEntry,
    Department,
    Milestone,
    Plan,
    Region,
    StepReport,
    StepReportEvent,
    WorkStep,
    WorkUnit,
    responsible_units,
    unit_name,
)
from .base import audit, check_month, check_plan_active, review_step
from .evidence import drop_if_unused, evidence_carry
from .submissions import check_review_comment

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = StepReport.Status
Action = StepReportEvent.Action
Progress = Milestone.Status
STEP_TITLE_MAX = 200
REPORT_TEXT_MAX = 2000  # characters, each of 工作进展 and 存在问题


def _check_step_fields(milestone: Milestone, title: str, due_on: object) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("工作措施不能为空。")})
    if len(title) > STEP_TITLE_MAX:
        raise ValidationError(
            {"title": _("工作措施不能超过 %(max)s 字。") % {"max": STEP_TITLE_MAX}}
        )
    plan = milestone.plan
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise ValidationError({"due_on": _("完成时限必须是日期。")})
    if not plan.starts_on <= due_on <= plan.ends_on:
        raise ValidationError(
            {"due_on": _("完成时限必须在 %(year)s 年度方案的期限内。") % {"year": plan.year}}
        )
    return title


@transaction.atomic
def work_step_set(
    *,
    actor: User,
    milestone: Milestone,
    department: Department,
    region: Region | None = None,
    title: str,
    due_on: date,
    order: int = 0,
    step: WorkStep | None = None,
    at: datetime | None = None,
) -> WorkStep:
    """Create a step of ``milestone`` for a responsible unit, or (``step``) change one.

    Refused for a closed plan (a draft or active one takes steps: 年初有安排), for a unit that is
    not one of the item's responsible units, and for a user who may not set that unit's steps;
    a step that already has reports keeps its unit.
    """
    milestone = Milestone.objects.select_related("plan").get(pk=milestone.pk)
    region_id = region.pk if region is not None else None
    if not policy.may_set_work_step(actor, milestone, department.pk, region_id):
        raise PermissionDenied(_("您无权设定该单位在这项重点工作中的工作措施。"))
    if milestone.plan.status == Plan.Status.CLOSED:
        raise ValidationError(
            _("%(year)s年度方案已结束，不能再设定工作措施。") % {"year": milestone.plan.year}
        )
    if (department.pk, region_id) not in responsible_units(milestone):
        raise ValidationError(_("该单位不是这项重点工作的责任单位。"))
    title = _check_step_fields(milestone, title, due_on)
    at = at or timezone.now()
    fields = {"department": department, "region": region, "title": title, "due_on": due_on}
    fields["order"] = order
    if step is None:
        step = WorkStep.objects.create(
            milestone=milestone, created_by=actor, created_at=at, **fields
        )
        before: dict[str, object] = {}
    else:
        step = WorkStep.objects.select_for_update().get(pk=step.pk, milestone=milestone)
        if not policy.may_set_work_step(actor, milestone, step.department_id, step.region_id):
            raise PermissionDenied(_("您无权设定该单位在这项重点工作中的工作措施。"))
        moved = (step.department_id, step.region_id) != (department.pk, region_id)
        if moved and step.reports.exists():
            raise ValidationError(_("该工作措施已有台账，不能改为其他单位。"))
        before = {"unit": step.unit_name, "title": step.title, "due_on": str(step.due_on)}
        for name, value in fields.items():
            setattr(step, name, value)
        step.save()
    audit(
        actor=actor,
        action=AuditEntry.Action.WORK_STEP_SET,
        about=step,
        plan=milestone.plan,
        detail={"before": before, "unit": step.unit_name, "title": title, "due_on": due_on},
        at=at,
    )
    return step


@transaction.atomic
def work_units_set(
    *,
    actor: User,
    milestone: Milestone,
    requirement: str,
    units: Sequence[tuple[Department, Region | None]],
) -> list[WorkUnit]:
    """Set a work item's requirement (工作要求) and its co-operating units, the whole list at
    once: units not in ``units`` stop co-operating, new ones start.

    Refused for a closed plan, for the lead unit named as a co-operating one, for a unit named
    twice, and for dropping a unit that has steps.
    """
    milestone = Milestone.objects.select_for_update().select_related("plan").get(pk=milestone.pk)
    if not policy.may_set_work_units(actor, milestone):
        raise PermissionDenied(_("您无权设定重点工作的责任单位。"))
    if milestone.plan.status == Plan.Status.CLOSED:
        raise ValidationError(
            _("%(year)s年度方案已结束，不能再设定责任单位。") % {"year": milestone.plan.year}
        )
    wanted = [(department.pk, region.pk if region else None) for department, region in units]
    if (milestone.department_id, milestone.region_id) in wanted:
        raise ValidationError({"units": _("牵头单位不必再列为配合单位。")})
    if len(set(wanted)) != len(wanted):
        raise ValidationError({"units": _("同一配合单位不能重复。")})
    existing = {(u.department_id, u.region_id): u for u in milestone.work_units.all()}
    dropped = [unit for key, unit in existing.items() if key not in wanted]
    for unit in dropped:
        steps = milestone.steps.filter(department_id=unit.department_id, region_id=unit.region_id)
        if steps.exists():
            name = {"unit": unit_name(unit.department, unit.region)}
            raise ValidationError({"units": _("%(unit)s 已有工作措施，不能取消。") % name})
    WorkUnit.objects.filter(pk__in=[unit.pk for unit in dropped]).delete()
    for department, region in units:
        if (department.pk, region.pk if region else None) not in existing:
            WorkUnit.objects.create(milestone=milestone, department=department, region=region)
    milestone.requirement = requirement.strip()
    milestone.save(update_fields=["requirement"])
    kept = list(milestone.work_units.select_related("department", "region"))
    audit(
        actor=actor,
        action=AuditEntry.Action.WORK_UNITS_SET,
        about=milestone,
        plan=milestone.plan,
        detail={
            "requirement": milestone.requirement,
            "units": [unit_name(unit.department, unit.region) for unit in kept],
            "dropped": [unit_name(unit.department, unit.region) for unit in dropped],
        },
    )
    return kept


def _event(
    report: StepReport,
    action: str,
    actor: User,
    at: datetime,
    old_status: str = "",
    reason: str = "",
) -> StepReportEvent:
    return StepReportEvent.objects.create(
        report=report,
        action=action,
        actor=actor,
        at=at,
        old_status=old_status,
        new_status=report.status,
        reason=reason,
    )


def _check_texts(progress: str, done: str, problems: str) -> None:
    if progress not in Progress.values:
        raise ValidationError({"progress": _("进展状态必须是未开始、推进中、已完成或滞后。")})
    for name, text in (("done", done), ("problems", problems)):
        if len(text) > REPORT_TEXT_MAX:
            raise ValidationError({name: _("内容不能超过 %(max)s 字。") % {"max": REPORT_TEXT_MAX}})


def _locked(report: StepReport) -> StepReport:
    return (
        StepReport.objects.select_for_update(of=("self",))
        .select_related("step__milestone__plan", "step__region")
        .get(pk=report.pk)
    )


@transaction.atomic
def step_report_save(
    *,
    actor: User,
    step: WorkStep,
    month: int,
    progress: str,
    done: str = "",
    problems: str = "",
    at: datetime | None = None,
) -> StepReport:
    """Save a draft report of ``step`` for ``month``: its first revision, or a change to a draft
    or returned one. A sent report waits for review; an approved one takes a correction."""
    step = WorkStep.objects.select_related("milestone__plan").get(pk=step.pk)
    if not policy.may_report_step(actor, step):
        raise PermissionDenied(_("您无权填报该单位的工作台账。"))
    check_month(step.milestone.plan, month)
    done, problems = done.strip(), problems.strip()
    _check_texts(progress, done, problems)
    at = at or timezone.now()
    current = (
        StepReport.objects.select_for_update()
        .filter(step=step, month=month, is_current=True)
        .first()
    )
    if current is None:
        report = StepReport.objects.create(
            step=step,
            month=month,
            progress=progress,
            done=done,
            problems=problems,
            entered_by=actor,
            entered_at=at,
        )
        _event(report, Action.CREATE, actor, at)
        return report
    if current.status == Status.APPROVED:
        raise ValidationError(_("该台账已审核锁定，如需修改请提交更正并说明理由。"))
    if current.status in (Status.SUBMITTED, Status.VERIFIED):
        raise ValidationError(_("该台账已报送，正在等待审核，暂不能修改。"))
    if (current.progress, current.done, current.problems) == (progress, done, problems):
        return current
    current.progress, current.done, current.problems = progress, done, problems
    current.entered_by, current.entered_at = actor, at
    current.save(update_fields=["progress", "done", "problems", "entered_by", "entered_at"])
    _event(current, Action.CHANGE, actor, at, old_status=current.status)
    return current


def _move(
    report: StepReport,
    fields: dict[str, object],
    action: str,
    actor: User,
    at: datetime,
    reason: str = "",
) -> StepReport:
    old_status = report.status
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=list(fields))
    _event(report, action, actor, at, old_status=old_status, reason=reason)
    return report


@transaction.atomic
def step_report_submit(
    *, actor: User, report: StepReport, at: datetime | None = None
) -> StepReport:
    """Send a draft or returned report for review."""
    report = _locked(report)
    if not policy.may_report_step(actor, report.step):
        raise PermissionDenied(_("您无权报送该单位的工作台账。"))
    check_plan_active(report.step.milestone.plan)
    if not report.is_current or report.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("只有草稿或被退回的台账可以报送。"))
    at = at or timezone.now()
    sent = {"status": Status.SUBMITTED, "submitted_by": actor, "submitted_at": at}
    return _move(report, sent, Action.SUBMIT, actor, at)


def _review(
    *, actor: User, report: StepReport, approve: bool, comment: str, at: datetime | None
) -> StepReport:
    check_review_comment(comment)
    report = _locked(report)
    step = report.step
    if not policy.may_review_step(actor, step):
        raise PermissionDenied(_("您无权审核该工作台账。"))
    check_plan_active(step.milestone.plan)
    at = at or timezone.now()
    fields, action = review_step(
        actor=actor,
        record=report,
        waiting=policy.step_waiting_statuses(actor, step),
        approve=approve,
        comment=comment,
        at=at,
        refusals=(
            _("该台账须先经县区审核员审核通过，再由市级审核。"),
            _("只有已报送、待审核的台账可以审核。"),
        ),
    )
    if fields["status"] == Status.APPROVED:
        # The approved revision this one corrects stops counting; this one counts from now on.
        StepReport.objects.filter(
            step_id=report.step_id, month=report.month, is_counted=True
        ).update(is_counted=False)
    return _move(report, fields, action, actor, at, reason=comment)


@transaction.atomic
def step_report_approve(
    *, actor: User, report: StepReport, comment: str = "", at: datetime | None = None
) -> StepReport:
    """Accept a sent report: it counts from now on and is locked. Under two-level review a
    county's reviewer's acceptance of their county's step's report is the first step
    (``VERIFIED``): it counts once the city's reviewer accepts it too."""
    return _review(actor=actor, report=report, approve=True, comment=comment.strip(), at=at)


@transaction.atomic
def step_report_return(
    *, actor: User, report: StepReport, comment: str, at: datetime | None = None
) -> StepReport:
    """Send a sent report back to its unit with a comment (required), from either level."""
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写审核意见。")})
    return _review(actor=actor, report=report, approve=False, comment=comment.strip(), at=at)


@transaction.atomic
def step_report_correct(
    *,
    actor: User,
    report: StepReport,
    reason: str,
    progress: str,
    done: str = "",
    problems: str = "",
    at: datetime | None = None,
) -> StepReport:
    """Correct an approved report: a new draft revision with a reason, reviewed again. The
    approved revision is kept untouched and goes on counting until the correction is approved."""
    previous = _locked(report)
    if not policy.may_report_step(actor, previous.step):
        raise PermissionDenied(_("您无权更正该单位的工作台账。"))
    check_month(previous.step.milestone.plan, previous.month)
    if not reason.strip():
        raise ValidationError({"reason": _("更正已审核的台账必须填写更正理由。")})
    done, problems = done.strip(), problems.strip()
    _check_texts(progress, done, problems)
    if not previous.is_current or previous.status != Status.APPROVED:
        raise ValidationError(_("只有当前已审核的台账需要更正；草稿或退回的台账可直接修改。"))
    at = at or timezone.now()
    previous.is_current = False
    previous.save(update_fields=["is_current"])
    correction = StepReport.objects.create(
        step=previous.step,
        month=previous.month,
        revision=previous.revision + 1,
        progress=progress,
        done=done,
        problems=problems,
        correction_reason=reason.strip(),
        entered_by=actor,
        entered_at=at,
    )
    _event(correction, Action.CORRECT, actor, at, old_status=previous.status, reason=reason.strip())
    evidence_carry(previous, correction)
    return correction


@transaction.atomic
def step_report_delete(*, actor: User, report: StepReport, at: datetime | None = None) -> None:
    """Delete a draft that was never sent: its own trail goes with it and an ``AuditEntry``
    keeps what it said. A correction's draft deleted, the approved revision it corrected is
    current again. Its files are deleted only when no other revision points to them, so a
    locked revision's evidence always stays."""
    report = _locked(report)
    if not policy.may_report_step(actor, report.step):
        raise PermissionDenied(_("您无权删除该单位的工作台账。"))
    check_plan_active(report.step.milestone.plan)
    if not report.is_current or report.status != Status.DRAFT:
        raise ValidationError(_("只有未报送过的草稿可以删除；已报送的台账留作记录。"))
    at = at or timezone.now()
    files = [link.evidence for link in report.evidence_links.select_related("evidence")]
    audit(
        actor=actor,
        action=AuditEntry.Action.STEP_REPORT_DELETE,
        about=report,
        plan=report.step.milestone.plan,
        detail={
            "step": report.step.title,
            "month": report.month,
            "revision": report.revision,
            "progress": report.progress,
            "done": report.done,
            "problems": report.problems,
            "files": [file.download_name for file in files],
        },
        at=at,
    )
    report.evidence_links.all().delete()
    report.events.all().delete()
    previous = report.revision - 1
    report.delete()
    if previous:
        StepReport.objects.filter(
            step_id=report.step_id, month=report.month, revision=previous
        ).update(is_current=True)
    for file in files:
        drop_if_unused(file)
