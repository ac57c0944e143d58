"""Who is who: a user's role, its group and admin access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
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

    Auditors and administrators may open the Django admin (auditors only to look). ``actor``:
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
    user.is_staff = role in (Membership.Role.AUDITOR, Membership.Role.ADMINISTRATOR)
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
