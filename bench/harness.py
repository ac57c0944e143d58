"""What the benchmarks share: the project importable with its production settings (and, for
those that need one, their own PostgreSQL database), and the peak memory they report.

The benchmarks run as scripts (``python bench/dashboard.py``), so their folder is on the import
path and they import this module as ``harness`` before anything of Django.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/skills_bench"


def use_project(*, database: bool = True) -> None:
    """The project on the import path with production settings and no Celery broker; with
    ``database``, the benchmarks' own database (``BENCH_DATABASE_URL``, else skills_bench)."""
    sys.path.insert(0, str(ROOT))
    if database:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skills_plan.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.pop("CELERY_BROKER_URL", None)


# Synthetic approved figures written straight into the table (``approved_row`` gives a row).
COPY_APPROVED = (
    "COPY targets_submission (indicator_id, region_id, month, revision, is_current,"
    " is_counted, value, status, note, correction_reason, review_comment, is_demo,"
    " entered_by_id, entered_at, submitted_by_id, submitted_at, reviewed_by_id,"
    " reviewed_at) FROM STDIN"
)


def approved_row(indicator_id: int, place_id: int, month: int, value: int, user_id: int, at):
    """One counted first revision, entered, sent and approved by ``user_id`` at ``at``, marked
    demo (synthetic), for ``COPY_APPROVED``."""
    return (
        *(indicator_id, place_id, month, 1, True, True, value),
        *("approved", "", "", "", True),
        *(user_id, at, user_id, at, user_id, at),
    )


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux counts ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
