"""Approvals and submissions schedule a rollup once their transaction commits.

Changes made in one transaction are merged into one batch: a reviewer approving a whole
month, or the demo loader approving hundreds of figures, sends one task per plan covering
every series touched from the earliest month touched (and the months touched, whose report
counts may have changed).

Nothing approved is left out of the numbers: the same transaction writes a ``PendingRollup``
row per plan, which the rollup deletes once it has run. If the broker cannot be reached the
figures are still saved and the row stays, and the next sweep (``pending.sweep``, on beat
every few minutes) or the nightly rebuild runs the rollup.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction

from .models import PendingRollup

logger = logging.getLogger(__name__)
_local = threading.local()


class _Batch:
    """The rollups one transaction asks for, sent once, after it commits."""

    def __init__(self) -> None:
        self.pending: dict[int, tuple[set[int], set[int], set[int]]] = {}
        self.records: dict[int, int] = {}  # plan → its PendingRollup row, written now
        self.sent = False

    def add(self, plan_id: int, series_id: int, region_id: int, month: int) -> None:
        series, regions, months = self.pending.setdefault(plan_id, (set(), set(), set()))
        series.add(series_id)
        regions.add(region_id)
        if plan_id not in self.records:
            self.records[plan_id] = PendingRollup.objects.create(plan_id=plan_id, months=[month]).pk
        elif month not in months:
            PendingRollup.objects.filter(pk=self.records[plan_id]).update(
                months=sorted(months | {month})
            )
        months.add(month)

    def __call__(self) -> None:
        from .tasks import rollup_plan

        if self.sent:
            return
        self.sent = True
        for plan_id, (series, regions, months) in sorted(self.pending.items()):
            try:
                rollup_plan.delay(
                    plan_id,
                    sorted(series),
                    min(months),
                    months=sorted(months),
                    regions=sorted(regions),
                    pending=[self.records[plan_id]],
                )
            except Exception:  # the broker is down: the approval stands, the sweep catches up
                logger.exception(
                    "rollup of plan %s (series %s, months %s) not dispatched",
                    plan_id,
                    sorted(series),
                    sorted(months),
                )


def schedule_full_rollup(sender: Any, *, plan_id: int, **kwargs: Any) -> None:
    """Rebuild the whole plan after the transaction that changed its definition commits."""
    record = PendingRollup.objects.create(plan_id=plan_id, months=list(range(1, 13))).pk

    def send() -> None:
        from .tasks import rollup_plan

        try:
            rollup_plan.delay(plan_id, pending=[record])
        except Exception:  # the broker is down: the sweep catches up
            logger.exception("full rollup of plan %s not dispatched", plan_id)

    transaction.on_commit(send)


def schedule_rollup(
    sender: Any, *, plan_id: int, series_id: int, region_id: int, month: int, **kwargs: Any
) -> None:
    batch: _Batch | None = getattr(_local, "batch", None)
    registered = batch is not None and any(
        func is batch for _savepoints, func, _robust in transaction.get_connection().run_on_commit
    )
    if batch is not None and registered and not batch.sent:
        batch.add(plan_id, series_id, region_id, month)
        return
    # A new transaction (or the last one was rolled back, its callback discarded with it).
    batch = _local.batch = _Batch()
    batch.add(plan_id, series_id, region_id, month)
    transaction.on_commit(batch)


class _TargetBatch:
    """The indicators whose targets one transaction changed, rebuilt once it commits."""

    def __init__(self) -> None:
        self.pending: dict[int, set[int]] = {}
        self.records: dict[int, int] = {}
        self.sent = False

    def add(self, plan_id: int, indicator_id: int) -> None:
        if plan_id not in self.records:
            # A target counts in every month's row: all twelve are rebuilt.
            self.records[plan_id] = PendingRollup.objects.create(
                plan_id=plan_id, months=list(range(1, 13))
            ).pk
        self.pending.setdefault(plan_id, set()).add(indicator_id)

    def __call__(self) -> None:
        from .tasks import rollup_plan

        if self.sent:
            return
        self.sent = True
        for plan_id, indicators in sorted(self.pending.items()):
            try:
                # The rebuild adds the goal a quota feeds (its unallocated share changes too).
                rollup_plan.delay(plan_id, sorted(indicators), 1, pending=[self.records[plan_id]])
            except Exception:  # the broker is down: the sweep catches up
                logger.exception("rollup of plan %s after a target change not dispatched", plan_id)


def schedule_target_rollup(sender: Any, *, plan_id: int, indicator_id: int, **kwargs: Any) -> None:
    batch: _TargetBatch | None = getattr(_local, "targets", None)
    registered = batch is not None and any(
        func is batch for _savepoints, func, _robust in transaction.get_connection().run_on_commit
    )
    if batch is None or not registered or batch.sent:
        batch = _local.targets = _TargetBatch()
        transaction.on_commit(batch)
    batch.add(plan_id, indicator_id)
