"""The role groups and their Django permissions, kept in step after every migrate."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from .models import Membership
from .services import ROLE_GROUP_NAMES

ADMIN_APPS = ("targets", "reporting", "auth", "django_celery_beat")
AUDIT_APPS = ("targets", "reporting")


def sync_role_groups(**kwargs: Any) -> None:
    """Create the five role groups; administrators may change, auditors only view."""
    admin_perms = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    view_perms = Permission.objects.filter(
        content_type__app_label__in=AUDIT_APPS, codename__startswith="view_"
    )
    for role, name in ROLE_GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        if role == Membership.Role.ADMINISTRATOR:
            group.permissions.set(admin_perms)
        elif role == Membership.Role.AUDITOR:
            group.permissions.set(view_perms)
        else:
            group.permissions.clear()
