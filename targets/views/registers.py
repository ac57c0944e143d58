"""The registers' pages: each register's list (paginated, by status), a row's page (its fields,
its state, and the buttons its reader may use), a new row, the Excel export, and the 整改事项.

A row the user may not read does not exist for them (404); a button they may not use is not
shown, and its POST is refused by the service (404 as well, like the figures' pages).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skills_plan.views import allowed_by

from .. import policy, services
from ..models import (
    REGISTER_MODELS,
    AuditEntry,
    Department,
    Rectification,
    Region,
    RegisterRecord,
    places_of,
)
from ..register_forms import FORMS, CommentForm, ProgressForm, RectificationForm
from ..register_selectors import missing_annual_plans
from ..selectors import active_plan
from ..workbooks.registers import register_workbook, xlsx_response

PAGE_SIZE = 20
Status = RegisterRecord.Status


def _kind(kind: str) -> type[RegisterRecord]:
    if kind not in REGISTER_MODELS:
        raise Http404(_("没有这种台账。"))
    return REGISTER_MODELS[kind]


def _readable(request: HttpRequest, kind: str) -> Any:
    model = _kind(kind)
    return policy.readable_registers(request.user, model.objects.all()).select_related(
        "plan", "department", "region", "entered_by", "reviewed_by"
    )


def _counts(queryset: Any) -> dict[str, int]:
    return dict(queryset.values_list("status").annotate(n=Count("id")).order_by())


def _cells(counts: dict[str, int]) -> list[int]:
    return [counts.get(value, 0) for value in Status.values]


def _title(kind: str) -> str:
    return str(_kind(kind)._meta.verbose_name)


@login_required
@allowed_by(policy.may_read_registers)
@require_GET
def register_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    plan = active_plan()
    registers = [
        {
            "kind": kind,
            "title": _title(kind),
            "cells": _cells(_counts(_readable(request, kind))),
            "may_enter": policy.register_units(request.user, kind) is not None,
        }
        for kind in REGISTER_MODELS
    ]
    items = policy.readable_rectifications(request.user, Rectification.objects.all())
    return render(
        request,
        "targets/registers.html",
        {
            "registers": registers,
            "statuses": Status.choices,
            "open_items": items.filter(closed_on=None).count(),
            "overdue_items": items.filter(closed_on=None, due_on__lt=today).count(),
            "missing_plans": missing_annual_plans(plan) if plan is not None else [],
        },
    )


@login_required
@allowed_by(policy.may_read_registers)
@require_GET
def register_list(request: HttpRequest, kind: str) -> HttpResponse:
    rows = _readable(request, kind)
    status = request.GET.get("status", "")
    counts = _counts(rows)
    if status in Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = Paginator(rows.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "targets/register_list.html",
        {
            "kind": kind,
            "title": _title(kind),
            "page": page,
            "rows": [_summary(kind, row) for row in page],
            "status": status,
            "query": f"status={status}&" if status else "",
            "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "may_enter": policy.register_units(request.user, kind) is not None,
        },
    )


def _summary(kind: str, row: RegisterRecord) -> dict[str, Any]:
    return {"row": row, "name": str(row), "url": reverse("register", args=[kind, row.pk])}


def _fields(kind: str, row: RegisterRecord) -> list[tuple[str, Any]]:
    """The row's own fields as label and shown value, in the form's order."""
    form = FORMS[kind]
    shown = []
    for name in form._meta.fields:
        field = row._meta.get_field(name)
        display = getattr(row, f"get_{name}_display", None)
        value = display() if display else getattr(row, name)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        shown.append((str(field.verbose_name), value))
    return shown


def _unit_for(request: HttpRequest, kind: str, form: Any) -> tuple[Department, Region | None]:
    unit = policy.register_units(request.user, kind)
    if unit is None:
        raise PermissionDenied
    department = Department.objects.get(pk=unit[0])
    region = Region.objects.get(pk=unit[1]) if unit[1] is not None else None
    if kind == "pilots":
        region = form.cleaned_data["region"]
    return department, region


def _form(kind: str, request: HttpRequest, row: RegisterRecord | None = None) -> Any:
    options: dict[str, Any] = {"instance": row}
    if kind == "pilots":
        membership = policy.membership_of(request.user)
        plan = row.plan if row is not None else active_plan()
        regions = places_of(plan) if plan is not None else Region.objects.none()
        if membership is not None and membership.region_id is not None:
            regions = regions.filter(pk=membership.region_id)
        options["regions"] = regions
    if request.method == "POST":
        return FORMS[kind](request.POST, request.FILES, **options)
    return FORMS[kind](**options)


def _save(request: HttpRequest, kind: str, form: Any, row: RegisterRecord | None) -> Any:
    """The form's row through the service; the saved row, or None with the form's errors."""
    plan = active_plan()
    if plan is None or not form.is_valid():
        if plan is None:
            form.add_error(None, _("没有进行中的年度方案，不能登记。"))
        return None
    values = {k: v for k, v in form.cleaned_data.items() if k not in ("upload", "region")}
    try:
        department, region = _unit_for(request, kind, form)
        if row is not None:
            department, region = row.department, row.region
            if kind == "pilots":
                values["region"] = form.cleaned_data["region"]
        return services.register_save(
            actor=request.user,
            kind=kind,
            plan=row.plan if row is not None else plan,
            department=department,
            region=region,
            values=values,
            record=row,
            upload=form.cleaned_data.get("upload"),
        )
    except ValidationError as error:
        _add_errors(form, error)
    except PermissionDenied as error:
        raise Http404 from error
    return None


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@allowed_by(policy.may_read_registers)
@require_http_methods(["GET", "POST"])
def register_new(request: HttpRequest, kind: str) -> HttpResponse:
    _kind(kind)
    if policy.register_units(request.user, kind) is None:
        raise PermissionDenied
    form = _form(kind, request)
    status = 200
    if request.method == "POST":
        saved = _save(request, kind, form, None)
        if saved is not None:
            messages.success(request, _("已保存为草稿；核对无误后请报送。"))
            return redirect("register", kind, saved.pk)
        status = 400
    return render(
        request,
        "targets/register_form.html",
        {"kind": kind, "title": _title(kind), "form": form},
        status=status,
    )


ACTIONS = ("save", "submit", "approve", "return", "reopen", "rectify")


@login_required
@allowed_by(policy.may_read_registers)
@require_http_methods(["GET", "POST"])
def register_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    row = get_object_or_404(_readable(request, kind), pk=pk)
    may_enter = policy.may_enter_register(request.user, kind, row.department_id, row.region_id)
    editable = may_enter and row.status in (Status.DRAFT, Status.RETURNED)
    may_review = policy.may_review_register(request.user) and row.status == Status.SUBMITTED
    form = _form(kind, request, row) if editable else None
    comment = CommentForm(request.POST or None)
    rectify = (
        RectificationForm(request.POST or None, plan=row.plan)
        if kind == "meetings" and editable
        else None
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        if _act(request, kind, row, action, form, comment, rectify):
            return redirect("register", kind, row.pk)
        status = 400
    items = []
    if kind == "meetings":
        items = list(
            policy.readable_rectifications(request.user, row.rectifications.all()).select_related(
                "department", "region", "closed_by", "progress_by"
            )
        )
    return render(
        request,
        "targets/register_page.html",
        {
            "kind": kind,
            "title": _title(kind),
            "row": row,
            "fields": _fields(kind, row),
            "form": form,
            "comment_form": comment,
            "rectify_form": rectify,
            "may_submit": editable,
            "may_review": may_review,
            "may_reopen": may_enter and row.status == Status.APPROVED,
            "items": items,
            "today": timezone.localdate(),
            "trail": _trail(row),
        },
        status=status,
    )


def _act(
    request: HttpRequest,
    kind: str,
    row: RegisterRecord,
    action: str,
    form: Any,
    comment: CommentForm,
    rectify: RectificationForm | None,
) -> bool:
    """One button's POST through its service: True when done (a message is set)."""
    user = request.user
    if action == "save":
        if form is None:
            raise Http404
        if _save(request, kind, form, row) is None:
            return False
        messages.success(request, _("已保存。"))
        return True
    if action == "rectify":
        if rectify is None or not rectify.is_valid():
            return False
        data = rectify.cleaned_data
        write = lambda: services.rectification_add(  # noqa: E731
            actor=user,
            meeting=row,
            description=data["description"],
            department=data["department"],
            region=data["region"],
            due_on=data["due_on"],
        )
        target = rectify
        done = _("已登记整改事项。")
    else:
        if not comment.is_valid():
            return False
        text = comment.cleaned_data["comment"]
        calls = {
            "submit": (lambda: services.register_submit(actor=user, record=row), _("已报送。")),
            "approve": (
                lambda: services.register_approve(actor=user, record=row, comment=text),
                _("已审核通过。"),
            ),
            "return": (
                lambda: services.register_return(actor=user, record=row, comment=text),
                _("已退回。"),
            ),
            "reopen": (
                lambda: services.register_reopen(actor=user, record=row, reason=text),
                _("已重新打开，修改后请再次报送。"),
            ),
        }
        write, done = calls[action]
        target = comment
    try:
        write()
    except ValidationError as error:
        _add_errors(target, error)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, done)
    return True


