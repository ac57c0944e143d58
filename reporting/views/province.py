"""A province's page (省级进度看板): how its cities stand, from its plan's rollup rows.

``/dashboard/province/<code>/`` with ``?year=`` and ``?as_of=YYYY-MM`` as the county's page.
The city's readers and administrators open it (how their city ranks), and that province's own
leader (省级领导), whom ``/dashboard/`` sends here; a clerk is refused (403) before any code is
read, a code that is no province's is 404, another province's leader 403.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skills_plan.views import allowed_by
from targets import policy
from targets.models import Plan, Region

from .. import dashboard, selectors
from ..province import province_by_code, province_progress

YEAR = re.compile(r"^\d{4}$")


def _error(request: HttpRequest, plan: Plan | None, message: str, status: int) -> HttpResponse:
    return render(
        request, "reporting/dashboard_error.html", {"plan": plan, "message": message}, status=status
    )


def _plans(request: HttpRequest, province: Region) -> list[Plan]:
    """The province's plans this user may read, latest first (a draft: administrators)."""
    plans = Plan.objects.filter(unit=province).order_by("-year")
    return [plan for plan in plans if policy.may_view_plan(request.user, plan)]


@login_required
@allowed_by(policy.may_view_provinces)
@require_GET
def dashboard_province(request: HttpRequest, code: str) -> HttpResponse:
    """The province's goals and quotas as of the month: its total and its cities ranked by
    completion, a city whose own reports of the month are not all approved 待报."""
    province = province_by_code(code) if "\x00" not in code else None
    if province is None:
        raise Http404(_("没有这个省。"))
    if not policy.may_view_province(request.user, province):
        raise PermissionDenied
    plans = _plans(request, province)
    raw_year = request.GET.get("year") or None
    if raw_year is None:
        plan = selectors.default_plan(plans)
    elif not YEAR.match(raw_year):
        message = _("年度格式应为四位数字（例如 2015），收到：%(raw)s") % {"raw": raw_year[:20]}
        return _error(request, None, message, 400)
    else:
        plan = next((p for p in plans if p.year == int(raw_year)), None)
        if plan is None:
            return _error(request, None, _("没有 %(year)s 年度的方案。") % {"year": raw_year}, 404)
    if plan is None:
        return _error(request, None, _("目前没有可查看的省级方案。"), 404)
    try:
        month = selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        return _error(request, plan, str(exc), 400)
    progress = province_progress(plan, month)
    as_of = f"{plan.year}-{month:02d}"
    return render(
        request,
        "reporting/dashboard_province.html",
        {
            "province": province,
            "plan": plan,
            "plans": plans,
            "month": month,
            "as_of": as_of,
            "months": dashboard.month_choices(plan),
            "elapsed": month / 12,
            "reported": progress.reported,
            "progress": progress,
            "query": urlencode({"year": plan.year, "as_of": as_of}),
        },
    )
