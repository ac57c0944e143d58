from __future__ import annotations

from django.http import HttpRequest

from . import policy
from .models import Plan, Submission


def site(request: HttpRequest) -> dict[str, object]:
    """The role of the user and whether demo data is loaded, for the page header."""
    user = getattr(request, "user", None)
    role = policy.role_of(user) if user is not None else None
    return {
        "user_role": role,
        "user_membership": policy.membership_of(user) if user is not None else None,
        "active_plan": Plan.objects.filter(status=Plan.Status.ACTIVE).order_by("-year").first,
        "has_demo_data": Submission.objects.filter(is_demo=True).exists,
    }
