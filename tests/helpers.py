"""Helpers the tests share: a logged-in client, a figure taken through the services, zips."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.test import Client
from hypothesis import HealthCheck, settings

from targets import services
from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent

# The series the 人社局 (hrss) clerk enters, in the plan's order: its quotas, the goals it
# reports, and training-total's 8,550 not allocated to any department.
HRSS_CODES = [
    "training-total",
    "high-skill-talent",
    "skill-appraisal",
    "rural-transfer",
    "in-service",
    "reemployment",
    "entrepreneurship",
    "public-institution",
]


def client_for(user: Any | None, **client_options: Any) -> Client:
    """A test client logged in as ``user`` (None: anonymous)."""
    client = Client(**client_options)
    if user is not None:
        client.force_login(user)
    return client


def assert_sent_to_log_in(response: Any) -> None:
    """The answer to someone not logged in: a redirect to the login page."""
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def indicator_of(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.select_related("plan", "department").get(plan=plan, code=code)


def cell_submission(
    plan: Plan, code: str, region: str, month: int, **flags: bool
) -> Submission | None:
    """The revision of a cell (series × county × month) with ``flags`` (``is_current=True``,
    ``is_counted=True``), if there is one."""
    return Submission.objects.filter(
        indicator__plan=plan, indicator__code=code, region__code=region, month=month, **flags
    ).first()


def figure_enter(
    plan: Plan,
    clerk: Any,
    code: str,
    region: str,
    month: int,
    value: int,
    *,
    note: str = "",
    reviewer: Any = None,
) -> Submission:
    """A figure saved and sent; approved too when ``reviewer`` is given."""
    submission = services.submission_save(
        actor=clerk,
        indicator=indicator_of(plan, code),
        region=Region.objects.get(code=region),
        month=month,
        value=value,
        note=note,
    )
    services.submission_submit(actor=clerk, submission=submission)
    if reviewer is not None:
        services.submission_approve(actor=reviewer, submission=submission)
    submission.refresh_from_db()
    return submission


def zip_parts(content: bytes) -> dict[str, bytes]:
    """Every part of a zip (a workbook is one) by name, in the zip's order."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(parts: dict[str, bytes]) -> bytes:
    """A deflated zip of ``parts``: with ``zip_parts``, a workbook taken apart and put back."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def examples(count: int) -> settings:
    """Hypothesis settings for ``count`` examples that share the test's function-scoped
    fixtures and write to the database (so no deadline)."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


def no_figures_yet() -> None:
    """Each example starts from an empty month: every figure and its events go."""
    SubmissionEvent.objects.all().delete()
    Submission.objects.all().delete()


def parts_for(county: str, *names: str) -> list[Region]:
    """Parts (乡镇（责任单位）) of the place with code ``county``, one per name, in that order,
    coded the county's code + 001, 002, …"""
    parent = Region.objects.get(code=county)
    return [
        Region.objects.create(
            code=f"{county}{n:03d}", name=name, kind=Region.Kind.TOWNSHIP, parent=parent, order=n
        )
        for n, name in enumerate(names, 1)
    ]
