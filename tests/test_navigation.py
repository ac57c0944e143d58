"""The header's navigation: each role sees the pages its policy allows, and every link it is
shown opens for it (a link that leads to a refusal is a broken promise to the user)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("clerk", "reviewer", "leader", "auditor", "administrator")


def nav_of(user: Any) -> list[str]:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    if response.status_code == 302:
        response = client.get(response["Location"])
    return [item["url_name"] for item in response.context["nav"]]


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_opens_for_it(role: str, request: Any) -> None:
    request.getfixturevalue("plan")
    user = request.getfixturevalue(role)
    client = Client()
    client.force_login(user)
    names = nav_of(user)
    assert names, f"{role} is shown no page at all"
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code in (200, 302), (role, name, response.status_code)
        if response.status_code == 302:  # a landing page that picks the month or the plan
            assert client.get(response["Location"]).status_code == 200, (role, name)


@pytest.mark.parametrize("role", ["clerk", "reviewer", "leader", "auditor", "administrator"])
def test_the_project_library_is_in_every_roles_navigation(role: str, request: Any) -> None:
    request.getfixturevalue("plan")
    assert "projects" in nav_of(request.getfixturevalue(role))


def test_no_role_no_navigation(outsider: Any, plan: Any) -> None:
    assert "projects" not in nav_of(outsider)
