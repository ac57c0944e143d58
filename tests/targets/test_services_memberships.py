"""Memberships through membership_assign: the group of the role, moves, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import translation

from targets.models import Membership, Plan, Region
from targets.services import membership_assign
from tests.targets.services_flow import message, written

pytestmark = pytest.mark.django_db

# --- Memberships ----------------------------------------------------------------------------

ROLES = [role.value for role in Membership.Role]
STAFF_ROLES = {"auditor", "administrator"}  # they open the Django admin (auditors to look)


def role_groups() -> set[str]:
    with translation.override("zh-hans"):
        return {str(label) for label in Membership.Role.labels}


@pytest.mark.parametrize("role", ROLES)
def test_membership_assign_puts_the_user_in_the_group_of_the_role(
    make_user: Callable[..., Any], departments: dict[str, Any], role: str
) -> None:
    user = make_user(None)
    department = departments["edu"] if role == "clerk" else None
    membership = membership_assign(user=user, role=role, department=department)
    user.refresh_from_db()
    with translation.override("zh-hans"):
        expected_group = str(Membership.Role(role).label)
    assert list(user.groups.values_list("name", flat=True)) == [expected_group]
    assert user.is_staff is (role in STAFF_ROLES)
    assert user.is_superuser is False
    assert Membership.objects.get(user=user) == membership
    assert (membership.role, membership.department) == (role, department)


def test_group_permissions_follow_the_roles(plan: Plan) -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= role_groups()
    with translation.override("zh-hans"):
        name = {role: str(Membership.Role(role).label) for role in ROLES}
    auditor = set(Group.objects.get(name=name["auditor"]).permissions.values_list("codename"))
    assert auditor, "auditors read everything in the admin"
    assert all(codename.startswith("view_") for (codename,) in auditor)  # change nothing
    admin = set(Group.objects.get(name=name["administrator"]).permissions.values_list("codename"))
    assert {("change_plan",), ("add_region",), ("change_user",)} <= admin
    for role in ("clerk", "reviewer", "leader"):
        assert not Group.objects.get(name=name[role]).permissions.exists()


def test_membership_assign_moves_the_user_between_roles(
    make_user: Callable[..., Any], departments: dict[str, Any], regions: dict[str, Region]
) -> None:
    other = Group.objects.create(name="培训班联络人")
    user = make_user("clerk", department="hrss", region="410621")
    user.groups.add(other)

    membership_assign(user=user, role="auditor")
    user.refresh_from_db()
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.department, membership.region) == ("auditor", None, None)
    assert user.is_staff is True
    assert set(user.groups.values_list("name", flat=True)) == {"审计员", "培训班联络人"}

    membership_assign(user=user, role="leader")
    user.refresh_from_db()
    assert user.is_staff is False
    assert set(user.groups.values_list("name", flat=True)) == {"领导", "培训班联络人"}
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("role", "department", "region"),
    [("clerk", None, None), ("clerk", None, "410621"), ("reviewer", "hrss", None)],
)
def test_membership_assign_refuses_inconsistent_roles(
    make_user: Callable[..., Any],
    departments: dict[str, Any],
    regions: dict[str, Region],
    role: str,
    department: str | None,
    region: str | None,
) -> None:
    user = make_user(None)
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        membership_assign(
            user=user,
            role=role,
            department=department and departments[department],
            region=region and regions[region],
        )
    assert "填报员必须属于一个部门" in message(caught.value)
    assert written() == before
    user.refresh_from_db()
    assert not user.groups.exists()
    assert user.is_staff is False
