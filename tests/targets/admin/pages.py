"""Helpers for the admin's tests: a logged-in client, the admin's URLs, queries per page."""

from __future__ import annotations

from collections.abc import Sequence
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


def indicator_form(
    indicator: Indicator, shares: Sequence[dict[str, Any]] = (), *, initial: int = 0, **changes: Any
) -> dict[str, Any]:
    """The indicator's admin page as posted: its fields as they are, its county ``shares``
    (the first ``initial`` of them already saved), then ``changes`` over it all."""
    data: dict[str, Any] = {
        "plan": indicator.plan_id,
        "code": indicator.code,
        "name": indicator.name,
        "series_name": indicator.series_name,
        "role": indicator.role,
        "kind": indicator.kind,
        "department": indicator.department_id,
        "unit": indicator.unit,
        "target": indicator.target if indicator.target is not None else "",
        "target_rate": indicator.target_rate if indicator.target_rate is not None else "",
        "feeds": indicator.feeds_id or "",
        "accepts_figures": "on" if indicator.accepts_figures else "",
        "numerator": indicator.numerator_id or "",
        "denominator": indicator.denominator_id or "",
        "source_clause": indicator.source_clause,
        "order": indicator.order,
        "change_reason": "",
        "region_targets-TOTAL_FORMS": len(shares),
        "region_targets-INITIAL_FORMS": initial,
        "region_targets-MIN_NUM_FORMS": 0,
        "region_targets-MAX_NUM_FORMS": 1000,
    }
    for number, share in enumerate(shares):
        for field, value in share.items():
            data[f"region_targets-{number}-{field}"] = value
        data[f"region_targets-{number}-indicator"] = indicator.pk
    data.update(changes)
    return data
