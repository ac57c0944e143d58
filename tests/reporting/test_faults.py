"""Faults: the broker down at an approval, a worker killed mid-rebuild, the database failing
in the middle of a month's save. Nothing approved is lost; nothing is half-saved.

(A task delivered twice: ``test_tasks.py``, ``TestRunTwice``.)
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from reporting.models import PendingRollup, Rollup, RollupRun
from reporting.rollup import rebuild
from reporting.tasks import nightly_rebuild, rollup_plan, sweep_pending_rollups
from skills_plan.celery import app
from targets import services
from targets.models import Membership, Plan, Submission, SubmissionEvent

ROOT = Path(__file__).resolve().parents[2]
ROLLUP_FIELDS = [f.attname for f in Rollup._meta.concrete_fields if f.name != "id"]


def stored(plan: Plan) -> Counter:
    return Counter(Rollup.objects.filter(plan=plan).values_list(*ROLLUP_FIELDS))


def clean_rebuild(plan: Plan) -> Counter:
    """What a rebuild into empty rollup tables gives (the stored rows are replaced)."""
    Rollup.objects.filter(plan=plan).delete()
    rebuild(plan)
    return stored(plan)


def city(plan: Plan, code: str, month: int) -> int | None:
    return (
        Rollup.objects.filter(plan=plan, indicator__code=code, region__isnull=True, month=month)
        .values_list("actual", flat=True)
        .get()
    )


def subprocess_env(**extra: str) -> dict[str, str]:
    """This test database, seen from another process."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "skills_plan.settings_test",
        "DATABASE_URL": url,
        **extra,
    }


