"""A plan's definition as administrators edit it: one record at a time, saved or deleted.

The records are the plan header, its indicators and milestones, and the departments and
counties every plan shares. A closed plan's are read-only. An active
plan's targets and splits change through ``indicator_target_set`` / ``region_target_set``
(with a reason), not here. Changing a plan's deadline day has its whole rollup rebuilt.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import policy
from ..models import AuditEntry, Department, Indicator, Milestone, Plan, Region
from ..signals import plan_changed
from .base import audit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

DefinitionRecord = Plan | Indicator | Milestone | Department | Region


def _plan_ids(record: DefinitionRecord) -> set[int]:
    """The plans the record belongs to: as edited, and as stored."""
    if isinstance(record, Department | Region):
        return set()
    if isinstance(record, Plan):
        return {record.pk} if record.pk else set()
    stored = type(record).objects.filter(pk=record.pk).values_list("plan_id", flat=True)
    return {pk for pk in (*stored, record.plan_id) if pk is not None}


def _plan_of(record: DefinitionRecord) -> Plan | None:
    if isinstance(record, Plan):
        return record
    return getattr(record, "plan", None)


def _check(actor: User | None, record: DefinitionRecord) -> None:
    # ``None``: a command run by the operator.
    if actor is not None and not policy.may_administer(actor):
        raise PermissionDenied(_("只有系统管理员可以修改方案定义。"))
    closed = Plan.objects.filter(pk__in=_plan_ids(record), status=Plan.Status.CLOSED).first()
    if closed is not None:
        raise ValidationError(_("%(year)s年度方案已结束，只读。") % {"year": closed.year})


@transaction.atomic
def definition_save(
    *, actor: User | None, record: DefinitionRecord, changed: Collection[str] = ()
) -> DefinitionRecord:
    """Save a record of a plan's definition (``changed``: the fields the editor changed)."""
    _check(actor, record)
    created = record.pk is None
    record.save()
    audit(
        actor=actor,
        action=AuditEntry.Action.DEFINITION_SAVE,
        about=record,
        plan=_plan_of(record),
        detail={"created": created, "changed": sorted(changed)},
    )
    if isinstance(record, Plan) and not created and "deadline_day" in changed:
        # On-time counts depend on the deadline: the plan's rollup is rebuilt.
        plan_changed.send(sender=Plan, plan_id=record.pk)
    return record


@transaction.atomic
def definition_delete(*, actor: User | None, record: DefinitionRecord) -> None:
    """Delete a record of a plan's definition (and what cascades from it)."""
    _check(actor, record)
    # Recorded before the delete, while the record still has its id and its plan.
    audit(
        actor=actor,
        action=AuditEntry.Action.DEFINITION_DELETE,
        about=record,
        plan=_plan_of(record),
    )
    record.delete()


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, status: str, evidence: str, actor: User | None = None
) -> Milestone:
    """Report a milestone's progress: its status and the evidence behind it.

    ``actor``: ``None`` for a command (the demo), recorded as the system.
    """
    _check(actor, milestone)
    if status not in Milestone.Status.values:
        raise ValidationError({"status": _("重点工作状态无效。")})
    milestone.status = status
    milestone.evidence = evidence
    milestone.save(update_fields=["status", "evidence"])
    audit(
        actor=actor,
        action=AuditEntry.Action.MILESTONE_UPDATE,
        about=milestone,
        plan=milestone.plan,
        detail={"status": status},
    )
    return milestone
