"""Who may enter and correct which figures of the month grid."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.test import Client

from targets.models import Plan, Region, Submission
from tests.helpers import assert_sent_to_log_in, client_for
from tests.targets.entry_grid import MARCH, Role, form_of, indicator

pytestmark = pytest.mark.django_db

# --- permissions ---------------------------------------------------------------------------


def test_a_posted_cell_of_another_county_is_refused_whole(county_clerk: User) -> None:
    client = client_for(county_clerk)
    data = form_of(client.get(MARCH))
    own = next(name for name in data if name.startswith("v-"))
    data[own] = "5"
    qibin = Region.objects.get(code="410611")
    data[f"v-{indicator('rural-transfer').pk}-{qibin.pk}"] = "9"

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_a_posted_cell_of_another_department_is_refused_whole(clerk: User) -> None:
    client = client_for(clerk)
    data = form_of(client.get(MARCH), **{"rural-transfer__410611": "5"})
    qibin = Region.objects.get(code="410611")
    data[f"v-{indicator('new-farmers').pk}-{qibin.pk}"] = "9"

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_another_departments_correction_page_does_not_exist(clerk: User, figure: Any) -> None:
    farmer = figure("new-farmers", "410611", 3, 5, status="approved")  # by clerk-agri

    url = f"/entry/cell/{farmer.pk}/correct/"
    assert client_for(clerk).get(url).status_code == 404
    response = client_for(clerk).post(url, {"value": "1", "reason": "x"})
    assert response.status_code == 404
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    "role", [Role.REVIEWER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR, None]
)
@pytest.mark.parametrize("url", ["/entry/", MARCH])
def test_only_clerks_may_enter(plan: Plan, make_user: Any, role: Any, url: str) -> None:
    department = "hrss" if role == Role.CLERK else None
    user = make_user(role, department)
    client = client_for(user)
    assert client.get(url).status_code == 403
    key = f"{indicator('rural-transfer').pk}-{Region.objects.get(code='410611').pk}"
    response = client.post(url, {f"v-{key}": "5", f"t-{key}": "new", "action": "save"})
    assert response.status_code in (403, 405)
    assert not Submission.objects.exists()


def test_anonymous_users_are_sent_to_log_in(plan: Plan) -> None:
    response = Client().get(MARCH)
    assert_sent_to_log_in(response)


def test_unknown_year_or_month_is_not_found(clerk: User) -> None:
    client = client_for(clerk)
    assert client.get("/entry/2099/3/").status_code == 404
    assert client.get("/entry/2015/13/").status_code == 404


@pytest.fixture
def approved_qibin(figure: Any) -> Submission:
    return figure("rural-transfer", "410611", 3, 5, status="approved")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),  # own department, every county
        ("county_clerk", 404),  # own department, another county
        ("agri_clerk", 404),  # another department
        ("reviewer", 403),
        ("leader", 403),
        ("auditor", 403),
        ("administrator", 403),
    ],
)
def test_who_may_correct_a_figure(
    approved_qibin: Submission,
    clerk: User,
    county_clerk: User,
    reviewer: User,
    make_user: Any,
    who: str,
    status: int,
) -> None:
    users = {
        "clerk": clerk,
        "county_clerk": county_clerk,
        "reviewer": reviewer,
        "agri_clerk": lambda: make_user(Role.CLERK, "agri"),
        "leader": lambda: make_user(Role.LEADER),
        "auditor": lambda: make_user(Role.AUDITOR),
        "administrator": lambda: make_user(Role.ADMINISTRATOR),
    }
    user = users[who]() if callable(users[who]) else users[who]
    url = f"/entry/cell/{approved_qibin.pk}/correct/"
    client = client_for(user)

    assert client.get(url).status_code == status
    posted = client.post(url, {"value": "6", "reason": "核对台账后更正"})

    if status == 200:
        assert posted.status_code == 302
        assert Submission.objects.filter(revision=2, value=6).count() == 1
    else:
        assert posted.status_code == status
        assert Submission.objects.count() == 1
