"""A county's figure broken down by its parts (乡镇、街道 or 责任单位): the clerk's page.

The clerk who may enter the figure breaks it down while it is a draft or returned; anyone else
of the entry pages finds no such page (404), as for a correction. Once sent, the page shows
the breakdown only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skills_plan.views import allowed_by

from .. import policy, services
from ..forms import BreakdownForm, save_form
from ..models import Submission, parts_of

Status = Submission.Status


def _breakdown_submission(request: HttpRequest, submission_id: int) -> Submission:
    """The figure, if this clerk may enter it and its county splits further; else 404."""
    submission = get_object_or_404(
        Submission.objects.select_related("indicator__plan", "region"), pk=submission_id
    )
    # Another department's or county's figure does not exist for this clerk.
    if not policy.may_enter_cell(request.user, submission.indicator, submission.region):
        raise Http404
    return submission


@login_required
@allowed_by(policy.may_enter)
@require_http_methods(["GET", "POST"])
def entry_parts(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Break a county's figure down by its parts; adding up to the figure, or left blank."""
    submission = _breakdown_submission(request, submission_id)
    parts = list(parts_of(submission.region))
    if not parts:
        raise Http404(_("该县区没有乡镇（责任单位），不能分解。"))
    plan = submission.indicator.plan
    saved = dict(submission.parts.values_list("township_id", "value"))
    form = BreakdownForm(
        request.POST if request.method == "POST" else None,
        parts=parts,
        initial={part.code: saved[part.pk] for part in parts if part.pk in saved},
    )
    status = 200
    if request.method == "POST":
        services.require_open_plan(plan)
        if save_form(
            form,
            lambda _data: services.breakdown_save(
                actor=request.user, submission=submission, values=form.values()
            ),
        ):
            cleared = all(value is None for value in form.values().values())
            messages.success(
                request,
                _("已清除乡镇（责任单位）分解。") if cleared else _("已保存乡镇（责任单位）分解。"),
            )
            return redirect("entry-month", year=plan.year, month=submission.month)
        status = 400
    editable = (
        policy.plan_is_open(plan)
        and submission.is_current
        and submission.status in (Status.DRAFT, Status.RETURNED)
    )
    rows = [(part, saved.get(part.pk)) for part in parts]
    return render(
        request,
        "targets/entry_parts.html",
        {
            "plan": plan,
            "submission": submission,
            "form": form,
            "editable": editable,
            "rows": rows,
            "saved_total": sum(saved.values()),
            "has_breakdown": bool(saved),
            "adds_up": not saved or sum(saved.values()) == submission.value,
            "closed_reason": services.plan_refusal(plan),
        },
        status=status,
    )
