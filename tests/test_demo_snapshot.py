"""The browser tests' demo put back from memory is the demo loaded: the same rows, the same
files, users in the same role groups, and the database goes on numbering after it."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from targets.evidence import evidence_storage
from targets.models import EvidenceFile, Plan, Region
from tests import demo_snapshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager")]


def _everything() -> dict[str, list[tuple]]:
    """Every row of the copied tables, a user's groups by name, passwords left out."""
    rows = {}
    for model in demo_snapshot._models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "password"]
        rows[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*names))
    through = get_user_model().groups.through
    rows[through._meta.db_table] = sorted(through.objects.values_list("user_id", "group__name"))
    return rows


def _files() -> dict[str, bytes]:
    """The bytes of every evidence file the demo's rows name."""
    storage = evidence_storage()
    names = EvidenceFile.objects.values_list("stored_name", flat=True)
    return {name: storage.open(name, "rb").read() for name in names}


def test_the_demo_put_back_is_the_demo_loaded(monkeypatch, settings, tmp_path) -> None:
    monkeypatch.setattr(demo_snapshot, "_copy", None)
    plan = demo_snapshot.demo_rolled_up("first-password")
    loaded = _everything()
    files = _files()
    assert demo_snapshot._copy is not None and files and sum(map(len, loaded.values())) > 5_000

    call_command("flush", interactive=False, verbosity=0)  # what each live-server test does
    settings.MEDIA_ROOT = tmp_path / "another-media-folder"
    assert not Plan.objects.exists()

    again = demo_snapshot.demo_rolled_up("second-password")
    assert again.pk == plan.pk
    assert _everything() == loaded
    assert _files() == files
    assert authenticate(username="leader", password="second-password") is not None
    assert authenticate(username="leader", password="first-password") is None
    # New rows are numbered after the ones put back.
    region = Region.objects.create(code="999999", name="新县", kind=Region.Kind.values[0], order=99)
    assert region.pk > max(pk for pk, *_ in loaded[Region._meta.db_table])


def test_a_database_with_rows_of_its_own_gets_the_demo_loaded(monkeypatch, django_user_model):
    monkeypatch.setattr(demo_snapshot, "_copy", None)
    django_user_model.objects.create_user("someone-first", password="x")
    demo_snapshot.demo_rolled_up("a-password")
    assert demo_snapshot._copy is None  # nothing copied from a database that was not empty
    assert django_user_model.objects.filter(username="someone-first").exists()
    assert Plan.objects.count() == 1
