"""项目库 and 一项目一台账 through the services: a project saved, its files attached, its ledger
rows entered, sent, approved (locked) or returned; every write in the trail with its actor,
every refusal writing nothing, one unit's clerks never keeping another unit's ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from targets import policy, services
from targets.evidence import evidence_storage
from targets.models import (
    Department,
    EvidenceFile,
    Plan,
    Project,
    ProjectEntry,
    ProjectEvent,
    ProjectFile,
    Region,
)
from tests.targets.test_evidence import PDF

pytestmark = pytest.mark.django_db

Status = ProjectEntry.Status
Kind = ProjectEntry.Kind

# One row's values per part, as the entry form hands them to the service.
VALUES: dict[str, dict[str, Any]] = {
    Kind.MILESTONE: {
        "name": "主体工程封顶",
        "planned_on": date(2015, 6, 30),
        "progress": "in-progress",
    },
    Kind.FUNDING: {
        "source": "市级财政配套",
        "planned_amount": 3_000_000,
        "arrived_amount": 1_200_000,
        "on": date(2015, 5, 10),
    },
    Kind.PRODUCT: {"product_kind": "textbook", "name": "数控车床实训教程", "on": date(2015, 9, 1)},
    Kind.COMPETITION: {
        "name": "全市焊工技能竞赛",
        "level": "city",
        "on": date(2015, 10, 20),
        "participants": 86,
    },
}


def heshan_project(actor: Any, plan: Plan, code: str = "heshan-base") -> Project:
    """鹤山区's brand base: of the hrss unit in 鹤山区 (410602)."""
    heshan = Region.objects.get(code="410602")
    return services.project_save(
        actor=actor,
        plan=plan,
        code=code,
        name="城乡劳动者技能培训品牌基地（鹤壁工业中专）",
        department=Department.objects.get(code="hrss"),
        region=heshan,
        county=heshan,
        milestone=plan.milestones.get(code="heshan-brand-base"),
    )


def training_values(plan: Plan, code: str = "rural-transfer", assigned: int = 800) -> dict:
    return {"indicator": plan.indicators.get(code=code), "assigned": assigned, "achieved": 350}


def pdf(name: str = "项目申报书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def ledger_row(
    clerk: Any, reviewer: Any, project: Project, kind: str = Kind.FUNDING, status: str = "approved"
) -> ProjectEntry:
    """A row of ``kind`` taken to ``status`` through the services."""
    values = training_values(project.plan) if kind == Kind.TRAINING else VALUES[kind]
    row = services.project_entry_save(actor=clerk, project=project, kind=kind, values=values)
    if status != Status.DRAFT:
        services.project_entry_submit(actor=clerk, entry=row)
    if status == Status.APPROVED:
        services.project_entry_approve(actor=reviewer, entry=row)
    elif status == Status.RETURNED:
        services.project_entry_return(actor=reviewer, entry=row, comment="请附到账凭证")
    row.refresh_from_db()
    return row


def state() -> tuple[Any, ...]:
    return (
        list(Project.objects.order_by("pk").values_list("pk", "code", "name", "region")),
        list(ProjectEntry.objects.order_by("pk").values_list("pk", "status", "name", "source")),
        ProjectEvent.objects.count(),
        ProjectFile.objects.count(),
        EvidenceFile.objects.count(),
    )


@pytest.fixture
def heshan_clerk(clerk_of: Any) -> Any:
    return clerk_of("hrss", "410602")


@pytest.fixture
def project(plan: Plan, administrator: Any) -> Project:
    return heshan_project(administrator, plan)


# --- the project ----------------------------------------------------------------------------


def test_a_project_is_saved_with_its_unit_and_county_and_the_trail_names_who(
    plan: Plan, administrator: Any, heshan_clerk: Any
) -> None:
    project = heshan_project(administrator, plan)
    assert (project.unit_name, project.county.name, project.milestone.code) == (
        "人社局（鹤山区）",
        "鹤山区",
        "heshan-brand-base",
    )
    changed = services.project_save(
        actor=heshan_clerk,
        plan=plan,
        code=project.code,
        name="品牌基地（改名）",
        department=project.department,
        region=project.region,
        county=project.county,
        project=project,
    )
    assert changed.name == "品牌基地（改名）"
    trail = list(ProjectEvent.objects.filter(project=project).values_list("action", "actor"))
    assert trail == [("create", administrator.pk), ("change", heshan_clerk.pk)]


