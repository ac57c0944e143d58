"""Numbers too large for the database in a URL answer 404 (or 405), never 500.

Every pattern of the URLconf with an ``int`` converter is asked with each of its numbers, in
turn, replaced by 2**31 (past a four-byte column), 2**63 (past an eight-byte one) and 10**20 (past
both, and past what SQLite and Python's dates take), the other numbers real, by a role the
authorization matrix lets through (so the view itself runs, not only the access check). Also the
admin's change, history and delete pages of every registered model with such an id. Run on
SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL (there an overflow is a DataError).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from targets.models import Submission
from tests import test_authz_matrix as matrix
from tests.test_authz_matrix import POST_DATA, RULES, site_patterns, url_of

pytestmark = pytest.mark.django_db

# The authorization matrix's objects behind the URLs (its fixture, used here under its name).
world = matrix.world

HUGE = (2**31, 2**63, 10**20)
# The role asked for each view: the first of these its rule lets through.
PREFERENCE = ("clerk", "reviewer", "auditor", "administrator", "leader", "nobody", "anonymous")


def _role(allowed: frozenset[str]) -> str | None:
    return next((role for role in PREFERENCE if role in allowed), None)


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _int_patterns() -> list[tuple[str, Any, list[str]]]:
    found = []
    for route, pattern in site_patterns():
        names = [
            name
            for name, converter in pattern.pattern.converters.items()
            if converter.regex == "[0-9]+"
        ]
        if names:
            found.append((route, pattern, names))
    return found


# A number no real id or month of the world fixture is, nor contains.
MARKER = 987_654_321


def _huge_urls(route: str, pattern: Any, names: list[str], world: dict[str, Any]) -> list[str]:
    urls = []
    for name in names:
        # Reverse with a marker in place of this one number (a segment may carry more than
        # the number, e.g. "<int:month>.docx"), then put the huge number where the marker is:
        # reverse() would refuse the huge number itself once a converter knew the limit.
        per_url = world.get("per_url", {})
        own = {**per_url.get(pattern.name, {}), name: MARKER}
        marked = {
            **world,
            "kwargs": {**world["kwargs"], name: MARKER},
            "per_url": {**per_url, pattern.name: own},
        }
        url = url_of(route, pattern, marked)
        assert url.count(str(MARKER)) == 1, url
        urls.extend(url.replace(str(MARKER), str(huge)) for huge in HUGE)
    return urls


def test_the_urlconf_has_int_ids_to_try() -> None:
    names = {pattern.name for _route, pattern, _names in _int_patterns()}
    assert {"cell-history", "entry-month", "export-job", "review-month"} <= names


def test_every_int_in_every_url_too_large_for_the_database_is_404(world) -> None:
    wrong = []
    tried = 0
    for route, pattern, names in _int_patterns():
        rule = RULES[pattern.name]
        for url in _huge_urls(route, pattern, names, world):
            get_role = _role(rule.get)
            if get_role is not None:
                response = _client(world, get_role).get(url)
                tried += 1
                if response.status_code != 404:
                    wrong.append(f"GET {url} as {get_role}: {response.status_code}")
            else:
                # POST-only views answer a GET 405 before looking at the ids.
                response = _client(world, _role(rule.post) or "administrator").get(url)
                if response.status_code not in (404, 405):
                    wrong.append(f"GET {url}: {response.status_code}")
            post_role = _role(rule.post)
            if post_role is not None:
                response = _client(world, post_role).post(url, POST_DATA.get(pattern.name, {}))
                tried += 1
                if response.status_code != 404:
                    wrong.append(f"POST {url} as {post_role}: {response.status_code}")
    assert tried > 30
    assert not wrong, f"on {connection.vendor}:\n" + "\n".join(wrong)


def _admin_object_urls(object_id: int) -> list[str]:
    """Every admin page with an id in its path (change, history, delete, password, ours)."""
    submission_type = ContentType.objects.get_for_model(Submission).pk
    urls = []
    for _route, pattern in _admin_patterns(get_resolver().url_patterns):
        converters = pattern.pattern.converters
        if not converters or not pattern.name:
            continue
        kwargs = {name: object_id for name in converters}
        if "content_type_id" in kwargs:
            kwargs["content_type_id"] = submission_type
        urls.append(reverse(pattern.name, kwargs=kwargs, current_app="admin"))
    return urls


def _admin_patterns(entries: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for entry in entries:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            found += [
                (sub_route, _Named(pattern, namespace))
                for sub_route, pattern in _admin_patterns(entry.url_patterns, route)
            ]
        elif route.startswith("admin/"):
            found.append((route, entry))
    return found


class _Named:
    """A pattern seen through its resolver's namespace (admin:…)."""

    def __init__(self, pattern: Any, namespace: str) -> None:
        self.pattern = pattern.pattern
        self.name = f"{namespace}{pattern.name}" if pattern.name else None


def test_the_admin_walk_finds_the_pages_with_ids() -> None:
    urls = _admin_object_urls(7)
    assert "/admin/targets/submission/7/change/" in urls
    assert "/admin/targets/plan/7/export-definition/" in urls
    assert "/admin/auth/user/7/password/" in urls
    assert len(urls) > 3 * len(admin.site._registry)


@pytest.mark.parametrize("role", ["administrator", "auditor"])
def test_admin_pages_of_an_id_too_large_for_the_database_are_not_500(world, role) -> None:
    """The admin sends a missing object back to its index with a message (302), as Django does
    for any id that matches nothing; a number past the column's range is such an id."""
    client = _client(world, role)
    wrong = []
    for huge in HUGE:
        for url in _admin_object_urls(huge):
            response = client.get(url)
            if response.status_code not in (302, 403, 404):
                wrong.append(f"GET {url}: {response.status_code}")
    assert not wrong, f"{role} on {connection.vendor}:\n" + "\n".join(wrong)


@pytest.mark.postgres
def test_large_ids_on_postgres(world) -> None:
    test_every_int_in_every_url_too_large_for_the_database_is_404(world)
    test_admin_pages_of_an_id_too_large_for_the_database_are_not_500(world, "administrator")
