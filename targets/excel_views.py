"""The clerk's Excel round trip: download a month's template, upload it filled in.

Both ask the access policy first. An upload is checked whole by ``excel.read_upload`` and saved
by ``entry.month_save``, the same service as the page, so it is validated, audited and saved
whole or not at all in the same way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skills_plan.views import allowed_by

from . import entry, excel, policy, services
from .entry_views import _plan_of_year, month_context
from .models import Plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_and_month(year: int, month: int, user: Any) -> Plan:
    plan = _plan_of_year(year, user)
    if not 1 <= month <= 12:
        raise Http404(_("月份必须在 1 到 12 之间。"))
    return plan


@login_required
@allowed_by(policy.may_enter)
@require_GET
def entry_template(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month of the clerk's own grid as a protected, signed .xlsx."""
    plan = _plan_and_month(year, month, request.user)
    content = excel.build_template(request.user, plan, month)
    filename = excel.template_filename(request.user, plan, month)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@allowed_by(policy.may_enter)
@require_POST
def entry_upload(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Save (or save and send) a month from an uploaded template; nothing on any error."""
    plan = _plan_and_month(year, month, request.user)
    services.require_open_plan(plan)
    submit = request.POST.get("action") == "submit"
    upload = request.FILES.get("file")
    if upload is None:
        return _refused(request, plan, month, [_("请选择要上传的Excel文件。")])
    try:
        data = excel.read_upload(upload, request.user, plan, month)
    except excel.UploadRefused as refused:
        return _refused(request, plan, month, refused.messages)
    try:
        grid = entry.month_save(
            actor=request.user, plan=plan, month=month, data=data, submit=submit
        )
    except entry.EntryRefused as refused:
        return _refused(request, plan, month, excel.refusal_messages(refused.grid, data))
    if not grid.saved and not grid.sent:
        messages.info(request, _("Excel文件中没有修改，本月数据未作任何改动。"))
    elif submit and grid.sent:
        messages.success(request, _("已从Excel导入并报送 %(month)s月数据。") % {"month": month})
    else:
        messages.success(
            request, _("已从Excel导入 %(month)s月数据，保存为草稿。") % {"month": month}
        )
    return redirect("entry-month", year=year, month=month)


def _refused(
    request: HttpRequest,
    plan: Plan,
    month: int,
    errors: list[str],
) -> HttpResponse:
    """The month page again as stored, with what was wrong in the upload by sheet cell."""
    messages.error(request, _("Excel文件未导入，本月数据没有任何改动。"))
    grid = entry.month_grid(request.user, plan, month)
    return render(
        request,
        "targets/entry_month.html",
        {**month_context(plan, grid, month), "upload_errors": errors},
        status=400,
    )
