"""A plan's life (draft → active → closed), its targets (年度目标, 目标比率) and county splits."""

from __future__ import annotations

from collections import defaultdict
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
    AuditEntry,
    Indicator,
    Plan,
    Region,
    RegionTarget,
    TargetChange,
)
from ..signals import plan_changed, targets_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

from .base import audit, check_value

# Targets (年度目标, 目标比率) and county splits. A draft plan's are set freely; an active
# plan's are changed only with a reason, each change kept as a ``TargetChange`` row, and the
# rollup rebuilt once the change commits; a closed plan's are read-only.

TARGET_REASON_MAX = 1000  # characters, as a review comment


def target_reason(plan: Plan, reason: str) -> str:
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


def _locked_for_change(
    actor: User | None, indicator: Indicator, reason: str
) -> tuple[Indicator, str]:
    """The indicator, locked for a change of its target or splits, and the change's reason."""
    _check_target_actor(actor)
    indicator = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=indicator.pk)
    )
    return indicator, target_reason(indicator.plan, reason)


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
    """Keep an active plan's change (``TargetChange``) and have its rollup rebuilt once the
    change commits; a draft's is an ``AuditEntry``."""
    plan = indicator.plan
    if plan.status != Plan.Status.ACTIVE:
        audit(
            actor=actor,
            action=AuditEntry.Action.TARGET_SET if region is None else AuditEntry.Action.SPLIT_SET,
            plan=plan,
            about=indicator,
            detail={"region": region and region.code, "old": old, "new": new, "reason": reason},
            at=at,
        )
        return
    TargetChange.objects.create(
        plan=plan,
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
    indicator, reason = _locked_for_change(actor, indicator, reason)
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
    indicator, reason = _locked_for_change(actor, indicator, reason)
    region_target = RegionTarget.objects.filter(indicator=indicator, region=region).first()
    old = None if region_target is None else region_target.target
    if target is None:
        if region_target is None:
            return None
        region_target.delete()
        region_target = None
    else:
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
        new=target,
        actor=actor,
        reason=reason,
        at=at,
    )
    return region_target


def region_target_mark_demo(*, region_target: RegionTarget) -> None:
    """Mark a split as synthetic (the demo's), so the interface says so.

    No audit row: the flag changes no figure and no target; the split itself was set, with
    its trail, by ``region_target_set``.
    """
    if not region_target.is_demo:
        region_target.is_demo = True
        region_target.save(update_fields=["is_demo"])


def region_targets_total(indicator: Indicator) -> int:
    return indicator.region_targets.aggregate(total=Sum("target"))["total"] or 0


# --- a plan's life ------------------------------------------------------------------------
# Draft → active → closed, and nothing else. A draft is edited freely (in the admin, or by
# importing a definition workbook) and takes no figures. It is activated once its definition
# holds together (``plan_problems`` finds nothing): from then on clerks enter figures against
# it. Closing it ends entry and review for good. Several plans may be active at once (the old
# year's December figures and corrections are still reported in January while the new year
# runs); pages that show one plan take the latest active year. Whether a plan is open to writes
# is ``policy.plan_is_open``.

Status = Plan.Status
Role = Indicator.Role
Kind = Indicator.Kind

TRANSITIONS = {Status.DRAFT: Status.ACTIVE, Status.ACTIVE: Status.CLOSED}
_TRANSITION_ACTIONS = {
    Status.ACTIVE: AuditEntry.Action.PLAN_ACTIVATE,
    Status.CLOSED: AuditEntry.Action.PLAN_CLOSE,
}


def _name(indicator: Indicator) -> str:
    return _("指标“%(name)s”（%(code)s）") % {"name": indicator.name, "code": indicator.code}


