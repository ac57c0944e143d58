"""The browser tests' demo put back from memory is the demo loaded: the same rows, the same
files, users in the same role groups, and the database goes on numbering after it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.utils import timezone

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
    monkeypatch.setattr(demo_snapshot, "_copies", {})
    plan = demo_snapshot.demo_rolled_up("first-password")
    loaded = _everything()
    files = _files()
    assert list(demo_snapshot._copies) == [(timezone.localdate(), False)]
    assert files and sum(map(len, loaded.values())) > 5_000

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
    monkeypatch.setattr(demo_snapshot, "_copies", {})
    django_user_model.objects.create_user("someone-first", password="x")
    demo_snapshot.demo_rolled_up("a-password")
    assert demo_snapshot._copies == {}  # nothing copied from a database that was not empty
    assert django_user_model.objects.filter(username="someone-first").exists()
    assert Plan.objects.count() == 1


def test_a_copy_serves_only_the_day_it_was_loaded_on(monkeypatch) -> None:
    """The demo's 督办 notices depend on today's date: a test that moved the clock gets a
    demo loaded on its day, not the copy of another day."""
    monkeypatch.setattr(demo_snapshot, "_copies", {})
    with time_machine.travel(datetime(2015, 12, 20, 10, tzinfo=UTC), tick=False):
        demo_snapshot.demo_rolled_up("a-password")
    assert list(demo_snapshot._copies) == [(date(2015, 12, 20), False)]
    monkeypatch.setattr(demo_snapshot, "_put_back", lambda *args: pytest.fail("put back"))
    call_command("flush", interactive=False, verbosity=0)
    demo_snapshot.demo_rolled_up("a-password")  # today: loaded, not put back
    assert set(demo_snapshot._copies) == {
        (date(2015, 12, 20), False),
        (timezone.localdate(), False),
    }


@pytest.mark.django_db(transaction=False)
def test_a_load_inside_a_tests_transaction_is_kept_apart(monkeypatch) -> None:
    """Inside a test's transaction nothing is committed, so what waits for the commit (the
    rollup's notices) never runs: such a load is a copy of its own kind, never served to a
    test whose loads commit, and the other way round."""
    committed = object()
    monkeypatch.setattr(demo_snapshot, "_copies", {(timezone.localdate(), False): committed})
    monkeypatch.setattr(demo_snapshot, "_put_back", lambda *args: pytest.fail("put back"))
    demo_snapshot.demo_rolled_up("a-password")
    assert set(demo_snapshot._copies) == {
        (timezone.localdate(), False),
        (timezone.localdate(), True),
    }
    assert demo_snapshot._copies[(timezone.localdate(), False)] is committed
