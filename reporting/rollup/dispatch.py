"""Approvals, submissions and target changes schedule a rollup once their transaction commits.

Changes made in one transaction are merged into one batch: a reviewer approving a whole
month, or the demo loader approving hundreds of figures, sends one task per plan covering
every series touched from the earliest month touched (and the months touched, whose report
counts may have changed).

Nothing approved is left out of the numbers: the same transaction writes a ``PendingRollup``
row per plan, which the rollup deletes once it has run. If the broker cannot be reached the
figures are still saved and the row stays, and the next ``sweep`` (on beat every few
minutes) or the nightly rebuild runs the rollup.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from targets.models import Plan

from ..models import PendingRollup, RollupRun
from . import runs

logger = logging.getLogger(__name__)
_local = threading.local()
ALL_MONTHS = list(range(1, 13))
# Younger rows are left to the task their approval sent, which normally runs within seconds.
GRACE = timedelta(minutes=2)


def _send(failure: str, *args: Any, **kwargs: Any) -> None:
    """Send a rollup task; if the broker is down, log ``failure`` (the sweep catches up)."""
    from ..tasks import rollup_plan

    try:
        rollup_plan.delay(*args, **kwargs)
    except Exception:  # the broker is down: the approval stands, the sweep catches up
        logger.exception(failure)


class _Batch(ABC):
    """The rollups one transaction asks for, sent once, after it commits."""

    def __init__(self) -> None:
        self.records: dict[int, int] = {}  # plan → its PendingRollup row, written now
        self.sent = False

    def is_open(self) -> bool:
        """Whether it will still be sent by the current transaction's commit (not sent yet,
        nor discarded with a rolled-back transaction)."""
        hooks = transaction.get_connection().run_on_commit
        return not self.sent and any(func is self for _savepoints, func, _robust in hooks)

    def record(self, plan_id: int, months: list[int]) -> None:
        if plan_id not in self.records:
            self.records[plan_id] = PendingRollup.objects.create(plan_id=plan_id, months=months).pk

    def __call__(self) -> None:
        if self.sent:
            return
        self.sent = True
        self.send()

    @abstractmethod
    def send(self) -> None:
        """Send the batch's rollups (each kind of batch its own)."""


class _FigureBatch(_Batch):
    """Figures approved or submitted: the series, counties and months touched, per plan."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, tuple[set[int], set[int], set[int]]] = {}

    def add(self, plan_id: int, series_id: int, region_id: int, month: int) -> None:
        series, regions, months = self.pending.setdefault(plan_id, (set(), set(), set()))
        series.add(series_id)
        regions.add(region_id)
        if plan_id in self.records and month not in months:
            PendingRollup.objects.filter(pk=self.records[plan_id]).update(
                months=sorted(months | {month})
            )
        self.record(plan_id, [month])
        months.add(month)

    def send(self) -> None:
        for plan_id, (series, regions, months) in sorted(self.pending.items()):
            _send(
                f"rollup of plan {plan_id} (series {sorted(series)}, months {sorted(months)})"
                " not dispatched",
                plan_id,
                sorted(series),
                min(months),
                months=sorted(months),
                regions=sorted(regions),
                pending=[self.records[plan_id]],
            )


class _TargetBatch(_Batch):
    """The indicators whose targets one transaction changed, rebuilt once it commits."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, set[int]] = {}

    def add(self, plan_id: int, indicator_id: int) -> None:
        self.record(plan_id, ALL_MONTHS)  # a target counts in every month's row
        self.pending.setdefault(plan_id, set()).add(indicator_id)

    def send(self) -> None:
        for plan_id, indicators in sorted(self.pending.items()):
            # The rebuild adds the goal a quota feeds (its unallocated share changes too).
            _send(
                f"rollup of plan {plan_id} after a target change not dispatched",
                plan_id,
                sorted(indicators),
                1,
                pending=[self.records[plan_id]],
            )


def _batch(name: str, kind: type[_Batch]) -> tuple[_Batch, bool]:
    """This thread's batch of the current transaction, and whether it is new (then it is to
    be registered on commit, once its first change is added)."""
    batch = getattr(_local, name, None)
    if batch is not None and batch.is_open():
        return batch, False
    # A new transaction (or the last one was rolled back, its callback discarded with it).
    batch = kind()
    setattr(_local, name, batch)
    return batch, True


def schedule_rollup(
    sender: Any, *, plan_id: int, series_id: int, region_id: int, month: int, **kwargs: Any
) -> None:
    batch, new = _batch("figures", _FigureBatch)
    batch.add(plan_id, series_id, region_id, month)
    if new:
        transaction.on_commit(batch)


def schedule_target_rollup(sender: Any, *, plan_id: int, indicator_id: int, **kwargs: Any) -> None:
    batch, new = _batch("targets", _TargetBatch)
    batch.add(plan_id, indicator_id)
    if new:
        transaction.on_commit(batch)


def schedule_full_rollup(sender: Any, *, plan_id: int, **kwargs: Any) -> None:
    """Rebuild the whole plan after the transaction that changed its definition commits."""
    record = PendingRollup.objects.create(plan_id=plan_id, months=ALL_MONTHS).pk
    transaction.on_commit(
        lambda: _send(f"full rollup of plan {plan_id} not dispatched", plan_id, pending=[record])
    )


def sweep(*, grace: timedelta = GRACE) -> list[RollupRun]:
    """Rebuild each plan with ``PendingRollup`` rows older than ``grace``; delete the rows it
    settles. A row still there a while later means its task was never sent (the broker was
    down), was lost with the broker, or failed for good."""
    cutoff = timezone.now() - grace
    plan_ids = set(
        PendingRollup.objects.filter(created_at__lte=cutoff).values_list("plan_id", flat=True)
    )
    done = []
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
            run = runs.rebuild(plan, from_month=from_month, settles=[pk for pk, _ in claimed])
        logger.warning(
            "caught up %s pending rollup(s) of plan %s from month %s",
            len(claimed),
            plan.year,
            from_month,
        )
        done += runs.after_rebuild([run])
    return done
