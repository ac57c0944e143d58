"""Pages: each view asks the access policy (``targets.policy``) before it shows anything.

Entry, review, dashboard and exports are placeholders until their issues land; they already
show the plan's real structure so that each role can see what they will work with.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import policy
from .models import Indicator, Membership, Plan

View = Callable[..., HttpResponse]
MONTHS = range(1, 13)

# The pages in the header's navigation, each shown when its policy function says so.
NAV_PAGES: list[tuple[str, Any, Callable[[Any], bool]]] = [
    ("entry", _("月度填报"), policy.may_enter),
    ("review", _("审核"), policy.may_review),
    ("dashboard", _("进度看板"), policy.may_view_dashboard),
    ("exports", _("数据导出"), policy.may_export),
]


def allowed_by(check: Callable[[Any], bool]) -> Callable[[View], View]:
    """Answer 403 unless the access policy's ``check`` lets the user open the page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def format_target(indicator: Indicator) -> str:
    """The annual target as people read it: 70,000 or 90%."""
    if indicator.is_rate:
        return format_rate(indicator.target_rate)
    if indicator.target is None:
        return "—"
    return f"{indicator.target:,}"


def format_rate(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).normalize():f}%"


def _nav(request: HttpRequest) -> list[dict[str, Any]]:
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    items = [
        {"url_name": name, "label": label, "active": name == current}
        for name, label, check in NAV_PAGES
        if check(request.user)
    ]
    if admin.site.has_permission(request):
        items.append({"url_name": "admin:index", "label": _("系统管理"), "active": False})
    return items


def _page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a page of the site with the header's navigation and the user's role."""
    role = policy.role_of(request.user)
    page_context = {
        "nav": _nav(request),
        "role_label": Membership.Role(role).label if role else None,
        **(context or {}),
    }
    return render(request, template, page_context, status=status)


def _active_plan() -> Plan | None:
    return Plan.objects.filter(status=Plan.Status.ACTIVE).order_by("-year").first()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(policy.home_url_name(request.user))


def _indicator_row(indicator: Indicator) -> dict[str, Any]:
    return {"indicator": indicator, "target": format_target(indicator)}


@login_required
@allowed_by(policy.may_view_dashboard)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    plan = _active_plan()
    indicators = (
        list(
            Indicator.objects.filter(
                plan=plan, role__in=[Indicator.Role.GOAL, Indicator.Role.QUOTA]
            ).select_related("department", "feeds", "numerator", "denominator")
        )
        if plan
        else []
    )
    goals = [i for i in indicators if i.role == Indicator.Role.GOAL]
    quotas = [i for i in indicators if i.role == Indicator.Role.QUOTA]
    # The plan allocates only part of some goals to departments: show the gap, do not hide it.
    allocations = []
    for goal in goals:
        feeding = [q for q in quotas if q.feeds_id == goal.pk]
        if not feeding:
            continue
        allocated = sum(q.target or 0 for q in feeding)
        allocations.append(
            {
                "goal": goal,
                "quotas": len(feeding),
                "target": f"{goal.target:,}",
                "allocated": f"{allocated:,}",
                "unallocated": f"{goal.target - allocated:,}",
            }
        )
    milestones = (
        plan.milestones.select_related("department", "region").order_by("order", "code")
        if plan
        else []
    )
    return _page(
        request,
        "targets/dashboard.html",
        {
            "plan": plan,
            "goals": [_indicator_row(goal) for goal in goals],
            "quotas": [_indicator_row(quota) for quota in quotas],
            "allocations": allocations,
            "milestones": milestones,
        },
    )


@login_required
@allowed_by(policy.may_export)
@require_GET
def exports(request: HttpRequest) -> HttpResponse:
    return _page(request, "targets/exports.html", {"plan": _active_plan()})


@login_required
@require_GET
def no_role(request: HttpRequest) -> HttpResponse:
    if policy.role_of(request.user) is not None:
        return redirect("home")
    return _page(request, "targets/no_role.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", status=404)
