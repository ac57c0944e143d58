"""The services the demo and the migrations call: accounts, role groups, milestones, demo splits."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from targets import services
from targets.models import Membership, Milestone, Plan, Region, RegionTarget


def test_user_ensure_creates_then_resets_the_account(db: None) -> None:
    user = services.user_ensure(
        username="demo-admin", full_name="系统管理员", password="first-pass-1", is_superuser=True
    )
    again = services.user_ensure(
        username="demo-admin", full_name="管理员", password="second-pass-2", is_superuser=False
    )
    assert again.pk == user.pk
    again.refresh_from_db()
    assert (again.first_name, again.is_superuser) == ("管理员", False)
    assert again.check_password("second-pass-2")


def test_role_groups_sync_gives_each_role_its_permissions(db: None) -> None:
    Group.objects.filter(name__in=services.ROLE_GROUP_NAMES.values()).delete()
    services.role_groups_sync()
    services.role_groups_sync()  # twice: the same five groups
    groups = {g.name: g for g in Group.objects.filter(name__in=services.ROLE_GROUP_NAMES.values())}
    assert len(groups) == 5
    auditor = groups[services.ROLE_GROUP_NAMES[Membership.Role.AUDITOR]]
    admin = groups[services.ROLE_GROUP_NAMES[Membership.Role.ADMINISTRATOR]]
    clerk = groups[services.ROLE_GROUP_NAMES[Membership.Role.CLERK]]
    assert auditor.permissions.exists()
    assert not auditor.permissions.exclude(codename__startswith="view_").exists()
    assert admin.permissions.filter(codename="change_plan").exists()
    assert not clerk.permissions.exists()


def test_milestone_update_saves_status_and_evidence(plan: Plan) -> None:
    milestone = plan.milestones.first()
    services.milestone_update(milestone=milestone, status="delayed", evidence="资金未到位。")
    milestone.refresh_from_db()
    assert (milestone.status, milestone.evidence) == ("delayed", "资金未到位。")


def test_milestone_update_refuses_a_status_it_does_not_know(plan: Plan) -> None:
    milestone = plan.milestones.first()
    with pytest.raises(ValidationError):
        services.milestone_update(milestone=milestone, status="finished", evidence="")
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.NOT_STARTED


def test_milestone_update_checks_who_and_which_plan(plan: Plan, clerk: Any) -> None:
    milestone = plan.milestones.first()
    with pytest.raises(PermissionDenied):
        services.milestone_update(milestone=milestone, status="done", evidence="", actor=clerk)
    services.plan_close(plan=plan)
    with pytest.raises(ValidationError):
        services.milestone_update(milestone=milestone, status="done", evidence="")
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.NOT_STARTED


def test_region_target_mark_demo_marks_only_the_flag(plan: Plan) -> None:
    indicator = plan.indicators.get(code="in-service")
    region = Region.objects.get(code="410621")
    split = services.region_target_set(
        indicator=indicator, region=region, target=100, reason="年初分解。"
    )
    assert isinstance(split, RegionTarget) and not split.is_demo
    services.region_target_mark_demo(region_target=split)
    services.region_target_mark_demo(region_target=split)
    stored = RegionTarget.objects.get(pk=split.pk)
    assert (stored.is_demo, stored.target) == (True, 100)
