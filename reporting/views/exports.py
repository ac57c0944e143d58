"""The auditors' exports: the page (/exports/) and the summary workbook's download.

Auditors and administrators only (``policy.may_export``); everyone else 403. A county's
workbook (its rows only) with ``?unit=<code>`` (``units.paper_place``): a county's auditor
exports their county's (without ``unit`` too), never another's (404) or the city's (403); the
city's exporters export every county's. The workbook is written to a temporary file
(openpyxl's write-only mode needs a seekable file to zip into), logged with its SHA-256, then
streamed from that file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial, wraps
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from skills_plan.views import allowed_by
from targets import policy
from targets.models import Plan, Region, places_of
from targets.selectors import default_plan, plan_for

from .. import dashboard, selectors, tasks
from ..exports import jobs, workbook
from ..models import ExportJob, ExportLog
from .units import paper_place, unit_query

RECENT_EXPORTS = 50
RECENT_JOBS = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AsOfView = Callable[[HttpRequest, Plan, int, Region | None], HttpResponse]
YearView = Callable[[HttpRequest, int], HttpResponse]


def _place(request: HttpRequest) -> Region | None:
    """The county whose workbook is asked for (``?unit=``; None: the city's), if the user may
    export it."""
    return paper_place(
        request.user,
        request.GET.get("unit"),
        city=policy.may_export,
        county=policy.may_export_county,
    )


def _may_export(user: Any, region: Region | None) -> bool:
    if region is None:
        return policy.may_export(user)
    return policy.may_export_county(user, region)


def _logs(user: Any, region: Region | None) -> QuerySet[ExportLog]:
    """The exports made so far: every one for the city's exporters; a county's auditor, their
    county's only."""
    logs = ExportLog.objects.select_related("plan", "region", "exported_by")
    return logs if policy.may_export(user) else logs.filter(region=region)


@login_required
@allowed_by(policy.may_open_exports)
@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """Choose a plan, an as-of month (and a county); the download link; the exports made."""
    region = _place(request)
    plans = list(policy.viewable_plans(request.user))
    plan = next((p for p in plans if str(p.year) == request.GET.get("year")), None)
    plan = plan or default_plan(plans)
    context: dict[str, Any] = {
        "plans": plans,
        "plan": plan,
        "region": region,
        "unit_query": unit_query(region),
        # The city's exporters choose a county's workbook here.
        "counties": (
            places_of(plan).exclude(kind=Region.Kind.CITY)
            if plan is not None and policy.may_export(request.user)
            else []
        ),
    }
    if plan is not None:
        try:
            month = selectors.parse_as_of(plan, request.GET.get("as_of"))
        except selectors.BadAsOf as exc:
            month = selectors.default_as_of(plan)
            context["message"] = str(exc)
        rows = workbook.estimate_rows(plan, month, region)
        context.update(
            month=month,
            as_of=f"{plan.year}-{month:02d}",
            months=dashboard.month_choices(plan),
            file_name=workbook.file_name(plan, month, region),
            rows=rows,
            large=jobs.is_large(rows),
            threshold=settings.EXPORT_ASYNC_ROWS,
        )
    context["jobs"] = ExportJob.objects.filter(requested_by=request.user).select_related(
        "plan", "region"
    )[:RECENT_JOBS]
    context["logs"] = _logs(request.user, region)[:RECENT_EXPORTS]
    return render(
        request, "reporting/exports.html", context, status=400 if "message" in context else 200
    )


def _as_of(method: str) -> Callable[[AsOfView], YearView]:
    """An export view of the year's plan as of the month asked for (by ``method``), for the
    city or the county of ``?unit=``: the view gets the plan, month and county; a month
    refused, the exports page with the reason (400)."""

    def decorator(view: AsOfView) -> YearView:
        @login_required
        @allowed_by(policy.may_open_exports)
        @require_http_methods([method])
        @wraps(view)
        def wrapped(request: HttpRequest, year: int) -> HttpResponse:
            data = request.POST if method == "POST" else request.GET
            plan, month = _plan_and_month(request, year, data)
            region = _place(request)
            if isinstance(month, HttpResponse):
                return month
            return view(request, plan, month, region)

        return wrapped

    return decorator


@_as_of("GET")
def summary_download(
    request: HttpRequest, plan: Plan, month: int, region: Region | None
) -> HttpResponse:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once streamed
    workbook.export_summary(
        out=out,
        plan=plan,
        month=month,
        user=request.user,
        source=ExportLog.Source.WEB,
        region=region,
    )
    return _workbook_response(out, plan, month, region)


def _plan_and_month(
    request: HttpRequest, year: int, data: QueryDict
) -> tuple[Plan, int | HttpResponse]:
    """The year's plan (else 404) and the as-of month asked for in ``data``; a month refused:
    the exports page with the reason (400) in its place."""
    plan = _plan_of(request, year)
    try:
        return plan, selectors.parse_as_of(plan, data.get("as_of"))
    except selectors.BadAsOf as exc:
        context = {"plans": [plan], "plan": None, "message": str(exc), "logs": []}
        return plan, render(request, "reporting/exports.html", context, status=400)


def _workbook_response(
    out: IO[bytes], plan: Plan, month: int, region: Region | None = None
) -> FileResponse:
    response = FileResponse(out, content_type=XLSX)
    name = workbook.file_name(plan, month, region)
    response["Content-Disposition"] = (
        f'attachment; filename="{workbook.ascii_name(plan, month, region)}"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


# Background exports ------------------------------------------------------------------------


def _plan_of(request: HttpRequest, year: int) -> Plan:
    """The year's plan, if this user may read it (a draft only administrators); else 404."""
    plan = plan_for(request.user, year)
    if plan is None:
        raise Http404
    return plan


def _start(plan: Plan, month: int, user: object, region: Region | None) -> ExportJob:
    """Record the job; send ``tasks.export_workbook`` once the transaction commits."""
    job = jobs.create(plan, month, user, region)
    transaction.on_commit(partial(_send, job.pk))
    return job


def _send(job_id: int) -> None:
    try:
        tasks.export_workbook.delay(job_id)
    except Exception:  # the broker is down: say so on the job's page
        jobs.not_sent(job_id)


def _job_of(request: HttpRequest, job_id: int) -> ExportJob:
    """The job, if this account asked for it and may still export its workbook (the city's,
    or its county's); anyone else's is not found."""
    job = (
        ExportJob.objects.filter(pk=job_id, requested_by=request.user)
        .select_related("plan", "region")
        .first()
    )
    if job is None or not _may_export(request.user, job.region):
        raise Http404
    return job


@_as_of("POST")
def export_job_create(
    request: HttpRequest, plan: Plan, month: int, region: Region | None
) -> HttpResponse:
    """Queue the workbook for the background (or go to the same one already under way)."""
    under_way = ExportJob.objects.filter(
        plan=plan,
        region=region,
        month=month,
        requested_by=request.user,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ).first()
    job = under_way or _start(plan, month, request.user, region)
    return redirect("export-job", job.pk)


@login_required
@allowed_by(policy.may_open_exports)
@require_GET
def export_job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_of(request, job_id)
    return render(
        request,
        "reporting/export_job.html",
        {
            "job": job,
            "state": jobs.status(job),
            "file_name": workbook.file_name(job.plan, job.month, job.region),
            "unit_query": unit_query(job.region),
        },
    )


@login_required
@allowed_by(policy.may_open_exports)
@require_GET
def export_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    response = JsonResponse(jobs.status(_job_of(request, job_id)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@allowed_by(policy.may_open_exports)
@require_GET
def export_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_of(request, job_id)
    path = jobs.path_of(job)
    if job.status != ExportJob.Status.DONE or path is None or not path.is_file():
        raise Http404
    return _workbook_response(path.open("rb"), job.plan, job.month, job.region)
