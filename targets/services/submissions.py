"""Figures: save, send, withdraw, approve, return and correct, each with its event (the audit
trail) in the same transaction; rates' numerators never above their denominators
(``rates``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..grid import state_token
from ..models import Indicator, Plan, Region, Submission, SubmissionEvent
from ..roster_selectors import roster_refusal
from ..signals import figures_changed
from .base import Conflict, check_month, check_plan_active, check_value, review_step
from .rates import check_rates
from .townships import check_breakdown

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = Submission.Status
REVIEW_COMMENT_MAX = 1000  # characters, as a cell's note
Action = SubmissionEvent.Action


def _event(
    *,
    submission: Submission,
    action: str,
    actor: User,
    at: datetime,
    old_value: int | None = None,
    old_status: str = "",
    reason: str = "",
) -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        actor=actor,
        at=at,
        old_value=old_value,
        new_value=submission.value,
        old_status=old_status,
        new_status=submission.status,
        reason=reason,
    )


def _move(
    submission: Submission,
    fields: dict[str, object],
    *,
    action: str,
    actor: User,
    at: datetime,
    reason: str = "",
) -> None:
    """A figure's status moves, its value kept: ``fields`` set and saved, the event written
    (from the status it had), and the rollup told."""
    old_status = submission.status
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.save(update_fields=list(fields))
    _event(
        submission=submission,
        action=action,
        actor=actor,
        at=at,
        old_value=submission.value,
        old_status=old_status,
        reason=reason,
    )
    _changed(submission)


def _changed(submission: Submission) -> None:
    """Tell listeners (the rollup) which cell changed; they act once the transaction commits."""
    figures_changed.send(
        sender=Submission,
        plan_id=submission.indicator.plan_id,
        series_id=submission.indicator_id,
        region_id=submission.region_id,
        month=submission.month,
    )


def _locked(pk: int) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("indicator__plan", "region")
        .get(pk=pk)
    )


def _current(indicator: Indicator, region: Region, month: int) -> Submission | None:
    return (
        Submission.objects.select_for_update()
        .filter(indicator=indicator, region=region, month=month, is_current=True)
        .first()
    )


@transaction.atomic
def submission_save(
    *,
    actor: User,
    indicator: Indicator,
    region: Region,
    month: int,
    value: int,
    note: str = "",
    at: datetime | None = None,
    is_demo: bool = False,
    expected: str | None = None,
    batch: Mapping[tuple[int, int], int] | None = None,
) -> Submission:
    """Save a draft figure: the first revision of a cell, or a change to a draft or returned one.

    An approved or submitted figure is not changed here: submitted figures wait for review and
    approved ones take a correction (``submission_correct``). With ``expected`` (the cell's
    ``state_token`` as the clerk saw it), the save is refused with ``Conflict`` unless the
    cell, read under lock, is still in that state. ``batch`` holds the other figures of the
    same month saved together ((series id, region id) → figure): a rate's sums are checked
    with all of them in, so that the order of saving does not matter.
    """
    if not policy.may_enter_cell(actor, indicator, region):
        raise PermissionDenied(_("您无权填报该部门或县区的数据。"))
    check_month(indicator.plan, month)
    value = check_value(value)
    at = at or timezone.now()
    current = _current(indicator, region, month)
    if expected is not None and state_token(current) != expected:
        raise Conflict(current)
    if current is None or current.value != value:
        check_rates(month=month, values={**(batch or {}), (indicator.pk, region.pk): value})
    if current is None:
        submission = Submission(
            indicator=indicator,
            region=region,
            month=month,
            value=value,
            note=note,
            entered_by=actor,
            entered_at=at,
            is_demo=is_demo,
        )
        # Value and month were checked above; the database constraints are the backstop.
        submission.save()
        _event(submission=submission, action=Action.CREATE, actor=actor, at=at)
        return submission
    if current.status == Status.APPROVED:
        raise ValidationError(_("该数据已审核锁定，如需修改请提交更正并说明理由。"))
    if current.status in (Status.SUBMITTED, Status.VERIFIED):
        raise ValidationError(_("该数据已报送，正在等待审核，暂不能修改。"))
    if current.value == value and current.note == note:
        return current
    old_value, old_status = current.value, current.status
    current.value, current.note, current.entered_by, current.entered_at = value, note, actor, at
    current.save(update_fields=["value", "note", "entered_by", "entered_at"])
    _event(
        submission=current,
        action=Action.CHANGE,
        actor=actor,
        at=at,
        old_value=old_value,
        old_status=old_status,
    )
    return current


@transaction.atomic
def submission_submit(*, actor: User, submission: Submission, at: datetime | None = None) -> None:
    """Send a draft or returned figure for review; not one changed after it was broken down by
    its county's parts (``townships.check_breakdown``): its breakdown is to be changed first."""
    submission = _locked(submission.pk)
    if not policy.may_enter_cell(actor, submission.indicator, submission.region):
        raise PermissionDenied(_("您无权报送该部门或县区的数据。"))
    check_plan_active(submission.indicator.plan)
    if not submission.is_current or submission.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("只有草稿或被退回的数据可以报送。"))
    check_breakdown(submission)
    check_rates(
        month=submission.month,
        values={(submission.indicator_id, submission.region_id): submission.value},
    )
    at = at or timezone.now()
    sent = {"status": Status.SUBMITTED, "submitted_by": actor, "submitted_at": at}
    sent["first_submitted_at"] = submission.first_submitted_at or at
    _move(submission, sent, action=Action.SUBMIT, actor=actor, at=at)


