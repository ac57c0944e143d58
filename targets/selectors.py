"""Reads for pages: which plan a page is about."""

from __future__ import annotations

from .models import Plan


def active_plan() -> Plan | None:
    """The latest active plan: the one clerks enter into and reviewers review."""
    return Plan.objects.filter(status=Plan.Status.ACTIVE).order_by("-year").first()
