"""Shared fixtures: the 2015 plan, its departments and counties, and users with a role.

Tests that need PostgreSQL ask for ``require_postgres`` (or carry the ``postgres`` marker, or
have "postgres" in their name): locally they skip on SQLite, in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from skills_plan.celery import app
from targets.models import (
    Department,
    Indicator,
    Membership,
    Plan,
    Region,
    Submission,
    places_of,
)
from targets.services import (
    membership_assign,
    submission_approve,
    submission_return,
    submission_save,
    submission_submit,
)
from targets.services.plan_definition import DEFAULT_PLAN_FILE, load_plan_definition, load_plan_file

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


@pytest.fixture(autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> None:
    """Uploaded evidence goes to a fresh folder per test, never to the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def eager() -> Generator[None]:
    """Celery tasks run in process, whatever the environment says (CI sets a broker): nothing
    waits in Redis for a worker that never comes."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


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
    return {region.code: region for region in places_of(plan)}


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


# --- the standard people: one of each role, built through membership_assign ------------------


@pytest.fixture
def clerk_of(make_user: MakeUser) -> Callable[..., Any]:
    """``clerk_of(department, region=None)``: the clerk of a department (by code), city-wide or
    of one county (region code), made on first use: "clerk-hrss", "clerk-hrss-410621"."""
    clerks: dict[tuple[str, str | None], Any] = {}

    def clerk(department: str, region: str | None = None) -> Any:
        if (department, region) not in clerks:
            username = "-".join(["clerk", department, *([region] if region else [])])
            clerks[department, region] = make_user("clerk", department, region, username=username)
        return clerks[department, region]

    return clerk


@pytest.fixture
def clerk(plan: Plan, clerk_of: Callable[..., Any]) -> Any:
    """The city-wide clerk of the human resources bureau (hrss)."""
    return clerk_of("hrss")


@pytest.fixture
def county_clerk(plan: Plan, clerk_of: Callable[..., Any]) -> Any:
    """The hrss clerk of Xun county (410621)."""
    return clerk_of("hrss", "410621")


@pytest.fixture
def reviewer(make_user: MakeUser) -> Any:
    return make_user("reviewer", username="reviewer")


@pytest.fixture
def leader(make_user: MakeUser) -> Any:
    return make_user("leader", username="leader")


@pytest.fixture
def auditor(make_user: MakeUser) -> Any:
    """Named 审计员甲: the workbooks name who made them."""
    return make_user("auditor", username="auditor", first_name="审计员甲")


@pytest.fixture
def administrator(make_user: MakeUser) -> Any:
    return make_user("administrator", username="administrator")


@pytest.fixture
def county_people(plan: Plan, make_user: MakeUser) -> dict[str, Any]:
    """浚县's own reviewer, leader and auditor (县区人社局), named as the demo names them:
    "reviewer-410621", "leader-410621", "auditor-410621"."""
    return {
        role: make_user(role, region="410621", username=f"{role}-410621")
        for role in ("reviewer", "leader", "auditor")
    }


@pytest.fixture
def two_levels(plan: Plan) -> Plan:
    """The plan under two-level review: a county's figures are approved by its own reviewer
    first, then accepted by the city's."""
    plan.review_levels = 2
    plan.save(update_fields=["review_levels"])
    return plan


@pytest.fixture
def outsider(make_user: MakeUser) -> Any:
    """Logged in, with no role."""
    return make_user(None, username="outsider")


@pytest.fixture
def superuser(make_user: MakeUser) -> Any:
    """A superuser with no role."""
    return make_user(None, username="root", is_superuser=True, is_staff=True)


# --- plans ----------------------------------------------------------------------------------


@pytest.fixture
def plan_of_year(db: None) -> Callable[..., Plan]:
    """Another yearly plan: the 2015 definition under ``year``, its own 文号, and ``status``."""

    def make(year: int, status: str = Plan.Status.ACTIVE) -> Plan:
        definition = json.loads(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
        definition["plan"].update(
            year=year,
            doc_number=f"测试〔{year}〕1号",
            title=f"鹤壁市{year}年深入实施全民技能振兴工程工作方案",
            starts_on=f"{year}-01-01",
            ends_on=f"{year}-12-31",
            status=status,
        )
        return load_plan_definition(definition)

    return make


@pytest.fixture
def people(
    clerk: Any,
    county_clerk: Any,
    reviewer: Any,
    leader: Any,
    auditor: Any,
    administrator: Any,
    superuser: Any,
    outsider: Any,
) -> dict[str, Any]:
    """The standard people by role name, for tests that go through them all."""
    return {
        "clerk": clerk,
        "county_clerk": county_clerk,
        "reviewer": reviewer,
        "leader": leader,
        "auditor": auditor,
        "administrator": administrator,
        "superuser": superuser,
        "outsider": outsider,
    }


# --- figures --------------------------------------------------------------------------------


@pytest.fixture
def figure(plan: Plan, clerk_of: Callable[..., Any], reviewer: Any) -> Callable[..., Submission]:
    """``figure(series code, region code, month, value=100, status="approved", note="",
    submitted_at=None)``: a figure entered by its department's city-wide clerk and taken to
    ``status`` (draft, submitted, approved or returned) through the services."""

    def make(
        code: str,
        region: str,
        month: int,
        value: int = 100,
        status: str = "approved",
        note: str = "",
        submitted_at: datetime | None = None,
    ) -> Submission:
        indicator = Indicator.objects.select_related("department", "plan").get(plan=plan, code=code)
        clerk = clerk_of(indicator.department.code)
        submission = submission_save(
            actor=clerk,
            indicator=indicator,
            region=Region.objects.get(code=region),
            month=month,
            value=value,
            note=note,
        )
        if status == "draft":
            return submission
        submission_submit(actor=clerk, submission=submission, at=submitted_at)
        if status == "approved":
            submission_approve(actor=reviewer, submission=submission)
        elif status == "returned":
            submission_return(actor=reviewer, submission=submission, comment="请核实")
        submission.refresh_from_db()
        return submission

    return make


# --- a province (河南省): its plan and its leader ---------------------------------------------


@pytest.fixture
def province_plan(plan: Plan) -> Plan:
    """河南省's 2015 plan (test data, ``tests.province``): its places are 鹤壁市 and 安阳市."""
    from tests.province import load_province_plan

    return load_province_plan()


@pytest.fixture
def province_leader(plan: Plan, make_user: MakeUser) -> Any:
    """河南省's leader (省级领导): reads the province's page only."""
    return make_user("leader", region="410000", username="leader-410000")
