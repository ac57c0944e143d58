"""项目库 and 一项目一台账: the library, a project's ledger page and workbook, its files, and the
pages that enter, send and review its rows.

Every view fetches its object and asks the policy in one helper: a project or row the user may
not read does not exist for them (404); one they read but may not change is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skills_plan.views import allowed_by

from .. import evidence, policy, services
from ..models import Project, ProjectEntry, ProjectFile, places_of
from ..models.projects import KIND_FIELDS
from ..selectors import active_plan
from ..services.projects import EDITABLE
from .project_forms import EntryForm, EntryReviewForm, ProjectFileForm
from .project_ledger import ledger_parts, ledger_workbook

PAGE_SIZE = 20
Kind = ProjectEntry.Kind
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def readable_project(request: HttpRequest, project_id: int) -> Project:
    """The project, if this user may read it; to anyone else it does not exist (404)."""
    project = get_object_or_404(
        Project.objects.select_related("plan", "department", "region", "county", "milestone"),
        pk=project_id,
    )
    if not policy.may_read_project(request.user, project):
        raise Http404
    return project


def _readable_entry(request: HttpRequest, entry_id: int) -> ProjectEntry:
    rows = ProjectEntry.objects.select_related(
        "project__plan", "project__department", "project__region", "project__county", "indicator"
    )
    entry = get_object_or_404(policy.readable_project_entries(request.user, rows), pk=entry_id)
    if not policy.may_read_project(request.user, entry.project):
        raise Http404
    return entry


def _ledger_url(project: Project, kind: str = "") -> str:
    url = reverse("project-ledger", args=[project.pk])
    return f"{url}#part-{kind}" if kind else url


@login_required
@allowed_by(policy.may_view_projects)
@require_GET
def projects(request: HttpRequest) -> HttpResponse:
    """The library: the projects this user may read, filtered by county, a page at a time."""
    shown = policy.readable_projects(
        request.user,
        Project.objects.select_related("plan", "department", "region", "county"),
    ).order_by("-plan__year", "code")
    plan = active_plan()  # the counties to choose from: the current plan's places
    regions = list(places_of(plan)) if plan is not None else []
    county = request.GET.get("county", "")
    if county in {region.code for region in regions}:
        shown = shown.filter(county__code=county)
    else:
        county = ""
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "regions": regions,
        "county": county,
        "may_create": policy.may_create_projects(request.user),
    }
    return render(request, "targets/project_list.html", context)


def _ledger_page(request: HttpRequest, project: Project, status: int = 200) -> HttpResponse:
    keeps = policy.may_keep_project_ledger(request.user, project)
    sets = policy.may_set_project(request.user, project.department_id, project.region_id)
    return render(
        request,
        "targets/project_ledger.html",
        {
            "project": project,
            "files": project.files.select_related("evidence__uploaded_by"),
            "parts": ledger_parts(request.user, project),
            "keeps": keeps and policy.plan_is_open(project.plan),
            "may_edit": sets and services.project_setting_refusal(project.plan) is None,
            "reviews": policy.role_of(request.user) == policy.Role.REVIEWER
            and policy.plan_is_open(project.plan),
            "file_form": ProjectFileForm(),
            "kinds": Kind.choices,
        },
        status=status,
    )


@login_required
@require_GET
def project_ledger(request: HttpRequest, project_id: int) -> HttpResponse:
    """One project's ledger (一项目一台账): its facts and files, then one section per part."""
    return _ledger_page(request, readable_project(request, project_id))


@login_required
@require_GET
def project_ledger_xlsx(request: HttpRequest, project_id: int) -> HttpResponse:
    project = readable_project(request, project_id)
    response = HttpResponse(ledger_workbook(request.user, project), content_type=XLSX)
    name = f"project-ledger-{project.plan.year}-{project.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def project_file(request: HttpRequest, file_id: int) -> HttpResponse:
    """A project's 申报书, 建设方案 or other file, to whoever may read the project."""
    link = get_object_or_404(
        ProjectFile.objects.select_related("evidence", "project__plan"), pk=file_id
    )
    if not policy.may_download_project_file(request.user, link):
        raise Http404
    file = link.evidence
    return evidence.evidence_response(file.stored_name, file.download_name, file.content_type)


