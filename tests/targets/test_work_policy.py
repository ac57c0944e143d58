"""Who may set steps, report, review and read in 工作台账: asked of the services directly, with
no URL in between, and of the policy's reading filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from targets import policy, services
from targets.models import StepReport
from tests.targets.work_flow import (
    HESHAN_ITEM,
    Progress,
    Status,
    cooperate,
    item,
    report,
    step,
    written,
)

pytestmark = pytest.mark.django_db


def test_a_clerk_of_another_department_is_refused(plan: Any, clerk_of: Any) -> None:
    edu = clerk_of("edu")
    before = written()
    with pytest.raises(PermissionDenied):
        step(edu, item(plan))  # an hrss item
    with pytest.raises(PermissionDenied):
        step(edu, item(plan), department="edu")  # edu is not one of its units
    assert written() == before


def test_a_cooperating_department_sets_and_reports_its_own_steps(
    plan: Any, clerk: Any, clerk_of: Any, reviewer: Any
) -> None:
    milestone = item(plan)
    cooperate(milestone, "edu")
    edu = clerk_of("edu")
    own = step(edu, milestone, department="edu")
    lead = step(clerk, milestone)
    saved = report(edu, reviewer, own, 3)
    assert saved.status == Status.APPROVED
    before = written()
    with pytest.raises(PermissionDenied):
        services.step_report_save(actor=edu, step=lead, month=3, progress=Progress.DONE)
    with pytest.raises(PermissionDenied):
        services.step_report_save(actor=clerk, step=own, month=4, progress=Progress.DONE)
    with pytest.raises(PermissionDenied):
        services.step_report_correct(actor=clerk, report=saved, reason="改", progress="done")
    assert written() == before


def test_a_county_clerk_reports_only_their_county(
    plan: Any, clerk: Any, county_clerk: Any, clerk_of: Any, reviewer: Any
) -> None:
    """浚县's hrss clerk: not the city-wide unit, not 淇县's, only 浚县's."""
    milestone = item(plan)
    cooperate(milestone, "hrss", "410621")
    cooperate(milestone, "hrss", "410622")
    before = written()
    with pytest.raises(PermissionDenied):
        step(county_clerk, milestone)  # the city-wide lead unit
    with pytest.raises(PermissionDenied):
        step(county_clerk, milestone, region="410622")
    assert written() == before
    xun = step(county_clerk, milestone, region="410621")
    qi = step(clerk_of("hrss", "410622"), milestone, region="410622")
    city = step(clerk, milestone)
    report(county_clerk, reviewer, xun, 3)
    with pytest.raises(PermissionDenied):
        services.step_report_save(actor=county_clerk, step=qi, month=3, progress="done")
    with pytest.raises(PermissionDenied):
        services.step_report_save(actor=county_clerk, step=city, month=3, progress="done")
    # The city-wide clerk of the department covers every one of its units.
    report(clerk, reviewer, qi, 3, status=Status.DRAFT)


def test_a_county_led_item_is_its_county_clerks(plan: Any, clerk_of: Any) -> None:
    heshan = item(plan, HESHAN_ITEM)  # led by hrss in 鹤山区
    assert step(clerk_of("hrss", "410602"), heshan, region="410602").region.code == "410602"
    with pytest.raises(PermissionDenied):
        step(clerk_of("hrss", "410621"), heshan, region="410602")


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor", "outsider"])
def test_only_clerks_and_administrators_set_steps(plan: Any, role: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        step(request.getfixturevalue(role), item(plan))


@pytest.mark.parametrize("role", ["leader", "auditor", "administrator", "outsider"])
def test_only_reviewers_review(
    plan: Any, clerk: Any, reviewer: Any, role: str, request: Any
) -> None:
    sent = report(clerk, reviewer, step(clerk, item(plan)), 3, status=Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.step_report_approve(actor=request.getfixturevalue(role), report=sent)
    with pytest.raises(PermissionDenied):
        services.step_report_save(
            actor=request.getfixturevalue(role), step=sent.step, month=4, progress="done"
        )


def test_nobody_else_reads_a_units_drafts(
    plan: Any,
    clerk: Any,
    county_clerk: Any,
    clerk_of: Any,
    reviewer: Any,
    leader: Any,
    auditor: Any,
    administrator: Any,
    outsider: Any,
) -> None:
    city = step(clerk, item(plan))
    draft = report(clerk, reviewer, city, 3, status=Status.DRAFT)
    sent = report(clerk, reviewer, city, 4, status=Status.SUBMITTED)
    approved = report(clerk, reviewer, city, 5)

    def readable(user: Any) -> set[StepReport]:
        return set(policy.readable_step_reports(user, StepReport.objects.all()))

    assert readable(clerk) == {draft, sent, approved}
    for reader in (reviewer, leader, auditor, administrator):
        assert readable(reader) == {sent, approved}
    assert readable(county_clerk) == set()  # the city-wide unit is not 浚县's
    assert readable(clerk_of("edu")) == set()
    assert readable(outsider) == set()