def plan_problems(plan: Plan) -> list[str]:
    """Why the plan's definition cannot be put into effect, one Chinese sentence each."""
    indicators = list(Indicator.objects.filter(plan=plan).order_by("order", "code"))
    by_id = {indicator.pk: indicator for indicator in indicators}
    splits: dict[int, list[RegionTarget]] = defaultdict(list)
    for split in RegionTarget.objects.filter(indicator__plan=plan).select_related("region"):
        splits[split.indicator_id].append(split)
    problems: list[str] = []
    if not any(i.role in (Role.GOAL, Role.QUOTA) for i in indicators):
        problems.append(_("方案中还没有全市目标或部门任务。"))
    fed: dict[int, int] = defaultdict(int)
    for indicator in indicators:
        name = _name(indicator)
        if indicator.kind == Kind.RATE:
            for field, label in (("numerator_id", _("分子")), ("denominator_id", _("分母"))):
                series = by_id.get(getattr(indicator, field))
                if getattr(indicator, field) is None:
                    problems.append(
                        _("%(name)s是比率，但没有指定%(what)s。") % {"name": name, "what": label}
                    )
                elif series is None or series.kind == Kind.RATE or series.role != Role.COUNT:
                    problems.append(
                        _("%(name)s的%(what)s必须是本年度方案中的计数指标。")
                        % {"name": name, "what": label}
                    )
            if indicator.role != Role.COUNT and indicator.target_rate is None:
                problems.append(_("%(name)s是比率，但没有目标比率。") % {"name": name})
        elif indicator.role in (Role.GOAL, Role.QUOTA) and indicator.target is None:
            problems.append(_("%(name)s没有年度目标。") % {"name": name})
        if indicator.feeds_id is not None:
            goal = by_id.get(indicator.feeds_id)
            if goal is None or goal.role != Role.GOAL:
                problems.append(_("%(name)s计入的必须是本年度方案中的全市目标。") % {"name": name})
            else:
                fed[goal.pk] += indicator.target or 0
        shares = splits.get(indicator.pk, [])
        if shares and (indicator.kind == Kind.RATE or indicator.target is None):
            problems.append(_("%(name)s没有人数目标，不能分解到县区。") % {"name": name})
        elif shares:
            total = sum(share.target for share in shares)
            if total > indicator.target:
                problems.append(
                    _("%(name)s的县区分解合计 %(total)s 超过全市目标 %(city)s。")
                    % {"name": name, "total": total, "city": indicator.target}
                )
    for goal_id, total in fed.items():
        goal = by_id[goal_id]
        if goal.target is not None and total > goal.target:
            problems.append(
                _("计入%(name)s的部门任务合计 %(total)s 超过其年度目标 %(target)s。")
                % {"name": _name(goal), "total": total, "target": goal.target}
            )
    return problems


def _transition(plan: Plan, to: str, actor: User | None) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    was = plan.status
    if TRANSITIONS.get(plan.status) != to:
        allowed = {
            Status.ACTIVE: _("只有草稿状态的方案可以启用"),
            Status.CLOSED: _("只有执行中的方案可以结束"),
        }[to]
        raise ValidationError(
            _("%(allowed)s；%(plan)s 当前为“%(status)s”。")
            % {"allowed": allowed, "plan": plan, "status": plan.get_status_display()}
        )
    plan.status = to
    plan.save(update_fields=["status"])
    action = (
        AuditEntry.Action.PLAN_ACTIVATE if to == Status.ACTIVE else AuditEntry.Action.PLAN_CLOSE
    )
    audit(actor=actor, action=action, plan=plan, about=plan, detail={"from": was, "to": to})
    return plan


@transaction.atomic
def plan_activate(*, plan: Plan, actor: User | None = None) -> Plan:
    """Put a draft into effect, if its definition holds together; otherwise say what is wrong.

    ``actor``: the administrator, or ``None`` for a command run by the operator.
    """
    plan = _transition(plan, Status.ACTIVE, actor)
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(problems)
    # The rollup builds the plan's rows (all zero until figures are approved).
    plan_changed.send(sender=Plan, plan_id=plan.pk)
    return plan


@transaction.atomic
def plan_close(*, plan: Plan, actor: User | None = None) -> Plan:
    """End a plan: no more entry or review; its figures and rollups stay as they are."""
    return _transition(plan, Status.CLOSED, actor)
