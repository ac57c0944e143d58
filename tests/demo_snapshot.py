"""The demo, loaded once per test process and put back from memory for the tests after.

Loading the demo as ``make demo`` does (about 1,000 figures saved, sent and approved through
the services, then rolled up) takes 20 s; most browser tests need it, and each test's live
server empties the database when it ends. So the first load in a process copies what it added
(the rows of the project's tables and the users, and the stored evidence files) and the next test
that asks for the demo gets those rows written back: one INSERT per row in one transaction
(foreign keys are checked at its end), the files saved again into that test's evidence storage,
each user's role groups found by name (the flush dropped them and ``post_migrate`` made them
anew, with new ids), the sequences moved past the ids written, and every user given the
password that test asked for. Values go back as the database held them: no ``save()``, no
``auto_now``.

Only an empty database is restored into, or copied from: when a test made rows of its own
before asking for the demo, the demo is loaded the slow way, as before. A copy is kept per
day (``timezone.localdate()``: the rollup's 督办 notices depend on which deadlines have
passed, and a test may have moved the clock) and per kind of test (a load inside a test's
transaction never sees what waits for a commit).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from reporting.rollup import rebuild
from targets.demo import load_demo
from targets.evidence import evidence_storage
from targets.models import Plan
from targets.services.plan_definition import load_plan_file

APPS = ("targets", "reporting")


@dataclass
class _Copy:
    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    plan_pk: int = 0


# By the day they were loaded on: the demo's rollup and its 督办 notices depend on today's date
# (which deadlines have passed), and a test may have moved the clock (time_machine). And by
# whether the load ran inside a transaction (a test's own, rolled back at its end): there what
# waits for the commit (``on_commit``: the notices of the rollup) never runs.
_copies: dict[tuple[date, bool], _Copy] = {}


def _models() -> list[type[models.Model]]:
    user = get_user_model()
    own = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS and model._meta.managed and not model._meta.proxy
    ]
    return [user, user.groups.through, *own]


def _empty() -> bool:
    return not any(model._base_manager.exists() for model in _models())


def _take(plan: Plan) -> _Copy:
    copy = _Copy(plan_pk=plan.pk)
    for model in _models():
        copy.rows[model] = list(model._base_manager.order_by("pk"))
    storage = evidence_storage()
    for name in _stored(storage, ""):
        with storage.open(name, "rb") as handle:
            copy.files[name] = handle.read()
    copy.group_names = dict(Group.objects.values_list("pk", "name"))
    return copy


def _stored(storage: Storage, folder: str) -> Iterator[str]:
    """Every file's name in ``storage`` under ``folder``."""
    if not storage.exists(folder or "."):
        return
    folders, files = storage.listdir(folder or ".")
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _stored(storage, f"{folder}/{sub}" if folder else sub)


def _put_back(copy: _Copy, password: str) -> Plan:
    user_model = get_user_model()
    groups = dict(Group.objects.values_list("name", "pk"))
    with transaction.atomic(), connection.cursor() as cursor:
        for model, rows in copy.rows.items():
            if not rows:
                continue
            fields = model._meta.concrete_fields
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            values = [[_value(model, f, row, copy, groups) for f in fields] for row in rows]
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        for statement in connection.ops.sequence_reset_sql(no_style(), list(copy.rows)):
            cursor.execute(statement)
        user_model._base_manager.update(password=make_password(password))
    storage = evidence_storage()
    for name, content in copy.files.items():
        if not storage.exists(name):
            assert storage.save(name, ContentFile(content)) == name, name
    return Plan.objects.get(pk=copy.plan_pk)


def _value(
    model: type[models.Model], column: Any, row: models.Model, copy: _Copy, groups: dict
) -> Any:
    value = getattr(row, column.attname)
    if model is get_user_model().groups.through and column.attname == "group_id":
        value = groups[copy.group_names[value]]
    return column.get_db_prep_save(value, connection)


def demo_rolled_up(password: str) -> Plan:
    """The 2015 plan with the demo's people and figures, its rollup built; every demo user's
    password is ``password``."""
    key = (timezone.localdate(), connection.in_atomic_block)
    empty = _empty()
    if empty and key in _copies:
        return _put_back(_copies[key], password)
    plan = load_plan_file()
    load_demo(plan, password)
    rebuild(plan)
    if empty:
        _copies[key] = _take(plan)
    return plan
