"""The rollup: approved figures → progress per indicator × county-or-city × as-of month.

- ``rules``: the rules (time progress, colours, projection) and their constants, once;
- ``reference``: the rollup in Python, the reference (and SQLite's rollup);
- ``postgres`` + ``rollup.sql``: the same rollup as one PostgreSQL statement;
- ``runs``: rebuilding a plan's stored rollup, and what follows every rebuild;
- ``dispatch``: rollups scheduled after the commits that change figures, and the sweep.

Plain functions, no Celery and no request inside; ``reporting.tasks`` calls them.
"""

from .reference import compute, compute_completeness
from .rules import expected_share, status_for
from .runs import rebuild, rebuild_after_change, rebuild_plans

__all__ = [
    "compute",
    "compute_completeness",
    "expected_share",
    "rebuild",
    "rebuild_after_change",
    "rebuild_plans",
    "status_for",
]
