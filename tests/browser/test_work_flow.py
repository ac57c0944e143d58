"""A step's monthly report (工作台账) from the clerk, with a small PDF, to the reviewer, who
returns it with a comment the clerk then reads; the pages fit a 375 px phone, in Chromium."""

from __future__ import annotations

import pytest

from targets import services
from targets.models import Department, EvidenceFile, Membership, StepReport, WorkStep
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in, phone_page
from tests.targets.test_evidence import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "work-password"
PHONE = 375


def _people(django_user_model) -> None:
    """The hrss city-wide clerk ("clerk-hrss") and a reviewer ("reviewer")."""
    clerk = django_user_model.objects.create_user("clerk-hrss", password=PASSWORD)
    services.membership_assign(
        user=clerk, role=Membership.Role.CLERK, department=Department.objects.get(code="hrss")
    )
    reviewer = django_user_model.objects.create_user("reviewer", password=PASSWORD)
    services.membership_assign(user=reviewer, role=Membership.Role.REVIEWER)


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (page.url, widths)


def test_a_step_report_with_a_file_goes_to_the_reviewer_and_comes_back(
    live_server, page, browser, request, django_user_model, tmp_path
) -> None:
    plan = load_plan_file()
    _people(django_user_model)
    item = plan.milestones.get(code="three-matchings")

    # The clerk sets a step for the item their bureau leads (年初有安排).
    log_in(page, live_server, "clerk-hrss", PASSWORD)
    page.get_by_role("link", name="工作台账").first.click()
    page.wait_for_url("**/work/")
    page.locator(f"#item-{item.pk}").get_by_role("link", name="设定工作措施").click()
    page.wait_for_url(f"**/work/item/{item.pk}/steps/")
    new = page.locator("#step-new")
    new.get_by_label("工作措施").fill("召开校企对接会")
    new.get_by_label("完成时限").fill("2015-06-30")
    new.get_by_role("button", name="添加").click()
    page.wait_for_load_state()
    assert "已添加工作措施“召开校企对接会”。" in page.content()
    work_step = WorkStep.objects.get()

    # March: 推进中, what was done, a small PDF, sent for review.
    pdf = tmp_path / "对接会纪要.pdf"
    pdf.write_bytes(PDF)
    page.goto(f"{live_server.url}/work/2015/3/")
    card = page.locator(f"#step-{work_step.pk}")
    card.get_by_label("进展状态").select_option(label="推进中")
    card.get_by_label("工作进展").fill("3月12日召开校企对接会，12家企业参加。")
    card.get_by_label("添加佐证材料").set_input_files(str(pdf))
    card.get_by_role("button", name="报送", exact=True).click()
    page.wait_for_load_state()
    assert "已报送“召开校企对接会”的台账，等待审核。" in page.content()
    report = StepReport.objects.get()
    assert report.status == StepReport.Status.SUBMITTED
    assert EvidenceFile.objects.get().download_name == "对接会纪要.pdf"

    # The queue, with the report waiting, fits a phone.
    phone = phone_page(browser, request, PHONE)
    log_in(phone, live_server, "reviewer", PASSWORD)
    phone.goto(f"{live_server.url}/review/work/")
    assert phone.locator(f"#report-{report.pk}").is_visible()
    _no_sideways_scroll(phone)

    # The reviewer finds it in the queue, with its file, and returns it with a comment.
    log_in(page, live_server, "reviewer", PASSWORD)
    page.get_by_role("link", name="台账审核").click()
    page.wait_for_url("**/review/work/")
    entry = page.locator(f"#report-{report.pk}")
    assert "12家企业参加" in entry.inner_text()
    assert entry.get_by_role("link", name="对接会纪要.pdf").is_visible()
    entry.get_by_label("审核意见（退回时必填）").fill("请补充参会企业名单")
    entry.get_by_role("button", name="退回").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("returned", "请补充参会企业名单")

    # The clerk sees the comment on the month and on the overview.
    log_in(page, live_server, "clerk-hrss", PASSWORD)
    page.goto(f"{live_server.url}/work/")
    assert page.locator("#returned-banner").is_visible()
    page.goto(f"{live_server.url}/work/2015/3/")
    assert "退回意见：请补充参会企业名单" in page.locator(f"#step-{work_step.pk}").inner_text()

    # The clerk's pages and the report's history fit a phone too.
    phone.goto(f"{live_server.url}/work/report/{report.pk}/history/")
    _no_sideways_scroll(phone)
    log_in(phone, live_server, "clerk-hrss", PASSWORD)
    for path in ["/work/", f"/work/item/{item.pk}/steps/", "/work/2015/3/"]:
        phone.goto(f"{live_server.url}{path}")
        _no_sideways_scroll(phone)
