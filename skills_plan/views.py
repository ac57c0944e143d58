"""The site shell: the home redirect, the page for a user with no role, error pages, and the
``allowed_by`` guard every page uses. The header's navigation comes from
``skills_plan.context_processors.site``; a view renders with Django's ``render``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from targets import policy
from targets.services import PlanNotOpen

View = Callable[..., HttpResponse]


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


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect(policy.home_url_name(request.user))


@login_required
@require_GET
def no_role(request: HttpRequest) -> HttpResponse:
    if policy.role_of(request.user) is not None:
        return redirect("home")
    return render(request, "targets/no_role.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A write into a draft or closed plan says why; other refusals keep the general text.
    reason = str(exception) if isinstance(exception, PlanNotOpen) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
