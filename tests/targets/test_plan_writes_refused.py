"""Plan lifecycle draft → active → closed: only an active plan takes figures, reviews or answers.

Every write URL is tried with a forged POST against a draft and a closed plan (403, or 404
where the page only ever addresses the active plan, and nothing saved), and the same POST
against the active plan goes through, so each refusal is the plan's status and nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from targets import services
from targets.grid import month_grid
from targets.models import Indicator, Plan, Region, Submission, SubmissionEvent, SupervisionNotice
from targets.workbooks import entry as entry_workbook
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_ACTIVE = [Plan.Status.DRAFT, Plan.Status.CLOSED]
REASONS = {
    Plan.Status.DRAFT: "2015年度方案尚未启动（草稿）",
    Plan.Status.CLOSED: "2015年度方案已结束，数据只读",
}


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def key(code: str, region: str) -> str:
    return f"{indicator(code).pk}-{Region.objects.get(code=region).pk}"


def set_status(plan: Plan, status: str) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=status)


def snapshot() -> tuple[Any, ...]:
    """Everything a write could change: the figures, their audit trail, the notices."""
    return (
        sorted(
            Submission.objects.values_list(
                "pk", "value", "note", "status", "is_current", "is_counted", "revision"
            )
        ),
        SubmissionEvent.objects.count(),
        sorted(SupervisionNotice.objects.values_list("pk", "status", "explanation")),
    )


@pytest.fixture
def world(plan: Plan, make_user: Any) -> dict[str, Any]:
    """March 2015 of the active plan: a draft, a submitted and an approved figure, an open
    notice, and an Excel template downloaded while the plan was open."""
    clerk = make_user("clerk", "hrss", username="clerk-hrss")
    reviewer = make_user("reviewer", username="reviewer")
    region = Region.objects.get(code="410611")

    def save(code: str, value: int) -> Submission:
        return services.submission_save(
            actor=clerk, indicator=indicator(code), region=region, month=3, value=value
        )

    draft = save("reemployment", 7)
    submitted = save("in-service", 20)
    services.submission_submit(actor=clerk, submission=submitted)
    approved = save("rural-transfer", 30)
    services.submission_submit(actor=clerk, submission=approved)
    services.submission_approve(actor=reviewer, submission=approved)
    notice = services.notice_raise(
        plan=plan, indicator=indicator("rural-transfer"), region=None, month=3
    )
    template = client_for(clerk).get("/entry/2015/3/template.xlsx")
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.getvalue()))
    sheet = workbook[entry_workbook.SHEET]
    for row in sheet.iter_rows():
        for item in row:
            if item.value is None and item.protection.locked is False and item.column <= 7:
                item.value = 5
    out = io.BytesIO()
    workbook.save(out)
    return {
        "plan": plan,
        "clerk": clerk,
        "reviewer": reviewer,
        "draft": draft,
        "submitted": Submission.objects.get(pk=submitted.pk),
        "approved": Submission.objects.get(pk=approved.pk),
        "notice": notice,
        "xlsx": out.getvalue(),
    }


# Each write: (who posts, the URL, the form), and what the active plan answers.
Write = Callable[[dict[str, Any]], tuple[str, str, dict[str, Any]]]


def _entry_save(w: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The whole grid as the page shows it, every open cell filled (so it may be sent too)."""
    data: dict[str, Any] = {}
    for cell in month_grid(w["clerk"], w["plan"], 3).cells:
        data[f"t-{cell.key}"] = cell.token
        if cell.editable:
            data[f"v-{cell.key}"] = cell.raw or "0"
    data[f"v-{key('reemployment', '410611')}"] = "9"
    return "clerk", "/entry/2015/3/", data