def _withdraw(*, actor: User, submission: Submission, at: datetime) -> None:
    """A sent figure back to draft; the caller holds its lock and has checked it."""
    # Taken back before anyone read it: not received. A figure sent before (returned, then
    # sent again) keeps its first sending, as it does when it is returned.
    first = submission.first_submitted_at
    if first == submission.submitted_at:
        first = None
    draft = {"status": Status.DRAFT, "submitted_by": None, "submitted_at": None}
    draft["first_submitted_at"] = first
    draft["entered_at"] = at  # the cell's state token changes: a stale page is a conflict
    _move(submission, draft, action=Action.WITHDRAW, actor=actor, at=at)


@transaction.atomic
def month_withdraw(
    *,
    actor: User,
    plan: Plan,
    month: int,
    ids: Collection[int] | None = None,
    at: datetime | None = None,
) -> list[Submission]:
    """Take back the clerk's figures of ``month`` sent and not reviewed yet: drafts again.

    ``ids`` are the figures the clerk's page showed as sent (without: all of the clerk's sent
    figures of the month). Refused whole, nothing written, when one of them is not the
    clerk's to enter (another department or county), is no longer waiting (reviewed
    meanwhile, or never sent), or the plan is not active.
    """
    if not policy.may_enter(actor):
        raise PermissionDenied(_("您无权撤回该部门或县区的数据。"))
    check_month(plan, month)
    mine = Submission.objects.filter(
        indicator__in=policy.enterable_indicators(actor, plan.pk),
        region__in=policy.enterable_regions(actor, plan),
        month=month,
        is_current=True,
    )
    if ids is None:
        chosen = list(mine.filter(status=Status.SUBMITTED).values_list("pk", flat=True))
    else:
        chosen = sorted(set(ids))
        if mine.filter(pk__in=chosen).count() != len(chosen):
            raise PermissionDenied(_("您无权撤回该部门或县区的数据。"))
    if not chosen:
        raise ValidationError(_("本月没有等待审核的数据可以撤回。"))
    figures = list(
        Submission.objects.select_for_update(of=("self",))
        .select_related("indicator__plan", "region")
        .filter(pk__in=chosen)
        .order_by("pk")
    )
    for submission in figures:
        if not policy.may_enter_cell(actor, submission.indicator, submission.region):
            raise PermissionDenied(_("您无权撤回该部门或县区的数据。"))
    if any(not s.is_current or s.status != Status.SUBMITTED for s in figures):
        raise ValidationError(
            _("本月已有数据被审核（或已撤回），不能撤回。请刷新页面查看最新状态。")
        )
    at = at or timezone.now()
    for submission in figures:
        _withdraw(actor=actor, submission=submission, at=at)
    return figures


@transaction.atomic
def submission_withdraw(
    *, actor: User, submission: Submission, at: datetime | None = None
) -> Submission:
    """Take back one sent figure before it is reviewed: a draft again (see ``month_withdraw``)."""
    plan = Plan.objects.get(pk=submission.indicator.plan_id)
    return month_withdraw(
        actor=actor, plan=plan, month=submission.month, ids=[submission.pk], at=at
    )[0]


def review_comment_problem(comment: str) -> str | None:
    """A review comment is kept with the figure and its history: a page of text at most."""
    if len(comment) > REVIEW_COMMENT_MAX:
        return _("审核意见不能超过 %(max)s 字。") % {"max": REVIEW_COMMENT_MAX}
    return None


def check_review_comment(comment: str) -> None:
    problem = review_comment_problem(comment)
    if problem is not None:
        raise ValidationError({"comment": problem})


