"""The reviewer's queue (/review/): who may open it, what it counts, where its cells link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from targets.models import Department, Plan, Submission
from tests.helpers import client_for


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 403),
        ("county_clerk", 403),
        ("reviewer", 200),
        ("leader", 403),
        ("auditor", 403),
        ("administrator", 403),
        ("superuser", 403),
        ("outsider", 403),
    ],
)
def test_it_checks_the_policy(people: dict[str, Any], who: str, status: int) -> None:
    assert client_for(people[who]).get("/review/").status_code == status


def test_anonymous_users_are_sent_to_login(plan: Plan) -> None:
    response = Client().get("/review/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/review/"


def test_it_refuses_post(people: dict[str, Any]) -> None:
    assert client_for(people["reviewer"]).post("/review/").status_code == 405


def test_it_counts_waiting_figures_by_department_and_month(
    people: dict[str, Any], figure: Any
) -> None:
    figure("rural-transfer", "410611", 3)
    figure("in-service", "410621", 3)
    figure("rural-transfer", "410611", 4)
    figure("new-farmers", "410622", 4)
    # Not waiting: a draft, an approved and a returned figure.
    figure("rural-transfer", "410611", 5, status="draft")
    figure("rural-transfer", "410611", 1, status="approved")
    figure("rural-transfer", "410603", 3, status="returned")

    response = client_for(people["reviewer"]).get("/review/")
    page = response.content.decode()
    assert "正在建设中" not in page
    assert "待审核数据：4 条" in page
    rows = {row["department"].code: row for row in response.context["rows"]}
    assert rows["hrss"]["months"][:5] == [0, 0, 2, 1, 0]
    assert rows["hrss"]["total"] == 3
    assert rows["agri"]["months"][3] == 1
    assert rows["edu"]["total"] == 0
    assert response.context["month_totals"][:5] == [0, 0, 2, 2, 0]
    assert response.context["total"] == 4


def test_each_waiting_cell_links_to_its_month(people: dict[str, Any], figure: Any) -> None:
    figure("rural-transfer", "410611", 3)
    figure("rural-transfer", "410611", 1, status="approved")
    hrss = Department.objects.get(code="hrss")
    page = client_for(people["reviewer"]).get("/review/").content.decode()
    march = reverse("review-month", args=[hrss.pk, 3])
    assert march == f"/review/{hrss.pk}/3/"
    assert f'href="{march}"' in page
    assert f'href="/review/{hrss.pk}/1/"' not in page  # nothing waits in January
    assert f'href="/review/{hrss.pk}/4/"' not in page


def test_without_waiting_figures(people: dict[str, Any]) -> None:
    page = client_for(people["reviewer"]).get("/review/").content.decode()
    assert "目前没有等待审核的数据。" in page


def test_without_an_active_plan(people: dict[str, Any], figure: Any, plan: Plan) -> None:
    figure("rural-transfer", "410611", 3)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    response = client_for(people["reviewer"]).get("/review/")
    assert response.status_code == 200
    assert response.context["total"] == 0


def test_it_reads_a_fixed_number_of_queries(
    people: dict[str, Any], figure: Any, django_assert_max_num_queries: Any
) -> None:
    for month in (1, 2, 3):
        for region in ("410611", "410621"):
            figure("rural-transfer", region, month)
    client = client_for(people["reviewer"])
    # The page's own reads plus five for the reports missing and late of the last month due.
    with django_assert_max_num_queries(13):
        response = client.get("/review/")
    assert response.context["total"] == 6
    assert Submission.objects.filter(status="submitted").count() == 6
