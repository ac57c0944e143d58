"""The admin tests' world: the 2015 plan, a user per role, figures with a trail, a split."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client

from targets import services
from targets.models import Department, Membership, Milestone, Plan, RegionTarget, Submission

from .pages import client_for, enter, indicator, region

Role = Membership.Role


@pytest.fixture
def clerk(plan: Plan, make_user: Any) -> User:
    return make_user("clerk", department="hrss", username="clerk-hrss")


@pytest.fixture
def reviewer(plan: Plan, make_user: Any) -> User:
    return make_user("reviewer", username="reviewer")


@pytest.fixture
def auditor(plan: Plan, make_user: Any) -> User:
    return make_user("auditor", username="auditor")


@pytest.fixture
def administrator(plan: Plan, make_user: Any) -> User:
    return make_user("administrator")


@pytest.fixture
def admin_client(administrator: User) -> Client:
    """An administrator (by membership, not a superuser) logged in."""
    return client_for(administrator)


@pytest.fixture
def superuser(plan: Plan) -> User:
    return User.objects.create_superuser("root", password="pw-2015-test")


@pytest.fixture
def figures(clerk: User, reviewer: User) -> Submission:
    """One approved figure with its trail (create, submit, approve) and one draft."""
    figure = enter(clerk, "rural-transfer", "410611", 3, 1200)
    services.submission_submit(actor=clerk, submission=figure)
    services.submission_approve(actor=reviewer, submission=figure, comment="核对无误")
    enter(clerk, "in-service", "410621", 3, 7)
    figure.refresh_from_db()
    return figure


@pytest.fixture
def split(plan: Plan) -> RegionTarget:
    return services.region_target_set(
        reason="测试：县区分解",
        indicator=indicator("rural-transfer"),
        region=region("410621"),
        target=5000,
    )


@pytest.fixture
def one_of_each(figures: Submission, split: RegionTarget, clerk: User) -> dict[type, Model]:
    """An instance of each model the admin shows, by its model."""
    instances = [
        Plan.objects.get(year=2015),
        Department.objects.get(code="hrss"),
        region("410621"),
        indicator("rural-transfer"),
        split,
        figures,
        figures.events.order_by("id").first(),
        Milestone.objects.get(code="provincial-training-base"),
        clerk.membership,
    ]
    return {type(instance): instance for instance in instances}
