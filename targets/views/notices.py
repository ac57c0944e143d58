"""Supervision notices (督办单): the reviewer's list, a clerk's own notices and their answer.

The system raises notices for judged red goals and quotas and closes them when a later month
is judged back on track (``reporting.supervision``); people read them here, with their 办理时限
and whether they are overdue (逾期); the responsible clerk answers an open one; a reviewer may
close one (销号) with a reason. Another department's or county's notice does not exist for a
clerk (404). The reviewer's list also names the reports still missing for the due month
(催报): those rows are pending, not judged, and get no notice.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skills_plan.views import allowed_by

from .. import completeness, periods, policy, services
from ..forms import NoticeAnswerForm, NoticeCloseForm, save_form
from ..models import Plan, SupervisionNotice
from ..selectors import active_plan
from .form_page import form_page

Status = SupervisionNotice.Status
# Open ones first: they wait for an answer; then answered ones, still red; closed last.
STATUS_ORDER = Case(
    When(status=Status.OPEN, then=Value(0)),
    When(status=Status.ANSWERED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _listing(request: HttpRequest, plan: Plan | None) -> dict[str, Any]:
    """The notices of the active plan this user may read, filtered by ``?status=``."""
    scope = SupervisionNotice.objects.none()
    if plan is not None:
        scope = policy.readable_notices(request.user, SupervisionNotice.objects.filter(plan=plan))
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = dict(scope.values_list("status").annotate(n=Count("id")).order_by())
    shown = scope.filter(status=status) if status else scope
    notices = list(
        shown.select_related("indicator__department", "region", "answered_by", "closed_by")
        .prefetch_related("events__actor")
        .order_by(
            STATUS_ORDER, "-month", "indicator__order", "indicator__code", "region__order", "id"
        )
    )
    return {
        "plan": plan,
        "overdue": sum(1 for notice in notices if notice.overdue),
        "notices": notices,
        "status": status,
        "filters": [
            {"value": "", "label": _("全部"), "n": sum(counts.values())},
            *(
                {"value": value, "label": label, "n": counts.get(value, 0)}
                for value, label in Status.choices
            ),
        ],
    }


@login_required
@allowed_by(policy.may_read_all_notices)
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """Every notice of the active plan: open, answered, closed; and the reports to chase."""
    return render(request, "targets/notices.html", _reviewer_listing(request, active_plan()))


def _reviewer_listing(request: HttpRequest, plan: Plan | None, **extra: Any) -> dict[str, Any]:
    context = _listing(request, plan)
    due = periods.due_as_of(plan) if plan is not None else None
    context.update(
        due_month=due,
        reminders=completeness.missing_reports(plan, due) if due is not None else [],
        may_close=policy.may_close_notice(request.user),
        close_form=NoticeCloseForm(),
    )
    context.update(extra)
    return context


@login_required
@allowed_by(policy.may_close_notice)
@require_POST
def notice_close(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A reviewer closes (销号) an open or answered notice, with a reason (CSRF-checked POST)."""
    notice = get_object_or_404(SupervisionNotice.objects.select_related("plan"), pk=notice_id)
    services.require_open_plan(notice.plan)
    form = NoticeCloseForm(request.POST)
    if save_form(
        form,
        lambda data: services.notice_close(
            actor=request.user, notice=notice, reason=data["reason"]
        ),
    ):
        messages.success(request, _("督办单已销号。"))
        return redirect("notices")
    return render(
        request,
        "targets/notices.html",
        _reviewer_listing(request, active_plan(), close_form=form, close_notice=notice.pk),
        status=400,
    )


@login_required
@allowed_by(policy.may_enter)
@require_GET
def my_notices(request: HttpRequest) -> HttpResponse:
    """The notices of the clerk's department (and county), with a link to answer open ones."""
    return render(request, "targets/notice_mine.html", _listing(request, active_plan()))


def _answerable(request: HttpRequest, notice_id: int) -> SupervisionNotice:
    """The notice, if this clerk answers for it; another department's or county's: 404."""
    notice = get_object_or_404(
        SupervisionNotice.objects.select_related(
            "plan", "indicator__department", "region", "answered_by"
        ),
        pk=notice_id,
    )
    if not policy.may_answer_notice(request.user, notice):
        raise Http404
    return notice


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def notice_answer(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Answer an open notice: why the quota is behind and how it will catch up."""
    notice = _answerable(request, notice_id)
    return form_page(
        request,
        # An empty POST is a form with nothing filled in, not a blank page.
        NoticeAnswerForm(request.POST if request.method == "POST" else None),
        lambda data: services.notice_answer(
            actor=request.user,
            notice=notice,
            explanation=data["explanation"],
            catch_up_plan=data["catch_up_plan"],
        ),
        plan=notice.plan,
        done=_("督办单已反馈。"),
        then=reverse("my-notices"),
        template="targets/notice_answer.html",
        context={
            "notice": notice,
            "is_open": notice.status == Status.OPEN and policy.plan_is_open(notice.plan),
        },
    )
