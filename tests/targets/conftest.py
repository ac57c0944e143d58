"""Fixtures of the figures' own tests."""

from __future__ import annotations

from typing import Any

import pytest

from targets import services
from targets.models import Department, Indicator, Plan, Region, Submission
from targets.services import submission_approve, submission_save, submission_submit
from tests.targets.services_flow import at


@pytest.fixture
def one_draft(clerk: Any) -> Submission:
    """A figure already saved, so that "nothing changed" means something."""
    return services.submission_save(
        actor=clerk,
        indicator=Indicator.objects.get(plan__year=2015, code="reemployment"),
        region=Region.objects.get(code="410602"),
        month=3,
        value=4,
        note="已有",
    )


@pytest.fixture
def users(plan: Plan, make_user: Any) -> dict[str, Any]:
    """Everyone the history and notice pages are shown to, made in this order: 小李 the hrss
    clerk, the hrss clerks of 浚县 and 淇滨区, the agriculture clerk, 王审核 the reviewer, a
    leader, an auditor, an administrator, a superuser and a user without a role."""
    return {
        "clerk": make_user("clerk", "hrss", first_name="小李"),
        "xunxian_clerk": make_user("clerk", "hrss", "410621"),
        "qibin_clerk": make_user("clerk", "hrss", "410611"),
        "agri_clerk": make_user("clerk", "agri"),
        "reviewer": make_user("reviewer", first_name="王审核"),
        "leader": make_user("leader"),
        "auditor": make_user("auditor"),
        "administrator": make_user("administrator"),
        "superuser": make_user(None, is_superuser=True, is_staff=True),
        "nobody": make_user(None),
    }


@pytest.fixture
def civil_clerk(plan: Plan, clerk_of: Any) -> Any:
    """The clerk of civil affairs (civil), who enters the veterans' counts."""
    return clerk_of("civil")


@pytest.fixture
def rural(plan: Plan) -> Indicator:
    return plan.indicators.get(code="rural-transfer")


@pytest.fixture
def qibin(regions: dict[str, Region]) -> Region:
    return regions["410611"]


@pytest.fixture
def xun(regions: dict[str, Region]) -> Region:
    return regions["410621"]


@pytest.fixture
def approved(clerk: Any, reviewer: Any, rural: Indicator, qibin: Region) -> Submission:
    """淇滨区's March figure of rural-transfer, 1,200, approved."""
    figure = submission_save(
        actor=clerk, indicator=rural, region=qibin, month=3, value=1200, at=at(1)
    )
    submission_submit(actor=clerk, submission=figure, at=at(2))
    return submission_approve(actor=reviewer, submission=figure, at=at(3))


@pytest.fixture
def figure(figure: Any) -> Any:
    """The root's ``figure``, but sent and waiting for review unless ``status`` says otherwise."""

    def make(code: str, region: str, month: int, value: int = 100, **options: Any) -> Submission:
        return figure(code, region, month, value, **{"status": "submitted", **options})

    return make


@pytest.fixture
def hrss(plan: Plan) -> Department:
    return Department.objects.get(code="hrss")


@pytest.fixture
def march(figure: Any) -> list[Submission]:
    """Three HR figures waiting for March, and one of the agriculture bureau."""
    return [
        figure("rural-transfer", "410611", 3, 120),
        figure("rural-transfer", "410621", 3, 80),
        figure("in-service", "410611", 3, 300),
        figure("new-farmers", "410611", 3, 15),
    ]
