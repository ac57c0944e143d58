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
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from skills_plan.views import allowed_by

from . import entry, policy, services
from .models import Plan, Submission
from .periods import deadline, last_day_on_time
from .selectors import active_plan

Status = Submission.Status


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET"])
def entry_index(request: HttpRequest) -> HttpResponse:
    """The months open to this clerk, each with how far its figures have got."""
    plan = active_plan()
    months: list[dict[str, Any]] = []
    returned: list[dict[str, Any]] = []
    cells = 0
    if plan is not None:
        series = policy.enterable_indicators(request.user, plan.pk)
        regions = policy.enterable_regions(request.user)
        cells = series.count() * regions.count()
        counts: Counter[tuple[int, str]] = Counter()
        unsent: Counter[int] = Counter()
        late: Counter[int] = Counter()
        dues = {month: deadline(plan, month) for month in range(1, 13)}
        # One read: the current revision of each cell (its status) and the first revision
        # (when the report first reached the bureau).
        for month, status, is_current, revision, first_sent in Submission.objects.filter(
            Q(is_current=True) | Q(revision=1), indicator__in=series, region__in=regions
        ).values_list("month", "status", "is_current", "revision", "first_submitted_at"):
            if is_current:
                counts[(month, status)] += 1
            if revision == 1 and first_sent is None:
                unsent[month] += 1
            elif revision == 1 and first_sent >= dues[month]:
                late[month] += 1
        now = timezone.now()
        for month in reversed(entry.open_months(plan)):
            by_status = {status: counts.get((month, status), 0) for status in Status.values}
            entered = sum(by_status.values())
            due = now >= dues[month]
            # Never sent: no figure yet, or a first revision still a draft.
            not_sent = cells - entered + unsent[month]
            months.append(
                {
                    "month": month,
                    "due_on": last_day_on_time(plan, month),
                    # A month not yet due is never late; past its deadline, what was never
                    # sent is overdue and what was first sent after it is late.
                    "overdue": due and not_sent > 0,
                    "nothing_sent": due and not_sent == cells,
                    "not_sent": not_sent,
                    "late": late[month],
                    "empty": cells - entered,
                    **by_status,
                }
            )
        returned = [row for row in months if row[Status.RETURNED]]
    return render(
        request,
        "targets/entry.html",
        {
            "plan": plan,
            "membership": policy.membership_of(request.user),
            "months": months,
            "returned_months": returned,
            "returned_total": sum(row[Status.RETURNED] for row in returned),
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
            _saved_message(request, grid, month, submit=submit)
            return redirect("entry-month", year=year, month=month)
    else:
        grid = entry.month_grid(request.user, plan, month)
    return render(
        request, "targets/entry_month.html", month_context(plan, grid, month), status=status
    )


def _saved_message(request: HttpRequest, grid: entry.Grid, month: int, *, submit: bool) -> None:
    """Say what the save did: nothing written is not "已保存"."""
    if submit and grid.sent:
        messages.success(request, _("已保存并报送 %(month)s月数据。") % {"month": month})
    elif grid.saved:
        messages.success(request, _("已保存 %(month)s月草稿。") % {"month": month})
    else:
        messages.info(request, _("没有修改，本月数据未作任何改动。"))


def month_context(plan: Plan, grid: entry.Grid, month: int) -> dict[str, Any]:
    """What the month page shows beside the grid: its state, what to do, what was returned."""
    is_open = policy.plan_is_open(plan) and month in entry.open_months(plan)
    counts = grid.counts()
    to_send = counts["empty"] + counts["draft"] + counts["returned"]
    waiting = [cell.current for cell in grid.cells if cell.status == Status.SUBMITTED]
    # Sending now is late only for a report never sent (a returned figure or a correction keeps
    # its first sending) and only once the deadline has passed.
    never_sent = sum(
        1
        for cell in grid.cells
        if cell.current is None
        or (cell.current.revision == 1 and cell.current.first_submitted_at is None)
    )
    return {
        "plan": plan,
        "grid": grid,
        "month": month,
        "is_open": is_open,
        "closed_reason": services.plan_refusal(plan),
        "counts": counts,
        "can_submit": is_open and to_send > 0,
        # Every cell sent (waiting or approved): nothing to save, only to take back.
        "fully_sent": is_open and bool(grid.cells) and to_send == 0,
        "waiting": waiting,
        "returned": [cell for cell in grid.cells if cell.status == Status.RETURNED],
        "late": never_sent > 0 and timezone.now() >= grid.deadline,
    }


@login_required
@allowed_by(policy.may_enter)
@require_POST
def entry_withdraw(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Take back the month's figures sent and not reviewed yet (撤回): drafts again."""
    plan = _plan_of_year(year, request.user)
    if not 1 <= month <= 12:
        raise Http404(_("月份必须在 1 到 12 之间。"))
    services.require_open_plan(plan)
    try:
        ids = [int(value) for value in request.POST.getlist("ids")]
    except ValueError:
        raise Http404 from None
    try:
        withdrawn = services.month_withdraw(
            actor=request.user, plan=plan, month=month, ids=ids or None
        )
    except PermissionDenied as error:
        # Another department's or county's figure does not exist for this clerk.
        raise Http404 from error
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            ngettext(
                "已撤回 %(n)d 个数据，现为草稿，可修改后重新报送。",
                "已撤回 %(n)d 个数据，现为草稿，可修改后重新报送。",
                len(withdrawn),
            )
            % {"n": len(withdrawn)},
        )
    return redirect("entry-month", year=year, month=month)


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
    return render(
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
