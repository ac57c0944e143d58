"""The whole access-policy matrix: every policy function × every kind of user × every cell.

The expectations are a table that mirrors the one in targets/policy.py's docstring (and
DESIGN.md, "Users"); each test compares one policy function for one user with that table.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from targets import policy
from targets.models import Department, Indicator, Membership, Plan, Region, Submission, places_of
from targets.services import membership_assign, submission_save
from targets.services.plan_definition import load_plan_file
from tests.helpers import HRSS_CODES

pytestmark = pytest.mark.django_db


class Rights(NamedTuple):
    read: str  # "all", "own" (own department, and own county if limited), "none"
    enter: str  # "own" or "none"
    approve: bool
    dashboard: bool
    export: bool
    admin: bool


# targets/policy.py's table: read cells, enter cells, approve, dashboard, export, admin.
ROLE_TABLE: dict[str | None, Rights] = {
    "clerk": Rights("own", "own", False, False, False, False),
    "reviewer": Rights("all", "none", True, True, False, False),
    "leader": Rights("all", "none", False, True, False, False),
    "auditor": Rights("all", "none", False, True, True, False),
    "administrator": Rights("all", "none", False, True, True, True),
    None: Rights("none", "none", False, False, False, False),  # no role: may do nothing
}

# Where each role starts (CONTRACT.md, URLs).
HOME = {
    "clerk": "entry",
    "reviewer": "review",
    "leader": "dashboard",
    "auditor": "exports",
    "administrator": "admin:index",
    None: "no-role",
}


class UserSpec(NamedTuple):
    role: str | None  # the role the policy should see
    membership: str | None  # the membership actually assigned
    department: str | None
    region: str | None
    user_fields: dict[str, Any]


USERS: dict[str, UserSpec] = {
    "clerk-hrss": UserSpec("clerk", "clerk", "hrss", None, {}),
    "clerk-hrss-410621": UserSpec("clerk", "clerk", "hrss", "410621", {}),
    "clerk-civil": UserSpec("clerk", "clerk", "civil", None, {}),
    "reviewer": UserSpec("reviewer", "reviewer", None, None, {}),
    "leader": UserSpec("leader", "leader", None, None, {}),
    "auditor": UserSpec("auditor", "auditor", None, None, {}),
    "administrator": UserSpec("administrator", "administrator", None, None, {}),
    # Superusers are administrators, with or without a membership.
    "superuser": UserSpec("administrator", None, None, None, {"is_superuser": True}),
    "no-membership": UserSpec(None, None, None, None, {}),
    "inactive-clerk": UserSpec(None, "clerk", "hrss", None, {"is_active": False}),
    "inactive-superuser": UserSpec(
        None, None, None, None, {"is_superuser": True, "is_active": False}
    ),
    "anonymous": UserSpec(None, None, None, None, {}),
}

# Cells: series of each department (DESIGN.md), and a rate, which is never entered: clerks
# enter its count series and the rate is computed.
INDICATORS = {
    "rural-transfer": ("hrss", True),
    "high-skill-talent": ("hrss", True),
    "vocational-enrolment": ("edu", True),
    "veterans-eligible": ("civil", True),
    "veterans-passed": ("civil", True),
    "veterans-awareness": ("civil", False),
    "veterans-pass": ("civil", False),
}
OWN_COUNTY, OTHER_COUNTY = "410621", "410611"  # 浚县, 淇滨区
READ_REGIONS = [OWN_COUNTY, OTHER_COUNTY, None]  # None: the city-wide figure
ENTRY_REGIONS = [OWN_COUNTY, OTHER_COUNTY]
ALL_REGIONS = {"410602", "410603", "410611", "410621", "410622", "410601"}  # and 市直

# Every series a department's clerk enters (DESIGN.md): the 人社局 quotas and the goals it
# reports (and the 8,550 training not allocated to any department, against training-total);
# 民政局's five veterans' count series, never the four rates.
ENTERABLE = {
    "hrss": set(HRSS_CODES),
    "civil": {
        "veterans-eligible",
        "veterans-aware",
        "veterans-registered",
        "veterans-trained",
        "veterans-passed",
    },
}

# The figures in the database while the readable_submissions checks run.
SUBMITTED_CELLS = [
    ("rural-transfer", OWN_COUNTY),
    ("rural-transfer", OTHER_COUNTY),
    ("veterans-eligible", OWN_COUNTY),
    ("veterans-eligible", OTHER_COUNTY),
    ("vocational-enrolment", OTHER_COUNTY),
]


def rights(user_key: str) -> Rights:
    return ROLE_TABLE[USERS[user_key].role]


def covers(user_key: str, indicator_code: str, region: str | None) -> bool:
    """Own department, and own county when the clerk is limited to one."""
    spec = USERS[user_key]
    if INDICATORS[indicator_code][0] != spec.department:
        return False
    return spec.region is None or region == spec.region


def expect_read(user_key: str, indicator_code: str, region: str | None) -> bool:
    mode = rights(user_key).read
    return mode == "all" or (mode == "own" and covers(user_key, indicator_code, region))


def expect_enter(user_key: str, indicator_code: str, region: str) -> bool:
    accepts_figures = INDICATORS[indicator_code][1]
    return (
        rights(user_key).enter == "own"
        and accepts_figures
        and covers(user_key, indicator_code, region)
    )


@dataclass
class World:
    plan: Plan
    users: dict[str, Any]
    indicators: dict[str, Indicator]
    regions: dict[str, Region | None]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Generator[World]:
    """The plan, the users and a few figures, built once for this module and rolled back.

    Each test still runs in its own savepoint (the ``db`` fixture) inside this transaction.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            plan = load_plan_file()
            users: dict[str, Any] = {}
            for key, spec in USERS.items():
                if key == "anonymous":
                    users[key] = AnonymousUser()
                    continue
                user = get_user_model().objects.create_user(username=key, **spec.user_fields)
                if spec.membership is not None:
                    membership_assign(
                        user=user,
                        role=spec.membership,
                        department=spec.department and Department.objects.get(code=spec.department),
                        region=spec.region and Region.objects.get(code=spec.region),
                    )
                users[key] = user
            indicators = {i.code: i for i in plan.indicators.all()}
            regions: dict[str, Region | None] = {r.code: r for r in places_of(plan)}
            regions[None] = None  # type: ignore[index]
            data_clerks = {
                "hrss": users["clerk-hrss"],
                "civil": users["clerk-civil"],
                "edu": get_user_model().objects.create_user(username="clerk-edu"),
            }
            membership_assign(
                user=data_clerks["edu"],
                role=Membership.Role.CLERK,
                department=Department.objects.get(code="edu"),
            )
            for code, region in SUBMITTED_CELLS:
                submission_save(
                    actor=data_clerks[INDICATORS[code][0]],
                    indicator=indicators[code],
                    region=regions[region],
                    month=3,
                    value=10,
                )
            yield World(plan, users, indicators, regions)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def cells(world: World, db: None) -> World:
    for user in world.users.values():  # each test looks the membership up afresh
        user.__dict__.pop("_membership_cache", None)
    return world


