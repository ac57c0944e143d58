"""The clerk's 工作台账 pages: the work items of their unit, the unit's steps (工作措施) of an
item, one month's reports with their evidence files, a file taken off, a correction.

A step, report or item of a unit the clerk does not cover does not exist for them (404); every
write goes through a service, which asks the policy again.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from skills_plan.views import allowed_by

from ... import evidence, policy, services
from ...grid import month_is_open, open_months
from ...models import Department, EvidenceFile, Milestone, Region, StepReport, WorkStep
from ...selectors import active_plan
from ...work_forms import StepCorrectionForm, StepForm, StepReportForm
from ...work_selectors import work_items
from ..form_page import form_page
from .units import (
    Progress,
    Status,
    StepRow,
    covers,
    item_units,
    latest_month,
    month_rows,
    my_items,
    my_steps,
    unit_key,
    unit_label,
    work_plan,
)
from .units import check_month as check_month_number


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET"])
def work_index(request: HttpRequest) -> HttpResponse:
    """The work items the clerk's unit answers for, each with the unit's steps and where they
    stand as of the latest month; the months to report on."""
    plan = active_plan()
    items: list[dict[str, Any]] = []
    months: list[dict[str, Any]] = []
    month = None
    if plan is not None:
        month = latest_month(plan)
        mine = {item.pk: item for item in my_items(request.user, plan)}
        for state in work_items(plan, month):
            if state.item.pk not in mine:
                continue
            units = [u for u in item_units(mine[state.item.pk]) if covers(request.user, u)]
            items.append(
                {
                    "state": state,
                    "is_lead": (state.item.department_id, state.item.region_id) in units,
                    "label": Progress(state.status).label,
                    "steps": [
                        (s, Progress(s.status).label)
                        for s in state.steps
                        if covers(request.user, _unit_of(s.step))
                    ],
                }
            )
        months = _months(request.user, plan)
    return render(
        request,
        "targets/work_index.html",
        {
            "plan": plan,
            "month": month,
            "items": items,
            "months": months,
            "returned_total": sum(row["returned"] for row in months),
        },
    )


def _unit_of(step: WorkStep) -> tuple[int, int | None]:
    return (step.department_id, step.region_id)


def _months(user: Any, plan: Any) -> list[dict[str, Any]]:
    """The begun months, latest first, each with how far the unit's reports have got."""
    steps = my_steps(user, plan)
    counts: Counter[tuple[int, str]] = Counter(
        StepReport.objects.filter(step__in=steps, is_current=True).values_list("month", "status")
    )
    rows = []
    for month in reversed(open_months(plan)):
        by_status = {status: counts[(month, status)] for status in Status.values}
        rows.append(
            {
                "month": month,
                "empty": len(steps) - sum(by_status.values()),
                "draft": by_status[Status.DRAFT],
                # Sent and waiting, at either level of review.
                "submitted": by_status[Status.SUBMITTED] + by_status[Status.VERIFIED],
                "returned": by_status[Status.RETURNED],
                "approved": by_status[Status.APPROVED],
            }
        )
    return rows


