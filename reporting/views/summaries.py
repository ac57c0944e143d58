"""年中督导 (June) and 年底总结 (December): the report page and its Word file, for the
dashboard's readers. Each plan has the two; a month other than 6 or 12 does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skills_plan.views import allowed_by
from targets import policy
from targets.evidence import attachment_disposition
from targets.models import Plan, local_plans

from ..reviews import PERIODS, collect, item_lines, status_label, word
from ..reviews import title_of as review_title

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _plan(request: HttpRequest, year: int, month: int) -> Plan:
    plan = get_object_or_404(local_plans(), year=year)
    if not policy.may_view_plan(request.user, plan) or month not in PERIODS:
        raise Http404(_("没有这份督导总结报告。"))
    return plan


@login_required
@allowed_by(policy.may_view_dashboard)
@require_GET
def summary_list(request: HttpRequest) -> HttpResponse:
    plans = sorted(policy.viewable_plans(request.user), key=lambda plan: -plan.year)
    rows = [
        {"plan": plan, "reports": [(month, review_title(plan, month)) for month in PERIODS]}
        for plan in plans
    ]
    return render(request, "reporting/summaries.html", {"rows": rows})


@login_required
@allowed_by(policy.may_view_dashboard)
@require_GET
def summary_page(request: HttpRequest, year: int, month: int) -> HttpResponse:
    review = collect(_plan(request, year, month), month)
    counts = [(status_label(status), n) for status, n in sorted(review.item_counts.items())]
    return render(
        request,
        "reporting/summary.html",
        {"review": review, "item_counts": counts, "items": item_lines(review)},
    )


@login_required
@allowed_by(policy.may_view_dashboard)
@require_GET
def summary_docx(request: HttpRequest, year: int, month: int) -> HttpResponse:
    review = collect(_plan(request, year, month), month)
    response = HttpResponse(word.build(review), content_type=DOCX)
    response["Content-Disposition"] = attachment_disposition(f"{review.title}.docx")
    response["X-Content-Type-Options"] = "nosniff"
    return response