def test_another_county_or_department_cannot_set_the_project(
    plan: Plan, project: Project, county_clerk: Any, clerk_of: Any
) -> None:
    before = state()
    for outsider in (county_clerk, clerk_of("edu")):
        with pytest.raises(PermissionDenied):
            services.project_save(
                actor=outsider,
                plan=plan,
                code=project.code,
                name="改",
                department=project.department,
                region=project.region,
                county=project.county,
                project=project,
            )
    assert state() == before


def test_a_project_code_is_unique_in_its_plan(plan: Plan, project: Project, administrator: Any):
    before = state()
    with pytest.raises(ValidationError) as refused:
        heshan_project(administrator, plan, code=project.code)
    assert "不能重复" in str(refused.value)
    assert state() == before


# --- files ----------------------------------------------------------------------------------


def test_a_file_is_attached_as_the_application_and_counts_in_the_plan_total(
    plan: Plan, project: Project, heshan_clerk: Any
) -> None:
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="application"
    )
    assert (link.role, link.evidence.download_name, link.evidence.plan) == (
        "application",
        "项目申报书.pdf",
        plan,
    )
    with evidence_storage().open(link.evidence.stored_name, "rb") as handle:
        assert handle.read() == PDF
    assert services.plan_evidence_bytes(plan) == len(PDF)
    event = ProjectEvent.objects.filter(project=project).last()
    assert (event.action, event.actor, event.reason) == (
        "attach",
        heshan_clerk,
        "项目申报书：项目申报书.pdf",
    )


def test_a_file_over_the_plan_total_or_renamed_program_is_refused_storing_nothing(
    plan: Plan, project: Project, heshan_clerk: Any
) -> None:
    plan.evidence_total_bytes = len(PDF) + 10
    plan.save()
    services.project_file_attach(actor=heshan_clerk, project=project, upload=pdf(), role="plan")
    before = state()
    for upload in (pdf("第二份.pdf"), SimpleUploadedFile("方案.pdf", b"MZ\x90\0" + b"\0" * 90)):
        with pytest.raises(ValidationError):
            services.project_file_attach(
                actor=heshan_clerk, project=project, upload=upload, role="plan"
            )
    assert state() == before
    _folders, files = evidence_storage().listdir("projects/2015")
    assert len(files) == 1


def test_a_clerk_of_another_county_attaches_nothing(
    project: Project, county_clerk: Any, reviewer: Any
) -> None:
    before = state()
    for actor in (county_clerk, reviewer):
        with pytest.raises(PermissionDenied):
            services.project_file_attach(actor=actor, project=project, upload=pdf(), role="plan")
    assert state() == before


def test_a_file_a_project_names_cannot_be_deleted(project: Project, heshan_clerk: Any) -> None:
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="plan"
    )
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        link.evidence.delete()


# --- ledger rows ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.MILESTONE, Kind.FUNDING, Kind.PRODUCT, Kind.COMPETITION])
def test_each_part_takes_a_row_through_review(
    project: Project, heshan_clerk: Any, reviewer: Any, kind: str
) -> None:
    row = ledger_row(heshan_clerk, reviewer, project, kind)
    assert (row.status, row.entered_by, row.reviewed_by) == ("approved", heshan_clerk, reviewer)
    assert row.submitted_by == heshan_clerk and row.is_locked
    trail = list(ProjectEvent.objects.filter(entry=row).values_list("action", "new_status"))
    assert trail == [("create", "draft"), ("submit", "submitted"), ("approve", "approved")]


def test_a_training_task_counts_in_its_indicators_unit(
    plan: Plan, project: Project, heshan_clerk: Any, reviewer: Any
) -> None:
    row = ledger_row(heshan_clerk, reviewer, project, Kind.TRAINING)
    assert (row.indicator.code, row.assigned, row.achieved, row.unit) == (
        "rural-transfer",
        800,
        350,
        "人次",
    )
    entrepreneurship = services.project_entry_save(
        actor=heshan_clerk,
        project=project,
        kind=Kind.TRAINING,
        values=training_values(plan, "entrepreneurship", 50),
    )
    assert entrepreneurship.unit == "人"


