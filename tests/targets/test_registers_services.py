"""Registers and 整改事项 through the services: entered by the unit that keeps them, sent,
reviewed, locked, reopened with a reason; every write audited; refusals write nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import policy, services
from targets.evidence import evidence_storage
from targets.models import (
    AnnualPlan,
    AuditEntry,
    Competition,
    Department,
    EvidenceFile,
    Meeting,
    Plan,
    Rectification,
    Region,
)
from tests.targets.test_evidence import PDF

pytestmark = pytest.mark.django_db

COMPETITION = {
    "name": "鹤壁市第三届职业技能竞赛",
    "level": "city",
    "starts_on": date(2015, 9, 10),
    "ends_on": date(2015, 9, 12),
    "organiser": "市人力资源社会保障局",
    "occupations": "焊工、电工",
    "participants": 120,
    "winners": 18,
}


def dept(code: str) -> Department:
    return Department.objects.get(code=code)


def competition(actor: Any, plan: Plan, **changes: Any) -> Competition:
    return services.register_save(
        actor=actor,
        kind="competitions",
        plan=plan,
        department=dept("hrss"),
        region=None,
        values={**COMPETITION, **changes},
    )


def audit_rows() -> list[tuple[str, str]]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", "object_type"))


def test_a_competition_is_entered_sent_approved_and_locked(
    plan: Plan, clerk: Any, reviewer: Any
) -> None:
    record = competition(clerk, plan)
    services.register_submit(actor=clerk, record=record)
    services.register_approve(actor=reviewer, record=record, comment="同意")
    record.refresh_from_db()
    assert (record.status, record.reviewed_by, record.submitted_by) == ("approved", reviewer, clerk)
    with pytest.raises(ValidationError, match="已锁定"):
        services.register_save(
            actor=clerk,
            kind="competitions",
            plan=plan,
            department=dept("hrss"),
            region=None,
            values={"winners": 1},
            record=record,
        )
    actions = [a for a, kind in audit_rows() if kind == "targets.competition"]
    assert actions[:3] == ["register-save", "register-submit", "register-approve"]


def test_more_winners_than_participants_is_refused(plan: Plan, clerk: Any) -> None:
    with pytest.raises(ValidationError, match="获奖人数不能多于参赛人数"):
        competition(clerk, plan, winners=121)
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        competition(clerk, plan, ends_on=date(2015, 9, 9))
    assert not Competition.objects.exists()
    assert not AuditEntry.objects.filter(object_type="targets.competition").exists()


def test_only_the_lead_departments_clerks_keep_competitions(
    plan: Plan, clerk_of: Any, reviewer: Any
) -> None:
    for actor in (clerk_of("edu"), reviewer):
        with pytest.raises(PermissionDenied):
            services.register_save(
                actor=actor,
                kind="competitions",
                plan=plan,
                department=dept("edu"),
                region=None,
                values=COMPETITION,
            )
    # A county clerk of the lead department keeps their county's, not the city's.
    county = clerk_of("hrss", "410621")
    with pytest.raises(PermissionDenied):
        competition(county, plan)
    services.register_save(
        actor=county,
        kind="competitions",
        plan=plan,
        department=dept("hrss"),
        region=Region.objects.get(code="410621"),
        values=COMPETITION,
    )


def test_return_needs_a_comment_and_reopen_a_reason(plan: Plan, clerk: Any, reviewer: Any) -> None:
    record = competition(clerk, plan)
    services.register_submit(actor=clerk, record=record)
    with pytest.raises(ValidationError, match="退回时必须填写审核意见"):
        services.register_return(actor=reviewer, record=record, comment=" ")
    services.register_return(actor=reviewer, record=record, comment="请补充获奖名单")
    record.refresh_from_db()
    assert (record.status, record.review_comment) == ("returned", "请补充获奖名单")
    services.register_save(
        actor=clerk,
        kind="competitions",
        plan=plan,
        department=dept("hrss"),
        region=None,
        values={"winner_names": "张三、李四"},
        record=record,
    )
    services.register_submit(actor=clerk, record=record)
    services.register_approve(actor=reviewer, record=record)
    with pytest.raises(ValidationError, match="必须填写理由"):
        services.register_reopen(actor=clerk, record=record, reason="")
    services.register_reopen(actor=clerk, record=record, reason="获奖人数有误")
    record.refresh_from_db()
    assert (record.status, record.reviewed_by) == ("draft", None)
    entry = AuditEntry.objects.filter(action="register-reopen").get()
    assert entry.detail["reason"] == "获奖人数有误" and entry.actor == clerk


def test_readers_see_sent_rows_and_clerks_their_own(
    plan: Plan, clerk: Any, clerk_of: Any, make_user: Any
) -> None:
    record = competition(clerk, plan)
    leader = make_user("leader", username="leader")
    assert not policy.readable_registers(leader, Competition.objects.all()).exists()
    assert not policy.readable_registers(clerk_of("edu"), Competition.objects.all()).exists()
    assert policy.readable_registers(clerk, Competition.objects.all()).get() == record
    services.register_submit(actor=clerk, record=record)
    assert policy.readable_registers(leader, Competition.objects.all()).get() == record


def annual_plan(actor: Any, plan: Plan, content: bytes = PDF, name: str = "实施方案.pdf") -> Any:
    return services.register_save(
        actor=actor,
        kind="annual-plans",
        plan=plan,
        department=dept("edu"),
        region=None,
        values={"title": "教育局2015年全民技能振兴工程实施方案", "issued_on": date(2015, 7, 1)},
        upload=SimpleUploadedFile(name, content),
    )


def test_an_annual_plan_carries_its_file_and_a_bad_file_saves_nothing(
    plan: Plan, clerk_of: Any, make_user: Any
) -> None:
    edu = clerk_of("edu")
    with pytest.raises(ValidationError):
        annual_plan(edu, plan, content=b"MZ\x90\x00" + b"\0" * 100, name="方案.pdf")
    assert not AnnualPlan.objects.exists() and not EvidenceFile.objects.exists()
    assert not evidence_storage().exists("evidence/2015") or evidence_storage().listdir(
        "evidence/2015"
    ) == ([], [])
    record = annual_plan(edu, plan)
    assert record.file.download_name == "实施方案.pdf"
    auditor = make_user("auditor", username="auditor")
    assert policy.may_download_evidence(edu, record.file)
    assert not policy.may_download_evidence(auditor, record.file)  # a draft
    services.register_submit(actor=edu, record=record)
    assert policy.may_download_evidence(auditor, record.file)
    assert not policy.may_download_evidence(clerk_of("agri"), record.file)


def test_an_annual_plan_is_its_own_departments_and_city_wide(plan: Plan, clerk_of: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.register_save(
            actor=clerk_of("agri"),
            kind="annual-plans",
            plan=plan,
            department=dept("edu"),
            region=None,
            values={"title": "x", "issued_on": date(2015, 7, 1)},
            upload=SimpleUploadedFile("a.pdf", PDF),
        )
    assert not EvidenceFile.objects.exists()


def test_a_replaced_file_is_deleted_after_commit(
    plan: Plan, clerk_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    edu = clerk_of("edu")
    record = annual_plan(edu, plan)
    old = record.file
    with django_capture_on_commit_callbacks(execute=True):
        services.register_save(
            actor=edu,
            kind="annual-plans",
            plan=plan,
            department=dept("edu"),
            region=None,
            values={},
            record=record,
            upload=SimpleUploadedFile("第二稿.pdf", PDF),
        )
    assert not EvidenceFile.objects.filter(pk=old.pk).exists()
    assert not evidence_storage().exists(old.stored_name)
    assert AnnualPlan.objects.get().file.download_name == "第二稿.pdf"


def meeting(actor: Any, plan: Plan) -> Meeting:
    return services.register_save(
        actor=actor,
        kind="meetings",
        plan=plan,
        department=dept("hrss"),
        region=None,
        values={
            "held_on": date(2015, 7, 15),
            "kind": "inspection",
            "title": "全民技能振兴工程年中督查",
            "units_visited": "浚县人社局",
            "findings": "培训台账不全",
        },
    )


def test_a_rectification_is_answered_by_its_unit_and_closed_by_a_reviewer(
    plan: Plan, clerk: Any, clerk_of: Any, reviewer: Any
) -> None:
    record = meeting(clerk, plan)
    junxian = Region.objects.get(code="410621")
    item = services.rectification_add(
        actor=clerk,
        meeting=record,
        description="补齐2015年培训台账",
        department=dept("hrss"),
        region=junxian,
        due_on=date(2015, 8, 31),
    )
    assert item.is_overdue(date(2015, 9, 1)) and not item.is_overdue(date(2015, 8, 31))
    county = clerk_of("hrss", "410621")
    with pytest.raises(ValidationError, match="尚未报送"):
        services.rectification_progress(actor=county, item=item, progress="已补齐")
    services.register_submit(actor=clerk, record=record)
    with pytest.raises(PermissionDenied):
        services.rectification_progress(actor=clerk_of("hrss", "410622"), item=item, progress="x")
    services.rectification_progress(actor=county, item=item, progress="已补齐")
    with pytest.raises(ValidationError, match="审核通过后"):
        services.rectification_close(actor=reviewer, item=item)
    services.register_approve(actor=reviewer, record=record)
    with pytest.raises(PermissionDenied):
        services.rectification_close(actor=clerk, item=item)
    services.rectification_close(actor=reviewer, item=item, note="已核实")
    item.refresh_from_db()
    assert item.closed_by == reviewer and not item.is_overdue(item.closed_on + timedelta(days=30))
    actions = [a for a, kind in audit_rows() if kind == "targets.rectification"]
    assert actions == ["rectification-add", "rectification-progress", "rectification-close"]
    # The county clerk reads their own 整改事项, another county's does not.
    assert policy.readable_rectifications(county, Rectification.objects.all()).exists()
    assert not policy.readable_rectifications(
        clerk_of("hrss", "410622"), Rectification.objects.all()
    ).exists()


def test_no_rectification_on_a_sent_meeting(plan: Plan, clerk: Any) -> None:
    record = meeting(clerk, plan)
    services.register_submit(actor=clerk, record=record)
    with pytest.raises(ValidationError, match="已锁定"):
        services.rectification_add(
            actor=clerk,
            meeting=record,
            description="x",
            department=dept("edu"),
            region=None,
            due_on=date(2015, 8, 1),
        )
    assert not Rectification.objects.exists()


def test_a_department_writes_one_self_assessment_per_period(plan: Plan, clerk_of: Any) -> None:
    edu = clerk_of("edu")

    def assess(period: int, text: str) -> Any:
        return services.register_save(
            actor=edu,
            kind="self-assessments",
            plan=plan,
            department=dept("edu"),
            region=None,
            values={"period": period, "text": text},
        )

    assess(6, "上半年完成培训任务过半。")
    with pytest.raises(ValidationError, match="该阶段的自评已登记"):
        assess(6, "重复")
    with pytest.raises(ValidationError):
        assess(9, "九月不是自评阶段")
    with pytest.raises(ValidationError, match="不能超过 10000 字"):
        assess(12, "字" * 10001)
    assess(12, "全年任务完成。")
    with pytest.raises(PermissionDenied):
        services.register_save(
            actor=clerk_of("agri"),
            kind="self-assessments",
            plan=plan,
            department=dept("edu"),
            region=None,
            values={"period": 6, "text": "x"},
        )
