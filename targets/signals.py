"""Signals other apps listen to; ``targets`` never imports them (reporting imports targets)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that changed a figure's status, with plan_id, series_id,
# region_id and month. Listeners that start work elsewhere must wait for the commit (on_commit).
figures_changed = Signal()
