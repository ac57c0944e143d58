"""What every write checks (a figure's range, a month of the plan, a plan open to writes), and
the audit row a write with no trail of its own leaves."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    MAX_FIGURE,
    AuditEntry,
    Plan,
    Submission,
    SubmissionEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


Status = Submission.Status
# Far above any monthly count a city of 1.6 million reports; guards against typos and overflow.
MAX_VALUE = MAX_FIGURE


class Conflict(ValidationError):
    """The cell is no longer in the state the clerk saw: someone else saved it meanwhile."""

    def __init__(self, current: Submission | None):
        super().__init__(_("该数据已被他人修改，您的修改未保存。请刷新页面后重新填写。"))
        self.current = current


def review_step(
    *,
    actor: User,
    record: Submission | Any,
    waiting: frozenset[str],
    approve: bool,
    comment: str,
    at: datetime,
    refusals: tuple[str, str],
) -> tuple[dict[str, object], str]:
    """The fields a review sets on a reviewed record (a figure, a step's report) and the action
    its trail records, at the reviewer's level: a county's approval is the first of two
    (县区已审核, not counted); the city's approval counts it; a return from either level clears
    the county's approval, so that the record sent again goes through both levels again.

    ``waiting`` are the statuses it must be in for this reviewer (``policy``); ``refusals``
    the record's messages when the county has not approved it yet, and when it is not waiting
    at all. Refused, nothing to write, in either case.
    """
    Action = SubmissionEvent.Action
    if record.is_current and record.status == Status.SUBMITTED and Status.SUBMITTED not in waiting:
        raise ValidationError(refusals[0])
    if not record.is_current or record.status not in waiting:
        raise ValidationError(refusals[1])
    if approve and policy.county_of(actor) is not None:
        verified = {"status": Status.VERIFIED, "verified_by": actor, "verified_at": at}
        return verified | {"review_comment": comment}, Action.VERIFY
    fields: dict[str, object] = {
        "status": Status.APPROVED if approve else Status.RETURNED,
        "is_counted": approve,
        "reviewed_by": actor,
        "reviewed_at": at,
        "review_comment": comment,
    }
    if not approve:
        fields |= {"verified_by": None, "verified_at": None}
    return fields, Action.APPROVE if approve else Action.RETURN


def check_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"value": _("数值必须是整数。")})
    if value < 0:
        raise ValidationError({"value": _("数值不能为负数。")})
    if value > MAX_VALUE:
        raise ValidationError(
            {"value": _("数值过大（超过 %(max)s），请检查。") % {"max": MAX_VALUE}}
        )
    return value


def check_month(plan: Plan, month: int) -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError({"month": _("月份必须在 1 到 12 之间。")})
    check_plan_active(plan)


def check_plan_active(plan: Plan) -> None:
    """Only an active plan takes figures: a draft is not open yet, a closed one is read-only."""
    if not policy.plan_is_open(plan):
        raise ValidationError(_("%(plan)s 不在执行中，不能填报或审核。") % {"plan": plan})


class PlanNotOpen(PermissionDenied):
    """A write into a plan that is not active; the message says why, for people (403)."""


def plan_refusal(plan: Plan) -> str | None:
    """Why ``plan`` takes no figures, answers or reviews now; ``None`` while it is active."""
    if policy.plan_is_open(plan):
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


def _json(value: Any) -> Any:
    """A detail value as JSON keeps it: a Decimal as its text, a date as ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def audit(
    *,
    actor: User | None,
    action: str,
    about: models.Model,
    plan: Plan | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record one write (``AuditEntry``): who (``None``: the system), what, on which object.

    Called inside the write's transaction, so the row stands or falls with the write.
    """
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        actor=actor,
        action=action,
        plan=plan,
        object_type=about._meta.label_lower,
        object_id=about.pk,
        object_text=str(about)[:300],
        detail={key: _json(value) for key, value in (detail or {}).items()},
    )


def upsert_row(
    model: type,
    lookup: dict[str, Any],
    values: dict[str, Any],
    on_create: dict[str, Any] | None = None,
) -> tuple[Any, bool]:
    """Create or update one row, saving only when something differs; and whether it saved.
    ``on_create`` holds what only a new row is given (who set it up, when)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(on_create or {}))
    elif all(getattr(obj, field) == value for field, value in values.items()):
        return obj, False
    else:
        for field, value in values.items():
            setattr(obj, field, value)
    # Field checks and clean() give the messages; the foreign keys were just looked up and the
    # database constraints stand behind it all (the load is one transaction).
    relations = [f.name for f in model._meta.fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_constraints=False)
    obj.save()
    return obj, True
