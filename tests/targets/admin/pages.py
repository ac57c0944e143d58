"""Helpers for the admin's tests: a logged-in client, the admin's URLs, queries per page."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from targets import services
from targets.models import Indicator, Region, Submission


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def enter(clerk: Any, code: str, county: str, month: int, value: int, **extra: Any) -> Submission:
    """A clerk's figure for the 2015 plan, saved through the service."""
    return services.submission_save(
        actor=clerk,
        indicator=indicator(code),
        region=region(county),
        month=month,
        value=value,
        **extra,
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    suffix = "/".join(str(arg) for arg in args)
    base = f"/admin/targets/{model._meta.model_name}/"
    return {
        "changelist": base,
        "add": f"{base}add/",
        "change": f"{base}{suffix}/change/",
        "delete": f"{base}{suffix}/delete/",
    }[view]


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