def _review(
    *,
    actor: User,
    submission: Submission,
    new_status: str,
    comment: str,
    at: datetime | None,
) -> Submission:
    check_review_comment(comment)
    submission = _locked(submission.pk)
    indicator, region = submission.indicator, submission.region
    if not policy.may_approve_cell(actor, indicator, region):
        raise PermissionDenied(_("您无权审核该数据。"))
    check_plan_active(indicator.plan)
    at = at or timezone.now()
    fields, action = review_step(
        actor=actor,
        record=submission,
        waiting=policy.waiting_statuses(actor, indicator, region),
        approve=new_status == Status.APPROVED,
        comment=comment,
        at=at,
        refusals=(
            _("该数据须先经县区审核员审核通过，再由市级审核。"),
            _("只有已报送、待审核的数据可以审核。"),
        ),
    )
    if fields["status"] == Status.APPROVED:
        refusal = roster_refusal(submission)
        if refusal is not None:
            raise ValidationError(refusal)
        # The approved revision this one corrects stops counting; this one counts from now on.
        Submission.objects.filter(
            indicator_id=submission.indicator_id,
            region_id=submission.region_id,
            month=submission.month,
            is_counted=True,
        ).update(is_counted=False)
    _move(submission, fields, action=action, actor=actor, at=at, reason=comment)
    return submission


@transaction.atomic
def submission_approve(
    *, actor: User, submission: Submission, comment: str = "", at: datetime | None = None
) -> Submission:
    """Accept a submitted figure: from now on it counts and is locked. Under two-level review
    a county's reviewer's acceptance is the first step (``VERIFIED``): the figure counts once
    the city's reviewer accepts it too."""
    return _review(
        actor=actor,
        submission=submission,
        new_status=Status.APPROVED,
        comment=comment,
        at=at,
    )


@transaction.atomic
def submission_return(
    *, actor: User, submission: Submission, comment: str, at: datetime | None = None
) -> Submission:
    """Send a submitted figure back to its clerk with a comment (from either level)."""
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写审核意见。")})
    return _review(
        actor=actor,
        submission=submission,
        new_status=Status.RETURNED,
        comment=comment.strip(),
        at=at,
    )


@transaction.atomic
def submissions_review(
    *,
    actor: User,
    submissions: Sequence[Submission],
    approve: bool,
    comment: str = "",
    at: datetime | None = None,
) -> list[Submission]:
    """Approve (or, with ``approve`` false, return with ``comment``) every figure, all in one
    transaction: every figure, or none when one of them is refused."""
    if approve:
        return [
            submission_approve(actor=actor, submission=submission, at=at)
            for submission in submissions
        ]
    return [
        submission_return(actor=actor, submission=submission, comment=comment, at=at)
        for submission in submissions
    ]


@transaction.atomic
def submission_correct(
    *,
    actor: User,
    submission: Submission,
    value: int,
    reason: str,
    note: str = "",
    at: datetime | None = None,
) -> Submission:
    """Correct an approved figure: a new draft revision, with a reason, that is reviewed again.

    The approved revision is kept untouched and goes on counting until the correction is
    approved. Its breakdown by the county's parts (``TownshipFigure``) stays with it: the
    correction starts without one, to be broken down again (``breakdown_save``).
    """
    previous = _locked(submission.pk)
    if not policy.may_enter_cell(actor, previous.indicator, previous.region):
        raise PermissionDenied(_("您无权更正该部门或县区的数据。"))
    check_month(previous.indicator.plan, previous.month)
    value = check_value(value)
    if not reason.strip():
        raise ValidationError({"reason": _("更正已审核的数据必须填写更正理由。")})
    if not previous.is_current or previous.status != Status.APPROVED:
        raise ValidationError(_("只有当前已审核的数据需要更正；草稿或退回的数据可直接修改。"))
    check_rates(month=previous.month, values={(previous.indicator_id, previous.region_id): value})
    at = at or timezone.now()
    previous.is_current = False
    previous.save(update_fields=["is_current"])
    correction = Submission(
        indicator=previous.indicator,
        region=previous.region,
        month=previous.month,
        revision=previous.revision + 1,
        value=value,
        note=note,
        correction_reason=reason.strip(),
        entered_by=actor,
        entered_at=at,
        is_demo=previous.is_demo,
    )
    correction.save()
    _event(
        submission=correction,
        action=Action.CORRECT,
        actor=actor,
        at=at,
        old_value=previous.value,
        old_status=previous.status,
        reason=correction.correction_reason,
    )
    return correction
