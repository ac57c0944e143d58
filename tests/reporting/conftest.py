"""Figures built through the services, as a clerk and a reviewer would make them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model

from targets import services
from targets.models import Department, Indicator, Membership, Plan, Region, Submission
from targets.services.plan_definition import DEFAULT_PLAN_FILE, load_plan_definition, load_plan_file


@pytest.fixture
def plan(db) -> Plan:
    return load_plan_file()


@pytest.fixture
def plan_of_year(db) -> Callable[..., Plan]:
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
def reviewer(db):
    user = get_user_model().objects.create_user("test-reviewer")
    services.membership_assign(user=user, role=Membership.Role.REVIEWER)
    return user


@pytest.fixture
def clerk_of(db) -> Callable[[str], object]:
    """The city-wide clerk of a department (by department code), created on first use."""
    clerks: dict[str, object] = {}

    def clerk(department_code: str):
        if department_code not in clerks:
            user = get_user_model().objects.create_user(f"test-clerk-{department_code}")
            services.membership_assign(
                user=user,
                role=Membership.Role.CLERK,
                department=Department.objects.get(code=department_code),
            )
            clerks[department_code] = user
        return clerks[department_code]

    return clerk


@pytest.fixture
def figure(plan, clerk_of, reviewer) -> Callable[..., Submission]:
    """Enter a figure for (series code, region code, month) and take it to ``status``."""

    def make(code: str, region: str, month: int, value: int, status: str = "approved"):
        indicator = Indicator.objects.select_related("department", "plan").get(plan=plan, code=code)
        clerk = clerk_of(indicator.department.code)
        submission = services.submission_save(
            actor=clerk,
            indicator=indicator,
            region=Region.objects.get(code=region),
            month=month,
            value=value,
        )
        if status == "draft":
            return submission
        services.submission_submit(actor=clerk, submission=submission)
        if status == "approved":
            services.submission_approve(actor=reviewer, submission=submission)
        elif status == "returned":
            services.submission_return(actor=reviewer, submission=submission, comment="请核实")
        submission.refresh_from_db()
        return submission

    return make


@pytest.fixture
def correct(clerk_of, reviewer) -> Callable[..., Submission]:
    """Correct an approved figure to ``value``; approve the correction unless told not to."""

    def make(submission: Submission, value: int, approve: bool = True) -> Submission:
        clerk = clerk_of(submission.indicator.department.code)
        correction = services.submission_correct(
            actor=clerk, submission=submission, value=value, reason="补录漏报"
        )
        if approve:
            services.submission_submit(actor=clerk, submission=correction)
            services.submission_approve(actor=reviewer, submission=correction)
        correction.refresh_from_db()
        return correction

    return make


@pytest.fixture
def beat_schedules(db) -> None:
    """The beat schedules the data migrations made.

    A transactional test empties every table when it ends; pytest-django runs those last, but
    under pytest-xdist a process takes files in turn, so one may have run here already. Then
    the schedules are made again by the migrations' own functions (it is those the tests read).
    """
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    if PeriodicTask.objects.exists():
        return
    for name in ("0002_nightly_rebuild_schedule", "0005_reminder_schedule", "0009_pending_rollup"):
        import_module(f"reporting.migrations.{name}").forward(apps, None)


@pytest.fixture
def complete(plan, clerk_of, reviewer) -> Callable[..., int]:
    """Approve a figure (``value``, default 0) for every cell of ``month`` that has none
    counted yet, except the (series code, region code) pairs in ``leave``: the month is then
    fully reported, and its rows judged. Written directly (services per cell are slow);
    returns how many cells were filled."""
    from django.utils import timezone

    def make(month: int, value: int = 0, leave: tuple[tuple[str, str], ...] = ()) -> int:
        counted = set(
            Submission.objects.filter(
                indicator__plan=plan, month=month, is_counted=True
            ).values_list("indicator_id", "region_id")
        )
        current = set(
            Submission.objects.filter(
                indicator__plan=plan, month=month, is_current=True
            ).values_list("indicator_id", "region_id")
        )
        now = timezone.now()
        rows = []
        for indicator in (
            Indicator.objects.filter(plan=plan, accepts_figures=True)
            .exclude(kind=Indicator.Kind.RATE)
            .select_related("department")
        ):
            for region in Region.objects.all():
                key = (indicator.pk, region.pk)
                if key in counted or key in current or (indicator.code, region.code) in leave:
                    continue
                clerk = clerk_of(indicator.department.code)
                rows.append(
                    Submission(
                        indicator=indicator,
                        region=region,
                        month=month,
                        value=value,
                        status=Submission.Status.APPROVED,
                        is_counted=True,
                        entered_by=clerk,
                        entered_at=now,
                        submitted_by=clerk,
                        submitted_at=now,
                        first_submitted_at=now,
                        reviewed_by=reviewer,
                        reviewed_at=now,
                    )
                )
        Submission.objects.bulk_create(rows)
        return len(rows)

    return make


@pytest.fixture
def require_broker() -> None:
    """A real Redis broker (``CELERY_BROKER_URL``): skipped without one, failed in CI."""
    if os.environ.get("CELERY_BROKER_URL"):
        return
    message = "needs Redis: set CELERY_BROKER_URL"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)
