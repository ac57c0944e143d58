"""A closed plan is read-only in the admin too: its header, indicators, splits and milestones."""

from __future__ import annotations

from typing import Any

import pytest

from targets.models import Indicator, Milestone, Plan, Region, RegionTarget
from targets.services.plans import plan_close

pytestmark = pytest.mark.django_db


def _objects(plan: Plan) -> dict[str, Any]:
    indicator = Indicator.objects.get(plan=plan, code="rural-transfer")
    split, _created = RegionTarget.objects.get_or_create(
        indicator=indicator, region=Region.objects.get(code="410611"), defaults={"target": 100}
    )
    return {
        "plan": plan,
        "indicator": indicator,
        "regiontarget": split,
        "milestone": Milestone.objects.filter(plan=plan).first(),
    }


def _change_url(name: str, obj: Any) -> str:
    return f"/admin/targets/{name}/{obj.pk}/change/"


def test_an_active_plans_definition_can_be_changed(admin_client, plan) -> None:
    for name, obj in _objects(plan).items():
        page = admin_client.get(_change_url(name, obj)).content.decode()
        assert 'name="_save"' in page, name


def test_a_closed_plans_definition_is_read_only(admin_client, plan) -> None:
    objects = _objects(plan)
    plan_close(plan=plan)
    target = objects["indicator"].target
    for name, obj in objects.items():
        response = admin_client.get(_change_url(name, obj))
        assert response.status_code == 200, name  # still readable
        assert 'name="_save"' not in response.content.decode(), name
        assert admin_client.post(_change_url(name, obj), {}).status_code == 403, name
        delete = f"/admin/targets/{name}/{obj.pk}/delete/"
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403, name
    assert Indicator.objects.get(pk=objects["indicator"].pk).target == target
    assert RegionTarget.objects.filter(pk=objects["regiontarget"].pk).exists()


def test_new_rows_cannot_be_given_a_closed_plan(admin_client, plan) -> None:
    plan_close(plan=plan)
    for name in ("indicator", "milestone"):
        form = admin_client.get(f"/admin/targets/{name}/add/").context["adminform"].form
        assert plan not in form.fields["plan"].queryset, name
    form = admin_client.get("/admin/targets/regiontarget/add/").context["adminform"].form
    assert not form.fields["indicator"].queryset.filter(plan=plan).exists()
