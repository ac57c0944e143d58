"""Reads of dashboards and exports from a streaming read replica; everything else on the primary.

Installed only when ``DATABASE_REPLICA_URL`` is set (settings.py). ``ReplicaReadsMiddleware``
marks a GET or HEAD to a reporting URL (``REPLICA_READ_PATHS``); during such a request
``ReplicaRouter`` sends reads of the plan's figures and their rollups (the ``targets`` and
``reporting`` apps) to the ``replica`` alias. Writes, reads inside a transaction on the
primary, sessions, users, login attempts and every other request stay on ``default``: a
replica lags by a moment, and a clerk must see the figure just saved, a user the session just
made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
# Apps whose reads may come from the replica during a marked request.
REPLICA_APPS = frozenset({"targets", "reporting"})
# Reporting pages that only read: the dashboards and their drill-downs, the JSON feeding the
# charts, the summary workbook (its ExportLog row is a write, so on the primary).
REPLICA_READ_PATHS = ("/dashboard/", "/api/progress/", "/api/workitems/", "/exports/")
# Under /exports/ only the workbook itself: the jobs' pages follow rows written a moment ago.
_EXPORT_WORKBOOK_SUFFIX = "/summary.xlsx"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads of REPLICA_APPS may come from the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_active() -> bool:
    return _replica_reads.get()


def reads_from_replica(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path_info
    if path.startswith("/exports/"):
        return path.endswith(_EXPORT_WORKBOOK_SUFFIX)
    return path.startswith(REPLICA_READ_PATHS)


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not reads_from_replica(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _replica_reads.get()
            and model._meta.app_label in REPLICA_APPS
            # A read in the middle of a write sees the primary's own transaction.
            and not transaction.get_connection(PRIMARY).in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: a row read from either is the same row.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
