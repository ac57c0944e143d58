"""The 2015 plan as the plan definition workbook's tests use it, exported and as 2016's."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from targets import services
from targets.models import Department, Indicator, Plan, WorkUnit, places_of
from targets.workbooks.plan import build_definition

from .plan_book import as_2016, edited


@pytest.fixture
def defined(plan: Plan) -> Plan:
    """The 2015 plan with county splits, a county milestone and text Excel would evaluate."""
    regions = {r.code: r for r in places_of(plan)}
    for code, region, target in (
        ("rural-transfer", "410611", 6000),
        ("rural-transfer", "410621", 5000),
        ("in-service", "410622", 0),
        ("disabled", "410603", 1600),
    ):
        services.region_target_set(
            reason="测试：县区分解",
            indicator=Indicator.objects.get(plan=plan, code=code),
            region=regions[region],
            target=target,
        )
    plan.milestones.filter(code="publicity").update(description="=宣传月+成果展")
    # A county unit co-operating, and steps: one of the lead unit, one of a county unit.
    heshan = plan.milestones.get(code="heshan-brand-base")
    WorkUnit.objects.create(
        milestone=heshan, department=Department.objects.get(code="edu"), region=regions["410602"]
    )
    admin = get_user_model().objects.create_superuser("plan-admin")
    for department, region, title, due_on in (
        ("hrss", "410602", "完成实训楼主体工程", date(2015, 9, 30)),
        ("edu", "410602", "=开设订单班", date(2015, 11, 30)),
    ):
        services.work_step_set(
            actor=admin,
            milestone=heshan,
            department=Department.objects.get(code=department),
            region=regions[region],
            title=title,
            due_on=due_on,
        )
    plan.deadline_day = 8
    plan.save()
    plan.refresh_from_db()
    return plan


@pytest.fixture
def exported(defined: Plan) -> bytes:
    return build_definition(defined)


@pytest.fixture
def workbook_2016(exported: bytes) -> bytes:
    return edited(exported, as_2016)
