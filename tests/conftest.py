"""Shared fixtures: the 2015 plan, its departments and counties, and users with a role.

Tests that need PostgreSQL ask for ``require_postgres`` (or carry the ``postgres`` marker, or
have "postgres" in their name): locally they skip on SQLite, in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Generator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from targets.models import Department, Membership, Plan, Region
from targets.services import membership_assign
from targets.services.plan_definition import load_plan_file

POSTGRES_REASON = "needs PostgreSQL (set DATABASE_URL=postgres://…); the configured database is {}"


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _needs_postgres(item: pytest.Item) -> bool:
    return item.get_closest_marker("postgres") is not None or "postgres" in item.name.lower()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs PostgreSQL; skipped on SQLite locally, fails in CI"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixturenames = getattr(item, "fixturenames", None)
        needs = _needs_postgres(item) and fixturenames is not None
        if needs and "require_postgres" not in fixturenames:
            fixturenames.insert(0, "require_postgres")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # A PostgreSQL test skipped in CI, for whatever reason, is a failure: CI must prove it.
    report = yield
    if _in_ci() and report.skipped and _needs_postgres(item):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: PostgreSQL test skipped in CI ({report.longrepr})"
    return report


@pytest.fixture(autouse=True)
def _empty_cache() -> Generator[None]:
    """Each test starts with an empty cache: SQLite reuses ids after a rollback, so a cached
    progress document of an earlier test could carry the same key."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Generator[None]:
    """Each test starts in the site's language (zh-hans), whatever an earlier test in the same
    process activated: under pytest-xdist the order of tests in a process is not the file's."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def require_postgres(db: None) -> None:
    if connection.vendor == "postgresql":
        return
    message = POSTGRES_REASON.format(connection.vendor)
    if _in_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def plan(db: None) -> Plan:
    """The 2015 plan, loaded from fixtures/plan-2015.json."""
    return load_plan_file()


@pytest.fixture
def departments(plan: Plan) -> dict[str, Department]:
    return {department.code: department for department in Department.objects.all()}


@pytest.fixture
def regions(plan: Plan) -> dict[str, Region]:
    return {region.code: region for region in Region.objects.all()}


MakeUser = Callable[..., Any]


@pytest.fixture
def make_user(db: None) -> Generator[MakeUser]:
    """Create a user and give them a role through ``membership_assign``.

    ``role=None`` leaves the user without a membership. ``department`` and ``region`` take a
    model instance or a code ("hrss", "410621").
    """
    counter = itertools.count(1)

    def make(
        role: str | None,
        department: Department | str | None = None,
        region: Region | str | None = None,
        username: str | None = None,
        **user_fields: Any,
    ) -> Any:
        if isinstance(department, str):
            department = Department.objects.get(code=department)
        if isinstance(region, str):
            region = Region.objects.get(code=region)
        username = username or f"{role or 'nobody'}-{next(counter)}"
        user = get_user_model().objects.create_user(
            username=username, password="test-password", **user_fields
        )
        if role is not None:
            membership_assign(
                user=user, role=Membership.Role(role), department=department, region=region
            )
        return user

    yield make
