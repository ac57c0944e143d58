"""Supervision notices (督办单): raised by the system, answered by a clerk, closed by the
system or a reviewer."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    Indicator,
    Plan,
    Region,
    SupervisionNotice,
    SupervisionNoticeEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

from .base import check_month, check_plan_active

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
    actor: User | None = None,
) -> SupervisionNotice:
    """Raise a notice: ``indicator`` (a goal, to its lead department, or a quota) is red in
    ``region`` (None: city-wide) in ``month``.

    At most one notice of an item and place is not closed; another is refused. ``actor``:
    ``None``, the system (``reporting.supervision``), which is who raises notices today.
    """
    if indicator.plan_id != plan.pk or indicator.role not in (
        Indicator.Role.GOAL,
        Indicator.Role.QUOTA,
    ):
        raise ValidationError({"indicator": _("督办单只能针对本年度方案中的全市目标或部门任务。")})
    check_month(plan, month)
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
    SupervisionNoticeEvent.objects.create(notice=notice, kind="raised", actor=actor, at=at)
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
    check_plan_active(notice.plan)
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
        check_plan_active(notice.plan)
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
