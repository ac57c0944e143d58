"""Writes: every change to a figure, a split or a membership goes through these functions.

Each validates, checks the access policy, saves inside a transaction and writes its audit
record in the same transaction. Views, forms, admin actions, commands, tasks and Excel imports
all call these; none writes the models directly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .models import (
    MAX_FIGURE,
    Department,
    Indicator,
    Membership,
    Plan,
    Region,
    RegionTarget,
    Submission,
    SubmissionEvent,
    SupervisionNotice,
    SupervisionNoticeEvent,
    TargetChange,
)
from .signals import figures_changed, targets_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = Submission.Status
# Far above any monthly count a city of 1.6 million reports; guards against typos and overflow.
MAX_VALUE = MAX_FIGURE
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


class Conflict(ValidationError):
    """The cell is no longer in the state the clerk saw: someone else saved it meanwhile."""

    def __init__(self, current: Submission | None):
        super().__init__(_("该数据已被他人修改，您的修改未保存。请刷新页面后重新填写。"))
        self.current = current


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


def _check_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"value": _("数值必须是整数。")})
    if value < 0:
        raise ValidationError({"value": _("数值不能为负数。")})
    if value > MAX_VALUE:
        raise ValidationError(
            {"value": _("数值过大（超过 %(max)s），请检查。") % {"max": MAX_VALUE}}
        )
    return value


def _check_month(plan: Plan, month: int) -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError({"month": _("月份必须在 1 到 12 之间。")})
    _check_active(plan)


def _check_active(plan: Plan) -> None:
    """Only an active plan takes figures: a draft is not open yet, a closed one is read-only."""
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("%(plan)s 不在执行中，不能填报或审核。") % {"plan": plan})


class PlanNotOpen(PermissionDenied):
    """A write into a plan that is not active; the message says why, for people (403)."""


def plan_refusal(plan: Plan) -> str | None:
    """Why ``plan`` takes no figures, answers or reviews now; ``None`` while it is active."""
    if plan.status == Plan.Status.ACTIVE:
        return None
    if plan.status == Plan.Status.CLOSED:
        return _("%(year)s年度方案已结束，数据只读：不能再填报、更正、报送、审核或反馈督办单。") % {
            "year": plan.year
        }
    return _("%(year)s年度方案尚未启动（草稿），暂不能填报、报送、审核或反馈督办单。") % {
        "year": plan.year
    }


def require_open_plan(plan: Plan) -> None:
    """For views: refuse a write into a draft or closed plan before anything is read or saved."""
    refusal = plan_refusal(plan)
    if refusal is not None:
        raise PlanNotOpen(refusal)


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
    _check_month(indicator.plan, month)
    value = _check_value(value)
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
    _check_active(submission.indicator.plan)
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
    _check_month(plan, month)
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
    _check_active(submission.indicator.plan)
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
    _check_month(previous.indicator.plan, previous.month)
    value = _check_value(value)
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


# Targets (年度目标, 目标比率) and county splits. A draft plan's are set freely; an active
# plan's are changed only with a reason, each change kept as a ``TargetChange`` row, and the
# rollup rebuilt once the change commits; a closed plan's are read-only.

TARGET_REASON_MAX = 1000  # characters, as a review comment


def _target_reason(plan: Plan, reason: str) -> str:
    """The reason a change of an active plan's targets needs; refuse a closed plan's."""
    if plan.status == Plan.Status.CLOSED:
        raise ValidationError(
            _("%(year)s年度方案已结束，目标和县区分解只读。") % {"year": plan.year}
        )
    reason = (reason or "").strip()
    if plan.status == Plan.Status.ACTIVE and not reason:
        raise ValidationError({"reason": _("方案执行中，调整目标或县区分解必须填写调整理由。")})
    if len(reason) > TARGET_REASON_MAX:
        raise ValidationError(
            {"reason": _("调整理由不能超过 %(max)s 字。") % {"max": TARGET_REASON_MAX}}
        )
    return reason


def _check_target_actor(actor: User | None) -> None:
    # ``None``: a command run by the operator (loading the plan file, the demo).
    if actor is not None and not policy.may_administer(actor):
        raise PermissionDenied(_("只有系统管理员可以调整目标和县区分解。"))


def _record_target_change(
    *,
    indicator: Indicator,
    region: Region | None,
    old: Decimal | int | None,
    new: Decimal | int | None,
    actor: User | None,
    reason: str,
    at: datetime | None,
) -> None:
    """Keep an active plan's change and have its rollup rebuilt once the change commits."""
    if indicator.plan.status != Plan.Status.ACTIVE:
        return
    TargetChange.objects.create(
        plan=indicator.plan,
        indicator=indicator,
        region=region,
        old_value=old,
        new_value=new,
        reason=reason,
        actor=actor,
        at=at or timezone.now(),
    )
    targets_changed.send(sender=Indicator, plan_id=indicator.plan_id, indicator_id=indicator.pk)


