"""The clerk's 工作台账 pages: the items (/work/), steps (/work/item/<id>/steps/) and month
(/work/<year>/<month>/) with evidence files, a file taken off, a correction.

The hrss city-wide clerk owns the objects; the hrss clerk of 浚县 and the education clerk must
not reach them by editing a URL or a posted id, and every refusal writes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.models import EvidenceFile, Plan, StepReport, StepReportEvidence, WorkStep
from tests.helpers import assert_sent_to_log_in, client_for
from tests.targets.test_evidence import PDF
from tests.targets.work_flow import Progress, Status, item, report, step
from tests.targets.work_pages import (
    MONTH,
    PROGRAM,
    QUEUE,
    draft_with_file,
    everything,
    page_text,
    pdf,
    post_report,
    sent_with_file,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_step(plan: Plan, clerk: Any) -> WorkStep:
    """A step of the hrss city-wide unit on 三个对接行动, due 2015-06-30."""
    return step(clerk, item(plan))


@pytest.fixture
def edu_clerk(clerk_of: Any) -> Any:
    return clerk_of("edu")


# --- each page, for its role ----------------------------------------------------------------


def test_the_clerks_pages_render_with_the_units_items_and_steps(
    plan: Plan, clerk: Any, work_step: WorkStep
) -> None:
    client = client_for(clerk)
    index = client.get("/work/")
    assert index.status_code == 200
    text = page_text(index)
    assert work_step.milestone.title in text and "召开对接会" in text
    assert "牵头单位" in text
    # Due 2015-06-30, no approved report saying it is done: 逾期 as of December.
    assert "badge--overdue" in text
    assert f'href="{MONTH}"' in text

    steps = client.get(f"/work/item/{work_step.milestone_id}/steps/")
    assert steps.status_code == 200 and "召开对接会" in page_text(steps)
    assert 'value="2015-06-30"' in page_text(steps)  # the step's date, ready to change

    month = client.get(MONTH)
    assert month.status_code == 200
    text = page_text(month)
    assert f'id="step-{work_step.pk}"' in text
    assert 'enctype="multipart/form-data"' in text and 'name="files"' in text
    assert 'value="save"' in text and 'value="submit"' in text
    # Due 2015-06-30: not yet 逾期 in March, 逾期 in July.
    assert "badge--overdue" not in text
    assert "badge--overdue" in page_text(client.get("/work/2015/7/"))


def test_the_navigation_leads_each_role_to_its_page(clerk: Any, reviewer: Any) -> None:
    assert 'href="/work/"' in page_text(client_for(clerk).get("/entry/"))
    assert 'href="/review/work/"' in page_text(client_for(reviewer).get("/review/"))
    assert 'href="/review/work/"' not in page_text(client_for(clerk).get("/entry/"))


def test_the_pages_are_refused_to_the_wrong_roles(
    plan: Plan, clerk: Any, reviewer: Any, leader: Any, work_step: WorkStep
) -> None:
    assert_sent_to_log_in(client_for(None).get("/work/"))
    for url in ("/work/", MONTH, f"/work/item/{work_step.milestone_id}/steps/"):
        assert client_for(reviewer).get(url).status_code == 403
        assert client_for(leader).get(url).status_code == 403
    assert client_for(clerk).get(QUEUE).status_code == 403
    assert client_for(leader).get(QUEUE).status_code == 403
    assert client_for(reviewer).get(QUEUE).status_code == 200


def test_an_item_the_unit_does_not_answer_for_is_not_listed(
    plan: Plan, edu_clerk: Any, work_step: WorkStep
) -> None:
    text = page_text(client_for(edu_clerk).get("/work/"))
    assert work_step.milestone.title not in text
    assert item(plan, "brand-majors").title in text  # led by the education bureau


# --- another unit by editing the URL or a posted id ------------------------------------------


@pytest.mark.parametrize("other", ["county_clerk", "edu_clerk"])
def test_another_units_clerk_reaches_nothing_of_the_unit(
    request: Any, plan: Plan, clerk: Any, reviewer: Any, work_step: WorkStep, other: str
) -> None:
    approved = report(clerk, reviewer, work_step, 2)
    saved, file = draft_with_file(clerk, work_step)
    client = client_for(request.getfixturevalue(other))
    before = everything()

    assert f'id="step-{work_step.pk}"' not in page_text(client.get(MONTH))
    assert client.get(f"/work/item/{work_step.milestone_id}/steps/").status_code == 404
    assert client.get(f"/work/report/{approved.pk}/correct/").status_code == 404
    assert client.get(f"/work/report/{saved.pk}/history/").status_code == 404
    assert client.get(f"/evidence/{file.pk}/").status_code == 403
    for url, data in [
        (MONTH, {"step": work_step.pk, "progress": Progress.DONE, "action": "submit"}),
        (f"/work/item/{work_step.milestone_id}/steps/", {"title": "改", "due_on": "2015-05-01"}),
        (f"/work/report/{approved.pk}/correct/", {"progress": "done", "reason": "改"}),
        (f"/work/report/{saved.pk}/evidence/{file.pk}/remove/", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert everything() == before


def test_a_step_of_another_item_or_unit_cannot_be_posted_on_an_items_page(
    plan: Plan, clerk: Any, county_clerk: Any, work_step: WorkStep
) -> None:
    heshan = item(plan, "heshan-brand-base")  # led by hrss in 鹤山区: the city clerk covers it
    url = f"/work/item/{heshan.pk}/steps/"
    before = everything()
    response = client_for(clerk).post(
        url, {"step": work_step.pk, "unit": "x", "title": "改", "due_on": "2015-05-01"}
    )
    assert response.status_code == 404
    assert client_for(county_clerk).get(url).status_code == 404  # 浚县 is not 鹤山区
    assert everything() == before


def test_a_month_outside_1_12_or_a_year_without_a_plan_is_404(clerk: Any) -> None:
    client = client_for(clerk)
    for url in ("/work/2015/13/", "/work/2015/0/", "/work/2031/3/"):
        assert client.get(url).status_code == 404, url


# --- steps ----------------------------------------------------------------------------------


def test_a_clerk_adds_and_changes_a_step_on_the_items_page(plan: Plan, clerk: Any) -> None:
    milestone = item(plan)
    url = f"/work/item/{milestone.pk}/steps/"
    unit = f"{milestone.department_id}-0"
    response = client_for(clerk).post(
        url, {"unit": unit, "title": "召开对接会", "due_on": "2015-06-30"}
    )
    assert response.status_code == 302
    made = WorkStep.objects.get()
    assert (made.title, str(made.due_on), made.created_by) == ("召开对接会", "2015-06-30", clerk)

    response = client_for(clerk).post(
        url, {"step": made.pk, "unit": unit, "title": "召开两次对接会", "due_on": "2015-09-30"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.title, str(made.due_on)) == ("召开两次对接会", "2015-09-30")


@pytest.mark.parametrize(
    ("due_on", "says"),
    [("2016-01-01", "完成时限必须在 2015 年度方案的期限内"), ("明天", "完成时限必须是日期")],
)
def test_a_bad_step_is_refused_with_a_message_and_nothing_written(
    plan: Plan, clerk: Any, due_on: str, says: str
) -> None:
    milestone = item(plan)
    before = everything()
    response = client_for(clerk).post(
        f"/work/item/{milestone.pk}/steps/",
        {"unit": f"{milestone.department_id}-0", "title": "召开对接会", "due_on": due_on},
    )
    assert response.status_code == 400
    assert says in page_text(response)
    assert everything() == before


# --- a month's report: save, send, files ------------------------------------------------------


def test_save_keeps_a_draft_and_submit_sends_it(clerk: Any, work_step: WorkStep) -> None:
    client = client_for(clerk)
    response = post_report(client, work_step, problems="场地紧张")
    assert response.status_code == 302
    saved = StepReport.objects.get()
    assert (saved.status, saved.progress, saved.done, saved.problems) == (
        Status.DRAFT,
        Progress.IN_PROGRESS,
        "召开了对接会",
        "场地紧张",
    )
    page = page_text(client.get(MONTH))
    assert "已保存“召开对接会”的台账草稿。" in page

    response = post_report(client, work_step, action="submit", progress=Progress.DONE)
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.status, saved.progress, saved.submitted_by) == (Status.SUBMITTED, "done", clerk)
    page = page_text(client.get(MONTH))
    assert "等待审核" in page and 'name="files"' not in page  # sent: read-only


def test_a_file_is_attached_on_save_and_listed_with_its_download_link(
    clerk: Any, work_step: WorkStep
) -> None:
    client = client_for(clerk)
    response = client.post(
        MONTH,
        {
            "step": work_step.pk,
            "progress": Progress.IN_PROGRESS,
            "action": "submit",
            "files": [pdf(), pdf("照片说明.pdf")],
        },
    )
    assert response.status_code == 302
    saved = StepReport.objects.get()
    assert saved.status == Status.SUBMITTED
    files = list(EvidenceFile.objects.order_by("pk"))
    assert [f.download_name for f in files] == ["会议纪要.pdf", "照片说明.pdf"]
    assert len(stored_files()) == 2
    page = page_text(client.get(MONTH))
    assert f'href="/evidence/{files[0].pk}/"' in page and "会议纪要.pdf" in page


def test_a_renamed_program_is_refused_in_chinese_and_nothing_is_saved(
    clerk: Any, work_step: WorkStep
) -> None:
    before = everything()
    response = client_for(clerk).post(
        MONTH,
        {
            "step": work_step.pk,
            "progress": Progress.IN_PROGRESS,
            "done": "召开了对接会",
            "action": "submit",
            "files": [pdf(), SimpleUploadedFile("会议照片.pdf", PROGRAM)],
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "文件“会议照片.pdf”是程序、脚本或网页，不能作为佐证材料上传。" in text
    assert "本次填报未保存" in text
    assert "召开了对接会" in text  # what was typed comes back
    assert everything() == before and stored_files() == []


def test_a_bad_progress_or_a_foreign_step_id_writes_nothing(
    clerk: Any, work_step: WorkStep
) -> None:
    client = client_for(clerk)
    before = everything()
    response = post_report(client, work_step, progress="finished")
    assert response.status_code == 400
    assert "进展状态必须是未开始、推进中、已完成或滞后" in page_text(response)
    assert post_report(client, WorkStep(pk=work_step.pk + 1000)).status_code == 404
    assert client.post(MONTH, {"step": "x; drop", "progress": "done"}).status_code == 404
    assert everything() == before


def test_a_sent_report_cannot_be_saved_again(clerk: Any, work_step: WorkStep) -> None:
    client = client_for(clerk)
    post_report(client, work_step, action="submit")
    before = everything()
    response = post_report(client, work_step, done="改了")
    assert response.status_code == 400
    assert "该台账已报送，正在等待审核，暂不能修改。" in page_text(response)
    assert everything() == before


def test_a_file_is_taken_off_a_draft_and_deleted(clerk: Any, work_step: WorkStep) -> None:
    saved, file = draft_with_file(clerk, work_step)
    response = client_for(clerk).post(f"/work/report/{saved.pk}/evidence/{file.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == f"{MONTH}#step-{work_step.pk}"
    assert not EvidenceFile.objects.exists() and not StepReportEvidence.objects.exists()


def test_a_sent_reports_file_stays(clerk: Any, work_step: WorkStep) -> None:
    saved, file = sent_with_file(clerk, work_step)
    client = client_for(clerk)
    before = everything()
    response = client.post(f"/work/report/{saved.pk}/evidence/{file.pk}/remove/", follow=True)
    assert "已报送或已审核的台账已锁定" in page_text(response)
    assert everything() == before


def test_a_file_of_another_report_is_not_removed_through_this_one(
    plan: Plan, clerk: Any, work_step: WorkStep
) -> None:
    saved, _file = draft_with_file(clerk, work_step)
    other = step(clerk, item(plan), title="开展培训")
    _other_report, other_file = draft_with_file(clerk, other)
    before = everything()
    url = f"/work/report/{saved.pk}/evidence/{other_file.pk}/remove/"
    assert client_for(clerk).post(url).status_code == 404
    assert everything() == before


# --- returned, approved, corrected -------------------------------------------------------------


def test_a_returned_report_shows_the_comment_and_is_editable(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    report(clerk, reviewer, work_step, 3, status=Status.RETURNED)
    text = page_text(client_for(clerk).get(MONTH))
    assert "退回意见：请补充" in text
    assert 'id="returned-banner"' in text and 'name="files"' in text


def test_an_approved_report_offers_a_correction_which_makes_a_new_revision(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    approved = report(clerk, reviewer, work_step, 3)
    client = client_for(clerk)
    page = page_text(client.get(MONTH))
    assert f'href="/work/report/{approved.pk}/correct/"' in page and "更正" in page
    assert client.get(f"/work/report/{approved.pk}/correct/").status_code == 200

    before = everything()
    refused = client.post(f"/work/report/{approved.pk}/correct/", {"progress": "done"})
    assert refused.status_code == 400
    assert "更正已审核的台账必须填写更正理由。" in page_text(refused)
    assert everything() == before

    response = client.post(
        f"/work/report/{approved.pk}/correct/",
        {"progress": Progress.DONE, "done": "全部完成", "reason": "漏报了第二次对接会"},
    )
    assert response.status_code == 302
    correction = StepReport.objects.get(is_current=True)
    assert (correction.revision, correction.status, correction.correction_reason) == (
        2,
        Status.DRAFT,
        "漏报了第二次对接会",
    )
    approved.refresh_from_db()
    assert approved.is_counted and not approved.is_current


# --- a plan that is not open ------------------------------------------------------------------


def test_a_closed_plan_takes_no_report(plan: Plan, clerk: Any, work_step: WorkStep) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    client = client_for(clerk)
    before = everything()
    assert post_report(client, work_step).status_code == 403
    page = page_text(client.get(MONTH))
    assert "2015年度方案已结束" in page and 'name="files"' not in page
    assert everything() == before


def test_the_month_page_speaks_english_too(clerk: Any, work_step: WorkStep) -> None:
    client = client_for(clerk)
    client.cookies["django_language"] = "en"
    text = page_text(client.get(MONTH))
    assert "Work ledger 2015-3" in text
    assert ">Send</button>" in text and ">Save</button>" in text
    assert "工作进展" not in text


def test_a_file_over_djangos_memory_limit_arrives_and_one_over_ours_is_refused(
    settings: Any, clerk: Any, work_step: WorkStep
) -> None:
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): Django spools it to a temporary file.
    big = PDF + b"%" * (3 * 1024 * 1024)
    client = client_for(clerk)
    response = post_report(client, work_step, files=[SimpleUploadedFile("大.pdf", big)])
    assert response.status_code == 302
    assert EvidenceFile.objects.get().size == len(big)

    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    before = everything()
    response = post_report(client, work_step, files=[SimpleUploadedFile("更大.pdf", big)])
    assert response.status_code == 400
    assert "超过了每个文件 1 MB 的上限" in page_text(response)
    assert everything() == before
