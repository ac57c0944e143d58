"""Targets changed mid-year: one service per kind of target, a reason, an audit row, a rollup.

An active plan's goal or quota target (or a rate's target rate) and its county splits change
only through ``indicator_target_set`` / ``region_target_set``: each change needs a reason, is
kept as a ``TargetChange`` (who, when, old → new) and rebuilds the indicator's rollup and its
goal's after commit. A draft is edited without; a closed plan not at all.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from reporting.rollup import rebuild
from targets import services
from targets.models import Indicator, Membership, Plan, Region, RegionTarget, TargetChange
from targets.services.plan_definition import load_plan_file
from tests.targets.admin.pages import indicator_form

pytestmark = pytest.mark.django_db
API = "/api/progress/2015/?as_of=2015-01"


@pytest.fixture
def plan(db: None) -> Plan:
    plan = load_plan_file()
    rebuild(plan)  # the rollup of the plan as loaded: the dashboard shows its targets
    return plan


@pytest.fixture
def admin_user(plan: Plan) -> User:
    user = User.objects.create_user("admin-1", password="pw-2015-test", first_name="管理员甲")
    services.membership_assign(user=user, role=Membership.Role.ADMINISTRATOR)
    return user


@pytest.fixture
def leader(plan: Plan) -> Client:
    user = User.objects.create_user("leader-1", password="pw-2015-test")
    services.membership_assign(user=user, role=Membership.Role.LEADER)
    client = Client()
    client.force_login(user)
    return client


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def _region(code: str) -> Region:
    return Region.objects.get(code=code)


def _api(client: Client) -> dict[str, Any]:
    response = client.get(API)
    assert response.status_code == 200
    return response.json()


def _quota(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(q for q in document["quotas"] if q["code"] == code)


def _goal(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(g for g in document["goals"] if g["code"] == code)


# --- the service ------------------------------------------------------------------------------


def test_changing_an_active_plans_target_needs_a_reason(admin_user: User) -> None:
    rural = _indicator("rural-transfer")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            services.indicator_target_set(
                actor=admin_user, indicator=rural, target=21_000, reason=reason
            )
        assert "调整理由" in str(refused.value)
    rural.refresh_from_db()
    assert rural.target == 20_000
    assert not TargetChange.objects.exists()


def test_a_change_is_kept_with_who_when_old_new_and_reason(admin_user: User) -> None:
    rural = _indicator("rural-transfer")
    services.indicator_target_set(
        actor=admin_user, indicator=rural, target=21_000, reason="省厅追加转移就业培训任务"
    )
    change = TargetChange.objects.get()
    assert (change.indicator, change.region, change.actor) == (rural, None, admin_user)
    assert (change.old_value, change.new_value) == (20_000, 21_000)
    assert change.reason == "省厅追加转移就业培训任务" and change.at is not None
    assert (change.place, change.old_display, change.new_display) == ("全市", "20,000", "21,000")
    rural.refresh_from_db()
    assert rural.target == 21_000


def test_a_rates_target_rate_is_changed_and_kept_as_a_fraction(admin_user: User) -> None:
    rate = _indicator("veterans-participation")
    services.indicator_target_set(
        actor=admin_user, indicator=rate, target_rate=Decimal("0.85"), reason="按省里口径调整"
    )
    change = TargetChange.objects.get()
    assert (change.old_value, change.new_value) == (Decimal("0.9"), Decimal("0.85"))
    assert (change.old_display, change.new_display) == ("90%", "85%")
    with pytest.raises(ValidationError):
        services.indicator_target_set(
            actor=admin_user, indicator=rate, target_rate=Decimal("1.2"), reason="太高"
        )
    with pytest.raises(ValidationError):
        services.indicator_target_set(actor=admin_user, indicator=rate, target=90, reason="不对")


def test_the_same_target_again_is_no_change(admin_user: User) -> None:
    services.indicator_target_set(
        actor=admin_user, indicator=_indicator("rural-transfer"), target=20_000, reason="未变"
    )
    assert not TargetChange.objects.exists()


def test_a_split_set_changed_and_removed_is_kept_each_time(admin_user: User) -> None:
    rural, city_level = _indicator("rural-transfer"), _region("410601")
    services.region_target_set(
        actor=admin_user, indicator=rural, region=city_level, target=1_000, reason="市直分解"
    )
    services.region_target_set(
        actor=admin_user, indicator=rural, region=city_level, target=1_500, reason="市直调增"
    )
    services.region_target_set(
        actor=admin_user, indicator=rural, region=city_level, target=None, reason="并入县区"
    )
    assert not RegionTarget.objects.exists()
    assert [
        (c.region.code, c.old_value, c.new_value, c.reason)
        for c in TargetChange.objects.select_related("region")
    ] == [
        ("410601", None, 1_000, "市直分解"),
        ("410601", 1_000, 1_500, "市直调增"),
        ("410601", 1_500, None, "并入县区"),
    ]


def test_splits_above_the_quota_are_refused_and_nothing_is_kept(admin_user: User) -> None:
    rural = _indicator("rural-transfer")
    services.region_target_set(
        actor=admin_user, indicator=rural, region=_region("410611"), target=15_000, reason="分解"
    )
    with pytest.raises(ValidationError) as refused:
        services.region_target_set(
            actor=admin_user, indicator=rural, region=_region("410601"), target=5_001, reason="超"
        )
    assert "超过全市目标 20000" in str(refused.value)
    assert TargetChange.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.indicator_target_set(
            actor=admin_user, indicator=rural, target=14_999, reason="下调"
        )
    assert "低于已分解到县区的合计 15000" in str(refused.value)
    assert _indicator("rural-transfer").target == 20_000
    assert TargetChange.objects.count() == 1


def test_quotas_may_not_add_up_to_more_than_their_goal(admin_user: User) -> None:
    # The training quotas add up to 61,450 of the goal's 70,000: 8,550 is left.
    rural = _indicator("rural-transfer")
    with pytest.raises(ValidationError) as refused:
        services.indicator_target_set(
            actor=admin_user, indicator=rural, target=28_551, reason="追加"
        )
    assert "超过其年度目标 70000" in str(refused.value)
    services.indicator_target_set(actor=admin_user, indicator=rural, target=28_550, reason="追加")
    goal = _indicator("training-total")
    with pytest.raises(ValidationError) as refused:
        services.indicator_target_set(actor=admin_user, indicator=goal, target=69_999, reason="减")
    assert "超过新的年度目标 69999" in str(refused.value)


def test_a_draft_plans_targets_change_without_reason_or_record(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    services.indicator_target_set(actor=None, indicator=_indicator("rural-transfer"), target=1)
    services.region_target_set(
        indicator=_indicator("rain-dew"), region=_region("410601"), target=100
    )
    assert _indicator("rural-transfer").target == 1
    assert not TargetChange.objects.exists()


def _refuse_both(
    error: type[Exception],
    match: str | None,
    actor: Any,
    targets: tuple[int, str, int],
    *,
    reason: str,
) -> None:
    """Both target services refuse ``actor``: rural-transfer's target, and a split of
    ``targets[1]`` in 市直 (``targets``: the target, the split's indicator, the split)."""
    target, split_of, split = targets
    with pytest.raises(error, match=match):
        services.indicator_target_set(
            actor=actor, indicator=_indicator("rural-transfer"), target=target, reason=reason
        )
    with pytest.raises(error, match=match):
        services.region_target_set(
            actor=actor,
            indicator=_indicator(split_of),
            region=_region("410601"),
            target=split,
            reason=reason,
        )


def test_a_closed_plans_targets_are_refused(plan: Plan, admin_user: User) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    _refuse_both(ValidationError, "已结束", admin_user, (1, "rain-dew", 100), reason="年终")


@pytest.mark.parametrize("role", ["clerk", "reviewer", "leader", "auditor"])
def test_only_administrators_change_targets(plan: Plan, make_user: Any, role: str) -> None:
    user = make_user(role, department="hrss" if role == "clerk" else None)
    _refuse_both(PermissionDenied, None, user, (21_000, "rural-transfer", 1), reason="越权")
    assert _indicator("rural-transfer").target == 20_000
    assert not RegionTarget.objects.exists() and not TargetChange.objects.exists()


def test_the_rollup_shows_a_new_target_after_commit(
    admin_user: User, leader: Client, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    assert _quota(_api(leader), "rural-transfer")["target"] == 20_000
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.indicator_target_set(
            actor=admin_user, indicator=_indicator("rural-transfer"), target=21_000, reason="追加"
        )
        services.region_target_set(
            actor=admin_user,
            indicator=_indicator("rural-transfer"),
            region=_region("410601"),
            target=2_000,
            reason="市直分解",
        )
    assert len(callbacks) == 1  # one rebuild for the transaction's changes
    document = _api(leader)
    rural = _quota(document, "rural-transfer")
    assert rural["target"] == 21_000
    assert {r["code"]: r["target"] for r in rural["regions"]}["410601"] == 2_000
    # The goal it feeds: 70,000 − (61,450 + 1,000) no longer allocated to a department.
    assert _goal(document, "training-total")["unallocated"] == 7_550
    # Every month is rebuilt, not only the as-of month.
    december = leader.get("/api/progress/2015/?as_of=2015-12").json()
    assert _quota(december, "rural-transfer")["target"] == 21_000


def test_nothing_is_rebuilt_when_the_change_is_refused(
    admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.indicator_target_set(
            actor=admin_user, indicator=_indicator("rural-transfer"), target=21_000, reason=""
        )
    assert callbacks == []


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _change_url(indicator: Indicator) -> str:
    return reverse("admin:targets_indicator_change", args=[indicator.pk])


def test_admin_change_of_an_active_target_reaches_the_dashboard(
    admin_client: Client, leader: Client, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    """Before: the admin saved the target silently and the API kept 20,000."""
    rural = _indicator("rural-transfer")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            _change_url(rural), indicator_form(rural, target=21_000, change_reason="省厅追加")
        )
    assert response.status_code == 302
    assert _quota(_api(leader), "rural-transfer")["target"] == 21_000
    change = TargetChange.objects.get()
    assert (change.actor.username, change.reason, change.new_value) == (
        "admin-1",
        "省厅追加",
        21_000,
    )


def test_admin_refuses_an_active_target_change_without_reason(admin_client: Client) -> None:
    rural = _indicator("rural-transfer")
    response = admin_client.post(_change_url(rural), indicator_form(rural, target=21_000))
    assert response.status_code == 200
    assert "必须填写调整理由" in response.content.decode()
    assert _indicator("rural-transfer").target == 20_000
    assert not TargetChange.objects.exists()


def test_admin_refuses_quotas_above_their_goal(admin_client: Client) -> None:
    rural = _indicator("rural-transfer")
    response = admin_client.post(
        _change_url(rural), indicator_form(rural, target=30_000, change_reason="追加")
    )
    assert response.status_code == 200
    assert "超过其年度目标 70000" in response.content.decode()
    assert _indicator("rural-transfer").target == 20_000


def test_admin_other_fields_change_without_reason(admin_client: Client) -> None:
    rural = _indicator("rural-transfer")
    response = admin_client.post(_change_url(rural), indicator_form(rural, source_clause="三、2"))
    assert response.status_code == 302
    assert _indicator("rural-transfer").source_clause == "三、2"
    assert not TargetChange.objects.exists()


def test_admin_split_change_needs_a_reason_and_goes_through_the_service(
    admin_client: Client,
) -> None:
    rural = _indicator("rural-transfer")
    rows = {
        "region_targets-TOTAL_FORMS": 1,
        "region_targets-0-region": _region("410601").pk,
        "region_targets-0-target": 3_000,
        "region_targets-0-indicator": rural.pk,
    }
    response = admin_client.post(_change_url(rural), indicator_form(rural, **rows))
    assert response.status_code == 200
    assert "必须填写调整理由" in response.content.decode()
    assert not RegionTarget.objects.exists()
    response = admin_client.post(
        _change_url(rural), indicator_form(rural, change_reason="市直分解", **rows)
    )
    assert response.status_code == 302
    change = TargetChange.objects.get()
    assert (change.region.code, change.new_value, change.reason) == ("410601", 3_000, "市直分解")


def test_admin_draft_plan_targets_change_without_reason(plan: Plan, admin_client: Client) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    rural = _indicator("rural-transfer")
    page = admin_client.get(_change_url(rural)).content.decode()
    assert "change_reason" not in page
    response = admin_client.post(_change_url(rural), indicator_form(rural, target=21_000))
    assert response.status_code == 302
    assert _indicator("rural-transfer").target == 21_000
    assert not TargetChange.objects.exists()


def test_target_changes_are_read_only_in_the_admin(admin_client: Client, admin_user: User) -> None:
    services.indicator_target_set(
        actor=admin_user, indicator=_indicator("rural-transfer"), target=21_000, reason="省厅追加"
    )
    change = TargetChange.objects.get()
    listing = admin_client.get(reverse("admin:targets_targetchange_changelist"))
    assert listing.status_code == 200
    assert "省厅追加" in listing.content.decode() and "21,000" in listing.content.decode()
    assert admin_client.get(reverse("admin:targets_targetchange_add")).status_code == 403
    detail = admin_client.get(reverse("admin:targets_targetchange_change", args=[change.pk]))
    assert detail.status_code == 200 and 'name="reason"' not in detail.content.decode()
    delete = admin_client.post(reverse("admin:targets_targetchange_delete", args=[change.pk]))
    assert delete.status_code == 403
    assert TargetChange.objects.count() == 1
