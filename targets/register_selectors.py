"""Reads of the registers that pages share."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from .models import AnnualPlan, Department, Plan, RegisterRecord

ANNUAL_PLANS_ITEM = "annual-implementation-plans"


def missing_annual_plans(plan: Plan) -> list[Department]:
    """The departments responsible (lead or co-operating, city-wide) for the plan's annual
    implementation plans item that have not sent theirs: the dashboard's 未报送 list. Two
    queries, whatever the number of departments."""
    item = (
        plan.milestones.filter(code=ANNUAL_PLANS_ITEM)
        .values("pk", "department_id", "region_id")
        .first()
    )
    if item is None:
        return []
    responsible = Q(work_units__milestone_id=item["pk"], work_units__region__isnull=True)
    if item["region_id"] is None:
        responsible |= Q(pk=item["department_id"])
    sent = AnnualPlan.objects.filter(plan=plan, department=OuterRef("pk")).exclude(
        status=RegisterRecord.Status.DRAFT
    )
    return list(
        Department.objects.filter(responsible)
        .exclude(Exists(sent))
        .distinct()
        .order_by("order", "code")
    )