def _trail(row: RegisterRecord) -> list[Any]:
    return list(
        AuditEntry.objects.filter(object_type=row._meta.label_lower, object_id=row.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


@login_required
@allowed_by(policy.may_read_registers)
@require_GET
def register_export(request: HttpRequest, kind: str) -> HttpResponse:
    rows = list(_readable(request, kind).order_by("pk"))
    items = []
    if kind == "meetings":
        items = list(
            policy.readable_rectifications(
                request.user, Rectification.objects.filter(meeting__in=rows)
            ).select_related("meeting", "department", "region", "closed_by")
        )
    content = register_workbook(kind, rows, items, today=timezone.localdate())
    return xlsx_response(content, f"{_title(kind)}.xlsx")


@login_required
@allowed_by(policy.may_read_registers)
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = policy.readable_rectifications(request.user, Rectification.objects.all())
    shown = request.GET.get("show", "open")
    if shown == "open":
        items = items.filter(closed_on=None)
    elif shown == "overdue":
        items = items.filter(closed_on=None, due_on__lt=today)
    else:
        shown = "all"
    page = Paginator(
        items.select_related("meeting", "department", "region").order_by("due_on", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "targets/rectifications.html",
        {
            "page": page,
            "rows": [
                {
                    "item": item,
                    "overdue": item.is_overdue(today),
                    "may_answer": policy.may_answer_rectification(request.user, item),
                    "may_close": policy.may_review_register(request.user)
                    and item.closed_on is None
                    and item.meeting.status == Status.APPROVED,
                }
                for item in page
            ],
            "show": shown,
            "progress_form": ProgressForm(),
            "close_form": CommentForm(),
        },
    )


@login_required
@allowed_by(policy.may_read_registers)
@require_POST
def rectification_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(
        policy.readable_rectifications(request.user, Rectification.objects.all()), pk=pk
    )
    try:
        if action == "progress":
            form = ProgressForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["progress"])
            services.rectification_progress(
                actor=request.user, item=item, progress=form.cleaned_data["progress"]
            )
            messages.success(request, _("已反馈整改情况。"))
        elif action == "close":
            form = CommentForm(request.POST)
            note = form.cleaned_data["comment"] if form.is_valid() else ""
            services.rectification_close(actor=request.user, item=item, note=note)
            messages.success(request, _("已销号。"))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("rectifications")
