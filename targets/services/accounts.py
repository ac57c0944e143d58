"""Who is who: a user's role, its group and admin access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ..models import (
    AuditEntry,
    Department,
    Membership,
    Region,
)
from .base import audit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


ROLE_GROUP_NAMES = {
    Membership.Role.CLERK: "填报员",
    Membership.Role.REVIEWER: "审核员",
    Membership.Role.LEADER: "领导",
    Membership.Role.AUDITOR: "审计员",
    Membership.Role.ADMINISTRATOR: "管理员",
}
# Administrators change everything in the admin; auditors only view the plan and its reports.
ADMIN_APPS = ("targets", "reporting", "auth", "django_celery_beat")
AUDIT_APPS = ("targets", "reporting")


@transaction.atomic
def role_groups_sync() -> None:
    """Create the five role groups; administrators may change, auditors only view.

    Run after every migrate (new models bring new permissions); no audit row: it changes no
    one's role, only what each role may do, as the code says.
    """
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


@transaction.atomic
def user_ensure(*, username: str, full_name: str, password: str, is_superuser: bool) -> User:
    """The account named ``username``, created if missing, with its name and password (re)set.

    For commands run by the operator (the demo). No audit row of its own: the role the account
    is given next, by ``membership_assign``, is the write that matters and leaves one.
    """
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name = full_name
    user.is_superuser = is_superuser
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def membership_assign(
    *,
    user: User,
    role: str,
    department: Department | None = None,
    region: Region | None = None,
    actor: User | None = None,
) -> Membership:
    """Give a user their role: the membership record, the matching group, and admin access.

    Auditors and administrators may open the Django admin (auditors only to look; not a
    county's auditor, since the admin shows every county). ``actor``:
    the administrator who gave it, or ``None`` for a command (the demo, a benchmark).
    """
    membership = Membership.objects.filter(user=user).first() or Membership(user=user)
    membership.role = role
    membership.department = department
    membership.region = region
    membership.full_clean()
    membership.save()
    groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*groups)
    user.groups.add(Group.objects.get(name=ROLE_GROUP_NAMES[role]))
    # The admin reads every county's rows: a county's own auditor exports their county instead.
    user.is_staff = role == Membership.Role.ADMINISTRATOR or (
        role == Membership.Role.AUDITOR and region is None
    )
    user.save(update_fields=["is_staff"])
    audit(
        actor=actor,
        action=AuditEntry.Action.MEMBERSHIP_ASSIGN,
        about=membership,
        detail={
            "user": user.get_username(),
            "role": role,
            "department": department and department.code,
            "region": region and region.code,
        },
    )
    if hasattr(user, "_membership_cache"):
        del user._membership_cache
    return membership
