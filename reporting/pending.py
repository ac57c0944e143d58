"""Rollups asked for and not yet run: the sweep that makes sure none is lost.

An approval writes a ``PendingRollup`` row in its own transaction and the rollup task deletes
it. A row still there a while later means the task was never sent (the broker was down), was
lost with the broker, or failed for good: the sweep rebuilds those plans.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from targets.models import Plan

from . import rollup, supervision
from .models import PendingRollup, RollupRun

logger = logging.getLogger(__name__)
# Younger rows are left to the task their approval sent, which normally runs within seconds.
GRACE = timedelta(minutes=2)


def sweep(*, grace: timedelta = GRACE) -> list[RollupRun]:
    """Rebuild each plan with pending rows older than ``grace``; delete the rows it settles."""
    cutoff = timezone.now() - grace
    plan_ids = set(
        PendingRollup.objects.filter(created_at__lte=cutoff).values_list("plan_id", flat=True)
    )
    runs = []
    for plan in Plan.objects.filter(pk__in=plan_ids).order_by("year"):
        with transaction.atomic():
            # The plan's lock first, as a rollup task takes it (before deleting its rows).
            list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk"))
            # Claimed before the rebuild reads any figure: their approvals are committed, so
            # the rebuild sees them.
            claimed = list(
                PendingRollup.objects.filter(plan=plan, created_at__lte=cutoff).values_list(
                    "pk", "months"
                )
            )
            if not claimed:
                continue
            from_month = min((min(months) for _pk, months in claimed if months), default=1)
            run = rollup.rebuild(plan, from_month=from_month)
            PendingRollup.objects.filter(pk__in=[pk for pk, _months in claimed]).delete()
        logger.warning(
            "caught up %s pending rollup(s) of plan %s from month %s",
            len(claimed),
            plan.year,
            from_month,
        )
        supervision.sync_after_rollup(plan)
        runs.append(run)
    return runs
