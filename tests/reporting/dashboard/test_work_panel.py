"""The dashboard's 重点工作 panel and its work-item drill-down: statuses as of the page's
month from approved step reports only, 逾期 steps, the latest approvals, evidence counts."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Department
from tests.helpers import client_for
from tests.reporting.dashboard.pages import page_text
from tests.reporting.work_ledger import AS_OF, build, reported
from tests.targets.test_evidence import PDF
from tests.targets.work_flow import Progress, item, step

pytestmark = pytest.mark.django_db

DRILL = "/dashboard/workitem/three-matchings/"


@pytest.fixture
def ledger(plan: Any, administrator: Any, clerk: Any, clerk_of: Any, reviewer: Any) -> dict:
    return build(plan, administrator, clerk, clerk_of, reviewer)


def counts(response: Any) -> dict[str, int]:
    return {entry["status"]: entry["count"] for entry in response.context["work"]["counts"]}


def test_the_panel_counts_items_by_status_as_of_the_month(ledger: dict, leader: Any) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": AS_OF})
    assert response.status_code == 200
    assert counts(response) == {"not-started": 10, "in-progress": 0, "done": 1, "delayed": 2}
    assert response.context["work"]["overdue"] == 1  # 召开对接会, due in March, not done
    page = page_text(response)
    assert re.search(r'class="work-overdue badge badge--red">1<', page)
    # Each item links to its drill-down, keeping the month.
    assert 'href="/dashboard/workitem/three-matchings/?year=2015&amp;as_of=2015-04"' in page
    assert page.count('href="/dashboard/workitem/') >= 13


def test_in_march_nothing_is_overdue_yet(ledger: dict, leader: Any) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": "2015-03"})
    assert counts(response) == {"not-started": 10, "in-progress": 1, "done": 1, "delayed": 1}
    assert response.context["work"]["overdue"] == 0


def test_the_latest_approved_reports_are_listed_newest_first(ledger: dict, leader: Any) -> None:
    response = client_for(leader).get("/dashboard/", {"as_of": AS_OF})
    latest = response.context["work"]["latest"]
    assert len(latest) == 5
    assert [report.step.title for report in latest] == [
        "集中宣传月",
        "申报基地",
        "校企签约",
        "召开对接会",
        "制定对接方案",
    ]
    assert all(report.status == "approved" for report in latest)
    page = page_text(response)
    assert "尚未审核的内容" not in page  # a sent report is not shown


def test_without_steps_every_item_is_not_started(plan: Any, leader: Any) -> None:
    response = client_for(leader).get("/dashboard/")
    assert counts(response) == {"not-started": 13, "in-progress": 0, "done": 0, "delayed": 0}
    assert response.context["work"]["latest"] == []
    assert "截至本月还没有审核通过的工作台账" in page_text(response)


def test_the_drill_down_shows_the_item_its_units_and_steps(ledger: dict, leader: Any) -> None:
    response = client_for(leader).get(DRILL, {"as_of": AS_OF})
    assert response.status_code == 200
    page = page_text(response)
    work = response.context["work"]
    assert (work.item.code, work.status, work.evidence_count) == ("three-matchings", "delayed", 3)
    assert response.context["units"] == ["教育局"]
    assert "人力资源社会保障局" in page and "=每季度召开一次对接会" in page
    assert "2015-12-31" in page
    steps = {state.step.title: state for state in work.steps}
    assert steps["召开对接会"].overdue and steps["召开对接会"].status == "delayed"
    assert not steps["制定对接方案"].overdue
    assert steps["制定对接方案"].evidence_count == 3
    # Each step's latest approved report, its text and its evidence count.
    assert "方案已印发" in page and "起草方案" not in page  # March's, not February's
    assert "+场地未落实" in page
    assert "走访企业" in page and "尚未审核的内容" not in page
    assert page.count('class="badge badge--red work-step__overdue"') == 1
    assert "佐证材料 3 个" in page


def test_the_drill_down_as_of_an_earlier_month(ledger: dict, leader: Any) -> None:
    response = client_for(leader).get(DRILL, {"as_of": "2015-02"})
    work = response.context["work"]
    assert (work.status, work.evidence_count) == ("in-progress", 1)
    page = page_text(response)
    assert "起草方案" in page and "方案已印发" not in page


def test_an_unknown_item_is_404_and_a_bad_month_400(plan: Any, leader: Any) -> None:
    client = client_for(leader)
    assert client.get("/dashboard/workitem/no-such-item/").status_code == 404
    response = client.get(DRILL, {"as_of": "2015-13"})
    assert response.status_code == 400 and "截止月份" in page_text(response)


@pytest.mark.parametrize("role", ["clerk", "county_clerk", "outsider"])
def test_only_dashboard_readers_open_the_drill_down(plan: Any, request: Any, role: str) -> None:
    response = client_for(request.getfixturevalue(role)).get(DRILL)
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/dashboard/", DRILL])
def test_queries_do_not_grow_with_the_ledger(
    plan: Any,
    ledger: dict,
    clerk: Any,
    reviewer: Any,
    leader: Any,
    django_assert_max_num_queries: Any,
    url: str,
) -> None:
    client = client_for(leader)
    client.get(url)
    cache.clear()
    with django_assert_max_num_queries(30) as small:
        assert client.get(url, {"as_of": AS_OF}).status_code == 200
    for code in ("three-matchings", "skill-competitions", "project-ledger"):
        for n in range(3):
            more = step(clerk, item(plan, code), title=f"措施{n}")
            for month in (1, 2, 3):
                reported(
                    clerk, reviewer, more, month, Progress.IN_PROGRESS, "推进", files=("a.png",)
                )
    cache.clear()
    with django_assert_max_num_queries(30) as large:
        assert client.get(url, {"as_of": AS_OF}).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_panel_names_who_has_not_sent_an_annual_plan(
    plan: Any, leader: Any, clerk_of: Any
) -> None:
    def missing() -> str:
        cache.clear()
        page = page_text(client_for(leader).get("/dashboard/", {"as_of": AS_OF}))
        return page.split("年度具体实施方案：")[1].split("</p>")[0]

    assert all(name in missing() for name in ("人社局", "教育局", "残联"))
    edu = clerk_of("edu")
    record = services.register_save(
        actor=edu,
        kind="annual-plans",
        plan=plan,
        department=Department.objects.get(code="edu"),
        region=None,
        values={"title": "教育局实施方案", "issued_on": date(2015, 4, 1)},
        upload=SimpleUploadedFile("方案.pdf", PDF),
    )
    assert "教育局" in missing()  # a draft is not sent
    services.register_submit(actor=edu, record=record)
    assert "教育局" not in missing() and "人社局" in missing()
