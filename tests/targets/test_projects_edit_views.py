"""The project library's own pages: a project created and changed through its form (a clerk for
their own unit only, an administrator for any), and a file taken off a project. Who reaches
which page by editing the URL, and every refusal writing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from targets import services
from targets.models import Department, Plan, Project, ProjectEvent, ProjectFile, Region
from tests.targets.test_projects_services import heshan_project, ledger_row, pdf, state

pytestmark = pytest.mark.django_db

NEW = "/projects/new/"


@pytest.fixture
def heshan_clerk(clerk_of: Any) -> Any:
    return clerk_of("hrss", "410602")


@pytest.fixture
def project(plan: Plan, administrator: Any) -> Project:
    return heshan_project(administrator, plan)


@pytest.fixture
def link(project: Project, heshan_clerk: Any) -> ProjectFile:
    return services.project_file_attach(
        actor=heshan_clerk, project=project, upload=pdf("建设方案.pdf"), role="plan"
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def body(plan: Plan, **changes: Any) -> dict[str, Any]:
    """A project as its form posts it: 鹤山区's training base, of the work item it serves."""
    return {
        "code": "heshan-new-base",
        "name": "鹤山区新建实训基地",
        "county": region("410602").pk,
        "description": "建设实训楼一栋。",
        "milestone": plan.milestones.get(code="heshan-brand-base").pk,
        **changes,
    }


def edit_url(project: Project) -> str:
    return reverse("project-edit", args=[project.pk])


# --- creating a project ---------------------------------------------------------------------


def test_the_urls_are_where_the_pages_say(project: Project, link: ProjectFile) -> None:
    assert reverse("project-new") == NEW
    assert edit_url(project) == f"/projects/{project.pk}/edit/"
    assert reverse("project-file-remove", args=[link.pk]) == f"/projects/files/{link.pk}/remove/"


def test_a_clerk_creates_a_project_of_their_own_unit_and_cannot_name_another(
    plan: Plan, heshan_clerk: Any
) -> None:
    client = signed_in(heshan_clerk)
    page = client.get(NEW).content.decode()
    assert "人社局（鹤山区）" in page and plan.title in page
    assert 'name="department"' not in page and 'name="region"' not in page
    # A department and county unit posted anyway are not read.
    other = {"department": Department.objects.get(code="edu").pk, "region": region("410621").pk}
    response = client.post(NEW, body(plan, **other), follow=True)
    project = Project.objects.get(code="heshan-new-base")
    assert response.redirect_chain == [(reverse("project-ledger", args=[project.pk]), 302)]
    assert "项目已创建。" in response.content.decode()
    assert (project.department.code, project.region, project.county) == (
        "hrss",
        region("410602"),
        region("410602"),
    )
    assert (project.plan, project.created_by, project.milestone.code) == (
        plan,
        heshan_clerk,
        "heshan-brand-base",
    )
    assert project.description == "建设实训楼一栋。"
    event = ProjectEvent.objects.get(project=project)
    assert (event.action, event.actor) == ("create", heshan_clerk)


def test_a_city_wide_clerks_project_is_city_wide(plan: Plan, clerk: Any) -> None:
    response = signed_in(clerk).post(NEW, body(plan, region=region("410602").pk))
    assert response.status_code == 302
    project = Project.objects.get(code="heshan-new-base")
    assert (project.unit_name, project.county.code) == ("人社局", "410602")


def test_an_administrator_creates_a_project_for_any_unit(plan: Plan, administrator: Any) -> None:
    client = signed_in(administrator)
    page = client.get(NEW).content.decode()
    assert 'name="department"' in page and 'name="region"' in page
    edu = Department.objects.get(code="edu")
    response = client.post(NEW, body(plan, department=edu.pk, region=region("410621").pk))
    assert response.status_code == 302
    project = Project.objects.get(code="heshan-new-base")
    assert (project.department, project.region, project.created_by) == (
        edu,
        region("410621"),
        administrator,
    )