USER_KEYS = list(USERS)


def mismatches(expected: dict[Any, Any], actual: dict[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    return {key: (expected[key], actual[key]) for key in expected if expected[key] != actual[key]}


CELL_RIGHTS = {
    "may_read_cell": (READ_REGIONS, expect_read),
    "may_enter_cell": (ENTRY_REGIONS, expect_enter),
    "may_approve_cell": (ENTRY_REGIONS, lambda user_key, code, region: rights(user_key).approve),
}


@pytest.mark.parametrize("function", list(CELL_RIGHTS))
@pytest.mark.parametrize("user_key", USER_KEYS)
def test_cell_rights(cells: World, user_key: str, function: str) -> None:
    """Each (indicator, region): does ``policy.<function>`` answer as the rights table says?"""
    regions, expect = CELL_RIGHTS[function]
    may = getattr(policy, function)
    user = cells.users[user_key]
    expected, actual = {}, {}
    for code in INDICATORS:
        for region in regions:
            expected[code, region] = expect(user_key, code, region)
            actual[code, region] = may(user, cells.indicators[code], cells.regions[region])
    assert mismatches(expected, actual) == {}, "(indicator, region): (expected, actual)"


PAGE_RIGHTS = {
    "may_enter": lambda r: r.enter == "own",
    "may_review": lambda r: r.approve,
    "may_view_dashboard": lambda r: r.dashboard,
    "may_export": lambda r: r.export,
    "may_administer": lambda r: r.admin,
}


@pytest.mark.parametrize("function", list(PAGE_RIGHTS))
@pytest.mark.parametrize("user_key", USER_KEYS)
def test_page_rights(cells: World, user_key: str, function: str) -> None:
    expected = PAGE_RIGHTS[function](rights(user_key))
    assert getattr(policy, function)(cells.users[user_key]) is expected


@pytest.mark.parametrize("user_key", USER_KEYS)
def test_enterable_indicators(cells: World, user_key: str) -> None:
    spec = USERS[user_key]
    expected = ENTERABLE[spec.department] if rights(user_key).enter == "own" else set()
    queryset = policy.enterable_indicators(cells.users[user_key], cells.plan.pk)
    assert set(queryset.values_list("code", flat=True)) == expected
    assert not any(indicator.is_rate for indicator in queryset)


@pytest.mark.parametrize("user_key", USER_KEYS)
def test_enterable_regions(cells: World, user_key: str) -> None:
    spec = USERS[user_key]
    if rights(user_key).enter != "own":
        expected: set[str] = set()
    elif spec.region is None:
        expected = ALL_REGIONS
    else:
        expected = {spec.region}
    regions = policy.enterable_regions(cells.users[user_key], cells.plan)
    assert set(regions.values_list("code", flat=True)) == expected


@pytest.mark.parametrize("user_key", USER_KEYS)
def test_readable_submissions(cells: World, user_key: str) -> None:
    expected = {
        (code, region) for code, region in SUBMITTED_CELLS if expect_read(user_key, code, region)
    }
    readable = policy.readable_submissions(cells.users[user_key], Submission.objects.all())
    assert set(readable.values_list("indicator__code", "region__code")) == expected


@pytest.mark.parametrize("user_key", USER_KEYS)
def test_home_url_name(cells: World, user_key: str) -> None:
    assert policy.home_url_name(cells.users[user_key]) == HOME[USERS[user_key].role]


def test_the_matrix_is_not_trivial() -> None:
    # The table distinguishes what it should: a guard against a table that expects nothing.
    assert expect_read("clerk-hrss", "rural-transfer", None)
    assert not expect_read("clerk-hrss-410621", "rural-transfer", None)
    assert expect_read("clerk-hrss-410621", "rural-transfer", OWN_COUNTY)
    assert not expect_read("clerk-hrss-410621", "rural-transfer", OTHER_COUNTY)
    assert not expect_read("clerk-civil", "rural-transfer", OWN_COUNTY)
    assert expect_enter("clerk-civil", "veterans-eligible", OTHER_COUNTY)
    assert not expect_enter("clerk-civil", "veterans-awareness", OTHER_COUNTY)
    assert not expect_enter("administrator", "rural-transfer", OWN_COUNTY)
    assert expect_read("auditor", "veterans-awareness", None)


def test_a_clerk_limited_to_a_county_sees_only_that_county_city_wide_figures_included(
    cells: World,
) -> None:
    clerk = cells.users["clerk-hrss-410621"]
    rural = cells.indicators["rural-transfer"]
    assert [
        code for code, region in cells.regions.items() if policy.may_read_cell(clerk, rural, region)
    ] == [OWN_COUNTY]


def test_a_changed_membership_takes_effect(cells: World) -> None:
    clerk = cells.users["clerk-civil"]
    assert policy.may_enter(clerk)
    membership_assign(user=clerk, role=Membership.Role.LEADER)
    assert not policy.may_enter(clerk)
    assert policy.may_view_dashboard(clerk)