def _entry_submit(w: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    role, url, data = _entry_save(w)
    return role, url, {**data, "action": "submit"}


def _upload(w: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    file = SimpleUploadedFile("填报.xlsx", w["xlsx"], content_type=XLSX)
    return "clerk", "/entry/2015/3/upload/", {"file": file, "action": "save"}


def _correct(w: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    url = f"/entry/cell/{w['approved'].pk}/correct/"
    return "clerk", url, {"value": "31", "reason": "补录漏报"}


def _answer(w: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    url = f"/entry/notices/{w['notice'].pk}/answer/"
    return "clerk", url, {"explanation": "开班推迟。", "catch_up_plan": "4月加开两期。"}


def _review(action: str) -> Write:
    def write(w: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        department = w["submitted"].indicator.department_id
        data: dict[str, Any] = {"action": action, "comment": "请核实"}
        if action != "approve_all":
            data["ids"] = [w["submitted"].pk]
        return "reviewer", f"/review/{department}/3/", data

    return write


WRITES: dict[str, tuple[Write, int]] = {
    "entry save": (_entry_save, 302),
    "entry submit": (_entry_submit, 302),
    "excel upload": (_upload, 302),
    "correction": (_correct, 302),
    "notice answer": (_answer, 302),
    "review approve": (_review("approve"), 302),
    "review return": (_review("return"), 302),
    "review approve all": (_review("approve_all"), 302),
}


def _post(world: dict[str, Any], write: Write) -> Any:
    role, url, data = write(world)
    return client_for(world[role]).post(url, data)


@pytest.mark.parametrize("name", list(WRITES))
def test_the_active_plan_takes_every_write(world, name) -> None:
    write, status = WRITES[name]
    before = snapshot()
    response = _post(world, write)
    assert response.status_code == status, response.content.decode()[:2000]
    assert snapshot() != before


@pytest.mark.parametrize("status", NOT_ACTIVE)
@pytest.mark.parametrize("name", list(WRITES))
def test_a_forged_post_into_a_plan_not_active_saves_nothing(world, name, status) -> None:
    write, _ok = WRITES[name]
    set_status(world["plan"], status)
    before = snapshot()
    response = _post(world, write)
    assert snapshot() == before
    page = response.content.decode()
    if name.startswith("review"):
        # The reviewer's pages only ever address the active plan: a figure of another plan is
        # not on the page (404), and "approve all" finds nothing waiting.
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert "没有等待审核的数据" in page
    elif status == Plan.Status.DRAFT and name in ("entry save", "entry submit", "excel upload"):
        assert response.status_code == 404  # a draft's month does not exist for clerks
    else:
        assert response.status_code == 403
        assert REASONS[status] in page
        assert "没有保存任何数据" in page


@pytest.mark.parametrize("status", NOT_ACTIVE)
def test_the_services_refuse_too(world, status) -> None:
    """Behind the views: every service that writes a figure, a review or an answer."""
    set_status(world["plan"], status)
    for submission in ("draft", "submitted", "approved"):
        world[submission].indicator.plan.refresh_from_db()
    before = snapshot()
    clerk, reviewer = world["clerk"], world["reviewer"]
    region = Region.objects.get(code="410611")
    calls = [
        lambda: services.submission_save(
            actor=clerk, indicator=indicator("entrepreneurship"), region=region, month=3, value=1
        ),
        lambda: services.submission_submit(actor=clerk, submission=world["draft"]),
        lambda: services.submission_approve(actor=reviewer, submission=world["submitted"]),
        lambda: services.submission_return(
            actor=reviewer, submission=world["submitted"], comment="请核实"
        ),
        lambda: services.submission_correct(
            actor=clerk, submission=world["approved"], value=31, reason="补录"
        ),
        lambda: services.notice_answer(
            actor=clerk, notice=world["notice"], explanation="说明", catch_up_plan="计划"
        ),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="不在执行中"):
            call()
    assert snapshot() == before


@pytest.mark.parametrize("status", NOT_ACTIVE)
def test_the_pages_are_read_only_with_the_reason(world, status) -> None:
    set_status(world["plan"], status)
    client = client_for(world["clerk"])

    month = client.get("/entry/2015/3/")
    if status == Plan.Status.CLOSED:  # a draft's month page does not exist for clerks (below)
        assert month.status_code == 200
        page = month.content.decode()
        assert REASONS[status] in page
        assert 'name="action"' not in page  # no save, submit or upload buttons
        assert 'name="v-' not in page  # no figure inputs
        assert "entry-upload" not in page
        assert "/correct/" not in page

    correct = client.get(f"/entry/cell/{world['approved'].pk}/correct/")
    assert correct.status_code == 200
    assert REASONS[status] in correct.content.decode()
    assert 'name="reason"' not in correct.content.decode()

    answer = client.get(f"/entry/notices/{world['notice'].pk}/answer/")
    assert answer.status_code == 200
    assert REASONS[status] in answer.content.decode()
    assert 'name="explanation"' not in answer.content.decode()


def test_a_clerk_cannot_open_a_draft_plans_entry_page_or_template(world) -> None:
    """A draft may still change: to a clerk its month pages and templates do not exist."""
    set_status(world["plan"], Plan.Status.DRAFT)
    client = client_for(world["clerk"])
    before = snapshot()

    assert client.get("/entry/2015/3/").status_code == 404
    assert client.post("/entry/2015/3/", {"action": "save"}).status_code == 404
    assert client.get("/entry/2015/3/template.xlsx").status_code == 404
    assert client.post("/entry/2015/3/upload/", {"action": "save"}).status_code == 404
    assert client.get("/entry/").context["plan"] != world["plan"]
    assert snapshot() == before


def test_the_active_plans_pages_offer_the_forms(world) -> None:
    client = client_for(world["clerk"])
    page = client.get("/entry/2015/3/").content.decode()
    assert 'name="action"' in page and "entry-upload" in page and "/correct/" in page
    assert "方案已结束" not in page
    correct = client.get(f"/entry/cell/{world['approved'].pk}/correct/").content.decode()
    assert 'name="reason"' in correct
    answer = client.get(f"/entry/notices/{world['notice'].pk}/answer/").content.decode()
    assert 'name="explanation"' in answer


@pytest.mark.parametrize("status", NOT_ACTIVE)
def test_the_reviewer_sees_no_queue_of_a_plan_not_active(world, status) -> None:
    set_status(world["plan"], status)
    client = client_for(world["reviewer"])
    assert client.get("/review/").context["total"] == 0
    department = world["submitted"].indicator.department_id
    page = client.get(f"/review/{department}/3/")
    assert page.context["rows"] == []
    assert 'name="action"' not in page.content.decode()


def test_other_refusals_keep_the_general_403_text(world, make_user) -> None:
    """Only a plan's state gives its reason; a role refused sees the usual page."""
    response = client_for(make_user("leader")).post("/entry/2015/3/", {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "您的账号角色不能打开这个页面" in page
    assert "方案已结束" not in page
