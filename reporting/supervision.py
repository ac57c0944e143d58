"""Supervision notices (督办单) from the rollup: which quotas are red, in which places.

``sync_notices`` reads the stored rollup of one as-of month and, through the services, raises a
notice for every quota × place (a county, or the city) that is red there and has none that is
not closed, and closes every open or answered notice whose item is no longer red. A rerun with
nothing changed changes nothing. Places without a rollup row are left alone: no row is not
"no longer red".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from targets import services
from targets.models import Indicator, Plan, Submission, SupervisionNotice

from .models import Rollup

NO_LONGER_BEHIND = "已不再滞后"


@dataclass
class NoticeSync:
    """What one sync did."""

    month: int | None = None
    raised: list[SupervisionNotice] = field(default_factory=list)
    closed: list[SupervisionNotice] = field(default_factory=list)


def latest_counted_month(plan: Plan) -> int | None:
    """The latest month with an approved figure; None before any."""
    return Submission.objects.filter(indicator__plan=plan, is_counted=True).aggregate(
        latest=Max("month")
    )["latest"]


@transaction.atomic
def sync_notices(plan: Plan, month: int) -> NoticeSync:
    """Raise and close the notices of an active plan for the as-of ``month``; others: nothing."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12, not {month}")
    # The plan's row lock: syncs, and rebuilds writing the rows read here, never interleave.
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    result = NoticeSync(month=month)
    if plan.status != Plan.Status.ACTIVE:
        return result
    rows = {
        (row.indicator_id, row.region_id): row
        for row in Rollup.objects.filter(
            plan=plan, month=month, indicator__role=Indicator.Role.QUOTA
        )
        .select_related("indicator", "region")
        .order_by("indicator__order", "indicator__code", "region__order", "region__code")
    }
    pending = {
        (notice.indicator_id, notice.region_id): notice
        for notice in SupervisionNotice.objects.filter(plan=plan).exclude(
            status=SupervisionNotice.Status.CLOSED
        )
    }
    now = timezone.now()
    for key, row in rows.items():
        if row.status == Rollup.Status.RED and key not in pending:
            result.raised.append(
                services.notice_raise(
                    plan=plan,
                    indicator=row.indicator,
                    region=row.region,
                    month=month,
                    completion=row.completion,
                    expected=row.expected,
                    at=now,
                )
            )
    for key, notice in pending.items():
        row = rows.get(key)
        if row is not None and row.status != Rollup.Status.RED:
            result.closed.append(
                services.notice_close(notice=notice, reason=NO_LONGER_BEHIND, at=now)
            )
    return result


def sync_after_rollup(plan: Plan) -> NoticeSync | None:
    """After a rebuild: an active plan's notices for its latest month with approved figures."""
    if plan.status != Plan.Status.ACTIVE:
        return None
    month = latest_counted_month(plan)
    if month is None:
        return None
    return sync_notices(plan, month)
