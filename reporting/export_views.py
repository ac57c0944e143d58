"""The auditors' exports: the page (/exports/) and the summary workbook's download.

Auditors and administrators only (``policy.may_export``); everyone else 403. The workbook is
written to a temporary file (openpyxl's write-only mode needs a seekable file to zip into),
logged with its SHA-256, then streamed from that file.
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from targets import policy
from targets.models import Plan
from targets.views import _active_plan, _page, allowed_by

from . import dashboard, exports, selectors
from .models import ExportLog

RECENT_EXPORTS = 50


@login_required
@allowed_by(policy.may_export)
@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """Choose a plan and an as-of month; the download link; the exports made so far."""
    plans = list(Plan.objects.order_by("-year"))
    plan = next((p for p in plans if str(p.year) == request.GET.get("year")), None)
    plan = plan or _active_plan() or (plans[0] if plans else None)
    context = {"plans": plans, "plan": plan}
    if plan is not None:
        try:
            month = selectors.parse_as_of(plan, request.GET.get("as_of"))
        except selectors.BadAsOf as exc:
            month = selectors.default_as_of(plan)
            context["message"] = str(exc)
        context.update(
            month=month,
            as_of=f"{plan.year}-{month:02d}",
            months=dashboard.month_choices(plan),
            file_name=exports.file_name(plan, month),
        )
    context["logs"] = ExportLog.objects.select_related("plan", "exported_by")[:RECENT_EXPORTS]
    return _page(request, "reporting/exports.html", context, 400 if "message" in context else 200)


@login_required
@allowed_by(policy.may_export)
@require_GET
def summary_download(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    try:
        month = selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        return _page(
            request,
            "reporting/exports.html",
            {"plans": [plan], "plan": None, "message": str(exc), "logs": []},
            400,
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once streamed
    exports.export_summary(
        out=out, plan=plan, month=month, user=request.user, source=ExportLog.Source.WEB
    )
    response = FileResponse(
        out,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = exports.file_name(plan, month)
    response["Content-Disposition"] = (
        f'attachment; filename="summary-{plan.year}-{month:02d}.xlsx"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response
