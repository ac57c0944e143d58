"""Targets (年度目标, 目标比率) and county splits of a plan."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    Indicator,
    Plan,
    Region,
    RegionTarget,
    TargetChange,
)
from ..signals import targets_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

from .base import check_value

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
        old, new, field = indicator.target, check_value(target), "target"
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
    region_target.target = check_value(target)
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