def goal_share_problem(indicator: Indicator, target: int | None) -> str | None:
    """Why ``target`` breaks "the quotas feeding a goal add up to no more than the goal"."""
    if target is None or indicator.pk is None:
        return None
    if indicator.feeds_id is not None:
        goal = Indicator.objects.get(pk=indicator.feeds_id)
        others = (
            Indicator.objects.filter(feeds_id=goal.pk)
            .exclude(pk=indicator.pk)
            .aggregate(total=Sum("target"))["total"]
            or 0
        )
        if goal.target is not None and others + target > goal.target:
            return _("计入“%(goal)s”的部门任务合计将为 %(total)s，超过其年度目标 %(target)s。") % {
                "goal": goal.name,
                "total": others + target,
                "target": goal.target,
            }
    fed = Indicator.objects.filter(feeds_id=indicator.pk).aggregate(total=Sum("target"))["total"]
    if fed and fed > target:
        return _("计入该目标的部门任务合计 %(total)s 超过新的年度目标 %(target)s。") % {
            "total": fed,
            "target": target,
        }
    return None


@transaction.atomic
def indicator_target_set(
    *,
    actor: User | None,
    indicator: Indicator,
    target: int | None = None,
    target_rate: Decimal | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Indicator:
    """Set a goal's or quota's target (a rate's ``target_rate``); see the section comment.

    Refused, with nothing saved, when the target falls below its county splits, or the quotas
    feeding a goal would add up to more than the goal.
    """
    _check_target_actor(actor)
    indicator = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=indicator.pk)
    )
    reason = _target_reason(indicator.plan, reason)
    if indicator.role not in (Indicator.Role.GOAL, Indicator.Role.QUOTA):
        raise ValidationError(_("只有全市目标和部门任务有年度目标。"))
    if indicator.is_rate:
        if target is not None or target_rate is None:
            raise ValidationError({"target_rate": _("比率指标只设目标比率。")})
        try:
            new = Decimal(str(target_rate))
        except ArithmeticError:
            raise ValidationError({"target_rate": _("目标比率必须在 0 到 1 之间。")}) from None
        old, field = indicator.target_rate, "target_rate"
    else:
        if target_rate is not None or target is None:
            raise ValidationError({"target": _("全市目标和部门任务必须有年度目标。")})
        old, new, field = indicator.target, _check_value(target), "target"
    if old == new:
        return indicator
    setattr(indicator, field, new)
    indicator.full_clean()
    problem = goal_share_problem(indicator, indicator.target)
    if problem is not None:
        raise ValidationError({"target": problem})
    indicator.save(update_fields=[field])
    _record_target_change(
        indicator=indicator, region=None, old=old, new=new, actor=actor, reason=reason, at=at
    )
    return indicator


@transaction.atomic
def region_target_set(
    *,
    indicator: Indicator,
    region: Region,
    target: int | None,
    actor: User | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> RegionTarget | None:
    """Set a county's (or 市直's) share of a quota; ``None`` removes it.

    The shares may not add up to more than the city target. See the section comment for an
    active plan's changes.
    """
    _check_target_actor(actor)
    indicator = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=indicator.pk)
    )
    reason = _target_reason(indicator.plan, reason)
    region_target = RegionTarget.objects.filter(indicator=indicator, region=region).first()
    old = None if region_target is None else region_target.target
    if target is None:
        if region_target is not None:
            region_target.delete()
            _record_target_change(
                indicator=indicator,
                region=region,
                old=old,
                new=None,
                actor=actor,
                reason=reason,
                at=at,
            )
        return None
    if region_target is None:
        region_target = RegionTarget(indicator=indicator, region=region)
    region_target.target = _check_value(target)
    if old == region_target.target:
        return region_target
    region_target.full_clean()
    region_target.save()
    _record_target_change(
        indicator=indicator,
        region=region,
        old=old,
        new=region_target.target,
        actor=actor,
        reason=reason,
        at=at,
    )
    return region_target


def region_targets_total(indicator: Indicator) -> int:
    return indicator.region_targets.aggregate(total=Sum("target"))["total"] or 0


ROLE_GROUP_NAMES = {
    Membership.Role.CLERK: "填报员",
    Membership.Role.REVIEWER: "审核员",
    Membership.Role.LEADER: "领导",
    Membership.Role.AUDITOR: "审计员",
    Membership.Role.ADMINISTRATOR: "管理员",
}


@transaction.atomic
def membership_assign(
    *,
    user: User,
    role: str,
    department: Department | None = None,
    region: Region | None = None,
) -> Membership:
    """Give a user their role: the membership record, the matching group, and admin access.

    Auditors and administrators may open the Django admin (auditors only to look).
    """
    membership = Membership.objects.filter(user=user).first() or Membership(user=user)
    membership.role = role
    membership.department = department
    membership.region = region
    membership.full_clean()
    membership.save()
    groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*groups)
    user.groups.add(Group.objects.get(name=ROLE_GROUP_NAMES[role]))
    user.is_staff = role in (Membership.Role.AUDITOR, Membership.Role.ADMINISTRATOR)
    user.save(update_fields=["is_staff"])
    if hasattr(user, "_membership_cache"):
        del user._membership_cache
    return membership


