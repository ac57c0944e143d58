"""The admin: every model shows, figures are read-only, splits and roles go through services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from targets import services
from targets.models import (
    Department,
    Indicator,
    Membership,
    Milestone,
    Plan,
    Region,
    RegionTarget,
    Submission,
    SubmissionEvent,
)
from targets.services.plan_definition import load_plan_file

Role = Membership.Role


@pytest.fixture
def plan_2015(db: None) -> Plan:
    return load_plan_file()


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.fixture
def clerk(plan_2015: Plan) -> User:
    user = User.objects.create_user("clerk-hrss", password="pw-2015-test")
    services.membership_assign(
        user=user, role=Role.CLERK, department=Department.objects.get(code="hrss")
    )
    return user


@pytest.fixture
def reviewer(plan_2015: Plan) -> User:
    user = User.objects.create_user("reviewer", password="pw-2015-test")
    services.membership_assign(user=user, role=Role.REVIEWER)
    return user


@pytest.fixture
def auditor(plan_2015: Plan) -> User:
    user = User.objects.create_user("auditor", password="pw-2015-test")
    services.membership_assign(user=user, role=Role.AUDITOR)
    return user


@pytest.fixture
def superuser(plan_2015: Plan) -> User:
    return User.objects.create_superuser("root", password="pw-2015-test")


@pytest.fixture
def figures(clerk: User, reviewer: User) -> Submission:
    """One approved figure with its trail (create, submit, approve) and one draft."""
    figure = services.submission_save(
        actor=clerk,
        indicator=_indicator("rural-transfer"),
        region=_region("410611"),
        month=3,
        value=1200,
    )
    services.submission_submit(actor=clerk, submission=figure)
    services.submission_approve(actor=reviewer, submission=figure, comment="核对无误")
    services.submission_save(
        actor=clerk, indicator=_indicator("in-service"), region=_region("410621"), month=3, value=7
    )
    figure.refresh_from_db()
    return figure


@pytest.fixture
def split(plan_2015: Plan) -> RegionTarget:
    return services.region_target_set(
        reason="测试：县区分解",
        indicator=_indicator("rural-transfer"),
        region=_region("410621"),
        target=5000,
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(model: type[Model], view: str, *args: Any) -> str:
    suffix = "/".join(str(arg) for arg in args)
    base = f"/admin/targets/{model._meta.model_name}/"
    return {
        "changelist": base,
        "add": f"{base}add/",
        "change": f"{base}{suffix}/change/",
        "delete": f"{base}{suffix}/delete/",
    }[view]


@pytest.fixture
def one_of_each(figures: Submission, split: RegionTarget, clerk: User) -> dict[type, Model]:
    return {
        Plan: Plan.objects.get(year=2015),
        Department: Department.objects.get(code="hrss"),
        Region: _region("410621"),
        Indicator: _indicator("rural-transfer"),
        RegionTarget: split,
        Submission: figures,
        SubmissionEvent: figures.events.order_by("id").first(),
        Milestone: Milestone.objects.get(code="provincial-training-base"),
        Membership: clerk.membership,
    }


ALL_MODELS = [
    Plan,
    Department,
    Region,
    Indicator,
    RegionTarget,
    Submission,
    SubmissionEvent,
    Milestone,
    Membership,
]
READ_ONLY_MODELS = [Submission, SubmissionEvent]


def test_admin_index_has_the_chinese_header(superuser: User) -> None:
    page = _client(superuser).get("/admin/").content.decode()
    assert "鹤壁市全民技能振兴工程目标管理系统" in page
    for name in ("年度方案", "责任部门", "县区", "指标", "县区分解目标", "月度填报", "修改记录"):
        assert name in page


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_changelist_and_change_page(
    superuser: User, one_of_each: dict[type, Model], model: type[Model]
) -> None:
    client = _client(superuser)
    changelist = client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    obj = one_of_each[model]
    change = client.get(_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["original"] == obj


@pytest.mark.parametrize(
    "model", [m for m in ALL_MODELS if m not in READ_ONLY_MODELS], ids=lambda m: m.__name__
)
def test_superuser_sees_add_page(superuser: User, model: type[Model]) -> None:
    assert _client(superuser).get(_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_auditor_sees_changelists_but_cannot_add_or_change(
    auditor: User, one_of_each: dict[type, Model], model: type[Model]
) -> None:
    client = _client(auditor)
    assert client.get(_url(model, "changelist")).status_code == 200
    obj = one_of_each[model]
    view = client.get(_url(model, "change", obj.pk))
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "add"), {}).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_auditor_cannot_change_a_plan(auditor: User, plan_2015: Plan) -> None:
    response = _client(auditor).post(
        _url(Plan, "change", plan_2015.pk), {"year": 2015, "title": "改掉", "status": "closed"}
    )
    assert response.status_code == 403
    plan_2015.refresh_from_db()
    assert plan_2015.title == "鹤壁市2015年深入实施全民技能振兴工程工作方案"


def test_clerks_and_reviewers_stay_out_of_the_admin(clerk: User, reviewer: User) -> None:
    for user in (clerk, reviewer):
        response = _client(user).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m.__name__)
def test_figures_are_read_only_even_for_a_superuser(
    superuser: User, one_of_each: dict[type, Model], model: type[Model]
) -> None:
    client = _client(superuser)
    obj = one_of_each[model]
    assert client.get(_url(model, "add")).status_code == 403
    view = client.get(_url(model, "change", obj.pk))
    assert view.context["has_change_permission"] is False
    assert 'name="_save"' not in view.content.decode()
    assert client.post(_url(model, "change", obj.pk), {"value": 1}).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_submission_page_shows_its_audit_trail(superuser: User, figures: Submission) -> None:
    response = _client(superuser).get(_url(Submission, "change", figures.pk))
    page = response.content.decode()
    assert "修改记录" in page
    assert "审核通过" in page
    assert "核对无误" in page
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert inline.has_delete_permission is False


def test_submission_page_queries_do_not_grow_with_its_trail(superuser: User, clerk: User) -> None:
    def draft(region: str, changes: int) -> Submission:
        for value in range(changes + 1):
            figure = services.submission_save(
                actor=clerk,
                indicator=_indicator("reemployment"),
                region=_region(region),
                month=2,
                value=value,
            )
        return figure

    short, long = draft("410602", changes=0), draft("410603", changes=6)
    assert (short.events.count(), long.events.count()) == (1, 7)
    client = _client(superuser)
    assert _page_queries(client, _url(Submission, "change", long.pk)) == (
        _page_queries(client, _url(Submission, "change", short.pk))
    )


def test_submission_trail_shows_statuses_in_words(superuser: User, figures: Submission) -> None:
    page = _client(superuser).get(_url(Submission, "change", figures.pk)).content.decode()
    assert "已报送" in page
    assert ">submitted<" not in page


def test_submission_list_names_the_series_entered(superuser: User, clerk: User) -> None:
    services.submission_save(
        actor=clerk,
        indicator=_indicator("training-total"),
        region=_region("410611"),
        month=1,
        value=5,
    )
    page = _client(superuser).get(_url(Submission, "changelist")).content.decode()
    assert "其他职业技能培训（未列入部门任务" in page


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_submission_changelists_do_not_query_per_row(
    superuser: User, clerk: User, figures: Submission
) -> None:
    client = _client(superuser)
    few = {
        model: _page_queries(client, _url(model, "changelist"))
        for model in (Submission, SubmissionEvent, Membership, RegionTarget)
    }
    for month in range(4, 10):
        services.submission_save(
            actor=clerk,
            indicator=_indicator("reemployment"),
            region=_region("410622"),
            month=month,
            value=month,
        )
        other = User.objects.create_user(f"clerk-{month}")
        services.membership_assign(
            user=other, role=Role.CLERK, department=Department.objects.get(code="agri")
        )
        services.region_target_set(
            reason="测试：县区分解",
            indicator=_indicator("reemployment"),
            region=Region.objects.order_by("code")[month % 5],
            target=month,
        )
    for model, count in few.items():
        assert _page_queries(client, _url(model, "changelist")) == count, model


def test_region_target_over_the_city_target_is_refused_on_the_form(
    superuser: User, split: RegionTarget
) -> None:
    # rural-transfer: 20,000 city-wide, 5,000 already given to 浚县.
    response = _client(superuser).post(
        _url(RegionTarget, "add"),
        {
            "indicator": _indicator("rural-transfer").pk,
            "region": _region("410611").pk,
            "target": 15001,
        },
    )
    assert response.status_code == 200
    assert "县区分解合计 20001 超过全市目标 20000（其他县区已分解 5000）。" in (
        response.content.decode()
    )
    assert list(RegionTarget.objects.values_list("target", flat=True)) == [5000]


def test_region_target_within_the_city_target_is_saved(
    superuser: User, split: RegionTarget
) -> None:
    response = _client(superuser).post(
        _url(RegionTarget, "add"),
        {
            "indicator": _indicator("rural-transfer").pk,
            "region": _region("410611").pk,
            "target": 15000,
            "change_reason": "测试：淇滨区任务调增",
        },
    )
    assert response.status_code == 302
    assert services.region_targets_total(_indicator("rural-transfer")) == 20000


def test_changing_a_region_target_above_the_city_target_is_refused(
    superuser: User, split: RegionTarget
) -> None:
    response = _client(superuser).post(_url(RegionTarget, "change", split.pk), {"target": 20001})
    assert response.status_code == 200
    assert "超过全市目标 20000" in response.content.decode()
    split.refresh_from_db()
    assert split.target == 5000


def test_region_target_form_without_an_indicator_shows_an_error(superuser: User) -> None:
    response = _client(superuser).post(
        _url(RegionTarget, "add"), {"region": _region("410611").pk, "target": 1}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["indicator"]
    assert not RegionTarget.objects.exists()


def _indicator_form(
    indicator: Indicator, rows: list[dict[str, Any]], initial: int, reason: str = "测试：调整分解"
) -> dict:
    data: dict[str, Any] = {
        "change_reason": reason,
        "plan": indicator.plan_id,
        "code": indicator.code,
        "name": indicator.name,
        "series_name": indicator.series_name,
        "role": indicator.role,
        "kind": indicator.kind,
        "department": indicator.department_id,
        "unit": indicator.unit,
        "target": indicator.target,
        "target_rate": "",
        "feeds": indicator.feeds_id or "",
        "accepts_figures": "on" if indicator.accepts_figures else "",
        "numerator": "",
        "denominator": "",
        "source_clause": indicator.source_clause,
        "order": indicator.order,
        "region_targets-TOTAL_FORMS": len(rows),
        "region_targets-INITIAL_FORMS": initial,
        "region_targets-MIN_NUM_FORMS": 0,
        "region_targets-MAX_NUM_FORMS": 1000,
    }
    for number, row in enumerate(rows):
        for field, value in row.items():
            data[f"region_targets-{number}-{field}"] = value
        data[f"region_targets-{number}-indicator"] = indicator.pk
    return data


@pytest.fixture
def two_shares(plan_2015: Plan) -> list[RegionTarget]:
    rural = _indicator("rural-transfer")
    return [
        services.region_target_set(
            reason="测试：县区分解", indicator=rural, region=_region("410611"), target=5000
        ),
        services.region_target_set(
            reason="测试：县区分解", indicator=rural, region=_region("410621"), target=5000
        ),
    ]


def test_inline_shares_over_the_city_target_are_refused(
    superuser: User, two_shares: list[RegionTarget]
) -> None:
    qibin, xunxian = two_shares
    rural = _indicator("rural-transfer")
    rows = [
        {"id": qibin.pk, "target": 12000},
        {"id": xunxian.pk, "target": 5000},
        {"region": _region("410622").pk, "target": 9000},
    ]
    response = _client(superuser).post(
        _url(Indicator, "change", rural.pk), _indicator_form(rural, rows, initial=2)
    )
    assert response.status_code == 200
    assert "县区分解合计 26000 超过全市目标 20000。" in response.content.decode()
    assert sorted(RegionTarget.objects.values_list("target", flat=True)) == [5000, 5000]


def test_inline_shares_are_rebalanced_in_one_save(
    superuser: User, two_shares: list[RegionTarget]
) -> None:
    # Saved increases-first this would pass 20,000 on the way (9,000 + 5,000 + 8,000).
    qibin, xunxian = two_shares
    rural = _indicator("rural-transfer")
    rows = [
        {"id": qibin.pk, "target": 9000},
        {"id": xunxian.pk, "target": 2000},
        {"region": _region("410622").pk, "target": 8000},
    ]
    response = _client(superuser).post(
        _url(Indicator, "change", rural.pk), _indicator_form(rural, rows, initial=2)
    )
    assert response.status_code == 302, response.context["errors"]
    assert dict(
        RegionTarget.objects.filter(indicator=rural).values_list("region__code", "target")
    ) == {"410611": 9000, "410621": 2000, "410622": 8000}


def test_inline_share_can_be_deleted(superuser: User, two_shares: list[RegionTarget]) -> None:
    qibin, xunxian = two_shares
    rural = _indicator("rural-transfer")
    rows = [
        {"id": qibin.pk, "target": 5000, "DELETE": "on"},
        {"id": xunxian.pk, "target": 5000},
    ]
    response = _client(superuser).post(
        _url(Indicator, "change", rural.pk), _indicator_form(rural, rows, initial=2)
    )
    assert response.status_code == 302
    assert list(RegionTarget.objects.values_list("region__code", flat=True)) == ["410621"]


def test_lowering_a_city_target_below_its_shares_is_refused(
    superuser: User, two_shares: list[RegionTarget]
) -> None:
    rural = _indicator("rural-transfer")
    data = _indicator_form(
        rural,
        [{"id": share.pk, "target": share.target} for share in two_shares],
        initial=2,
    )
    data["target"] = 9000
    response = _client(superuser).post(_url(Indicator, "change", rural.pk), data)
    assert response.status_code == 200
    assert "年度目标 9000 低于已分解到县区的合计 10000。" in response.content.decode()
    rural.refresh_from_db()
    assert rural.target == 20000


def test_rates_have_no_county_split_inline(superuser: User, plan_2015: Plan) -> None:
    rate = _indicator("veterans-pass")
    response = _client(superuser).get(_url(Indicator, "change", rate.pk))
    assert response.context["inline_admin_formsets"] == []
    assert "90%" in _client(superuser).get(_url(Indicator, "changelist")).content.decode()


def _membership_form(user: User | None, role: str, department: Any = "", region: Any = "") -> dict:
    data = {"role": role, "department": department, "region": region}
    if user is not None:
        data["user"] = user.pk
    return data


def test_membership_admin_keeps_group_and_staff_in_step(superuser: User) -> None:
    client = _client(superuser)
    person = User.objects.create_user("new-auditor")
    response = client.post(_url(Membership, "add"), _membership_form(person, Role.AUDITOR))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.membership.role == Role.AUDITOR
    assert person.is_staff
    assert list(person.groups.values_list("name", flat=True)) == ["审计员"]

    response = client.post(
        _url(Membership, "change", person.membership.pk), _membership_form(None, Role.LEADER)
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.membership.role == Role.LEADER
    assert not person.is_staff
    assert list(person.groups.values_list("name", flat=True)) == ["领导"]


def test_membership_admin_refuses_a_clerk_without_department(superuser: User) -> None:
    person = User.objects.create_user("no-dept")
    response = _client(superuser).post(
        _url(Membership, "add"), _membership_form(person, Role.CLERK)
    )
    assert response.status_code == 200
    assert "填报员必须属于一个部门" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert not person.groups.exists()


def test_memberships_are_not_deleted_in_the_admin(superuser: User, clerk: User) -> None:
    response = _client(superuser).post(
        _url(Membership, "delete", clerk.membership.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(user=clerk).exists()


def test_admin_shows_the_demo_banner_only_with_demo_figures(superuser: User, clerk: User) -> None:
    banner = "演示数据：本系统中的月度数据为虚构的合成数据"
    client = _client(superuser)
    assert banner not in client.get("/admin/").content.decode()
    services.submission_save(
        actor=clerk,
        indicator=_indicator("in-service"),
        region=_region("410611"),
        month=1,
        value=3,
        is_demo=True,
    )
    assert banner in client.get("/admin/").content.decode()
