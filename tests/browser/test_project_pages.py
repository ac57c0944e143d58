"""The project library's own pages on a phone (360 and 390 px), in Chromium: a clerk creates a
project through the form, changes it, attaches a file and takes it off again; an
administrator's form, with the unit to choose, fits too. No page scrolls sideways."""

from __future__ import annotations

import pytest

from targets import services
from targets.models import Department, Membership, Project, ProjectFile, Region
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in, phone_page
from tests.targets.test_evidence import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "project-password"


def _people(django_user_model) -> None:
    """The hrss clerk of 鹤山区 ("clerk-heshan") and an administrator ("admin-projects")."""
    clerk = django_user_model.objects.create_user("clerk-heshan", password=PASSWORD)
    services.membership_assign(
        user=clerk,
        role=Membership.Role.CLERK,
        department=Department.objects.get(code="hrss"),
        region=Region.objects.get(code="410602"),
    )
    admin = django_user_model.objects.create_user("admin-projects", password=PASSWORD)
    services.membership_assign(user=admin, role=Membership.Role.ADMINISTRATOR)


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (page.url, widths)


@pytest.mark.parametrize("width", [360, 390])
def test_a_clerk_sets_up_a_project_and_its_files_on_a_phone(
    live_server, browser, request, django_user_model, tmp_path, width
) -> None:
    plan = load_plan_file()
    _people(django_user_model)
    page = phone_page(browser, request, width)

    log_in(page, live_server, "clerk-heshan", PASSWORD)
    page.goto(f"{live_server.url}/projects/")
    page.get_by_role("link", name="新建项目").click()
    page.wait_for_url("**/projects/new/")
    assert "人社局（鹤山区）" in page.content()
    _no_sideways_scroll(page)
    page.get_by_label("项目代码").fill("heshan-phone-base")
    page.get_by_label("项目名称").fill("鹤山区城乡劳动者技能培训品牌基地（手机新建）")
    page.get_by_label("所在县区").select_option(label="鹤山区")
    page.get_by_label("建设内容").fill("建设实训楼一栋，购置数控实训设备。")
    page.get_by_label("重点工作").select_option(
        label=plan.milestones.get(code="heshan-brand-base").title
    )
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    project = Project.objects.get(code="heshan-phone-base")
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert "项目已创建。" in page.content()
    _no_sideways_scroll(page)

    page.get_by_role("link", name="修改项目信息").click()
    page.wait_for_url(f"**/projects/{project.pk}/edit/")
    _no_sideways_scroll(page)
    page.get_by_label("项目名称").fill("鹤山区品牌基地（已改名）")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "项目信息已保存。" in page.content()

    pdf = tmp_path / "鹤山区城乡劳动者技能培训品牌基地建设方案（2015年修订稿）.pdf"
    pdf.write_bytes(PDF)
    page.locator("#file-role").select_option("plan")
    page.locator("#file-upload").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert ProjectFile.objects.filter(project=project).count() == 1
    _no_sideways_scroll(page)
    page.locator("#files").get_by_role("button", name="删除").click()
    page.wait_for_load_state()
    assert "文件已删除。" in page.content()
    assert not ProjectFile.objects.filter(project=project).exists()

    log_in(page, live_server, "admin-projects", PASSWORD)
    page.goto(f"{live_server.url}/projects/new/")
    assert page.get_by_label("责任部门").is_visible()
    _no_sideways_scroll(page)
