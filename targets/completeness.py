"""Reports missing and late: per department × county, for one month of a plan.

A department owes, each month, one figure per series it reports for every county. A figure is
received once first sent, and on time when first sent before the deadline (a figure returned
and sent again keeps its first sending). The reminder job (``reporting.reminders``) and the
review pages read this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from .models import Department, Indicator, Plan, Region, Submission
from .periods import deadline


@dataclass(frozen=True)
class Gap:
    department: str  # code
    department_name: str
    region: str  # code
    region_name: str
    expected: int
    received: int
    on_time: int

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def late(self) -> int:
        return self.received - self.on_time


def gaps(plan: Plan, month: int) -> list[Gap]:
    """Departments × counties with a report missing or late for ``month`` (received by now)."""
    due = deadline(plan, month)
    series = list(
        Indicator.objects.filter(plan=plan, accepts_figures=True).values_list("pk", "department_id")
    )
    per_department: dict[int, int] = {}
    for _pk, department_id in series:
        per_department[department_id] = per_department.get(department_id, 0) + 1
    counts = {
        (row["indicator__department"], row["region"]): row
        for row in Submission.objects.filter(
            indicator__plan=plan, indicator__accepts_figures=True, month=month, revision=1
        )
        .values("indicator__department", "region")
        .annotate(
            received=Count("first_submitted_at"),
            on_time=Count("first_submitted_at", filter=Q(first_submitted_at__lt=due)),
        )
        .order_by()
    }
    found = []
    regions = list(Region.objects.order_by("order", "code"))
    for department in Department.objects.filter(pk__in=per_department).order_by("order", "code"):
        for region in regions:
            row = counts.get((department.pk, region.pk), {"received": 0, "on_time": 0})
            gap = Gap(
                department=department.code,
                department_name=department.name,
                region=region.code,
                region_name=region.name,
                expected=per_department[department.pk],
                received=row["received"],
                on_time=row["on_time"],
            )
            if gap.missing or gap.late:
                found.append(gap)
    return found


def latest_due_month(plan: Plan, now: datetime | None = None) -> int | None:
    """The last month whose deadline has passed and for which anything was sent, else the last
    month whose deadline has passed (``None`` before the first deadline)."""
    now = now or timezone.now()
    due = [month for month in range(1, 13) if deadline(plan, month) <= now]
    if not due:
        return None
    sent = set(
        Submission.objects.filter(
            indicator__plan=plan, month__in=due, first_submitted_at__isnull=False
        ).values_list("month", flat=True)
    )
    return max(sent) if sent else due[-1]
