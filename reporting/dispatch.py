"""Approvals and submissions schedule a rollup once their transaction commits.

Changes made in one transaction are merged: a reviewer approving a whole month, or the demo
loader approving hundreds of figures, sends one task per plan covering every series touched
from the earliest month touched. If the broker cannot be reached the figures are still saved;
the nightly rebuild (or ``manage.py rollup``) catches up.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)
_local = threading.local()


def _pending() -> dict[int, tuple[set[int], int]]:
    if not hasattr(_local, "pending"):
        _local.pending = {}
    return _local.pending


def schedule_rollup(
    sender: Any, *, plan_id: int, series_id: int, month: int, **kwargs: Any
) -> None:
    pending = _pending()
    series, earliest = pending.get(plan_id, (set(), 12))
    series.add(series_id)
    pending[plan_id] = (series, min(earliest, month))
    # One callback per change; the first to run after the commit sends everything pending and
    # the others find nothing left. Items of a rolled-back transaction may ride along with the
    # next commit: a rollup recomputes from the database, so an extra one is harmless.
    transaction.on_commit(flush)


def flush() -> None:
    from .tasks import rollup_plan

    pending, _local.pending = _pending(), {}
    for plan_id, (series, earliest) in sorted(pending.items()):
        try:
            rollup_plan.delay(plan_id, sorted(series), earliest)
        except Exception:  # the broker is down: the approval stands, the nightly run catches up
            logger.exception(
                "rollup of plan %s (series %s from month %s) not dispatched",
                plan_id,
                sorted(series),
                earliest,
            )
