"""项目库: a project created and changed on its own page (代码, 名称, 单位, 所在县区, 建设内容,
重点工作), for the active plan.

An administrator chooses a project's unit. A clerk does not: a new project is of their own
unit, and a project they change keeps its unit, so no clerk names another unit by editing the
form. ``services.project_save`` decides the rest; its refusals are shown on the form (400) and
nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skills_plan.views import allowed_by

from .. import policy, services
from ..models import Department, Plan, Project, Region
from ..models.work import unit_name
from ..selectors import active_plan
from .project_forms import ProjectForm
from .projects import readable_project


def _own_unit(request: HttpRequest) -> tuple[Department, Region | None]:
    unit = policy.own_project_unit(request.user)
    if unit is None:
        raise PermissionDenied
    department_id, region_id = unit
    region = Region.objects.get(pk=region_id) if region_id is not None else None
    return Department.objects.get(pk=department_id), region


def _unit(
    request: HttpRequest, form: ProjectForm, project: Project | None
) -> tuple[Department, Region | None]:
    """The unit the project is saved for: chosen on the form, else kept, else the clerk's."""
    if policy.may_choose_project_unit(request.user):
        return form.cleaned_data["department"], form.cleaned_data["region"]
    if project is not None:
        return project.department, project.region
    return _own_unit(request)


def _add_errors(form: ProjectForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _save(
    request: HttpRequest, form: ProjectForm, plan: Plan, project: Project | None
) -> Project | None:
    """The form's project through the service; ``None`` with the refusal on the form."""
    if not form.is_valid():
        return None
    department, region = _unit(request, form, project)
    try:
        return services.project_save(
            actor=request.user,
            plan=plan,
            department=department,
            region=region,
            project=project,
            **form.values(),
        )
    except ValidationError as error:
        _add_errors(form, error)
    return None


def _page(request: HttpRequest, plan: Plan | None, project: Project | None) -> HttpResponse:
    """The form: GET shows it, POST saves it and goes to the project's ledger. A closed plan's
    project (or no active plan to create one in) is shown with why, and takes no POST."""
    context: dict[str, Any] = {"project": project, "plan": plan, "form": None}
    choose = policy.may_choose_project_unit(request.user)
    if not choose:
        unit = (project.department, project.region) if project else _own_unit(request)
        context["unit_name"] = unit_name(*unit)
    if plan is None:
        context["refusal"] = _("没有进行中的年度方案，不能新建项目。")
    else:
        context["refusal"] = services.project_setting_refusal(plan)
    if context["refusal"] is not None:
        if request.method == "POST":
            raise services.PlanNotOpen(context["refusal"])
        return render(request, "targets/project_form.html", context)
    if request.method == "POST":
        form = ProjectForm(request.POST, plan=plan, choose_unit=choose)
        saved = _save(request, form, plan, project)
        if saved is not None:
            done = _("项目信息已保存。") if project is not None else _("项目已创建。")
            messages.success(request, done)
            return redirect("project-ledger", saved.pk)
        context["form"] = form
        return render(request, "targets/project_form.html", context, status=400)
    initial = ProjectForm.initial_of(project) if project is not None else None
    context["form"] = ProjectForm(plan=plan, choose_unit=choose, initial=initial)
    return render(request, "targets/project_form.html", context)


@login_required
@allowed_by(policy.may_create_projects)
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """A new project of the active plan: an administrator's for any unit, a clerk's for theirs."""
    return _page(request, active_plan(), None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project's facts changed, by those who may set its unit's projects."""
    project = readable_project(request, project_id)
    if not policy.may_set_project(request.user, project.department_id, project.region_id):
        raise PermissionDenied
    return _page(request, project.plan, project)