# --- steps (工作措施) -------------------------------------------------------------------------


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def work_steps(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """The steps the clerk's units set for one work item: add one, change one."""
    item = get_object_or_404(_items(), pk=milestone_id)
    plan = item.plan
    if not policy.may_enter_plan(request.user, plan):
        raise Http404
    units = [u for u in item_units(item) if covers(request.user, u)]
    if not units:
        # An item the clerk's unit does not answer for does not exist for them.
        raise Http404
    choices = [(unit_key(u), unit_label(item, u)) for u in units]
    steps = [
        step
        for step in item.steps.select_related("department", "region")
        if covers(request.user, _unit_of(step))
    ]
    status = 200
    posted: StepForm | None = None
    if request.method == "POST":
        services.require_open_plan(plan)
        raw = str(request.POST.get("step", "")).strip()
        if raw and raw not in {str(step.pk) for step in steps}:
            raise Http404  # another unit's or item's step, or none
        posted = StepForm(request.POST, units=choices, auto_id=_step_auto_id(request.POST))
        if _set_step(request, posted, item, units, steps):
            return redirect("work-steps", milestone_id=item.pk)
        status = 400
    forms = []
    for step in steps:
        initial = {
            "step": step.pk,
            "unit": unit_key(_unit_of(step)),
            "title": step.title,
            "due_on": step.due_on,
            "order": step.order,
        }
        if posted is not None and posted.data.get("step") == str(step.pk):
            forms.append((step, posted))
        else:
            auto_id = _step_auto_id(initial)
            forms.append((step, StepForm(initial=initial, units=choices, auto_id=auto_id)))
    if posted is not None and not posted.data.get("step"):
        new = posted
    else:
        new = StepForm(units=choices, auto_id=_step_auto_id({}))
    return render(
        request,
        "targets/work_steps.html",
        {
            "plan": plan,
            "item": item,
            "units": [label for _key, label in choices],
            "step_forms": forms,
            "new_form": new,
            "closed_reason": services.plan_refusal(plan),
        },
        status=status,
    )


def _step_auto_id(data: Any) -> str:
    """Each step's form on the page has its own field ids; the new step's form, "new-…"."""
    step = str(data.get("step") or "")
    return f"step{step if step.isdigit() else '-new'}-%s"


def _items() -> Any:
    """Work items with what naming their units needs."""
    return Milestone.objects.select_related("plan", "department", "region").prefetch_related(
        "work_units__department", "work_units__region"
    )


def _set_step(
    request: HttpRequest,
    form: StepForm,
    item: Milestone,
    units: list[tuple[int, int | None]],
    steps: list[WorkStep],
) -> bool:
    """Write the posted step through the service; False (the form has the errors) if refused."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    # The posted step is one of ``steps`` (checked before the form).
    step = next((s for s in steps if s.pk == data["step"]), None)
    department_id, region_id = next(u for u in units if unit_key(u) == data["unit"])
    try:
        saved = services.work_step_set(
            actor=request.user,
            milestone=item,
            department=Department.objects.get(pk=department_id),
            region=Region.objects.get(pk=region_id) if region_id else None,
            title=data["title"],
            due_on=data["due_on"],
            order=data["order"] or 0,
            step=step,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    message = _("已修改工作措施“%(title)s”。") if step else _("已添加工作措施“%(title)s”。")
    messages.success(request, message % {"title": saved.title})
    return True


# --- one month's reports ----------------------------------------------------------------------


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def work_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One form per step of the clerk's units: 进展状态, 工作进展, 存在问题 and evidence files;
    保存 (a draft) or 报送 (sent for review). A file refused is named with why, and nothing of
    that POST is saved: the clerk chooses the files again."""
    plan = work_plan(request.user, year)
    check_month_number(month)
    rows = month_rows(request.user, plan, month)
    is_open = month_is_open(plan, month)
    status = 200
    if request.method == "POST":
        services.require_open_plan(plan)
        if not is_open:
            raise PermissionDenied(_("%(month)s月尚未开始，不能填报。") % {"month": month})
        raw = str(request.POST.get("step", "")).strip()
        if not raw:
            messages.error(request, _("没有选择工作措施，未保存任何内容。"))
        else:
            row = _posted_row(raw, rows)
            row.form = StepReportForm(request.POST, auto_id=f"s{row.step.pk}-%s")
            if _report(request, row.form, row, month):
                return redirect(f"{reverse('work-month', args=[year, month])}#step-{row.step.pk}")
        status = 400
    for row in rows:
        if row.form is None and row.editable:
            row.form = StepReportForm(initial=_initial(row), auto_id=f"s{row.step.pk}-%s")
    return render(
        request,
        "targets/work_month.html",
        {
            "plan": plan,
            "month": month,
            "rows": rows,
            "is_open": is_open,
            "closed_reason": services.plan_refusal(plan),
            "returned": [row for row in rows if row.status == Status.RETURNED],
            "overdue": sum(1 for row in rows if row.state.overdue),
            "accept": ",".join(sorted(evidence.EXTENSIONS)),
            "max_file": evidence.file_size_label(settings.EVIDENCE_MAX_BYTES),
        },
        status=status,
    )


def _initial(row: StepRow) -> dict[str, Any]:
    report = row.report
    if report is None:
        return {"step": row.step.pk}
    return {
        "step": row.step.pk,
        "progress": report.progress,
        "done": report.done,
        "problems": report.problems,
    }


def _posted_row(raw: str, rows: list[StepRow]) -> StepRow:
    """The posted step, which must be one of the clerk's on the page: else 404."""
    row = next((row for row in rows if str(row.step.pk) == raw), None)
    if row is None:
        raise Http404
    return row


def _report(request: HttpRequest, form: StepReportForm, row: StepRow, month: int) -> bool:
    """Check the files, save the report, attach the files, send it if asked: True when done.

    Every file is checked before anything is written; one refused and nothing is saved.
    """
    if not form.is_valid():
        return False
    uploads = request.FILES.getlist("files")
    refused = []
    for upload in uploads:
        try:
            evidence.check_evidence(upload)
        except ValidationError as error:
            refused += error.messages
    if refused:
        for text in refused:
            form.add_error(None, text)
        form.add_error(None, _("本次填报未保存：请换用符合要求的文件，重新选择后再保存。"))
        return False
    data = form.cleaned_data
    submit = data["action"] == "submit"
    try:
        report = services.step_report_save(
            actor=request.user,
            step=row.step,
            month=month,
            progress=data["progress"],
            done=data["done"],
            problems=data["problems"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    attached = []
    for upload in uploads:
        try:
            attached.append(
                services.evidence_attach(actor=request.user, report=report, upload=upload)
            )
        except ValidationError as error:
            # Checked above: only a limit reached meanwhile (the plan's total, files per
            # report) refuses here. The report is saved as a draft; say which file is not.
            for text in error.messages:
                messages.error(request, text)
            submit = False
    if submit:
        try:
            services.step_report_submit(actor=request.user, report=report)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            submit = False
    values = {"title": row.step.title, "n": len(attached)}
    if submit:
        messages.success(request, _("已报送“%(title)s”的台账，等待审核。") % values)
    elif uploads and len(attached) < len(uploads):
        messages.warning(request, _("“%(title)s”的台账已保存为草稿，尚未报送。") % values)
    elif attached:
        saved = _("已保存“%(title)s”的台账草稿，添加佐证材料 %(n)s 个。")
        messages.success(request, saved % values)
    else:
        messages.success(request, _("已保存“%(title)s”的台账草稿。") % values)
    return True


def _my_report(request: HttpRequest, report_id: int) -> StepReport:
    """A report of a unit the clerk covers; another unit's does not exist for them."""
    report = get_object_or_404(
        StepReport.objects.select_related("step__milestone__plan", "step__department"),
        pk=report_id,
    )
    if not policy.may_report_step(request.user, report.step):
        raise Http404
    if not policy.may_enter_plan(request.user, report.step.milestone.plan):
        raise Http404
    return report


@login_required
@allowed_by(policy.may_enter)
@require_POST
def work_evidence_remove(request: HttpRequest, report_id: int, file_id: int) -> HttpResponse:
    """Take a file off a draft or returned report."""
    report = _my_report(request, report_id)
    file = get_object_or_404(EvidenceFile, pk=file_id, report_links__report=report)
    plan = report.step.milestone.plan
    services.require_open_plan(plan)
    try:
        services.evidence_detach(actor=request.user, report=report, file=file)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("已删除佐证材料“%(name)s”。") % {"name": file.download_name})
    url = reverse("work-month", args=[plan.year, report.month])
    return redirect(f"{url}#step-{report.step_id}")


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def work_correct(request: HttpRequest, report_id: int) -> HttpResponse:
    """Correct an approved report: a new revision with a reason, reviewed again; its files
    are carried over."""
    report = _my_report(request, report_id)
    plan = report.step.milestone.plan
    initial = {"progress": report.progress, "done": report.done, "problems": report.problems}
    month_url = reverse("work-month", args=[plan.year, report.month])
    return form_page(
        request,
        StepCorrectionForm(request.POST or None, initial=initial),
        lambda data: services.step_report_correct(actor=request.user, report=report, **data),
        plan=plan,
        done=_("更正已保存为草稿，请在本月台账页报送审核（更正通过审核前原台账仍有效）。"),
        then=f"{month_url}#step-{report.step_id}",
        template="targets/work_correct.html",
        context={
            "plan": plan,
            "report": report,
            "correctable": report.is_current and report.status == Status.APPROVED,
        },
    )
