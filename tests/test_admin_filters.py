"""The admin's changelists never answer 500 to bad filter values in the query string.

Every changelist of the site (admin.site._registry) is asked, by an administrator and by an
auditor, with date lookups the admin's own links never make (``?entered_at__gte=garbage``,
``__year=99999``, ``__month=abc``, a 13th month in the date hierarchy, a year past what Python's
dates hold) and integer lookups past the database's range. Django answers a lookup it cannot use
by sending the user back to the list with ``?e=1`` ("bad lookup"); a value that gets past that
and fails in the database or in Python's dates must get the same answer, never a 500. Run on
SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import connection, models
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

BAD_DATES = (
    ("__gte", "garbage"),
    ("__lt", "2015-13-45"),
    ("__year", "99999"),
    ("__year", str(10**20)),
    ("__month", "abc"),
    ("__month", str(2**63)),
    ("__isnull", "maybe"),
)
BAD_HIERARCHY = (
    {"year": "2015", "month": "13"},
    {"year": "2015", "month": "2", "day": "31"},
    {"year": "99999"},
    {"year": "0"},
    {"year": str(10**20)},
    {"year": "abc", "month": "abc"},
    {"year": "2015", "month": str(2**63)},
)
BAD_NUMBERS = (str(2**31), str(2**63), str(10**20), "abc", "-" + str(10**20))


def _queries(model_admin: admin.ModelAdmin) -> list[dict[str, str]]:
    queries: list[dict[str, str]] = []
    filtered = {name for name in model_admin.list_filter if isinstance(name, str)}
    for field in model_admin.model._meta.concrete_fields:
        if isinstance(field, models.DateField):  # DateTimeField is one too
            queries += [{f"{field.name}{lookup}": value} for lookup, value in BAD_DATES]
        elif isinstance(field, (models.IntegerField, models.AutoField)) and (
            field.primary_key or (field.name in filtered and not field.is_relation)
        ):
            queries += [{f"{field.name}__exact": value} for value in BAD_NUMBERS]
    hierarchy = model_admin.date_hierarchy
    if hierarchy:
        queries += [
            {f"{hierarchy}__{part}": value for part, value in bad.items()} for bad in BAD_HIERARCHY
        ]
    return queries


def _changelists() -> list[tuple[str, admin.ModelAdmin]]:
    return [
        (reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), ma)
        for model, ma in admin.site._registry.items()
    ]


def test_the_walk_asks_the_date_hierarchies_and_date_fields() -> None:
    by_url = dict(_changelists())
    submissions = _queries(by_url["/admin/targets/submission/"])
    assert {"entered_at__gte": "garbage"} in submissions
    export_logs = _queries(by_url["/admin/reporting/exportlog/"])
    assert {"exported_at__year": "2015", "exported_at__month": "13"} in export_logs


@pytest.fixture
def staff(make_user: Any) -> dict[str, Client]:
    clients = {}
    for role in ("administrator", "auditor"):
        client = Client(raise_request_exception=False)
        client.force_login(make_user(role, username=role))
        clients[role] = client
    return clients


def _ask_every_changelist(staff: dict[str, Client]) -> list[str]:
    wrong = []
    for url, model_admin in _changelists():
        for query in _queries(model_admin):
            for role, client in staff.items():
                response = client.get(f"{url}?{urlencode(query)}")
                if response.status_code == 403:
                    continue  # the auditor does not see this list at all
                if response.status_code == 302:
                    # Django's answer to a bad lookup: the plain list with ?e=1.
                    if response["Location"] != f"{url}?e=1":
                        wrong.append(f"{role} {url}?{urlencode(query)}: {response['Location']}")
                elif response.status_code != 200:
                    wrong.append(f"{role} {url}?{urlencode(query)}: {response.status_code}")
    return wrong


def test_bad_filters_on_every_changelist_are_never_500(plan, staff) -> None:
    wrong = _ask_every_changelist(staff)
    assert not wrong, f"on {connection.vendor}:\n" + "\n".join(wrong)


@pytest.mark.postgres
def test_bad_filters_on_every_changelist_on_postgres(plan, staff) -> None:
    wrong = _ask_every_changelist(staff)
    assert not wrong, "\n".join(wrong)
