"""The reviewer's 工作台账 pages: the queue of sent step reports (/review/work/) with approve
and return, a report's history (/work/report/<id>/history/), and the evidence download
(/evidence/<id>/): an attachment, not sniffed, for whoever may read a report citing the file.
"""

from __future__ import annotations

from typing import Any

import pytest

from targets import services
from targets.models import Plan, WorkStep
from tests.helpers import assert_sent_to_log_in, client_for
from tests.targets.test_evidence import PDF
from tests.targets.work_flow import Progress, Status, item, report, step
from tests.targets.work_pages import (
    MONTH,
    QUEUE,
    draft_with_file,
    everything,
    page_text,
    sent_with_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_step(plan: Plan, clerk: Any) -> WorkStep:
    """A step of the hrss city-wide unit on 三个对接行动, due 2015-06-30."""
    return step(clerk, item(plan))


@pytest.fixture
def edu_clerk(clerk_of: Any) -> Any:
    return clerk_of("edu")


# --- the reviewer's queue ---------------------------------------------------------------------


def test_the_queue_lists_sent_reports_with_their_text_and_files(
    plan: Plan, clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    saved, file = sent_with_file(clerk, work_step)
    services.step_report_save(
        actor=clerk,
        step=step(clerk, item(plan), title="草稿措施"),
        month=3,
        progress=Progress.NOT_STARTED,
    )
    response = client_for(reviewer).get(QUEUE)
    text = page_text(response)
    assert response.status_code == 200
    assert work_step.milestone.title in text and "召开了对接会" in text
    assert f'id="report-{saved.pk}"' in text
    assert f'href="/evidence/{file.pk}/"' in text
    assert "草稿措施" not in text  # a draft is its unit's own
    assert "共 1 份台账等待审核。" in text


def test_a_reviewer_approves_a_report(clerk: Any, reviewer: Any, work_step: WorkStep) -> None:
    saved, _file = sent_with_file(clerk, work_step)
    response = client_for(reviewer).post(QUEUE, {"report": saved.pk, "action": "approve"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.status, saved.is_counted, saved.reviewed_by) == (Status.APPROVED, True, reviewer)


def test_a_return_needs_a_comment_and_then_the_clerk_sees_it(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    saved, _file = sent_with_file(clerk, work_step)
    client = client_for(reviewer)
    before = everything()
    refused = client.post(QUEUE, {"report": saved.pk, "action": "return", "comment": "  "})
    assert refused.status_code == 400
    assert "退回时必须填写审核意见。" in page_text(refused)
    assert everything() == before

    response = client.post(QUEUE, {"report": saved.pk, "action": "return", "comment": "附件不清晰"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.status, saved.review_comment) == (Status.RETURNED, "附件不清晰")
    assert "退回意见：附件不清晰" in page_text(client_for(clerk).get(MONTH))


def test_a_report_reviewed_meanwhile_or_not_in_the_queue_is_refused(
    plan: Plan, clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    approved = report(clerk, reviewer, work_step, 2)
    draft = report(clerk, reviewer, work_step, 4, status=Status.DRAFT)
    client = client_for(reviewer)
    before = everything()
    again = client.post(QUEUE, {"report": approved.pk, "action": "return", "comment": "再看"})
    assert again.status_code == 400 and "该台账已被审核或退回" in page_text(again)
    assert client.post(QUEUE, {"report": draft.pk, "action": "approve"}).status_code == 404
    assert client.post(QUEUE, {"report": 10**20, "action": "approve"}).status_code == 404
    assert client.post(QUEUE, {"action": "approve"}).status_code == 400
    assert everything() == before


def test_a_reports_history_names_each_event_and_actor(
    clerk: Any, reviewer: Any, leader: Any, work_step: WorkStep
) -> None:
    saved, _file = sent_with_file(clerk, work_step)
    services.step_report_return(actor=reviewer, report=saved, comment="附件不清晰")
    for user in (reviewer, leader, clerk):
        response = client_for(user).get(f"/work/report/{saved.pk}/history/")
        assert response.status_code == 200
        text = page_text(response)
        for action in ("新建", "添加佐证材料", "报送", "退回"):
            assert action in text
        assert "附件不清晰" in text and clerk.username in text and reviewer.username in text


def test_a_draft_has_no_history_for_readers(clerk: Any, reviewer: Any, work_step: WorkStep) -> None:
    saved, _file = draft_with_file(clerk, work_step)
    assert client_for(reviewer).get(f"/work/report/{saved.pk}/history/").status_code == 404
    assert client_for(clerk).get(f"/work/report/{saved.pk}/history/").status_code == 200


# --- the download -----------------------------------------------------------------------------


def test_the_download_is_an_attachment_not_sniffed(clerk: Any, work_step: WorkStep) -> None:
    _saved, file = draft_with_file(clerk, work_step)
    response = client_for(clerk).get(f"/evidence/{file.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf"
        in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_who_downloads_follows_who_reads_the_report(
    clerk: Any,
    county_clerk: Any,
    edu_clerk: Any,
    reviewer: Any,
    auditor: Any,
    outsider: Any,
    work_step: WorkStep,
) -> None:
    saved, file = draft_with_file(clerk, work_step)
    url = f"/evidence/{file.pk}/"
    # A draft's file: its unit's clerks only.
    for user in (county_clerk, edu_clerk, reviewer, auditor, outsider):
        assert client_for(user).get(url).status_code == 403, user
    assert_sent_to_log_in(client_for(None).get(url))
    services.step_report_submit(actor=clerk, report=saved)
    for user in (reviewer, auditor):
        assert client_for(user).get(url).status_code == 200
    for user in (county_clerk, edu_clerk, outsider):
        assert client_for(user).get(url).status_code == 403
    assert client_for(clerk).get(f"/evidence/{file.pk + 1000}/").status_code == 404
