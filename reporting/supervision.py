"""Supervision notices (督办单) from the rollup: which goals and quotas are red, and where.

``sync_notices`` reads the stored rollup of one as-of month and, through the services, raises a
notice for every goal or quota × place (a county, or the city) that is judged red there (all
its reports of the month approved) and has none that is not closed, and closes every open or
answered notice whose item is judged and no longer red. A pending row (reports missing or
unapproved) is neither: it gets a reminder (催报). A rerun with
nothing changed changes nothing. Places without a rollup row are left alone: no row is not
"no longer red".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from targets import completeness, periods, policy, services
from targets.models import HOME_UNIT, Indicator, Plan, SupervisionNotice
from targets.periods import deadline

from .models import Rollup

NO_LONGER_BEHIND = "已不再滞后"


@dataclass
class NoticeSync:
    """What one sync did."""

    month: int | None = None
    raised: list[SupervisionNotice] = field(default_factory=list)
    closed: list[SupervisionNotice] = field(default_factory=list)


def due_month(plan: Plan) -> int | None:
    """The month notices are about: the pages' default as-of month, once its deadline has
    passed (``None`` before: nothing is judged, nothing raised)."""
    return periods.due_as_of(plan)


@transaction.atomic
def sync_notices(plan: Plan, month: int) -> NoticeSync:
    """Raise and close the notices of an active plan for the as-of ``month``; others: nothing."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12, not {month}")
    # The plan's row lock: syncs, and rebuilds writing the rows read here, never interleave.
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    result = NoticeSync(month=month)
    if not policy.plan_is_open(plan):
        return result
    if deadline(plan, month) > timezone.now():
        # Before its deadline a month is still being reported: nothing in it is judged yet.
        return result
    rows = {
        (row.indicator_id, row.region_id): row
        for row in Rollup.objects.filter(
            plan=plan,
            month=month,
            indicator__role__in=[Indicator.Role.GOAL, Indicator.Role.QUOTA],
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
    # Only judged rows count: a row whose reports for the month are not all approved is
    # pending (a reminder's business, reporting.reminders), neither raised nor closed.
    coverage = completeness.Coverage(plan, month)
    judged = {
        key: completeness.judged_status(row.status, coverage.reported(row.indicator, row.region_id))
        for key, row in rows.items()
    }
    now = timezone.now()
    for key, row in rows.items():
        if judged[key] == Rollup.Status.RED and key not in pending:
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
        if row is not None and judged[key] in (Rollup.Status.GREEN, Rollup.Status.AMBER):
            result.closed.append(
                services.notice_close(notice=notice, reason=NO_LONGER_BEHIND, at=now)
            )
    return result


def sync_after_rollup(plan: Plan) -> NoticeSync | None:
    """After a rebuild: an active plan's notices for its due as-of month (``due_month``); only
    this city's plans (``local_plans``): a province's or another city's are not ours to press."""
    if not policy.plan_is_open(plan) or plan.unit.code != HOME_UNIT[0]:
        return None
    month = due_month(plan)
    if month is None:
        return None
    return sync_notices(plan, month)
