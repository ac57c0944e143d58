"""Rollups in the admin: visible to administrators and auditors, editable by nobody."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.models import CompletenessRollup, PendingRollup, Rollup, RollupRun
from reporting.rollup import rebuild

pytestmark = pytest.mark.django_db
MODELS = [Rollup, CompletenessRollup, RollupRun]


def url(model, action: str) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelists_render_and_nobody_edits(client, admin_user, auditor, plan, model) -> None:
    rebuild(plan)
    for user in (admin_user, auditor):
        client.force_login(user)
        response = client.get(url(model, "changelist"))
        assert response.status_code == 200
        assert client.get(url(model, "add")).status_code == 403
    first = model.objects.first()
    client.force_login(admin_user)
    change = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk]
    )
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {}).status_code == 403


def test_rollup_runs_show_their_drift(client, admin_user, plan) -> None:
    rebuild(plan, compare=True, kind=RollupRun.Kind.NIGHTLY)
    client.force_login(admin_user)
    page = client.get(url(RollupRun, "changelist")).content.decode()
    assert "夜间核对重算" in page
    assert "差异行数" in page


def test_pending_rollups_are_shown_and_left_alone(client, admin_user, auditor, plan) -> None:
    """What the broker missed is visible to the operators, and only the sweep removes it."""
    pending = PendingRollup.objects.create(plan=plan, months=[3, 4])
    for user in (admin_user, auditor):
        client.force_login(user)
        page = client.get(url(PendingRollup, "changelist"))
        assert page.status_code == 200
        assert "[3, 4]" in page.content.decode()
        assert client.get(url(PendingRollup, "add")).status_code == 403
    client.force_login(admin_user)
    change = reverse("admin:reporting_pendingrollup_change", args=[pending.pk])
    assert client.post(change, {"months": "[]"}).status_code == 403
    delete = reverse("admin:reporting_pendingrollup_delete", args=[pending.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PendingRollup.objects.get(pk=pending.pk).months == [3, 4]
