"""The clerk's pages: the months open for entry, one month's grid, a correction.

Every view asks the access policy first; the grid only ever holds the clerk's own series and
counties, and ``entry.month_save`` refuses a posted cell outside it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import entry, policy, services
from .models import Plan, Submission
from .periods import deadline, last_day_on_time
from .views import _active_plan, _page, allowed_by

Status = Submission.Status


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET"])
def entry_index(request: HttpRequest) -> HttpResponse:
    """The months open to this clerk, each with how far its figures have got."""
    plan = _active_plan()
    months: list[dict[str, Any]] = []
    cells = 0
    if plan is not None:
        series = policy.enterable_indicators(request.user, plan.pk)
        regions = policy.enterable_regions(request.user)
        cells = series.count() * regions.count()
        counts = Counter(
            Submission.objects.filter(
                indicator__in=series, region__in=regions, is_current=True
            ).values_list("month", "status")
        )
        now = timezone.now()
        for month in reversed(entry.open_months(plan)):
            by_status = {status: counts.get((month, status), 0) for status in Status.values}
            entered = sum(by_status.values())
            due = deadline(plan, month)
            months.append(
                {
                    "month": month,
                    "due_on": last_day_on_time(plan, month),
                    "overdue": now >= due and by_status[Status.DRAFT] + (cells - entered) > 0,
                    "empty": cells - entered,
                    **by_status,
                }
            )
    return _page(
        request,
        "targets/entry.html",
        {
            "plan": plan,
            "membership": policy.membership_of(request.user),
            "months": months,
            "cells_per_month": cells,
        },
    )


def _plan_of_year(year: int, user: Any) -> Plan:
    plan = Plan.objects.filter(year=year).first()
    if plan is None or not policy.may_enter_plan(user, plan):
        raise Http404(_("没有 %(year)s 年的方案。") % {"year": year})
    return plan


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def entry_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month's grid: series × counties; save as draft, or save and send for review."""
    plan = _plan_of_year(year, request.user)
    if not 1 <= month <= 12:
        raise Http404(_("月份必须在 1 到 12 之间。"))
    status = 200
    if request.method == "POST":
        services.require_open_plan(plan)
        submit = request.POST.get("action") == "submit"
        try:
            grid = entry.month_save(
                actor=request.user, plan=plan, month=month, data=request.POST, submit=submit
            )
        except entry.EntryRefused as refused:
            grid = refused.grid
            status = 400
            messages.error(request, _("本月数据未保存：请按各单元格旁的提示修改后重新提交。"))
        else:
            if submit:
                messages.success(request, _("已保存并报送 %(month)s月数据。") % {"month": month})
            else:
                messages.success(request, _("已保存 %(month)s月草稿。") % {"month": month})
            return redirect("entry-month", year=year, month=month)
    else:
        grid = entry.month_grid(request.user, plan, month)
    is_open = plan.status == Plan.Status.ACTIVE and month in entry.open_months(plan)
    counts = grid.counts()
    return _page(
        request,
        "targets/entry_month.html",
        {
            "plan": plan,
            "grid": grid,
            "month": month,
            "is_open": is_open,
            "closed_reason": services.plan_refusal(plan),
            "counts": counts,
            "can_submit": is_open and (counts["empty"] + counts["draft"] + counts["returned"]) > 0,
            "late": timezone.now() >= grid.deadline,
        },
        status=status,
    )


class CorrectionForm(forms.Form):
    value = forms.CharField(label=gettext_lazy("更正后的数值"), max_length=40)
    reason = forms.CharField(
        label=gettext_lazy("更正理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": gettext_lazy("更正已审核的数据必须填写更正理由。")},
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=1000)

    def clean_value(self) -> int:
        try:
            value = entry.parse_figure(self.cleaned_data["value"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        if value is None:
            raise forms.ValidationError(_("请填写更正后的数值。"))
        return value


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def entry_correct(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Correct an approved figure: a new revision with a reason, reviewed again."""
    submission = get_object_or_404(
        Submission.objects.select_related("indicator__plan", "region"), pk=submission_id
    )
    # Another department's or county's figure does not exist for this clerk.
    if not policy.may_enter_cell(request.user, submission.indicator, submission.region):
        raise Http404
    plan = submission.indicator.plan
    if request.method == "POST":
        services.require_open_plan(plan)
    form = CorrectionForm(request.POST or None, initial={"value": submission.value})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submission_correct(
                    actor=request.user,
                    submission=submission,
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(
                    request,
                    _("更正已保存为草稿，请在月度填报页报送审核（更正通过审核前原数仍有效）。"),
                )
                return redirect("entry-month", year=plan.year, month=submission.month)
        status = 400
    return _page(
        request,
        "targets/entry_correct.html",
        {
            "plan": plan,
            "submission": submission,
            "form": form,
            "closed_reason": services.plan_refusal(plan),
        },
        status=status,
    )
