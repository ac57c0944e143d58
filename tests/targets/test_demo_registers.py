"""The demo's registers: synthetic (every text marked 【演示】), a believable year with the
cases the pages must show: an annual plan not sent, an overdue 整改事项, a returned
self-assessment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from targets.models import (
    AnnualPlan,
    Competition,
    EvaluationPilot,
    Meeting,
    Rectification,
    SelfAssessment,
)
from targets.register_selectors import missing_annual_plans
from tests.demo_snapshot import demo_rolled_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_plan(db: None) -> Any:
    return demo_rolled_up("demo-password-1")


def test_the_registers_tell_the_story(demo_plan: Any) -> None:
    assert Competition.objects.filter(status="approved").count() == 2
    assert Competition.objects.filter(status="submitted").count() == 1
    assert EvaluationPilot.objects.filter(status="approved").count() == 3
    assert [d.code for d in missing_annual_plans(demo_plan)] == ["poverty"]
    assert Meeting.objects.count() == 3
    open_items = Rectification.objects.filter(closed_on=None)
    assert [item.is_overdue(date(2015, 10, 31)) for item in open_items] == [True]
    assert SelfAssessment.objects.filter(status="approved", period=6).count() == 5
    returned = SelfAssessment.objects.get(status="returned")
    assert returned.department.code == "poverty" and returned.review_comment


def test_every_register_text_is_marked_synthetic(demo_plan: Any) -> None:
    texts = [
        *Competition.objects.values_list("name", flat=True),
        *EvaluationPilot.objects.values_list("enterprise", flat=True),
        *AnnualPlan.objects.values_list("title", flat=True),
        *Meeting.objects.values_list("title", flat=True),
        *Rectification.objects.values_list("description", flat=True),
        *SelfAssessment.objects.values_list("text", flat=True),
    ]
    assert texts and all(text.startswith("【演示】") for text in texts)
    for plan_row in AnnualPlan.objects.select_related("file"):
        assert plan_row.file.kind == "pdf" and plan_row.file.size < 2000
