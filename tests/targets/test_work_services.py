"""工作台账 through the services: steps set, reports saved, sent, reviewed, locked and corrected,
each with its trail and actor; refusals write nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets import services
from targets.models import AuditEntry, Department, Region, StepReport, WorkStep
from tests.targets.services_flow import message
from tests.targets.work_flow import (
    Progress,
    Status,
    cooperate,
    item,
    report,
    step,
    trail,
    written,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_step(plan: Any, clerk: Any) -> WorkStep:
    return step(clerk, item(plan))


# --- steps ----------------------------------------------------------------------------------


def test_a_clerk_sets_a_step_and_the_audit_names_them(plan: Any, clerk: Any) -> None:
    made = step(clerk, item(plan), title="  召开对接会  ")
    assert (made.title, made.due_on, made.created_by) == ("召开对接会", date(2015, 6, 30), clerk)
    entry = AuditEntry.objects.get(object_id=made.pk, object_type="targets.workstep")
    assert (entry.action, entry.actor, entry.plan) == ("work-step-set", clerk, plan)
    assert entry.detail["title"] == "召开对接会" and entry.detail["due_on"] == "2015-06-30"


def test_a_step_is_changed_in_place(plan: Any, clerk: Any, work_step: WorkStep) -> None:
    changed = services.work_step_set(
        actor=clerk,
        milestone=work_step.milestone,
        department=work_step.department,
        title="召开两次对接会",
        due_on=date(2015, 9, 30),
        order=2,
        step=work_step,
    )
    assert changed.pk == work_step.pk and WorkStep.objects.count() == 1
    assert (changed.title, changed.due_on, changed.order) == (
        "召开两次对接会",
        date(2015, 9, 30),
        2,
    )
    entries = AuditEntry.objects.filter(object_id=work_step.pk, object_type="targets.workstep")
    assert entries.count() == 2
    assert entries.last().detail["before"]["title"] == "召开对接会"


def test_an_administrator_sets_steps_for_a_cooperating_unit(plan: Any, administrator: Any) -> None:
    milestone = item(plan)
    cooperate(milestone, "edu")
    made = step(administrator, milestone, department="edu")
    assert made.department.code == "edu"


@pytest.mark.parametrize(
    ("title", "due_on", "says"),
    [
        ("   ", date(2015, 6, 30), "工作措施不能为空"),
        ("长" * 201, date(2015, 6, 30), "不能超过 200 字"),
        ("召开对接会", date(2016, 1, 1), "完成时限必须在 2015 年度方案的期限内"),
        ("召开对接会", "2015-06-30", "完成时限必须是日期"),
    ],
)
def test_a_bad_step_is_refused(plan: Any, clerk: Any, title: str, due_on: Any, says: str) -> None:
    before = written()
    with pytest.raises(ValidationError) as refusal:
        step(clerk, item(plan), title=title, due_on=due_on)
    assert says in message(refusal.value)
    assert written() == before


def test_a_unit_not_responsible_for_the_item_is_refused(plan: Any, administrator: Any) -> None:
    before = written()
    with pytest.raises(ValidationError) as refusal:
        step(administrator, item(plan), department="agri")
    assert "不是这项重点工作的责任单位" in message(refusal.value)
    assert written() == before


def test_a_closed_plan_takes_no_steps(plan: Any, clerk: Any, administrator: Any) -> None:
    services.plan_close(plan=plan, actor=administrator)
    before = written()
    with pytest.raises(ValidationError) as refusal:
        step(clerk, item(plan))
    assert "已结束" in message(refusal.value)
    assert written() == before


def test_a_step_with_reports_keeps_its_unit(
    plan: Any, clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    cooperate(work_step.milestone, "hrss", "410621")
    report(clerk, reviewer, work_step, 3, status=Status.DRAFT)
    before = written()
    with pytest.raises(ValidationError):
        services.work_step_set(
            actor=clerk,
            milestone=work_step.milestone,
            department=Department.objects.get(code="hrss"),
            region=Region.objects.get(code="410621"),
            title=work_step.title,
            due_on=work_step.due_on,
            step=work_step,
        )
    assert written() == before


# --- reports --------------------------------------------------------------------------------


def test_a_report_goes_through_review_with_its_trail(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    saved = services.step_report_save(
        actor=clerk, step=work_step, month=3, progress=Progress.IN_PROGRESS, done="筹备"
    )
    same = services.step_report_save(
        actor=clerk, step=work_step, month=3, progress=Progress.IN_PROGRESS, done="筹备"
    )
    assert same.pk == saved.pk  # nothing changed, nothing written
    services.step_report_save(
        actor=clerk,
        step=work_step,
        month=3,
        progress=Progress.IN_PROGRESS,
        done="筹备对接会",
        problems="场地未定",
    )
    services.step_report_submit(actor=clerk, report=saved)
    services.step_report_approve(actor=reviewer, report=saved, comment="同意")
    saved.refresh_from_db()
    assert (saved.status, saved.is_current, saved.is_counted) == (Status.APPROVED, True, True)
    assert (saved.done, saved.problems, saved.revision) == ("筹备对接会", "场地未定", 1)
    assert (saved.submitted_by, saved.reviewed_by, saved.review_comment) == (
        clerk,
        reviewer,
        "同意",
    )
    assert trail(saved) == [
        ("create", "clerk-hrss", "", "draft", ""),
        ("change", "clerk-hrss", "draft", "draft", ""),
        ("submit", "clerk-hrss", "draft", "submitted", ""),
        ("approve", "reviewer", "submitted", "approved", "同意"),
    ]


def test_a_sent_report_waits_and_an_approved_one_is_locked(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    sent = report(clerk, reviewer, work_step, 3, status=Status.SUBMITTED)
    with pytest.raises(ValidationError, match="等待审核"):
        services.step_report_save(actor=clerk, step=work_step, month=3, progress=Progress.DONE)
    with pytest.raises(ValidationError, match="只有草稿或被退回"):
        services.step_report_submit(actor=clerk, report=sent)
    services.step_report_approve(actor=reviewer, report=sent)
    before = written()
    with pytest.raises(ValidationError, match="已审核锁定"):
        services.step_report_save(actor=clerk, step=work_step, month=3, progress=Progress.DONE)
    with pytest.raises(ValidationError, match="只有已报送"):
        services.step_report_approve(actor=reviewer, report=sent)
    assert written() == before


def test_a_returned_report_is_changed_and_sent_again(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    returned = report(clerk, reviewer, work_step, 3, status=Status.RETURNED)
    assert (returned.status, returned.review_comment) == (Status.RETURNED, "请补充")
    services.step_report_save(
        actor=clerk, step=work_step, month=3, progress=Progress.DONE, done="已召开"
    )
    services.step_report_submit(actor=clerk, report=returned)
    returned.refresh_from_db()
    assert (returned.status, returned.progress, returned.revision) == (
        Status.SUBMITTED,
        Progress.DONE,
        1,
    )
    assert [row[0] for row in trail(returned)] == [
        "create",
        "submit",
        "return",
        "change",
        "submit",
    ]


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_return_needs_a_comment(
    clerk: Any, reviewer: Any, work_step: WorkStep, comment: str
) -> None:
    sent = report(clerk, reviewer, work_step, 3, status=Status.SUBMITTED)
    before = written()
    with pytest.raises(ValidationError) as refusal:
        services.step_report_return(actor=reviewer, report=sent, comment=comment)
    assert "退回时必须填写审核意见" in message(refusal.value)
    assert written() == before


def test_a_review_comment_has_a_limit(clerk: Any, reviewer: Any, work_step: WorkStep) -> None:
    sent = report(clerk, reviewer, work_step, 3, status=Status.SUBMITTED)
    before = written()
    with pytest.raises(ValidationError, match="审核意见不能超过"):
        services.step_report_return(actor=reviewer, report=sent, comment="长" * 1001)
    assert written() == before


def test_a_correction_is_a_new_revision_while_the_approved_one_counts(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    approved = report(clerk, reviewer, work_step, 3)
    correction = services.step_report_correct(
        actor=clerk, report=approved, reason="漏报一次会议", progress=Progress.DONE, done="已召开"
    )
    approved.refresh_from_db()
    assert (correction.revision, correction.status, correction.is_current) == (
        2,
        Status.DRAFT,
        True,
    )
    assert (approved.is_current, approved.is_counted) == (False, True)
    assert trail(correction) == [("correct", "clerk-hrss", "approved", "draft", "漏报一次会议")]
    services.step_report_submit(actor=clerk, report=correction)
    services.step_report_approve(actor=reviewer, report=correction)
    approved.refresh_from_db()
    correction.refresh_from_db()
    assert (approved.is_counted, correction.is_counted) == (False, True)
    counted = StepReport.objects.get(step=work_step, month=3, is_counted=True)
    assert counted.progress == Progress.DONE


def test_a_correction_needs_a_reason_and_an_approved_report(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    approved = report(clerk, reviewer, work_step, 3)
    draft = report(clerk, reviewer, work_step, 4, status=Status.DRAFT)
    before = written()
    with pytest.raises(ValidationError, match="更正理由"):
        services.step_report_correct(
            actor=clerk, report=approved, reason=" ", progress=Progress.DONE
        )
    with pytest.raises(ValidationError, match="直接修改"):
        services.step_report_correct(actor=clerk, report=draft, reason="改", progress=Progress.DONE)
    assert written() == before


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"month": 13, "progress": Progress.DONE}, "月份必须在 1 到 12 之间"),
        ({"month": 3, "progress": "finished"}, "进展状态必须是"),
        ({"month": 3, "progress": Progress.DONE, "done": "长" * 2001}, "不能超过 2000 字"),
    ],
)
def test_a_bad_report_is_refused_whole(
    clerk: Any, work_step: WorkStep, fields: dict[str, Any], says: str
) -> None:
    before = written()
    with pytest.raises(ValidationError) as refusal:
        services.step_report_save(actor=clerk, step=work_step, **fields)
    assert says in message(refusal.value)
    assert written() == before


def test_a_closed_plan_takes_no_reports(
    plan: Any, clerk: Any, reviewer: Any, administrator: Any, work_step: WorkStep
) -> None:
    sent = report(clerk, reviewer, work_step, 3, status=Status.SUBMITTED)
    services.plan_close(plan=plan, actor=administrator)
    before = written()
    with pytest.raises(ValidationError, match="不在执行中"):
        services.step_report_save(actor=clerk, step=work_step, month=4, progress=Progress.DONE)
    with pytest.raises(ValidationError, match="不在执行中"):
        services.step_report_approve(actor=reviewer, report=sent)
    assert written() == before


def test_a_reviewer_neither_reports_nor_a_clerk_reviews(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    sent = report(clerk, reviewer, work_step, 3, status=Status.SUBMITTED)
    before = written()
    with pytest.raises(PermissionDenied):
        services.step_report_save(actor=reviewer, step=work_step, month=4, progress=Progress.DONE)
    with pytest.raises(PermissionDenied):
        services.step_report_approve(actor=clerk, report=sent)
    with pytest.raises(PermissionDenied):
        services.step_report_return(actor=clerk, report=sent, comment="不行")
    assert written() == before


# --- responsible units ----------------------------------------------------------------------


def units(*codes: tuple[str, str | None]) -> list[tuple[Department, Region | None]]:
    return [
        (Department.objects.get(code=d), Region.objects.get(code=r) if r else None)
        for d, r in codes
    ]


def test_an_administrator_names_the_cooperating_units_and_the_requirement(
    plan: Any, administrator: Any
) -> None:
    milestone = item(plan)
    services.work_units_set(
        actor=administrator,
        milestone=milestone,
        requirement=" 年底前完成 ",
        units=units(("edu", None), ("hrss", "410621")),
    )
    kept = services.work_units_set(
        actor=administrator,
        milestone=milestone,
        requirement="年底前完成",
        units=units(("hrss", "410621"), ("agri", None)),
    )
    milestone.refresh_from_db()
    assert milestone.requirement == "年底前完成"
    assert {(u.department.code, u.region.code if u.region else None) for u in kept} == {
        ("hrss", "410621"),
        ("agri", None),
    }
    entry = AuditEntry.objects.filter(action="work-units-set").last()
    assert (entry.actor, entry.object_id, entry.detail["dropped"]) == (
        administrator,
        milestone.pk,
        ["教育局"],
    )


@pytest.mark.parametrize(
    ("named", "says"),
    [
        ((("hrss", None),), "牵头单位不必再列为配合单位"),
        ((("edu", None), ("edu", None)), "同一配合单位不能重复"),
    ],
)
def test_bad_units_are_refused(plan: Any, administrator: Any, named: Any, says: str) -> None:
    before = written()
    with pytest.raises(ValidationError) as refusal:
        services.work_units_set(
            actor=administrator, milestone=item(plan), requirement="", units=units(*named)
        )
    assert says in message(refusal.value)
    assert written() == before


def test_a_unit_with_steps_stays_and_only_administrators_name_units(
    plan: Any, clerk_of: Any, administrator: Any, reviewer: Any
) -> None:
    milestone = item(plan)
    services.work_units_set(
        actor=administrator, milestone=milestone, requirement="", units=units(("edu", None))
    )
    step(clerk_of("edu"), milestone, department="edu")
    hrss = clerk_of("hrss")
    before = written()
    with pytest.raises(ValidationError, match="已有工作措施，不能取消"):
        services.work_units_set(actor=administrator, milestone=milestone, requirement="", units=[])
    for someone in (reviewer, hrss):
        with pytest.raises(PermissionDenied):
            services.work_units_set(actor=someone, milestone=milestone, requirement="", units=[])
    assert written() == before
