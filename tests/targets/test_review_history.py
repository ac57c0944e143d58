"""A cell's history (/review/cell/<id>/history/): every revision and audit event of the
cell, oldest first, for whoever may read the cell."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.middleware import csrf
from django.test import Client

from targets import services
from targets.models import Indicator, Plan, Region, Submission
from tests.helpers import client_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2015, 4, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def cell(plan: Plan, users: dict[str, Any]) -> list[Submission]:
    """浚县's March rural-transfer figure: entered, changed, submitted, returned, resubmitted,
    approved, then corrected and resubmitted: two revisions."""
    clerk, reviewer = users["xunxian_clerk"], users["reviewer"]
    indicator = Indicator.objects.get(plan=plan, code="rural-transfer")
    region = Region.objects.get(code="410621")
    first = services.submission_save(
        actor=clerk, indicator=indicator, region=region, month=3, value=100, at=at(1)
    )
    services.submission_save(
        actor=clerk, indicator=indicator, region=region, month=3, value=110, at=at(2)
    )
    services.submission_submit(actor=clerk, submission=first, at=at(3))
    services.submission_return(actor=reviewer, submission=first, comment="与培训台账不符", at=at(4))
    services.submission_submit(actor=clerk, submission=first, at=at(5))
    services.submission_approve(actor=reviewer, submission=first, at=at(6))
    second = services.submission_correct(
        actor=clerk, submission=first, value=125, reason="补录漏报的培训班", at=at(10)
    )
    services.submission_submit(actor=clerk, submission=second, at=at(11))
    first.refresh_from_db()
    second.refresh_from_db()
    return [first, second]


def history_url(submission: Submission) -> str:
    return f"/review/cell/{submission.pk}/history/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),
        ("xunxian_clerk", 200),
        ("qibin_clerk", 403),
        ("agri_clerk", 403),
        ("reviewer", 200),
        ("leader", 200),
        ("auditor", 200),
        ("administrator", 200),
        ("superuser", 200),
        ("nobody", 403),
    ],
)
def test_it_checks_the_policy(
    users: dict[str, Any], cell: list[Submission], who: str, status: int
) -> None:
    for revision in cell:
        assert client_for(users[who]).get(history_url(revision)).status_code == status


def test_anonymous_users_are_sent_to_login(cell: list[Submission]) -> None:
    response = Client().get(history_url(cell[0]))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={history_url(cell[0])}"


def test_unknown_submission_is_not_found(users: dict[str, Any]) -> None:
    assert client_for(users["reviewer"]).get("/review/cell/999999/history/").status_code == 404


def test_it_refuses_post(users: dict[str, Any], cell: list[Submission]) -> None:
    assert client_for(users["reviewer"]).post(history_url(cell[0])).status_code == 405


def test_it_shows_every_revision_and_event_oldest_first(
    users: dict[str, Any], cell: list[Submission]
) -> None:
    first, second = cell
    for revision in cell:  # either revision opens the same cell's history
        response = client_for(users["reviewer"]).get(history_url(revision))
        assert [row["submission"].pk for row in response.context["revisions"]] == [
            first.pk,
            second.pk,
        ]
        events = [
            (
                row.event.submission.revision,
                row.action,
                row.event.actor.username,
                row.old_value,
                row.new_value,
                row.old_status,
                row.new_status,
                row.event.reason,
            )
            for row in response.context["events"]
        ]
        clerk, reviewer = users["xunxian_clerk"].username, users["reviewer"].username
        assert events == [
            (1, "新建", clerk, "—", "100", "—", "草稿", ""),
            (1, "修改", clerk, "100", "110", "草稿", "草稿", ""),
            (1, "报送", clerk, "110", "110", "草稿", "已报送", ""),
            (1, "退回", reviewer, "110", "110", "已报送", "已退回", "与培训台账不符"),
            (1, "报送", clerk, "110", "110", "已退回", "已报送", ""),
            (1, "审核通过", reviewer, "110", "110", "已报送", "已审核", ""),
            (2, "更正", clerk, "110", "125", "已审核", "草稿", "补录漏报的培训班"),
            (2, "报送", clerk, "125", "125", "草稿", "已报送", ""),
        ]


def test_the_page_reads_like_an_audit_trail(users: dict[str, Any], cell: list[Submission]) -> None:
    page = client_for(users["xunxian_clerk"]).get(history_url(cell[1])).content.decode()
    assert "农村劳动力转移就业技能培训（人次）" in page
    assert "浚县" in page
    assert "2015年3月" in page
    assert "第 1 版" in page and "第 2 版" in page
    assert "2015-04-04 09:00" in page
    assert "王审核" in page
    assert "110 → 125" in page
    assert "已审核 → 草稿" in page
    assert "与培训台账不符" in page
    assert "补录漏报的培训班" in page
    # Events are listed in time order.
    trail = page[page.index("<h2>操作记录</h2>") :]
    assert trail.index("2015-04-01 09:00") < trail.index("2015-04-06 09:00")
    assert trail.index("2015-04-06 09:00") < trail.index("2015-04-11 09:00")
    # A clerk is not sent to the reviewer's pages.
    assert 'href="/review/' not in page


def test_a_reviewer_can_go_back_to_the_month(users: dict[str, Any], cell: list[Submission]) -> None:
    department_id = cell[0].indicator.department_id
    page = client_for(users["reviewer"]).get(history_url(cell[0])).content.decode()
    assert f'href="/review/{department_id}/3/"' in page


def test_other_cells_are_not_shown(
    users: dict[str, Any], cell: list[Submission], plan: Plan, monkeypatch: Any
) -> None:
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: "999" * 10 + "99")  # worst case
    other = services.submission_save(
        actor=users["clerk"],
        indicator=Indicator.objects.get(plan=plan, code="rural-transfer"),
        region=Region.objects.get(code="410621"),
        month=4,
        value=999,
    )
    response = client_for(users["reviewer"]).get(history_url(cell[0]))
    assert other.pk not in [row["submission"].pk for row in response.context["revisions"]]
    # The page's random CSRF tokens may contain "999" (here they do): left out of the check.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    assert "999" not in page


def test_it_reads_a_fixed_number_of_queries(
    users: dict[str, Any], cell: list[Submission], django_assert_max_num_queries: Any
) -> None:
    client = client_for(users["reviewer"])
    with django_assert_max_num_queries(9):
        client.get(history_url(cell[0]))
