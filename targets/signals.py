"""Signals other apps listen to; ``targets`` never imports them (reporting imports targets)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that changed a figure's status, with plan_id, series_id,
# region_id and month. Listeners that start work elsewhere must wait for the commit (on_commit).
figures_changed = Signal()

# Sent inside the transaction that changed what a plan's rollup is computed with (its deadline
# day, say), with plan_id: the whole plan's rollup is to be rebuilt once it commits.
plan_changed = Signal()

# Sent inside the transaction that changed a goal's or quota's target or a county split of an
# active plan, with plan_id and indicator_id: every month of that indicator's rollup (and of
# the goal it feeds) is to be rebuilt once it commits.
targets_changed = Signal()
