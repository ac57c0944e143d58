"""Memberships in the admin: saved through the service, so groups and staff follow the role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from targets.models import Membership

from .pages import admin_url, client_for

Role = Membership.Role


def _membership_form(user: User | None, role: str, department: Any = "", region: Any = "") -> dict:
    data = {"role": role, "department": department, "region": region}
    if user is not None:
        data["user"] = user.pk
    return data


def test_membership_admin_keeps_group_and_staff_in_step(superuser: User) -> None:
    client = client_for(superuser)
    person = User.objects.create_user("new-auditor")
    response = client.post(admin_url(Membership, "add"), _membership_form(person, Role.AUDITOR))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.membership.role == Role.AUDITOR
    assert person.is_staff
    assert list(person.groups.values_list("name", flat=True)) == ["审计员"]

    response = client.post(
        admin_url(Membership, "change", person.membership.pk), _membership_form(None, Role.LEADER)
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.membership.role == Role.LEADER
    assert not person.is_staff
    assert list(person.groups.values_list("name", flat=True)) == ["领导"]


def test_membership_admin_refuses_a_clerk_without_department(superuser: User) -> None:
    person = User.objects.create_user("no-dept")
    response = client_for(superuser).post(
        admin_url(Membership, "add"), _membership_form(person, Role.CLERK)
    )
    assert response.status_code == 200
    assert "填报员必须属于一个部门" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert not person.groups.exists()


def test_memberships_are_not_deleted_in_the_admin(superuser: User, clerk: User) -> None:
    response = client_for(superuser).post(
        admin_url(Membership, "delete", clerk.membership.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(user=clerk).exists()
