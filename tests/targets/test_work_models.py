"""工作台账's invariants held by the database itself, and 逾期 computed for an as-of date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from targets.models import StepReport, WorkStep, WorkUnit
from tests.targets.work_flow import Progress, Status, cooperate, item, report, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_step(plan: Any, clerk: Any) -> WorkStep:
    return step(clerk, item(plan))


def raw_report(work_step: WorkStep, clerk: Any, **fields: Any) -> StepReport:
    values = {
        "step": work_step,
        "month": 3,
        "progress": Progress.IN_PROGRESS,
        "entered_by": clerk,
        "entered_at": timezone.now(),
    }
    return StepReport.objects.create(**(values | fields))


def refused(make: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize("month", [0, 13])
def test_a_month_outside_the_year_is_refused(work_step: WorkStep, clerk: Any, month: int) -> None:
    refused(lambda: raw_report(work_step, clerk, month=month))


def test_a_step_has_one_current_revision_a_month(work_step: WorkStep, clerk: Any) -> None:
    raw_report(work_step, clerk)
    refused(lambda: raw_report(work_step, clerk, revision=2, correction_reason="改"))
    raw_report(work_step, clerk, month=4)  # another month is another report


def test_a_revision_number_is_taken_once(work_step: WorkStep, clerk: Any) -> None:
    raw_report(work_step, clerk, is_current=False)
    refused(lambda: raw_report(work_step, clerk))


def test_a_correction_has_a_reason(work_step: WorkStep, clerk: Any) -> None:
    refused(lambda: raw_report(work_step, clerk, revision=2))


def test_revision_numbers_start_at_one(work_step: WorkStep, clerk: Any) -> None:
    refused(lambda: raw_report(work_step, clerk, revision=0))


def test_an_unknown_progress_is_refused(work_step: WorkStep, clerk: Any) -> None:
    refused(lambda: raw_report(work_step, clerk, progress="finished"))


def test_a_sent_report_names_who_sent_it(work_step: WorkStep, clerk: Any) -> None:
    refused(lambda: raw_report(work_step, clerk, status=Status.SUBMITTED))


def test_an_approved_report_names_its_reviewer(work_step: WorkStep, clerk: Any) -> None:
    now = timezone.now()
    sent = {"submitted_by": clerk, "submitted_at": now}
    refused(lambda: raw_report(work_step, clerk, status=Status.APPROVED, **sent))


def test_a_report_the_county_approved_names_its_county_reviewer(
    work_step: WorkStep, clerk: Any, county_people: dict[str, Any]
) -> None:
    now = timezone.now()
    sent = {"submitted_by": clerk, "submitted_at": now, "status": Status.VERIFIED}
    refused(lambda: raw_report(work_step, clerk, **sent))
    refused(lambda: raw_report(work_step, clerk, verified_by=county_people["reviewer"], **sent))
    raw_report(work_step, clerk, verified_by=county_people["reviewer"], verified_at=now, **sent)


def test_only_an_approved_report_counts(
    work_step: WorkStep, clerk: Any, county_people: dict[str, Any]
) -> None:
    refused(lambda: raw_report(work_step, clerk, is_counted=True))
    now = timezone.now()
    verified = {"submitted_by": clerk, "submitted_at": now, "status": Status.VERIFIED}
    verified |= {"verified_by": county_people["reviewer"], "verified_at": now}
    refused(lambda: raw_report(work_step, clerk, is_counted=True, **verified))


def test_one_counted_revision_a_month(work_step: WorkStep, clerk: Any, reviewer: Any) -> None:
    now = timezone.now()
    approved = {
        "status": Status.APPROVED,
        "is_counted": True,
        "submitted_by": clerk,
        "submitted_at": now,
        "reviewed_by": reviewer,
        "reviewed_at": now,
    }
    raw_report(work_step, clerk, is_current=False, **approved)
    refused(lambda: raw_report(work_step, clerk, revision=2, correction_reason="改", **approved))


def test_a_step_has_a_title(plan: Any, clerk: Any) -> None:
    milestone = item(plan)
    refused(
        lambda: WorkStep.objects.create(
            milestone=milestone,
            department=milestone.department,
            title="",
            due_on=date(2015, 6, 30),
            created_by=clerk,
            created_at=timezone.now(),
        )
    )


def test_a_unit_cooperates_once_on_an_item(plan: Any) -> None:
    milestone = item(plan)
    cooperate(milestone, "edu")
    refused(lambda: cooperate(milestone, "edu"))
    cooperate(milestone, "edu", "410621")  # the county's bureau is another unit
    refused(lambda: cooperate(milestone, "edu", "410621"))
    assert WorkUnit.objects.filter(milestone=milestone).count() == 2


def test_a_step_past_its_due_date_and_not_done_is_overdue(
    plan: Any, clerk: Any, reviewer: Any
) -> None:
    milestone = item(plan)
    late = step(clerk, milestone, title="晚了", due_on=date(2015, 3, 31))
    done = step(clerk, milestone, title="完成了", due_on=date(2015, 3, 31))
    report(clerk, reviewer, done, 3, progress=Progress.DONE)
    unsent_done = step(clerk, milestone, title="未审核", due_on=date(2015, 3, 31))
    report(clerk, reviewer, unsent_done, 3, progress=Progress.DONE, status=Status.SUBMITTED)
    later = step(clerk, milestone, title="还没到期", due_on=date(2015, 9, 30))

    overdue = set(WorkStep.objects.overdue(date(2015, 4, 30)))
    assert overdue == {late, unsent_done}  # a report not approved yet does not count
    assert not WorkStep.objects.overdue(date(2015, 3, 31)).exists()  # due that day: not yet
    assert late.is_overdue(date(2015, 4, 1)) and not later.is_overdue(date(2015, 4, 1))
    assert not done.is_overdue(date(2015, 12, 31))
    # Done in March: as of February it was still open, and overdue if due by then.
    assert set(WorkStep.objects.done_by(2)) == set()
    assert set(WorkStep.objects.done_by(3)) == {done}


def test_an_item_takes_its_steps_along_but_reports_protect_them(
    plan: Any, clerk: Any, reviewer: Any
) -> None:
    milestone = item(plan)
    step(clerk, milestone)
    milestone.delete()  # a draft plan's definition dropping an item
    assert not WorkStep.objects.exists()
    other = item(plan, "publicity")
    report(clerk, reviewer, step(clerk, other), 3, status=Status.DRAFT)
    with pytest.raises(ProtectedError), transaction.atomic():
        other.delete()
    assert WorkStep.objects.count() == 1 and StepReport.objects.count() == 1
