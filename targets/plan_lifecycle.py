"""A plan's life: draft → active → closed, and nothing else.

A draft is edited freely (in the admin, or by importing a definition workbook) and takes no
figures. It is activated once its definition holds together (``plan_problems`` finds nothing):
from then on clerks enter figures against it. Closing it ends entry and review for good.
Several plans may be active at once (the old year's December figures and corrections are
still reported in January while the new year runs); pages that show one plan take the
latest active year.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Indicator, Plan, RegionTarget
from .signals import plan_changed

Status = Plan.Status
Role = Indicator.Role
Kind = Indicator.Kind

TRANSITIONS = {Status.DRAFT: Status.ACTIVE, Status.ACTIVE: Status.CLOSED}


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


def _transition(plan: Plan, to: str) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
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
    return plan


@transaction.atomic
def plan_activate(*, plan: Plan) -> Plan:
    """Put a draft into effect, if its definition holds together; otherwise say what is wrong."""
    plan = _transition(plan, Status.ACTIVE)
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(problems)
    # The rollup builds the plan's rows (all zero until figures are approved).
    plan_changed.send(sender=Plan, plan_id=plan.pk)
    return plan


@transaction.atomic
def plan_close(*, plan: Plan) -> Plan:
    """End a plan: no more entry or review; its figures and rollups stay as they are."""
    return _transition(plan, Status.CLOSED)