def test_readers_create_no_project(
    plan: Plan, reviewer: Any, leader: Any, auditor: Any, outsider: Any
) -> None:
    before = state()
    for reader in (reviewer, leader, auditor, outsider):
        client = signed_in(reader)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, body(plan)).status_code == 403
    assert state() == before
    assert Client().get(NEW).status_code == 302  # to the sign-in page


def test_the_library_offers_a_new_project_to_those_who_may_create_one(
    plan: Plan, heshan_clerk: Any, administrator: Any, leader: Any
) -> None:
    for user in (heshan_clerk, administrator):
        assert f'href="{NEW}"' in signed_in(user).get(reverse("projects")).content.decode()
    assert f'href="{NEW}"' not in signed_in(leader).get(reverse("projects")).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "Heshan Base!"}, "项目代码只能由小写字母、数字和连字符组成。"),
        ({"code": "heshan-base"}, "同一年度方案中项目代码不能重复。"),
        ({"name": "  "}, "这个字段是必填项。"),
        ({"milestone": "99999999999999999999"}, "选择一个有效的选项"),
        ({"county": "-1"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_shown_in_chinese_and_nothing_is_saved(
    plan: Plan, project: Project, heshan_clerk: Any, changes: dict[str, str], message: str
) -> None:
    before = state()
    response = signed_in(heshan_clerk).post(NEW, body(plan, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


def test_no_project_is_created_without_an_active_plan(plan: Plan, heshan_clerk: Any) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    client = signed_in(heshan_clerk)
    page = client.get(NEW).content.decode()
    assert "没有进行中的年度方案，不能新建项目。" in page and 'name="code"' not in page
    before = state()
    assert client.post(NEW, body(plan)).status_code == 403
    assert state() == before


# --- changing a project ---------------------------------------------------------------------


def test_a_clerk_changes_their_project_and_its_unit_stays(
    plan: Plan, project: Project, heshan_clerk: Any
) -> None:
    client = signed_in(heshan_clerk)
    page = client.get(edit_url(project)).content.decode()
    assert 'value="heshan-base"' in page and project.name in page
    changes = {"name": "品牌基地（改名）", "department": Department.objects.get(code="edu").pk}
    response = client.post(edit_url(project), body(plan, code=project.code, **changes))
    assert response.status_code == 302
    assert response["Location"] == reverse("project-ledger", args=[project.pk])
    project.refresh_from_db()
    assert (project.name, project.unit_name, project.code) == (
        "品牌基地（改名）",
        "人社局（鹤山区）",
        "heshan-base",
    )
    trail = list(ProjectEvent.objects.filter(project=project).values_list("action", "actor"))
    assert trail[-1] == ("change", heshan_clerk.pk)


def test_an_administrator_moves_a_project_without_rows_to_another_unit(
    plan: Plan, project: Project, administrator: Any, heshan_clerk: Any, reviewer: Any
) -> None:
    client = signed_in(administrator)
    xunxian = {"department": project.department_id, "region": region("410621").pk}
    response = client.post(edit_url(project), body(plan, code=project.code, **xunxian))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.unit_name == "人社局（浚县）"
    # With ledger rows, it stays with the unit that keeps them.
    back = services.project_save(
        actor=administrator,
        plan=plan,
        code=project.code,
        name=project.name,
        department=project.department,
        region=region("410602"),
        county=project.county,
        project=project,
    )
    ledger_row(heshan_clerk, reviewer, back, status="draft")
    before = state()
    response = client.post(edit_url(project), body(plan, code=project.code, **xunxian))
    assert response.status_code == 400
    assert "该项目已有台账，不能改为其他单位。" in response.content.decode()
    assert state() == before


def test_it_checks_ownership_of_the_edit_page(
    plan: Plan,
    project: Project,
    county_clerk: Any,
    clerk_of: Any,
    reviewer: Any,
    leader: Any,
    auditor: Any,
) -> None:
    before = state()
    changed = body(plan, code=project.code, name="改")
    for outsider in (county_clerk, clerk_of("edu")):
        client = signed_in(outsider)
        assert client.get(edit_url(project)).status_code == 404
        assert client.post(edit_url(project), changed).status_code == 404
    for reader in (reviewer, leader, auditor):
        client = signed_in(reader)
        assert client.get(edit_url(project)).status_code == 403
        assert client.post(edit_url(project), changed).status_code == 403
    assert state() == before


def test_the_ledger_offers_the_edit_page_to_those_who_may_change_the_project(
    project: Project, heshan_clerk: Any, administrator: Any, leader: Any
) -> None:
    ledger = reverse("project-ledger", args=[project.pk])
    for user in (heshan_clerk, administrator):
        assert edit_url(project) in signed_in(user).get(ledger).content.decode()
    assert edit_url(project) not in signed_in(leader).get(ledger).content.decode()


def test_a_closed_plans_project_is_shown_read_only(
    plan: Plan, project: Project, administrator: Any, heshan_clerk: Any
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    before = state()
    for user in (administrator, heshan_clerk):
        client = signed_in(user)
        page = client.get(edit_url(project)).content.decode()
        assert "2015年度方案已结束，项目库只读。" in page and 'name="code"' not in page
        response = client.post(edit_url(project), body(plan, code=project.code, name="改"))
        assert response.status_code == 403
        ledger = client.get(reverse("project-ledger", args=[project.pk])).content.decode()
        assert edit_url(project) not in ledger
    assert state() == before


# --- taking a file off ----------------------------------------------------------------------


def remove_url(link: ProjectFile) -> str:
    return reverse("project-file-remove", args=[link.pk])


def test_the_projects_unit_takes_a_file_off(
    project: Project, link: ProjectFile, heshan_clerk: Any
) -> None:
    client = signed_in(heshan_clerk)
    ledger = reverse("project-ledger", args=[project.pk])
    assert f'action="{remove_url(link)}"' in client.get(ledger).content.decode()
    response = client.post(remove_url(link), follow=True)
    assert response.redirect_chain == [(f"{ledger}#files", 302)]
    page = response.content.decode()
    assert "文件已删除。" in page and "建设方案.pdf" not in page.split('id="files"')[1]
    assert not ProjectFile.objects.filter(pk=link.pk).exists()
    event = ProjectEvent.objects.filter(project=project).last()
    assert (event.action, event.actor, event.reason) == (
        "detach",
        heshan_clerk,
        "建设方案：建设方案.pdf",
    )


def test_it_checks_ownership_of_a_file(
    project: Project,
    link: ProjectFile,
    heshan_clerk: Any,
    county_clerk: Any,
    clerk_of: Any,
    reviewer: Any,
    leader: Any,
    administrator: Any,
) -> None:
    before = state()
    assert signed_in(heshan_clerk).get(remove_url(link)).status_code == 405
    for outsider in (county_clerk, clerk_of("edu")):
        assert signed_in(outsider).post(remove_url(link)).status_code == 404
    for reader in (reviewer, leader, administrator):
        assert signed_in(reader).post(remove_url(link)).status_code == 403
        ledger = reverse("project-ledger", args=[project.pk])
        assert remove_url(link) not in signed_in(reader).get(ledger).content.decode()
    assert (
        signed_in(heshan_clerk).post(f"/projects/files/{link.pk + 1000}/remove/").status_code == 404
    )
    assert state() == before


def test_a_closed_plans_files_stay(
    plan: Plan, project: Project, link: ProjectFile, heshan_clerk: Any
) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    before = state()
    client = signed_in(heshan_clerk)
    assert client.post(remove_url(link)).status_code == 403
    ledger = client.get(reverse("project-ledger", args=[project.pk])).content.decode()
    assert remove_url(link) not in ledger
    assert state() == before