@pytest.mark.django_db
class TestBrokerDownAtAnApproval:
    @pytest.fixture
    def approved_while_down(
        self, plan, figure, reviewer, django_capture_on_commit_callbacks
    ) -> Submission:
        rebuild(plan)
        with mock.patch("reporting.tasks.rollup_plan.delay") as delay:
            with django_capture_on_commit_callbacks(execute=True):
                submission = figure("rural-transfer", "410611", 3, 500, status="submitted")
            PendingRollup.objects.all().delete()  # as if the submission's rollup had run
            delay.reset_mock()
            delay.side_effect = BrokerError("Error 111 connecting to 127.0.0.1:6379.")
            with django_capture_on_commit_callbacks(execute=True):
                services.submission_approve(actor=reviewer, submission=submission)
            delay.assert_called_once()
        return submission

    def test_the_approval_is_saved_with_a_pending_rollup(self, plan, approved_while_down) -> None:
        approved_while_down.refresh_from_db()

        assert approved_while_down.status == Submission.Status.APPROVED
        assert approved_while_down.is_counted
        pending = PendingRollup.objects.get()
        assert (pending.plan_id, pending.months) == (plan.pk, [3])
        assert city(plan, "rural-transfer", 3) == 0  # not rolled up yet

    def test_the_sweep_catches_up_and_gives_what_a_clean_rebuild_gives(
        self, plan, approved_while_down, time_machine, caplog
    ) -> None:
        assert sweep_pending_rollups() == {}  # too young: its own task may still come

        time_machine.move_to(timezone.now() + timedelta(minutes=3))
        with caplog.at_level(logging.WARNING, logger="reporting.rollup.dispatch"):
            assert sweep_pending_rollups() == {2015: 21 * 7 * 10}  # March to December

        assert city(plan, "rural-transfer", 3) == 500
        assert city(plan, "training-total", 3) == 500
        assert not PendingRollup.objects.exists()
        assert any("caught up 1 pending" in r.getMessage() for r in caplog.records)
        assert stored(plan) == clean_rebuild(plan)
        assert sweep_pending_rollups() == {}  # nothing left to do

    def test_the_nightly_rebuild_settles_it_too(self, plan, approved_while_down) -> None:
        # rural-transfer and the goal it feeds, in 淇滨区 and the city, March to December
        assert nightly_rebuild() == {2015: 2 * 2 * 10}

        assert city(plan, "rural-transfer", 3) == 500
        assert not PendingRollup.objects.exists()

    def test_a_rollup_that_ran_deletes_its_pending_row(
        self, plan, figure, django_capture_on_commit_callbacks
    ) -> None:
        before = app.conf.task_always_eager
        app.conf.task_always_eager = True  # in process, whatever the environment says
        try:
            with django_capture_on_commit_callbacks(execute=True):
                figure("rural-transfer", "410611", 3, 500)
        finally:
            app.conf.task_always_eager = before

        assert city(plan, "rural-transfer", 3) == 500
        assert not PendingRollup.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_redis_really_down_then_back(
    require_postgres, require_broker, plan, figure, reviewer
) -> None:
    """An approval made by another process whose broker is a closed port."""
    rebuild(plan)
    with mock.patch("reporting.tasks.rollup_plan.delay"):
        submission = figure("rural-transfer", "410611", 3, 500, status="submitted")
    PendingRollup.objects.all().delete()
    script = textwrap.dedent(
        """
        import sys, time, django
        django.setup()
        from django.contrib.auth import get_user_model
        from targets import services
        from targets.models import Submission
        submission = Submission.objects.get(pk=int(sys.argv[1]))
        reviewer = get_user_model().objects.get(pk=int(sys.argv[2]))
        started = time.monotonic()
        services.submission_approve(actor=reviewer, submission=submission)
        print(f"approved in {time.monotonic() - started:.2f} s")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(submission.pk), str(reviewer.pk)],
        cwd=ROOT,
        env=subprocess_env(CELERY_BROKER_URL="redis://127.0.0.1:6390/0"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "not dispatched" in result.stderr
    seconds = float(re.search(r"approved in ([0-9.]+) s", result.stdout).group(1))
    assert seconds < 5  # the reviewer is not kept waiting (with a result store: ~20 s)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert PendingRollup.objects.filter(plan=plan, months=[3]).count() == 1
    assert city(plan, "rural-transfer", 3) == 0

    # Redis is back: beat's next sweep, through the broker, to a worker.
    PendingRollup.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    app.control.purge()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        sweep_pending_rollups.delay()
        deadline = time.monotonic() + 60
        while PendingRollup.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)

    assert RollupRun.objects.filter(plan=plan, kind=RollupRun.Kind.FULL, from_month=3).exists()
    assert city(plan, "rural-transfer", 3) == 500
    assert not PendingRollup.objects.exists()
    assert stored(plan) == clean_rebuild(plan)


KILLED_REBUILD = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from reporting.rollup import reference as rollup
    from reporting.tasks import rollup_plan

    def stop_here(*args, **kwargs):
        print("rows written", flush=True)  # the rollup rows are written, not committed
        time.sleep(300)

    rollup.compute_completeness = stop_here
    rollup_plan.run(int(sys.argv[1]), pending=[int(sys.argv[2])])
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rebuild_leaves_the_old_numbers_and_a_rerun_is_clean(
    require_postgres, plan, figure
) -> None:
    figure("rural-transfer", "410611", 1, 1000)
    figure("vocational-enrolment", "410611", 2, 9000)
    figure("veterans-registered", "410621", 2, 8)
    rebuild(plan)
    before, runs = stored(plan), RollupRun.objects.count()
    with mock.patch("reporting.tasks.rollup_plan.delay"):  # approvals not rolled up yet
        figure("rural-transfer", "410611", 3, 500)
        figure("vocational-enrolment", "410611", 3, 9500)
        figure("veterans-eligible", "410621", 3, 10)
    pending = PendingRollup.objects.latest("pk")

    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_REBUILD, str(plan.pk), str(pending.pk)],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert line.strip() == "rows written", worker.stderr.read()
        assert stored(plan) == before  # readers see the old rollup meanwhile
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert worker.returncode == -signal.SIGKILL
    assert stored(plan) == before  # nothing of the killed rebuild stayed
    assert RollupRun.objects.count() == runs
    assert PendingRollup.objects.filter(pk=pending.pk).exists()  # still to be done

    # Redelivered (acks_late) to another worker: the plan's lock died with the killed one.
    rollup_plan.run(plan.pk, pending=[pending.pk])

    after = stored(plan)
    assert after != before
    assert city(plan, "rural-transfer", 3) == 1500
    assert city(plan, "vocational-enrolment", 3) == 9500
    assert not PendingRollup.objects.filter(pk=pending.pk).exists()
    assert after == clean_rebuild(plan)


@pytest.mark.django_db
class TestDatabaseFailsDuringAMonthSave:
    MARCH = "/entry/2015/3/"

    @pytest.fixture
    def clerk(self, plan, make_user) -> Any:
        return make_user(Membership.Role.CLERK, "hrss", username="clerk-faults")

    def snapshot(self) -> tuple:
        return (
            sorted(
                Submission.objects.values_list(
                    "pk", "value", "status", "revision", "is_current", "note"
                )
            ),
            SubmissionEvent.objects.count(),
            PendingRollup.objects.count(),
        )

    def form(self, response: Any, value: str) -> dict[str, str]:
        data = {}
        for cell in response.context["grid"].cells:
            data[f"t-{cell.key}"] = cell.token
            data[f"v-{cell.key}"] = value
            data[f"n-{cell.key}"] = ""
        return data

    def fail_on_third_save(self) -> Any:
        real = services.submission_save
        calls = {"n": 0}

        def save(**kwargs: Any) -> Submission:
            calls["n"] += 1
            if calls["n"] == 3:
                raise OperationalError("server closed the connection unexpectedly")
            return real(**kwargs)

        return mock.patch("targets.services.entry.submission_save", side_effect=save)

    @pytest.mark.parametrize("action", ["save", "submit"])
    def test_nothing_is_half_saved_and_the_clerk_is_told_in_chinese(
        self, clerk, action, caplog
    ) -> None:
        client = Client()
        client.force_login(clerk)
        first = client.post(
            self.MARCH, {**self.form(client.get(self.MARCH), "10"), "action": "save"}
        )
        assert first.status_code == 302
        before = self.snapshot()
        data = {**self.form(client.get(self.MARCH), "12"), "action": action}

        with (
            self.fail_on_third_save(),
            caplog.at_level(logging.ERROR, logger="targets.services.entry"),
        ):
            response = client.post(self.MARCH, data)

        assert response.status_code == 400  # the page again, not a server error
        page = response.content.decode()
        assert "数据库暂时无法保存，本月数据一个也没有保存" in page
        assert 'value="12"' in page  # what was typed is still there
        assert self.snapshot() == before
        assert any("database error" in r.getMessage() for r in caplog.records)

        again = client.post(self.MARCH, data)  # the database is back: the same page saves
        assert again.status_code == 302
        values = set(Submission.objects.filter(is_current=True).values_list("value", flat=True))
        assert values == {12}

    def test_an_error_reading_the_page_is_a_chinese_500_page(self, clerk) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(clerk)
        broken = OperationalError("could not connect to server")

        with mock.patch("targets.views.entry.month_grid", side_effect=broken):
            response = client.get(self.MARCH)

        assert response.status_code == 500
        page = response.content.decode()
        assert "系统暂时出错，请稍后再试" in page
        assert "要么全部保存，要么一个也没有保存" in page


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_in_the_middle_of_a_save_on_postgres(
    require_postgres, plan, make_user
) -> None:
    """A real failure: the server ends this request's connection at the third cell."""
    clerk = make_user(Membership.Role.CLERK, "hrss", username="clerk-faults-pg")
    client = Client()
    client.force_login(clerk)
    url = "/entry/2015/3/"
    page = client.get(url)
    data = {"action": "save"}
    for cell in page.context["grid"].cells:
        data[f"t-{cell.key}"] = cell.token
        data[f"v-{cell.key}"] = "7"
    real, calls = services.submission_save, {"n": 0}

    def save(**kwargs: Any) -> Submission:
        calls["n"] += 1
        if calls["n"] == 3:
            pid = connection.connection.info.backend_pid
            with _other_connection() as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real(**kwargs)

    with mock.patch("targets.services.entry.submission_save", side_effect=save):
        response = client.post(url, data)

    assert calls["n"] == 3
    assert response.status_code == 400
    assert "数据库暂时无法保存" in response.content.decode()
    assert not Submission.objects.exists()
    assert not SubmissionEvent.objects.exists()
    assert not PendingRollup.objects.exists()


def _other_connection() -> Any:
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    )
