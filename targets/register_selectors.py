"""Reads of the registers that pages share."""

from __future__ import annotations

from .models import AnnualPlan, Department, Plan, RegisterRecord, responsible_units

ANNUAL_PLANS_ITEM = "annual-implementation-plans"


def missing_annual_plans(plan: Plan) -> list[Department]:
    """The departments responsible (lead or co-operating, city-wide) for the plan's annual
    implementation plans item that have not sent theirs: the dashboard's 未报送 list."""
    item = plan.milestones.filter(code=ANNUAL_PLANS_ITEM).first()
    if item is None:
        return []
    wanted = [department for department, region in responsible_units(item) if region is None]
    sent = set(
        AnnualPlan.objects.filter(plan=plan)
        .exclude(status=RegisterRecord.Status.DRAFT)
        .values_list("department_id", flat=True)
    )
    return list(
        Department.objects.filter(pk__in=[d for d in wanted if d not in sent]).order_by(
            "order", "code"
        )
    )
