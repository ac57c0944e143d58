"""The reviewer's queue (/review/): who may open it, what it counts, where its cells link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from targets import services
from targets.models import Department, Indicator, Plan, Region, Submission

ROLES = {
    "clerk": ("clerk", "hrss", None),
    "county_clerk": ("clerk", "hrss", "410621"),
    "reviewer": ("reviewer", None, None),
    "leader": ("leader", None, None),
    "auditor": ("auditor", None, None),
    "administrator": ("administrator", None, None),
}


@pytest.fixture
def users(plan: Plan, make_user: Any) -> dict[str, Any]:
    made = {who: make_user(*spec) for who, spec in ROLES.items()}
    made["superuser"] = make_user(None, is_superuser=True, is_staff=True)
    made["nobody"] = make_user(None)
    return made


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def figure(plan: Plan, users: dict[str, Any], make_user: Any) -> Any:
    """A figure of (series code, county code, month) taken to ``status`` by its clerk."""
    clerks: dict[str, Any] = {"hrss": users["clerk"]}

    def make(code: str, region: str, month: int, value: int = 100, status: str = "submitted"):
        indicator = Indicator.objects.select_related("department").get(plan=plan, code=code)
        department = indicator.department.code
        clerk = clerks.setdefault(department, make_user("clerk", department))
        submission = services.submission_save(
            actor=clerk,
            indicator=indicator,
            region=Region.objects.get(code=region),
            month=month,
            value=value,
        )
        if status != "draft":
            services.submission_submit(actor=clerk, submission=submission)
        if status == "approved":
            services.submission_approve(actor=users["reviewer"], submission=submission)
        if status == "returned":
            services.submission_return(
                actor=users["reviewer"], submission=submission, comment="请核实"
            )
        submission.refresh_from_db()
        return submission

    return make


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
        ("nobody", 403),
    ],
)
def test_it_checks_the_policy(users: dict[str, Any], who: str, status: int) -> None:
    assert client_for(users[who]).get("/review/").status_code == status


def test_anonymous_users_are_sent_to_login(plan: Plan) -> None:
    response = Client().get("/review/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/review/"


def test_it_refuses_post(users: dict[str, Any]) -> None:
    assert client_for(users["reviewer"]).post("/review/").status_code == 405


def test_it_counts_waiting_figures_by_department_and_month(
    users: dict[str, Any], figure: Any
) -> None:
    figure("rural-transfer", "410611", 3)
    figure("in-service", "410621", 3)
    figure("rural-transfer", "410611", 4)
    figure("new-farmers", "410622", 4)
    # Not waiting: a draft, an approved and a returned figure.
    figure("rural-transfer", "410611", 5, status="draft")
    figure("rural-transfer", "410611", 1, status="approved")
    figure("rural-transfer", "410603", 3, status="returned")

    response = client_for(users["reviewer"]).get("/review/")
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


def test_each_waiting_cell_links_to_its_month(users: dict[str, Any], figure: Any) -> None:
    figure("rural-transfer", "410611", 3)
    figure("rural-transfer", "410611", 1, status="approved")
    hrss = Department.objects.get(code="hrss")
    page = client_for(users["reviewer"]).get("/review/").content.decode()
    march = reverse("review-month", args=[hrss.pk, 3])
    assert march == f"/review/{hrss.pk}/3/"
    assert f'href="{march}"' in page
    assert f'href="/review/{hrss.pk}/1/"' not in page  # nothing waits in January
    assert f'href="/review/{hrss.pk}/4/"' not in page


def test_without_waiting_figures(users: dict[str, Any]) -> None:
    page = client_for(users["reviewer"]).get("/review/").content.decode()
    assert "目前没有等待审核的数据。" in page


def test_without_an_active_plan(users: dict[str, Any], figure: Any, plan: Plan) -> None:
    figure("rural-transfer", "410611", 3)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    response = client_for(users["reviewer"]).get("/review/")
    assert response.status_code == 200
    assert response.context["total"] == 0


def test_it_reads_a_fixed_number_of_queries(
    users: dict[str, Any], figure: Any, django_assert_max_num_queries: Any
) -> None:
    for month in (1, 2, 3):
        for region in ("410611", "410621"):
            figure("rural-transfer", region, month)
    client = client_for(users["reviewer"])
    # The page's own reads plus five for the reports missing and late of the last month due.
    with django_assert_max_num_queries(13):
        response = client.get("/review/")
    assert response.context["total"] == 6
    assert Submission.objects.filter(status="submitted").count() == 6
