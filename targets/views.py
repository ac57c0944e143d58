"""Pages: each view asks the access policy (``targets.policy``) before it shows anything.

The dashboard and the exports live in ``reporting``.
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
from .services import PlanNotOpen

View = Callable[..., HttpResponse]
MONTHS = range(1, 13)

# The pages in the header's navigation, each shown when its policy function says so.
NAV_PAGES: list[tuple[str, Any, Callable[[Any], bool]]] = [
    ("entry", _("月度填报"), policy.may_enter),
    ("review", _("审核"), policy.may_review),
    ("dashboard", _("进度看板"), policy.may_view_dashboard),
    ("bulletins", _("月度通报"), policy.may_view_dashboard),
    ("my-notices", _("督办"), policy.may_enter),
    ("notices", _("督办"), policy.may_read_all_notices),
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
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect(policy.home_url_name(request.user))


@login_required
@require_GET
def no_role(request: HttpRequest) -> HttpResponse:
    if policy.role_of(request.user) is not None:
        return redirect("home")
    return _page(request, "targets/no_role.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A write into a draft or closed plan says why; other refusals keep the general text.
    reason = str(exception) if isinstance(exception, PlanNotOpen) else ""
    return _page(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", status=404)
