"""The reviewers' and leaders' view of reporting: reports missing and late, reminders sent,
reporting rates by month."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skills_plan.views import allowed_by
from targets import policy
from targets.completeness import gaps
from targets.models import Department, Plan, local_plans
from targets.periods import deadline

from ..models import CompletenessRollup, ReminderRun


@login_required
@allowed_by(policy.may_view_dashboard)
@require_GET
def report_status(request: HttpRequest) -> HttpResponse:
    """Reports missing and late per department × county, reminders sent, rates by month.

    The city's page (its reviewers, leaders, auditors, administrators): every county's gaps
    and the city's rates. A county's reviewer finds their county's gaps on the review page."""
    plan = local_plans().filter(status=Plan.Status.ACTIVE).order_by("-year").first()
    context: dict[str, Any] = {"plan": plan}
    if plan is not None:
        now = timezone.now()
        passed = [m for m in range(1, 13) if deadline(plan, m) <= now]
        try:
            month = int(request.GET.get("month") or (passed[-1] if passed else 1))
        except ValueError:
            month = 0
        if not 1 <= month <= 12:
            raise Http404(_("月份必须在 1 到 12 之间。"))
        stored = {
            (row.department_id, row.month): row
            for row in CompletenessRollup.objects.filter(plan=plan).select_related("department")
        }
        departments = Department.objects.filter(
            pk__in={department_id for department_id, _month in stored}
        ).order_by("order", "code")
        rates = []
        for department in departments:
            cells = []
            for m in range(1, 13):
                row = stored.get((department.pk, m))
                cells.append(
                    {
                        "month": m,
                        "row": row,
                        "reported": _share(row.received, row.expected) if row else None,
                        "on_time": _share(row.on_time, row.expected) if row else None,
                        "due": deadline(plan, m) <= now,
                    }
                )
            rates.append({"department": department, "cells": cells})
        context.update(
            month=month,
            months=range(1, 13),
            deadline=deadline(plan, month),
            gaps=gaps(plan, month),
            run=ReminderRun.objects.filter(plan=plan, month=month).first(),
            rates=rates,
        )
    return render(request, "reporting/report_status.html", context)


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None
