"""What every page's header shows: the user's role and scope, the navigation the access policy
allows, and whether demo data is loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from targets import policy, policy_rosters
from targets.models import Membership, Plan, Submission, local_plans


def _has_county_dashboard(user: Any) -> bool:
    """A county's own reviewer, leader or auditor: their county's dashboard (the city's
    dashboard and the pages around it are the city's people's)."""
    return policy.county_home(user) is not None


def _has_province_page(user: Any) -> bool:
    """A province's leader (省级领导): their province's page, and nothing of the city's."""
    return policy.province_of(user) is not None


# The pages in the header's navigation, each shown when its policy function says so.
NAV_PAGES: list[tuple[str, Any, Callable[[Any], bool]]] = [
    ("entry", _("月度填报"), policy.may_enter),
    ("work", _("工作台账"), policy.may_enter),
    ("review", _("审核"), policy.may_review),
    ("work-review", _("台账审核"), policy.may_review_work),
    ("dashboard", _("进度看板"), policy.may_view_dashboard),
    ("dashboard-county", _("进度看板"), _has_county_dashboard),
    ("dashboard-province", _("进度看板"), _has_province_page),
    ("bulletins", _("月度通报"), policy.may_read_bulletins),
    ("my-notices", _("督办"), policy.may_enter),
    ("notices", _("督办"), policy.may_read_all_notices),
    ("registers", _("工作登记"), policy.may_read_registers),
    ("rosters", _("花名册"), policy_rosters.may_read_rosters),
    ("projects", _("项目库"), policy.may_view_projects),
    ("summaries", _("督导总结"), policy.may_view_dashboard),
    ("exports", _("数据导出"), policy.may_open_exports),
]


def _url(name: str, user: Any) -> str:
    if name == "dashboard-county":  # the person's own county's
        return reverse(name, args=[policy.county_home(user).code])
    if name == "dashboard-province":  # the leader's own province's
        return reverse(name, args=[policy.province_of(user).code])
    return reverse(name)


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    items = [
        {
            "url_name": name,
            "url": _url(name, request.user),
            "label": label,
            "active": name == current,
        }
        for name, label, check in NAV_PAGES
        if check(request.user)
    ]
    if admin.site.has_permission(request):
        items.append(
            {
                "url_name": "admin:index",
                "url": reverse("admin:index"),
                "label": _("系统管理"),
                "active": False,
            }
        )
    return items


def site(request: HttpRequest) -> dict[str, object]:
    """The header's role, scope and navigation, read only when a template asks for them."""
    user = getattr(request, "user", None)
    role = policy.role_of(user) if user is not None else None

    return {
        "user_role": role,
        "role_label": Membership.Role(role).label if role else None,
        "user_membership": policy.membership_of(user) if user is not None else None,
        "nav": SimpleLazyObject(lambda: navigation(request) if user is not None else []),
        "active_plan": local_plans().filter(status=Plan.Status.ACTIVE).order_by("-year").first,
        "has_demo_data": Submission.objects.filter(is_demo=True).exists,
    }
