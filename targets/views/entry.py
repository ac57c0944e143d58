"""The clerk's pages: the months open for entry, one month's grid (on the page or as an Excel
template), a withdrawal, a correction.

Every view asks the access policy first; the grid only ever holds the clerk's own series and
counties, and a posted cell outside it is refused (403) before anything is read or saved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skills_plan.views import allowed_by

from .. import policy, services
from ..forms import CorrectionForm, MonthEntryForm, WithdrawForm
from ..grid import Grid, cell_keys, month_grid, month_is_open, open_months
from ..models import Plan, Submission
from ..periods import deadline, last_day_on_time
from ..selectors import active_plan, plan_for
from ..workbooks.entry import build_template, template_filename
from ..workbooks.entry_upload import read_upload, refusal_messages
from ..workbooks.upload import UploadRefused
from .form_page import form_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Status = Submission.Status
MonthView = Callable[[HttpRequest, int, int], HttpResponse]


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
        regions = policy.enterable_regions(request.user, plan)
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
        for month in reversed(open_months(plan)):
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
                    # Approved by the county, not yet by the city: still waiting.
                    Status.SUBMITTED: by_status[Status.SUBMITTED] + by_status[Status.VERIFIED],
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


def _entry_plan(request: HttpRequest, year: int, month: int) -> Plan:
    """The plan of ``year`` the clerk enters into, and a month of it; else 404."""
    plan = plan_for(request.user, year, to_enter=True)
    if plan is None:
        raise Http404(_("没有 %(year)s 年的方案。") % {"year": year})
    if not 1 <= month <= 12:
        raise Http404(_("月份必须在 1 到 12 之间。"))
    return plan


def _save(
    request: HttpRequest, plan: Plan, month: int, data: Mapping[str, Any], *, submit: bool
) -> Grid:
    """The month saved from posted cells (the page's or an upload's): a forged cell is 403."""
    form = MonthEntryForm(data, keys=cell_keys(request.user, plan))
    if form.forged():
        raise PermissionDenied(_("提交的数据中包含您无权填报的部门或县区。"))
    return services.month_save(
        actor=request.user, plan=plan, month=month, cells=form.cells(), submit=submit
    )


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def entry_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month's grid: series × counties; save as draft, or save and send for review."""
    plan = _entry_plan(request, year, month)
    status = 200
    if request.method == "POST":
        services.require_open_plan(plan)
        submit = request.POST.get("action") == "submit"
        try:
            grid = _save(request, plan, month, request.POST, submit=submit)
        except services.EntryRefused as refused:
            grid = refused.grid
            status = 400
            messages.error(request, _("本月数据未保存：请按各单元格旁的提示修改后重新提交。"))
        else:
            _saved_message(request, grid, month, submit=submit)
            return redirect("entry-month", year=year, month=month)
    else:
        grid = month_grid(request.user, plan, month)
    return render(
        request, "targets/entry_month.html", month_context(plan, grid, month), status=status
    )


def _saved_message(request: HttpRequest, grid: Grid, month: int, *, submit: bool) -> None:
    """Say what the save did: nothing written is not "已保存"."""
    if submit and grid.sent:
        messages.success(request, _("已保存并报送 %(month)s月数据。") % {"month": month})
    elif grid.saved:
        messages.success(request, _("已保存 %(month)s月草稿。") % {"month": month})
    else:
        messages.info(request, _("没有修改，本月数据未作任何改动。"))


def month_context(plan: Plan, grid: Grid, month: int) -> dict[str, Any]:
    """What the month page shows beside the grid: its state, what to do, what was returned."""
    is_open = month_is_open(plan, month)
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


def _month_write(view: Callable[[HttpRequest, Plan, int], HttpResponse]) -> MonthView:
    """A clerk's POST that writes into a month: the view gets the plan, open to writes (else
    403), and the month."""

    @login_required
    @allowed_by(policy.may_enter)
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, year: int, month: int) -> HttpResponse:
        plan = _entry_plan(request, year, month)
        services.require_open_plan(plan)
        return view(request, plan, month)

    return wrapped


@_month_write
def entry_withdraw(request: HttpRequest, plan: Plan, month: int) -> HttpResponse:
    """Take back the month's figures sent and not reviewed yet (撤回): drafts again."""
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        withdrawn = services.month_withdraw(
            actor=request.user, plan=plan, month=month, ids=form.cleaned_data["ids"] or None
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
    return redirect("entry-month", year=plan.year, month=month)


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
    return form_page(
        request,
        CorrectionForm(request.POST or None, initial={"value": submission.value}),
        lambda data: services.submission_correct(
            actor=request.user,
            submission=submission,
            value=data["value"],
            reason=data["reason"],
            note=data["note"],
        ),
        plan=plan,
        done=_("更正已保存为草稿，请在月度填报页报送审核（更正通过审核前原数仍有效）。"),
        then=reverse("entry-month", kwargs={"year": plan.year, "month": submission.month}),
        template="targets/entry_correct.html",
        context={"plan": plan, "submission": submission},
    )


@login_required
@allowed_by(policy.may_enter)
@require_GET
def entry_template(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month of the clerk's own grid as a protected, signed .xlsx."""
    plan = _entry_plan(request, year, month)
    response = HttpResponse(build_template(request.user, plan, month), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, template_filename(request.user, plan, month)
    )
    response["Cache-Control"] = "no-store"
    return response


@_month_write
def entry_upload(request: HttpRequest, plan: Plan, month: int) -> HttpResponse:
    """Save (or save and send) a month from an uploaded template; nothing on any error."""
    submit = request.POST.get("action") == "submit"
    upload = request.FILES.get("file")
    if upload is None:
        return _upload_refused(request, plan, month, [_("请选择要上传的Excel文件。")])
    try:
        data = read_upload(upload, request.user, plan, month)
    except UploadRefused as refused:
        return _upload_refused(request, plan, month, refused.messages)
    try:
        grid = _save(request, plan, month, data, submit=submit)
    except services.EntryRefused as refused:
        return _upload_refused(request, plan, month, refusal_messages(refused.grid, data))
    if not grid.saved and not grid.sent:
        messages.info(request, _("Excel文件中没有修改，本月数据未作任何改动。"))
    elif submit and grid.sent:
        messages.success(request, _("已从Excel导入并报送 %(month)s月数据。") % {"month": month})
    else:
        messages.success(
            request, _("已从Excel导入 %(month)s月数据，保存为草稿。") % {"month": month}
        )
    return redirect("entry-month", year=plan.year, month=month)


def _upload_refused(
    request: HttpRequest, plan: Plan, month: int, errors: list[str]
) -> HttpResponse:
    """The month page again as stored, with what was wrong in the upload by sheet cell."""
    messages.error(request, _("Excel文件未导入，本月数据没有任何改动。"))
    grid = month_grid(request.user, plan, month)
    return render(
        request,
        "targets/entry_month.html",
        {**month_context(plan, grid, month), "upload_errors": errors},
        status=400,
    )
