"""The admin's pages of the plan's other half, on the demo data: an administrator opens each
list and one row of each, and can add, change and delete nothing there (the services write
them); a stored file's name in storage is never shown."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from targets.admin import work
from targets.models import EvidenceFile
from tests.demo_snapshot import demo_rolled_up

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for model, model_admin in admin.site._registry.items()
    if type(model_admin).__module__ == work.__name__
]


@pytest.fixture
def demo(db: None) -> None:
    demo_rolled_up("admin-work-password")


def test_the_work_models_are_all_registered() -> None:
    assert {model.__name__ for model in MODELS} >= {
        "WorkStep",
        "StepReport",
        "EvidenceFile",
        "Competition",
        "Meeting",
        "Rectification",
        "Project",
        "ProjectEntry",
        "ProjectEvent",
    }


def test_each_list_and_row_opens_and_nothing_changes(demo: None, administrator) -> None:
    """One demo for every model (loading it is the slow part)."""
    client = Client()
    client.force_login(administrator)
    for model in MODELS:
        info = model._meta.app_label, model._meta.model_name
        name = model.__name__
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        row = model.objects.order_by("pk").first()
        assert row is not None, f"the demo has no {name}"
        page = client.get(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
        assert page.status_code == 200, name
        assert b'name="_save"' not in page.content, name  # shown, not a form to save
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403, name
        delete = reverse("admin:{}_{}_delete".format(*info), args=[row.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, name
        assert model.objects.filter(pk=row.pk).exists(), name


def test_a_files_place_in_storage_is_not_shown(demo: None, administrator) -> None:
    client = Client()
    client.force_login(administrator)
    file = EvidenceFile.objects.order_by("pk").first()
    page = client.get(reverse("admin:targets_evidencefile_change", args=[file.pk]))
    assert file.download_name in page.content.decode()
    assert file.stored_name not in page.content.decode()
