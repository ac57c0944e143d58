"""Reads for pages: which plan a page is about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import policy
from .models import Plan, local_plans

# Without a year: an active plan first, then a closed one (it has figures), a draft last.
DEFAULT_ORDER = {Plan.Status.ACTIVE: 0, Plan.Status.CLOSED: 1, Plan.Status.DRAFT: 2}


def active_plan() -> Plan | None:
    """The latest active plan: the one clerks enter into and reviewers review."""
    return local_plans().filter(status=Plan.Status.ACTIVE).order_by("-year").first()


def province_plans_above(plan: Plan) -> list[Plan]:
    """The province's plans of the same year that roll this city's plan up (not a draft;
    none above a city without a province, or whose province has no plan that year)."""
    return list(
        Plan.objects.filter(unit__children=plan.unit_id, unit__kind="province", year=plan.year)
        .exclude(status=Plan.Status.DRAFT)
        .select_related("unit")
    )


def default_plan(plans: Iterable[Plan]) -> Plan | None:
    """The plan a page shows without a year: the latest-year active plan, else the latest
    closed one, else (administrators only see drafts) the latest draft."""
    ordered = sorted(plans, key=lambda plan: (DEFAULT_ORDER.get(plan.status, 3), -plan.year))
    return ordered[0] if ordered else None


def plan_for(user: Any, year: int | None = None, *, to_enter: bool = False) -> Plan | None:
    """The plan of ``year`` (else the default one) for this user: None when there is none or
    the access policy does not let the user read it (``to_enter``: enter figures into it)."""
    if year is None:
        return default_plan(policy.viewable_plans(user))
    plan = local_plans().filter(year=year).first()
    allowed = policy.may_enter_plan if to_enter else policy.may_view_plan
    if plan is None or not allowed(user, plan):
        return None
    return plan
