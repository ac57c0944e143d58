"""Figures: save, send, withdraw, approve, return and correct, each with its event (the audit
trail) in the same transaction; rates' numerators never above their denominators."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    Indicator,
    Plan,
    Region,
    Submission,
    SubmissionEvent,
)
from ..signals import figures_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

from .base import Conflict, check_month, check_plan_active, check_value

Status = Submission.Status
REVIEW_COMMENT_MAX = 1000  # characters, as a cell's note
Action = SubmissionEvent.Action


def state_token(submission: Submission | None) -> str:
    """The state of a cell as a page showed it; changes with every save, sending or review."""
    if submission is None:
        return "new"
    stamp = max(
        t for t in (submission.entered_at, submission.submitted_at, submission.reviewed_at) if t
    )
    return f"{submission.pk}.{submission.revision}.{submission.status}.{stamp.timestamp():.6f}"


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


# --- Rates: a numerator's year-to-date sum never exceeds its denominator's ----------------
# Counted on the current revision of every cell, whatever its status (draft, sent, returned
# or approved): what the clerk sees in the grid and what will count once reviewed. Every
# write of a count series (save, send, correction, and so the Excel upload) checks it.


@dataclass(frozen=True)
class RateExcess:
    """The first month whose year-to-date numerator exceeds its denominator, in a county."""

    numerator: Indicator
    denominator: Indicator
    region: Region
    month: int
    numerator_sum: int
    denominator_sum: int

    @property
    def message(self) -> str:
        return _(
            "%(numerator)s（%(region)s）1—%(month)s月累计 %(numerator_sum)s "
            "超过%(denominator)s累计 %(denominator_sum)s。"
        ) % {
            "numerator": self.numerator.entry_name,
            "region": self.region.name,
            "month": self.month,
            "numerator_sum": f"{self.numerator_sum:,}",
            "denominator": self.denominator.entry_name,
            "denominator_sum": f"{self.denominator_sum:,}",
        }


def rate_excesses(*, month: int, values: Mapping[tuple[int, int], int]) -> list[RateExcess]:
    """Rates broken by writing ``values`` ((series id, region id) → figure) into ``month``.

    Every rate whose numerator or denominator is among the series is checked in each county
    written, for ``month`` and every later month (lowering an earlier denominator can break a
    later month's sums); earlier months do not change. Months before the county's first
    denominator figure are not compared (the rate has no denominator yet). One excess per
    rate and county: the first month that breaks.
    """
    series_ids = {series_id for series_id, _region_id in values}
    pairs = set(
        Indicator.objects.filter(kind=Indicator.Kind.RATE)
        .filter(Q(numerator_id__in=series_ids) | Q(denominator_id__in=series_ids))
        .values_list("numerator_id", "denominator_id")
    )
    if not pairs:
        return []
    checked = sorted(
        {(n, d, region_id) for n, d in pairs for s, region_id in values if s in (n, d)}
    )
    involved = {series_id for pair in pairs for series_id in pair}
    region_ids = {region_id for _n, _d, region_id in checked}
    monthly: dict[tuple[int, int], dict[int, int]] = {}
    for series_id, region_id, m, value in Submission.objects.filter(
        indicator_id__in=involved, region_id__in=region_ids, is_current=True
    ).values_list("indicator_id", "region_id", "month", "value"):
        monthly.setdefault((series_id, region_id), {})[m] = value
    for key, value in values.items():
        monthly.setdefault(key, {})[month] = value
    found: list[tuple[int, int, int, int, int, int]] = []
    for n, d, region_id in checked:
        numerators, denominators = monthly.get((n, region_id), {}), monthly.get((d, region_id), {})
        n_sum = sum(v for m, v in numerators.items() if m < month)
        d_sum = sum(v for m, v in denominators.items() if m < month)
        entered = any(m < month for m in denominators)
        for m in range(month, 13):
            n_sum += numerators.get(m, 0)
            d_sum += denominators.get(m, 0)
            # Before any denominator is entered the rate has none (no rate, not one above
            # 100 %): it is checked once the denominator comes.
            entered = entered or m in denominators
            if entered and n_sum > d_sum:
                found.append((n, d, region_id, m, n_sum, d_sum))
                break
    if not found:
        return []
    indicators = Indicator.objects.in_bulk({i for f in found for i in f[:2]})
    regions = Region.objects.in_bulk({f[2] for f in found})
    return [
        RateExcess(indicators[n], indicators[d], regions[r], m, n_sum, d_sum)
        for n, d, r, m, n_sum, d_sum in found
    ]


def _check_rates(*, month: int, values: Mapping[tuple[int, int], int]) -> None:
    excesses = rate_excesses(month=month, values=values)
    if excesses:
        raise ValidationError({"value": [excess.message for excess in excesses]})


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
        _check_rates(month=month, values={**(batch or {}), (indicator.pk, region.pk): value})
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
    if current.status == Status.SUBMITTED:
        raise ValidationError(_("该数据已报送，正在等待审核，暂不能修改。"))
    old_value, old_status = current.value, current.status
    if old_value == value and current.note == note:
        return current
    current.value = value
    current.note = note
    current.entered_by = actor
    current.entered_at = at
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
    """Send a draft or returned figure for review."""
    submission = _locked(submission.pk)
    if not policy.may_enter_cell(actor, submission.indicator, submission.region):
        raise PermissionDenied(_("您无权报送该部门或县区的数据。"))
    check_plan_active(submission.indicator.plan)
    if not submission.is_current or submission.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("只有草稿或被退回的数据可以报送。"))
    _check_rates(
        month=submission.month,
        values={(submission.indicator_id, submission.region_id): submission.value},
    )
    at = at or timezone.now()
    old_status = submission.status
    submission.status = Status.SUBMITTED
    submission.submitted_by = actor
    submission.submitted_at = at
    if submission.first_submitted_at is None:
        submission.first_submitted_at = at
    submission.save(update_fields=["status", "submitted_by", "submitted_at", "first_submitted_at"])
    _event(
        submission=submission,
        action=Action.SUBMIT,
        actor=actor,
        at=at,
        old_value=submission.value,
        old_status=old_status,
    )
    _changed(submission)


def _withdraw(*, actor: User, submission: Submission, at: datetime) -> None:
    """A sent figure back to draft; the caller holds its lock and has checked it."""
    # Taken back before anyone read it: not received. A figure sent before (returned, then
    # sent again) keeps its first sending, as it does when it is returned.
    if submission.first_submitted_at == submission.submitted_at:
        submission.first_submitted_at = None
    submission.status = Status.DRAFT
    submission.submitted_by = None
    submission.submitted_at = None
    submission.entered_at = at  # the cell's state token changes: a stale page is a conflict
    submission.save(
        update_fields=[
            "status",
            "submitted_by",
            "submitted_at",
            "first_submitted_at",
            "entered_at",
        ]
    )
    _event(
        submission=submission,
        action=Action.WITHDRAW,
        actor=actor,
        at=at,
        old_value=submission.value,
        old_status=Status.SUBMITTED,
    )
    _changed(submission)


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
        region__in=policy.enterable_regions(actor),
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
    action: str,
    comment: str,
    at: datetime | None,
) -> Submission:
    check_review_comment(comment)
    submission = _locked(submission.pk)
    if not policy.may_approve_cell(actor, submission.indicator, submission.region):
        raise PermissionDenied(_("您无权审核该数据。"))
    check_plan_active(submission.indicator.plan)
    if not submission.is_current or submission.status != Status.SUBMITTED:
        raise ValidationError(_("只有已报送、待审核的数据可以审核。"))
    at = at or timezone.now()
    counted = new_status == Status.APPROVED
    if counted:
        # The approved revision this one corrects stops counting; this one counts from now on.
        Submission.objects.filter(
            indicator_id=submission.indicator_id,
            region_id=submission.region_id,
            month=submission.month,
            is_counted=True,
        ).update(is_counted=False)
    submission.status = new_status
    submission.is_counted = counted
    submission.reviewed_by = actor
    submission.reviewed_at = at
    submission.review_comment = comment
    submission.save(
        update_fields=["status", "is_counted", "reviewed_by", "reviewed_at", "review_comment"]
    )
    _event(
        submission=submission,
        action=action,
        actor=actor,
        at=at,
        old_value=submission.value,
        old_status=Status.SUBMITTED,
        reason=comment,
    )
    _changed(submission)
    return submission


@transaction.atomic
def submission_approve(
    *, actor: User, submission: Submission, comment: str = "", at: datetime | None = None
) -> Submission:
    """Accept a submitted figure: from now on it counts and is locked."""
    return _review(
        actor=actor,
        submission=submission,
        new_status=Status.APPROVED,
        action=Action.APPROVE,
        comment=comment,
        at=at,
    )


@transaction.atomic
def submission_return(
    *, actor: User, submission: Submission, comment: str, at: datetime | None = None
) -> Submission:
    """Send a submitted figure back to its clerk with a comment."""
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写审核意见。")})
    return _review(
        actor=actor,
        submission=submission,
        new_status=Status.RETURNED,
        action=Action.RETURN,
        comment=comment.strip(),
        at=at,
    )


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
    approved.
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
    _check_rates(month=previous.month, values={(previous.indicator_id, previous.region_id): value})
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
