"""Monthly figures in the admin: their audit trail, in words, and queries that do not grow."""

from __future__ import annotations

from django.contrib.auth.models import User

from targets import services
from targets.models import Department, Membership, Region, RegionTarget, Submission, SubmissionEvent

from .pages import admin_url, client_for, enter, indicator, page_queries

Role = Membership.Role


def test_submission_page_shows_its_audit_trail(superuser: User, figures: Submission) -> None:
    response = client_for(superuser).get(admin_url(Submission, "change", figures.pk))
    page = response.content.decode()
    assert "修改记录" in page
    assert "审核通过" in page
    assert "核对无误" in page
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert inline.has_delete_permission is False


def test_submission_page_queries_do_not_grow_with_its_trail(superuser: User, clerk: User) -> None:
    def draft(county: str, changes: int) -> Submission:
        for value in range(changes + 1):
            figure = enter(clerk, "reemployment", county, 2, value)
        return figure

    short, long = draft("410602", changes=0), draft("410603", changes=6)
    assert (short.events.count(), long.events.count()) == (1, 7)
    client = client_for(superuser)
    assert page_queries(client, admin_url(Submission, "change", long.pk)) == (
        page_queries(client, admin_url(Submission, "change", short.pk))
    )


def test_submission_trail_shows_statuses_in_words(superuser: User, figures: Submission) -> None:
    page = client_for(superuser).get(admin_url(Submission, "change", figures.pk)).content.decode()
    assert "已报送" in page
    assert ">submitted<" not in page


def test_submission_list_names_the_series_entered(superuser: User, clerk: User) -> None:
    enter(clerk, "training-total", "410611", 1, 5)
    page = client_for(superuser).get(admin_url(Submission, "changelist")).content.decode()
    assert "其他职业技能培训（未列入部门任务" in page


def test_submission_changelists_do_not_query_per_row(
    superuser: User, clerk: User, figures: Submission
) -> None:
    client = client_for(superuser)
    few = {
        model: page_queries(client, admin_url(model, "changelist"))
        for model in (Submission, SubmissionEvent, Membership, RegionTarget)
    }
    for month in range(4, 10):
        enter(clerk, "reemployment", "410622", month, month)
        other = User.objects.create_user(f"clerk-{month}")
        services.membership_assign(
            user=other, role=Role.CLERK, department=Department.objects.get(code="agri")
        )
        services.region_target_set(
            reason="测试：县区分解",
            indicator=indicator("reemployment"),
            region=Region.objects.filter(kind__in=Region.PLACE_KINDS).order_by("code")[month % 5],
            target=month,
        )
    for model, count in few.items():
        assert page_queries(client, admin_url(model, "changelist")) == count, model
