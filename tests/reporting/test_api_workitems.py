"""GET /api/workitems/<year>/?as_of=YYYY-MM: the shape CONTRACT.md promises, each item's and
step's status as of the month, and the progress API's permission."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from targets import services
from targets.models import StepReport, WorkStep
from tests.targets.test_evidence import PDF, png
from tests.targets.work_flow import HESHAN_ITEM, Progress, Status, cooperate, item, report, step

pytestmark = pytest.mark.django_db

URL = "/api/workitems/2015/"
ITEM_KEYS = {"code", "title", "lead_unit", "due_on", "status", "steps", "evidence_count"}
STEP_KEYS = {"title", "unit", "due_on", "status", "overdue"}


def client_of(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def ledger(plan: Any, clerk: Any, clerk_of: Any, reviewer: Any) -> None:
    """三个对接行动: a step done in March, one late (due in March, only 推进中), one due in
    September; 鹤山区品牌培训基地: one step, its report only sent; the rest have no steps."""
    matchings = item(plan)
    cooperate(matchings, "edu")
    done = step(clerk, matchings, title="制定方案", due_on=date(2015, 3, 31))
    report(clerk, reviewer, done, 2, progress=Progress.IN_PROGRESS)
    report(clerk, reviewer, done, 3, progress=Progress.DONE)
    late = step(clerk, matchings, title="召开对接会", due_on=date(2015, 3, 31))
    report(clerk, reviewer, late, 3, progress=Progress.IN_PROGRESS)
    edu = clerk_of("edu")
    later = step(edu, matchings, department="edu", title="校企签约", due_on=date(2015, 9, 30))
    report(edu, reviewer, later, 3, progress=Progress.IN_PROGRESS, status=Status.DRAFT)
    heshan_clerk = clerk_of("hrss", "410602")
    heshan = step(heshan_clerk, item(plan, HESHAN_ITEM), region="410602", title="申报基地")
    report(heshan_clerk, reviewer, heshan, 2, progress=Progress.IN_PROGRESS, status="submitted")


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["code"]: entry for entry in body["items"]}


def test_the_document_has_the_contracts_shape(plan: Any, ledger: None, leader: Any) -> None:
    response = client_of(leader).get(URL, {"as_of": "2015-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["plan"] == {"year": 2015, "doc_number": plan.doc_number, "title": plan.title}
    assert body["as_of"] == "2015-03"
    assert [entry["code"] for entry in body["items"]] == list(
        plan.milestones.order_by("order", "code").values_list("code", flat=True)
    )
    assert len(body["items"]) == 13
    for entry in body["items"]:
        assert set(entry) == ITEM_KEYS
        assert entry["evidence_count"] == 0  # no evidence files attached
        for one in entry["steps"]:
            assert set(one) == STEP_KEYS
    matchings = by_code(body)["three-matchings"]
    assert matchings["lead_unit"] == {"department": "hrss", "region": None, "name": "人社局"}
    assert matchings["due_on"] == "2015-12-31"
    assert [one["title"] for one in matchings["steps"]] == ["制定方案", "召开对接会", "校企签约"]
    assert matchings["steps"][2]["unit"]["department"] == "edu"
    heshan = by_code(body)[HESHAN_ITEM]
    assert heshan["lead_unit"]["region"] == "410602"
    assert "（鹤山区）" in heshan["lead_unit"]["name"]


def test_statuses_follow_approved_reports_as_of_the_month(ledger: None, reviewer: Any) -> None:
    def statuses(as_of: str) -> tuple[str, list[tuple[str, bool]], str, str]:
        items = by_code(client_of(reviewer).get(URL, {"as_of": as_of}).json())
        steps = [(one["status"], one["overdue"]) for one in items["three-matchings"]["steps"]]
        return (
            items["three-matchings"]["status"],
            steps,
            items[HESHAN_ITEM]["status"],
            items["publicity"]["status"],
        )

    # January: nothing approved yet.
    assert statuses("2015-01") == (
        "not-started",
        [("not-started", False)] * 3,
        "not-started",  # sent, not approved: not counted
        "not-started",  # no steps
    )
    # February: one step under way.
    assert statuses("2015-02")[:2] == (
        "in-progress",
        [("in-progress", False), ("not-started", False), ("not-started", False)],
    )
    # March: both March steps reported, neither overdue on the month's last day (their due day).
    assert statuses("2015-03")[:2] == (
        "in-progress",
        [("done", False), ("in-progress", False), ("not-started", False)],
    )
    # April: the step due in March and not done is overdue, and so is the item.
    assert statuses("2015-04")[:2] == (
        "delayed",
        [("done", False), ("delayed", True), ("not-started", False)],
    )


def test_without_as_of_the_default_month_is_used(ledger: None, reviewer: Any) -> None:
    body = client_of(reviewer).get(URL).json()
    assert body["as_of"].startswith("2015-")


@pytest.mark.parametrize("as_of", ["2015-13", "2014-12", "March", "2015-3-1"])
def test_a_bad_as_of_is_a_400_in_chinese(plan: Any, reviewer: Any, as_of: str) -> None:
    response = client_of(reviewer).get(URL, {"as_of": as_of})
    assert response.status_code == 400
    assert "截止月份" in response.json()["error"]


@pytest.mark.parametrize(
    ("who", "status", "says"),
    [
        (None, 401, "请先登录"),
        ("clerk", 403, "无权"),
        ("county_clerk", 403, "无权"),
        ("outsider", 403, "无权"),
    ],
)
def test_who_is_refused(plan: Any, request: Any, who: str | None, status: int, says: str) -> None:
    user = request.getfixturevalue(who) if who else None
    response = client_of(user).get(URL)
    assert response.status_code == status
    assert says in response.json()["error"]


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor", "administrator"])
def test_readers_read(plan: Any, request: Any, role: str) -> None:
    assert client_of(request.getfixturevalue(role)).get(URL).status_code == 200


def test_no_plan_and_a_draft_plan_are_404(
    plan: Any, plan_of_year: Any, leader: Any, administrator: Any
) -> None:
    plan_of_year(2016, status="draft")
    assert client_of(leader).get("/api/workitems/2014/").status_code == 404
    response = client_of(leader).get("/api/workitems/2016/")
    assert response.status_code == 404 and "没有 2016 年度的方案" in response.json()["error"]
    assert client_of(administrator).get("/api/workitems/2016/").status_code == 200


def test_only_get(plan: Any, reviewer: Any) -> None:
    response = client_of(reviewer).post(URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "GET" in response.json()["error"]


# Evidence counts -------------------------------------------------------------------------


def attach(clerk: Any, saved: StepReport, *names: str) -> None:
    for name in names:
        content = PDF if name.endswith(".pdf") else png()
        services.evidence_attach(
            actor=clerk, report=saved, upload=SimpleUploadedFile(name, content)
        )


def with_files(
    clerk: Any,
    reviewer: Any,
    work_step: WorkStep,
    month: int,
    *names: str,
    status: str = Status.APPROVED,
) -> StepReport:
    """A report of ``month`` with evidence files, taken to ``status`` through the services."""
    saved = services.step_report_save(
        actor=clerk, step=work_step, month=month, progress=Progress.IN_PROGRESS, done="推进中"
    )
    attach(clerk, saved, *names)
    if status != Status.DRAFT:
        services.step_report_submit(actor=clerk, report=saved)
    if status == Status.APPROVED:
        services.step_report_approve(actor=reviewer, report=saved)
    saved.refresh_from_db()
    return saved


def evidence_counts(user: Any, as_of: str) -> dict[str, int]:
    body = client_of(user).get(URL, {"as_of": as_of}).json()
    return {entry["code"]: entry["evidence_count"] for entry in body["items"]}


def test_evidence_counts_are_the_counted_reports_distinct_files(
    plan: Any, clerk: Any, reviewer: Any
) -> None:
    matchings = item(plan)
    first = step(clerk, matchings, title="制定方案")
    second = step(clerk, matchings, title="召开对接会")
    february = with_files(clerk, reviewer, first, 2, "方案.pdf", "照片.png")
    with_files(clerk, reviewer, second, 3, "纪要.pdf")
    with_files(clerk, reviewer, first, 4, "未审核.pdf", status=Status.SUBMITTED)
    with_files(clerk, reviewer, second, 4, "草稿.png", status=Status.DRAFT)
    heshan = step(clerk, item(plan, HESHAN_ITEM), region="410602", title="申报基地")
    with_files(clerk, reviewer, heshan, 3, "申报书.pdf", status=Status.SUBMITTED)

    assert evidence_counts(reviewer, "2015-01")["three-matchings"] == 0
    assert evidence_counts(reviewer, "2015-02")["three-matchings"] == 2
    counts = evidence_counts(reviewer, "2015-04")
    # Sent and draft reports' files do not count, nor an item with nothing approved.
    assert (counts["three-matchings"], counts[HESHAN_ITEM], counts["publicity"]) == (3, 0, 0)

    # A correction carries February's two files and adds one: counted once each, once approved.
    correction = services.step_report_correct(
        actor=clerk, report=february, reason="补充照片", progress=Progress.IN_PROGRESS
    )
    attach(clerk, correction, "补充.png")
    assert evidence_counts(reviewer, "2015-04")["three-matchings"] == 3  # not approved yet
    services.step_report_submit(actor=clerk, report=correction)
    services.step_report_approve(actor=reviewer, report=correction)
    assert evidence_counts(reviewer, "2015-02")["three-matchings"] == 3
    assert evidence_counts(reviewer, "2015-04")["three-matchings"] == 4


def test_the_query_count_does_not_grow_with_steps_and_files(
    plan: Any, clerk: Any, reviewer: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_of(reviewer)
    first = step(clerk, item(plan), title="制定方案")
    with_files(clerk, reviewer, first, 2, "一.pdf")
    client.get(URL, {"as_of": "2015-06"})  # warm the session
    with django_assert_max_num_queries(20) as small:
        assert client.get(URL, {"as_of": "2015-06"}).status_code == 200
    for code in ("publicity", "skill-competitions", "project-ledger"):
        more = step(clerk, item(plan, code), title="更多措施")
        for month in (2, 3, 4):
            with_files(clerk, reviewer, more, month, f"{month}.pdf", f"{month}.png")
    with django_assert_max_num_queries(20) as large:
        body = client.get(URL, {"as_of": "2015-06"}).json()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert by_code(body)["publicity"]["evidence_count"] == 6