@login_required
@require_POST
def project_file_attach(request: HttpRequest, project_id: int) -> HttpResponse:
    project = readable_project(request, project_id)
    if not policy.may_keep_project_ledger(request.user, project):
        raise PermissionDenied
    services.require_open_plan(project.plan)
    form = ProjectFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.project_file_attach(
                actor=request.user,
                project=project,
                upload=form.cleaned_data["file"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("文件已上传。"))
            return redirect(_ledger_url(project))
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return _ledger_page(request, project, status=400)


@login_required
@require_POST
def project_file_remove(request: HttpRequest, file_id: int) -> HttpResponse:
    """Take a file off its project: its unit's clerks, while the plan is open."""
    link = get_object_or_404(ProjectFile.objects.select_related("evidence"), pk=file_id)
    project = readable_project(request, link.project_id)
    if not policy.may_keep_project_ledger(request.user, project):
        raise PermissionDenied
    services.require_open_plan(project.plan)
    try:
        services.project_file_detach(actor=request.user, link=link)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _ledger_page(request, project, status=400)
    messages.success(request, _("文件已删除。"))
    return redirect(f"{_ledger_url(project)}#files")


def _entry_page(
    request: HttpRequest, project: Project, kind: str, entry: ProjectEntry | None
) -> HttpResponse:
    """The entry form of a row of ``kind``: GET shows it, POST saves it (a draft)."""
    editable = entry is None or entry.status in EDITABLE
    if request.method == "POST":
        form = EntryForm(request.POST, kind=kind, plan=project.plan)
    else:
        initial = {name: getattr(entry, name) for name in KIND_FIELDS[kind]} if entry else None
        form = EntryForm(kind=kind, plan=project.plan, initial=initial)
    status = 200
    if request.method == "POST":
        services.require_open_plan(project.plan)
        if form.is_valid():
            try:
                saved = services.project_entry_save(
                    actor=request.user,
                    project=project,
                    kind=kind,
                    values=form.values(),
                    entry=entry,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("台账已保存为草稿，核对无误后请报送审核。"))
                return redirect(_ledger_url(project, saved.kind))
        status = 400
    context: dict[str, Any] = {
        "project": project,
        "entry": entry,
        "kind_label": Kind(kind).label,
        "form": form,
        "editable": editable and policy.plan_is_open(project.plan),
        "closed_reason": services.plan_refusal(project.plan),
    }
    return render(request, "targets/project_entry.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_entry_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """A new row of the part named by ``?kind=`` (建设节点 unless named)."""
    project = readable_project(request, project_id)
    if not policy.may_keep_project_ledger(request.user, project):
        raise PermissionDenied
    kind = request.GET.get("kind") or Kind.MILESTONE
    if kind not in Kind.values:
        raise Http404
    return _entry_page(request, project, kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def project_entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A row of the user's unit: changed while a draft or returned, shown when locked."""
    entry = _readable_entry(request, entry_id)
    if not policy.may_keep_project_ledger(request.user, entry.project):
        raise PermissionDenied
    return _entry_page(request, entry.project, entry.kind, entry)


@login_required
@require_POST
def project_entry_submit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _readable_entry(request, entry_id)
    if not policy.may_keep_project_ledger(request.user, entry.project):
        raise PermissionDenied
    services.require_open_plan(entry.project.plan)
    try:
        services.project_entry_submit(actor=request.user, entry=entry)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return render_ledger_error(request, entry)
    messages.success(request, _("台账已报送，等待审核。"))
    return redirect(_ledger_url(entry.project, entry.kind))


@login_required
@require_POST
def project_entry_review(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A reviewer approves or returns (with a comment) one sent row."""
    entry = _readable_entry(request, entry_id)
    if not policy.may_review_project_entry(request.user, entry):
        raise PermissionDenied
    services.require_open_plan(entry.project.plan)
    form = EntryReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["action"] == "approve"
        review = services.project_entry_approve if approve else services.project_entry_return
        try:
            review(actor=request.user, entry=entry, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = _("台账已审核通过。") if approve else _("台账已退回。")
            messages.success(request, done)
            return redirect(_ledger_url(entry.project, entry.kind))
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return render_ledger_error(request, entry)


def render_ledger_error(request: HttpRequest, entry: ProjectEntry) -> HttpResponse:
    """The ledger page again with the refusal's messages (400), nothing written."""
    return _ledger_page(request, entry.project, status=400)