# Supervision notices (督办单). The system raises them (``reporting.supervision`` reads the
# rollup) and closes them when a later month is judged back on track; a clerk answers; a
# reviewer may close one (销号) with a reason. Who and when are kept on the notice and in its
# events (the audit trail): each step happens once (open → answered → closed, or open →
# closed), so nothing is overwritten.

NoticeStatus = SupervisionNotice.Status
# Long enough for a paragraph of explanation; the form says the same.
NOTICE_TEXT_MAX = 2000


def _locked_notice(pk: int) -> SupervisionNotice:
    return (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("plan", "indicator", "region")
        .get(pk=pk)
    )


@transaction.atomic
def notice_raise(
    *,
    plan: Plan,
    indicator: Indicator,
    region: Region | None,
    month: int,
    completion: Decimal | None = None,
    expected: Decimal | None = None,
    at: datetime | None = None,
) -> SupervisionNotice:
    """Raise a notice: ``indicator`` (a goal, to its lead department, or a quota) is red in
    ``region`` (None: city-wide) in ``month``.

    At most one notice of an item and place is not closed; another is refused.
    """
    if indicator.plan_id != plan.pk or indicator.role not in (
        Indicator.Role.GOAL,
        Indicator.Role.QUOTA,
    ):
        raise ValidationError({"indicator": _("督办单只能针对本年度方案中的全市目标或部门任务。")})
    _check_month(plan, month)
    pending = SupervisionNotice.objects.filter(plan=plan, indicator=indicator, region=region)
    if pending.exclude(status=NoticeStatus.CLOSED).exists():
        raise ValidationError(_("该任务在此县区（或全市）已有未关闭的督办单。"))
    at = at or timezone.now()
    notice = SupervisionNotice.objects.create(
        plan=plan,
        indicator=indicator,
        region=region,
        month=month,
        completion=completion,
        expected=expected,
        raised_at=at,
        # 办理时限: the day by which it is to be answered.
        due_on=timezone.localdate(at) + timedelta(days=settings.SUPERVISION_DUE_DAYS),
    )
    SupervisionNoticeEvent.objects.create(notice=notice, kind="raised", at=at)
    return notice


@transaction.atomic
def notice_answer(
    *,
    actor: User,
    notice: SupervisionNotice,
    explanation: str,
    catch_up_plan: str,
    at: datetime | None = None,
) -> SupervisionNotice:
    """The responsible clerk's answer to an open notice: why it is behind, how it catches up."""
    notice = _locked_notice(notice.pk)
    if not policy.may_answer_notice(actor, notice):
        raise PermissionDenied(_("您无权反馈该部门或县区的督办单。"))
    _check_active(notice.plan)
    if notice.status != NoticeStatus.OPEN:
        raise ValidationError(_("该督办单已反馈或已关闭，不能再次反馈。"))
    explanation, catch_up_plan = explanation.strip(), catch_up_plan.strip()
    errors: dict[str, str] = {}
    if not explanation:
        errors["explanation"] = _("请填写情况说明（滞后原因）。")
    if not catch_up_plan:
        errors["catch_up_plan"] = _("请填写赶进度计划（措施和时间安排）。")
    for field, text in (("explanation", explanation), ("catch_up_plan", catch_up_plan)):
        if len(text) > NOTICE_TEXT_MAX:
            errors[field] = _("内容过长（不超过 %(max)s 字）。") % {"max": NOTICE_TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    notice.status = NoticeStatus.ANSWERED
    notice.explanation = explanation
    notice.catch_up_plan = catch_up_plan
    notice.answered_by = actor
    notice.answered_at = at or timezone.now()
    notice.save(
        update_fields=["status", "explanation", "catch_up_plan", "answered_by", "answered_at"]
    )
    SupervisionNoticeEvent.objects.create(
        notice=notice, kind="answered", actor=actor, at=notice.answered_at, reason=explanation
    )
    return notice


@transaction.atomic
def notice_close(
    *,
    notice: SupervisionNotice,
    reason: str,
    actor: User | None = None,
    at: datetime | None = None,
) -> SupervisionNotice:
    """Close (销号) an open or answered notice: by the system (no ``actor``) when a later month
    is judged back on track, or by a reviewer with a reason."""
    notice = _locked_notice(notice.pk)
    if actor is not None:
        if not policy.may_close_notice(actor, notice):
            raise PermissionDenied(_("您无权为督办单销号。"))
        _check_active(notice.plan)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"closed_reason": _("关闭督办单必须说明原因。")})
    if notice.status == NoticeStatus.CLOSED:
        raise ValidationError(_("该督办单已关闭。"))
    if len(reason) > 200:
        raise ValidationError({"closed_reason": _("销号原因过长（不超过 200 字）。")})
    notice.status = NoticeStatus.CLOSED
    notice.closed_at = at or timezone.now()
    notice.closed_reason = reason
    notice.closed_by = actor
    notice.save(update_fields=["status", "closed_at", "closed_reason", "closed_by"])
    SupervisionNoticeEvent.objects.create(
        notice=notice, kind="closed", actor=actor, at=notice.closed_at, reason=reason
    )
    return notice