def test_a_rate_or_another_plans_indicator_is_no_training_task(
    plan: Plan, plan_of_year: Any, project: Project, heshan_clerk: Any
) -> None:
    other_year = plan_of_year(2016)
    before = state()
    for indicator in (
        plan.indicators.get(code="veterans-pass"),
        other_year.indicators.get(code="rural-transfer"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.project_entry_save(
                actor=heshan_clerk,
                project=project,
                kind=Kind.TRAINING,
                values={"indicator": indicator, "assigned": 1, "achieved": 1},
            )
        assert "indicator" in refused.value.message_dict
    assert state() == before


def test_a_returned_row_is_changed_and_sent_again(
    project: Project, heshan_clerk: Any, reviewer: Any
) -> None:
    row = ledger_row(heshan_clerk, reviewer, project, status="returned")
    assert (row.status, row.review_comment) == ("returned", "请附到账凭证")
    changed = services.project_entry_save(
        actor=heshan_clerk,
        project=project,
        kind=Kind.FUNDING,
        values={**VALUES[Kind.FUNDING], "arrived_amount": 1_500_000},
        entry=row,
    )
    assert changed.arrived_amount == 1_500_000
    services.project_entry_submit(actor=heshan_clerk, entry=changed)
    services.project_entry_approve(actor=reviewer, entry=changed)
    actions = list(ProjectEvent.objects.filter(entry=row).values_list("action", "actor"))
    assert [action for action, _actor in actions] == [
        "create",
        "submit",
        "return",
        "change",
        "submit",
        "approve",
    ]
    assert actions[2][1] == reviewer.pk and actions[3][1] == heshan_clerk.pk


def test_sent_and_approved_rows_are_locked(
    project: Project, heshan_clerk: Any, reviewer: Any
) -> None:
    sent = ledger_row(heshan_clerk, reviewer, project, status="submitted")
    approved = ledger_row(heshan_clerk, reviewer, project, Kind.PRODUCT)
    before = state()
    for row in (sent, approved):
        values = VALUES[row.kind] | {"name": "改"} if row.kind == Kind.PRODUCT else VALUES[row.kind]
        with pytest.raises(ValidationError):
            services.project_entry_save(
                actor=heshan_clerk, project=project, kind=row.kind, values=values, entry=row
            )
        with pytest.raises(ValidationError):
            services.project_entry_submit(actor=heshan_clerk, entry=row)
    with pytest.raises(ValidationError):
        services.project_entry_approve(actor=reviewer, entry=approved)
    with pytest.raises(ValidationError):
        services.project_entry_return(actor=reviewer, entry=approved, comment="再看看")
    assert state() == before


def test_refusals_write_nothing(
    project: Project, heshan_clerk: Any, county_clerk: Any, reviewer: Any, clerk_of: Any
) -> None:
    draft = ledger_row(heshan_clerk, reviewer, project, status="draft")
    before = state()
    refusals = [
        # Another county's, another department's clerk and a reviewer keep no ledger here.
        *(
            lambda actor=actor: services.project_entry_save(
                actor=actor, project=project, kind=Kind.FUNDING, values=VALUES[Kind.FUNDING]
            )
            for actor in (county_clerk, clerk_of("edu"), reviewer)
        ),
        lambda: services.project_entry_submit(actor=county_clerk, entry=draft),
        # Only a reviewer reviews, and only a sent row; a return needs its comment.
        lambda: services.project_entry_approve(actor=heshan_clerk, entry=draft),
        lambda: services.project_entry_approve(actor=reviewer, entry=draft),
        lambda: services.project_entry_return(actor=reviewer, entry=draft, comment=" "),
        # Bad values: a missing field, a negative amount, a field of another part.
        lambda: services.project_entry_save(
            actor=heshan_clerk, project=project, kind=Kind.FUNDING, values={"source": "财政"}
        ),
        lambda: services.project_entry_save(
            actor=heshan_clerk,
            project=project,
            kind=Kind.FUNDING,
            values={**VALUES[Kind.FUNDING], "arrived_amount": -1},
        ),
        lambda: services.project_entry_save(
            actor=heshan_clerk,
            project=project,
            kind=Kind.PRODUCT,
            values={**VALUES[Kind.PRODUCT], "level": "city"},
        ),
        lambda: services.project_entry_save(
            actor=heshan_clerk,
            project=project,
            kind=Kind.MILESTONE,
            values={**VALUES[Kind.MILESTONE], "done_on": date(2015, 7, 1)},
        ),
        lambda: services.project_entry_save(
            actor=heshan_clerk, project=project, kind="budget", values={}
        ),
    ]
    for refusal in refusals:
        with pytest.raises((PermissionDenied, ValidationError)):
            refusal()
    assert state() == before


def test_a_closed_plan_takes_no_rows(
    plan: Plan, project: Project, heshan_clerk: Any, reviewer: Any
) -> None:
    sent = ledger_row(heshan_clerk, reviewer, project, status="submitted")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    before = state()
    with pytest.raises(ValidationError):
        services.project_entry_save(
            actor=heshan_clerk, project=project, kind=Kind.FUNDING, values=VALUES[Kind.FUNDING]
        )
    with pytest.raises(ValidationError):
        services.project_entry_approve(actor=reviewer, entry=sent)
    assert state() == before


def test_the_database_refuses_a_row_of_one_part_with_another_parts_fields(
    project: Project, heshan_clerk: Any
) -> None:
    from django.utils import timezone

    for fields in (
        {"kind": "funding", "source": "财政", "on": date(2015, 1, 1)},  # amounts missing
        {
            "kind": "competition",
            "name": "赛",
            "level": "city",
            "on": date(2015, 1, 1),
            "participants": 3,
            "planned_amount": 5,
        },  # an amount in a competition
        {"kind": "product", "name": "教材", "product_kind": "film", "on": date(2015, 1, 1)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectEntry.objects.create(
                project=project, entered_by=heshan_clerk, entered_at=timezone.now(), **fields
            )


# --- who reads what -------------------------------------------------------------------------


def test_units_are_never_mixed_in_what_clerks_read(
    plan: Plan,
    project: Project,
    heshan_clerk: Any,
    clerk: Any,
    county_clerk: Any,
    reviewer: Any,
    leader: Any,
    auditor: Any,
    clerk_of: Any,
) -> None:
    draft = ledger_row(heshan_clerk, reviewer, project, status="draft")
    sent = ledger_row(heshan_clerk, reviewer, project, status="submitted")
    rows = ProjectEntry.objects.all()
    assert set(policy.readable_project_entries(heshan_clerk, rows)) == {draft, sent}
    assert set(policy.readable_project_entries(clerk, rows)) == {draft, sent}  # city-wide hrss
    assert not policy.readable_project_entries(county_clerk, rows).exists()
    assert not policy.readable_project_entries(clerk_of("edu"), rows).exists()
    for reader in (reviewer, leader, auditor):
        assert list(policy.readable_project_entries(reader, rows)) == [sent]
        assert policy.may_read_project(reader, project)
    assert not policy.may_read_project(county_clerk, project)
    assert list(policy.readable_projects(county_clerk, Project.objects.all())) == []
    assert list(policy.readable_projects(heshan_clerk, Project.objects.all())) == [project]
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="plan"
    )
    assert policy.may_download_project_file(auditor, link)
    assert not policy.may_download_project_file(county_clerk, link)


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_loads_the_two_named_projects_with_synthetic_ledgers(plan: Plan) -> None:
    from targets import demo, demo_projects

    users = demo.ensure_accounts("demo-pass-for-tests")
    assert demo_projects.load_projects(plan, users) == 2
    assert demo_projects.load_projects(plan, users) == 0  # a rerun adds nothing
    projects = {project.code: project for project in Project.objects.all()}
    assert set(projects) == {"provincial-training-base", "heshan-brand-base"}
    city, heshan = projects["provincial-training-base"], projects["heshan-brand-base"]
    assert (city.county.code, city.region, city.milestone.code) == (
        "410601",
        None,
        "provincial-training-base",
    )
    assert (heshan.region.code, heshan.county.code) == ("410602", "410602")
    for project in (city, heshan):
        assert "演示" in project.description
        roles = sorted(project.files.values_list("role", flat=True))
        assert roles == ["application", "plan"]
        for link in project.files.select_related("evidence"):
            assert link.evidence.kind == "pdf"
            with evidence_storage().open(link.evidence.stored_name, "rb") as handle:
                content = handle.read()
            assert content.startswith(b"%PDF-") and b"SYNTHETIC DEMO" in content
        approved = set(project.entries.filter(status="approved").values_list("kind", flat=True))
        assert approved == set(Kind.values)
    returned = ProjectEntry.objects.get(status="returned")
    assert returned.project == heshan and returned.review_comment.startswith("【演示】")
    assert ProjectEntry.objects.filter(status="submitted").count() == 1
