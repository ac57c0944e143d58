"""Setting up the project library through the services: who creates and changes a project and
for which unit, and a file taken off a project again (its trail, and its stored copy deleted
only once nothing else points to it). Every refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets import policy, services
from targets.evidence import evidence_storage
from targets.models import (
    Department,
    EvidenceFile,
    Plan,
    Project,
    ProjectEvent,
    ProjectFile,
    Region,
    StepReportEvidence,
)
from tests.targets.test_projects_services import heshan_project, ledger_row, pdf, state
from tests.targets.work_flow import item, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def heshan_clerk(clerk_of: Any) -> Any:
    return clerk_of("hrss", "410602")


@pytest.fixture
def project(plan: Plan, administrator: Any) -> Project:
    return heshan_project(administrator, plan)


def stored(link: ProjectFile) -> str:
    return link.evidence.stored_name


# --- who sets a project up, for which unit ---------------------------------------------------


def test_who_creates_projects_and_for_which_unit(
    plan: Plan,
    heshan_clerk: Any,
    clerk: Any,
    reviewer: Any,
    leader: Any,
    auditor: Any,
    administrator: Any,
    superuser: Any,
    outsider: Any,
) -> None:
    heshan = Region.objects.get(code="410602")
    hrss = Department.objects.get(code="hrss")
    assert policy.own_project_unit(heshan_clerk) == (hrss.pk, heshan.pk)
    assert policy.own_project_unit(clerk) == (hrss.pk, None)
    for user in (heshan_clerk, clerk, administrator, superuser):
        assert policy.may_create_projects(user)
    for user in (reviewer, leader, auditor, outsider):
        assert not policy.may_create_projects(user)
        assert policy.own_project_unit(user) is None
    assert policy.may_choose_project_unit(administrator)
    assert policy.may_choose_project_unit(superuser)
    assert not policy.may_choose_project_unit(heshan_clerk)
    assert policy.own_project_unit(administrator) is None


def test_a_clerk_creates_a_project_of_their_own_unit_and_the_trail_names_them(
    plan: Plan, heshan_clerk: Any
) -> None:
    project = heshan_project(heshan_clerk, plan)
    assert (project.unit_name, project.created_by) == ("人社局（鹤山区）", heshan_clerk)
    event = ProjectEvent.objects.get(project=project)
    assert (event.action, event.actor, event.reason) == ("create", heshan_clerk, project.name)


def test_nobody_else_creates_a_project_of_the_unit(
    plan: Plan,
    county_clerk: Any,
    clerk_of: Any,
    reviewer: Any,
    leader: Any,
    auditor: Any,
    outsider: Any,
) -> None:
    before = state()
    for actor in (county_clerk, clerk_of("edu"), reviewer, leader, auditor, outsider):
        with pytest.raises(PermissionDenied):
            heshan_project(actor, plan)
    assert state() == before


def test_a_closed_plans_projects_are_read_only(
    plan: Plan, project: Project, administrator: Any, heshan_clerk: Any
) -> None:
    assert services.project_setting_refusal(plan) is None
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    plan.refresh_from_db()
    assert "项目库只读" in services.project_setting_refusal(plan)
    before = state()
    for actor in (administrator, heshan_clerk):
        with pytest.raises(ValidationError, match="项目库只读"):
            heshan_project(actor, plan, code="another")
        with pytest.raises(ValidationError, match="项目库只读"):
            services.project_save(
                actor=actor,
                plan=plan,
                code=project.code,
                name="改",
                department=project.department,
                region=project.region,
                county=project.county,
                project=project,
            )
    assert state() == before


def test_a_project_with_ledger_rows_keeps_its_unit_and_a_work_item_is_of_its_plan(
    plan: Plan,
    plan_of_year: Any,
    project: Project,
    administrator: Any,
    heshan_clerk: Any,
    reviewer: Any,
) -> None:
    ledger_row(heshan_clerk, reviewer, project, status="draft")
    other_year = plan_of_year(2016)
    before = state()
    changes = [
        {"region": Region.objects.get(code="410621")},
        {"milestone": other_year.milestones.get(code="heshan-brand-base")},
    ]
    for change in changes:
        values = {
            "code": project.code,
            "name": project.name,
            "department": project.department,
            "region": project.region,
            "county": project.county,
            **change,
        }
        with pytest.raises(ValidationError):
            services.project_save(actor=administrator, plan=plan, project=project, **values)
    assert state() == before


# --- a file taken off ------------------------------------------------------------------------


def test_a_file_taken_off_leaves_its_name_in_the_trail_and_its_copy_is_deleted(
    project: Project, heshan_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf("建设方案.pdf"), role="plan"
    )
    name = stored(link)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_file_detach(actor=heshan_clerk, link=link)
    assert not ProjectFile.objects.filter(pk=link.pk).exists()
    assert not EvidenceFile.objects.filter(stored_name=name).exists()
    assert not evidence_storage().exists(name)
    event = ProjectEvent.objects.filter(project=project).last()
    assert (event.action, event.actor, event.reason) == (
        "detach",
        heshan_clerk,
        "建设方案：建设方案.pdf",
    )


@pytest.mark.parametrize("holder", ["another project", "a step report"])
def test_a_file_something_else_points_to_is_kept(
    plan: Plan,
    project: Project,
    administrator: Any,
    heshan_clerk: Any,
    clerk: Any,
    holder: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="application"
    )
    if holder == "another project":
        other = heshan_project(administrator, plan, code="heshan-second")
        ProjectFile.objects.create(project=other, evidence=link.evidence, role="other")
    else:
        report = services.step_report_save(
            actor=clerk,
            step=step(clerk, item(plan)),
            month=3,
            progress="in-progress",
            done="对接会",
        )
        StepReportEvidence.objects.create(report=report, evidence=link.evidence)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_file_detach(actor=heshan_clerk, link=link)
    assert not ProjectFile.objects.filter(pk=link.pk).exists()
    assert EvidenceFile.objects.filter(pk=link.evidence_id).exists()
    assert evidence_storage().exists(stored(link))


def test_only_the_projects_unit_takes_a_file_off_while_the_plan_is_open(
    plan: Plan,
    project: Project,
    heshan_clerk: Any,
    county_clerk: Any,
    clerk_of: Any,
    reviewer: Any,
    administrator: Any,
) -> None:
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="plan"
    )
    before = state()
    for actor in (county_clerk, clerk_of("edu"), reviewer, administrator):
        with pytest.raises(PermissionDenied):
            services.project_file_detach(actor=actor, link=link)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    with pytest.raises(ValidationError):
        services.project_file_detach(actor=heshan_clerk, link=link)
    assert state() == before
    assert evidence_storage().exists(stored(link))


def test_a_file_already_taken_off_is_refused(project: Project, heshan_clerk: Any) -> None:
    link = services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf(), role="plan"
    )
    services.project_file_detach(actor=heshan_clerk, link=link)
    before = state()
    with pytest.raises(ValidationError, match="已不在"):
        services.project_file_detach(actor=heshan_clerk, link=link)
    assert state() == before
