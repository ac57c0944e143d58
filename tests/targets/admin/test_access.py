"""Every model shows in the admin; who may add, change or delete; figures are read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import Model

from targets import models

from .pages import admin_url, client_for, enter

ALL_MODELS = [
    models.Plan,
    models.Department,
    models.Region,
    models.Indicator,
    models.RegionTarget,
    models.Submission,
    models.SubmissionEvent,
    models.Milestone,
    models.Membership,
]
READ_ONLY_MODELS = [models.Submission, models.SubmissionEvent]


def test_admin_index_has_the_chinese_header(superuser: User) -> None:
    page = client_for(superuser).get("/admin/").content.decode()
    assert "鹤壁市全民技能振兴工程目标管理系统" in page
    for name in ("年度方案", "责任部门", "县区", "指标", "县区分解目标", "月度填报", "修改记录"):
        assert name in page


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_changelist_and_change_page(
    superuser: User, one_of_each: dict[type, Model], model: type[Model]
) -> None:
    client = client_for(superuser)
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    obj = one_of_each[model]
    change = client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["original"] == obj


@pytest.mark.parametrize(
    "model", [m for m in ALL_MODELS if m not in READ_ONLY_MODELS], ids=lambda m: m.__name__
)
def test_superuser_sees_add_page(superuser: User, model: type[Model]) -> None:
    assert client_for(superuser).get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_auditor_sees_changelists_but_cannot_add_or_change(
    auditor: User, one_of_each: dict[type, Model], model: type[Model]
) -> None:
    client = client_for(auditor)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    obj = one_of_each[model]
    view = client.get(admin_url(model, "change", obj.pk))
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "add"), {}).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_auditor_cannot_change_a_plan(auditor: User, plan: models.Plan) -> None:
    closed = {"year": 2015, "title": "改掉", "status": "closed"}
    response = client_for(auditor).post(admin_url(models.Plan, "change", plan.pk), closed)
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.title == "鹤壁市2015年深入实施全民技能振兴工程工作方案"


def test_clerks_and_reviewers_stay_out_of_the_admin(clerk: User, reviewer: User) -> None:
    for user in (clerk, reviewer):
        response = client_for(user).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m.__name__)
def test_figures_are_read_only_even_for_a_superuser(
    superuser: User, one_of_each: dict[type, Model], model: type[Model]
) -> None:
    client = client_for(superuser)
    obj = one_of_each[model]
    assert client.get(admin_url(model, "add")).status_code == 403
    view = client.get(admin_url(model, "change", obj.pk))
    assert view.context["has_change_permission"] is False
    assert 'name="_save"' not in view.content.decode()
    assert client.post(admin_url(model, "change", obj.pk), {"value": 1}).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_admin_shows_the_demo_banner_only_with_demo_figures(superuser: User, clerk: User) -> None:
    banner = "演示数据：本系统中的月度数据为虚构的合成数据"
    client = client_for(superuser)
    assert banner not in client.get("/admin/").content.decode()
    enter(clerk, "in-service", "410611", 1, 3, is_demo=True)
    assert banner in client.get("/admin/").content.decode()
