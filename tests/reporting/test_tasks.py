"""Rollup tasks: dispatched once per commit, safe twice, the nightly check, a real worker."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.test import Client
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from reporting.models import PendingRollup, Rollup, RollupRun
from reporting.rollup import rebuild
from reporting.tasks import nightly_rebuild, rollup_plan, sweep_pending_rollups
from skills_plan.celery import app
from targets import services
from targets.models import Indicator, Region, Submission

pytestmark = pytest.mark.django_db

URL = "/api/progress/2015/"
ROLLUP_FIELDS = [f.attname for f in Rollup._meta.concrete_fields if f.name != "id"]


def series(plan, *codes: str) -> list[int]:
    return sorted(Indicator.objects.filter(plan=plan, code__in=codes).values_list("pk", flat=True))


def stored(plan) -> Counter:
    return Counter(Rollup.objects.filter(plan=plan).values_list(*ROLLUP_FIELDS))


def city(plan, code: str, month: int) -> Rollup:
    return Rollup.objects.get(plan=plan, indicator__code=code, region__isnull=True, month=month)


def progress(client: Client, as_of: str = "2015-03") -> dict[str, dict]:
    response = client.get(URL, {"as_of": as_of})
    assert response.status_code == 200, response.content
    body = response.json()
    return {item["code"]: item for item in body["goals"] + body["quotas"]}


@pytest.fixture
def delay() -> Iterator[mock.MagicMock]:
    with mock.patch("reporting.tasks.rollup_plan.delay") as patched:
        yield patched


@pytest.fixture
def submitted(figure, delay, django_capture_on_commit_callbacks):
    """Figures waiting for review; whatever their saving dispatched is forgotten."""

    def make(code: str, region: str, month: int, value: int) -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            submission = figure(code, region, month, value, status="submitted")
        delay.reset_mock()
        PendingRollup.objects.all().delete()
        return submission

    return make


class TestDispatchOnCommit:
    def test_an_approval_dispatches_one_rollup(
        self, plan, reviewer, submitted, delay, django_capture_on_commit_callbacks
    ) -> None:
        submission = submitted("rural-transfer", "410611", 3, 500)

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.submission_approve(actor=reviewer, submission=submission)
            delay.assert_not_called()  # not before the commit

        assert callbacks
        qibin = Region.objects.get(code="410611").pk
        record = PendingRollup.objects.get(plan=plan)  # written with the approval
        assert record.months == [3]
        delay.assert_called_once_with(
            plan.pk,
            series(plan, "rural-transfer"),
            3,
            months=[3],
            regions=[qibin],
            pending=[record.pk],
        )

    def test_many_approvals_in_one_transaction_dispatch_one_rollup(
        self, plan, reviewer, submitted, delay, django_capture_on_commit_callbacks
    ) -> None:
        figures = [
            submitted("rural-transfer", "410611", 5, 500),
            submitted("rural-transfer", "410621", 7, 300),
            submitted("rain-dew", "410622", 4, 40),
            submitted("veterans-registered", "410611", 9, 8),
            submitted("vocational-enrolment", "410603", 6, 9000),
        ]

        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for submission in figures:
                services.submission_approve(actor=reviewer, submission=submission)

        record = PendingRollup.objects.get()  # one for the transaction, with every month
        assert record.months == [4, 5, 6, 7, 9]
        delay.assert_called_once_with(
            plan.pk,
            series(
                plan, "rural-transfer", "rain-dew", "veterans-registered", "vocational-enrolment"
            ),
            4,  # the earliest month touched (rain-dew's April)
            months=[4, 5, 6, 7, 9],
            regions=sorted(
                Region.objects.filter(
                    code__in=["410611", "410621", "410622", "410603"]
                ).values_list("pk", flat=True)
            ),
            pending=[record.pk],
        )

    def test_nothing_is_dispatched_without_a_commit(
        self, plan, reviewer, submitted, delay, django_capture_on_commit_callbacks
    ) -> None:
        submission = submitted("rural-transfer", "410611", 3, 500)

        with django_capture_on_commit_callbacks(execute=False):
            services.submission_approve(actor=reviewer, submission=submission)

        delay.assert_not_called()

    def test_numbers_change_after_an_approval_without_a_manual_rebuild(
        self, plan, reviewer, figure, eager, django_capture_on_commit_callbacks
    ) -> None:
        rebuild(plan)
        client = Client()
        client.force_login(reviewer)
        assert progress(client)["rural-transfer"]["actual"] == 0
        with django_capture_on_commit_callbacks(execute=True):
            submission = figure("rural-transfer", "410611", 3, 500, status="submitted")

        with django_capture_on_commit_callbacks(execute=True):
            services.submission_approve(actor=reviewer, submission=submission)

        numbers = progress(client)
        assert numbers["rural-transfer"]["actual"] == 500
        assert numbers["training-total"]["actual"] == 500  # the quota feeds the goal
        assert progress(client, "2015-02")["rural-transfer"]["actual"] == 0
        assert RollupRun.objects.filter(plan=plan, kind=RollupRun.Kind.INCREMENTAL).exists()


class TestBrokerDown:
    def test_the_approval_stands_and_the_error_is_logged(
        self, plan, reviewer, submitted, delay, django_capture_on_commit_callbacks, caplog
    ) -> None:
        submission = submitted("rural-transfer", "410611", 3, 500)
        delay.side_effect = OperationalError("Error 111 connecting to 127.0.0.1:6379.")

        with (
            caplog.at_level(logging.ERROR, logger="reporting.rollup.dispatch"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.submission_approve(actor=reviewer, submission=submission)

        delay.assert_called_once()
        submission.refresh_from_db()
        assert submission.status == Submission.Status.APPROVED
        assert submission.is_counted
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert errors[0].name == "reporting.rollup.dispatch"
        assert errors[0].exc_info and errors[0].exc_info[0] is OperationalError


class TestRunTwice:
    def test_incremental_rollup_twice_leaves_identical_rows(self, plan, figure) -> None:
        rebuild(plan)
        figure("rural-transfer", "410611", 3, 500)
        figure("veterans-registered", "410621", 2, 8)
        changed = series(plan, "rural-transfer", "veterans-registered")

        # rural-transfer, the training goal it feeds, veterans-registered and the two rates
        # it is part of (registration, participation): 5 indicators × 7 places × months 2–12.
        assert rollup_plan.run(plan.pk, changed, 2) == 5 * 7 * 11
        first = stored(plan)
        assert rollup_plan(plan.pk, changed, 2) == 5 * 7 * 11
        assert stored(plan) == first

        assert sum(first.values()) == 21 * 7 * 12
        assert city(plan, "rural-transfer", 3).actual == 500
        assert city(plan, "training-total", 3).actual == 500
        assert city(plan, "veterans-participation", 2).denominator == 8
        assert rebuild(plan, compare=True).drift == 0  # what a full rebuild gives

    def test_full_rollup_twice_leaves_identical_rows(self, plan, figure) -> None:
        figure("vocational-enrolment", "410611", 1, 10000)
        figure("vocational-enrolment", "410611", 3, 12000)

        assert rollup_plan.run(plan.pk) == 21 * 7 * 12
        first = stored(plan)
        rollup_plan.run(plan.pk)

        assert stored(plan) == first
        assert city(plan, "vocational-enrolment", 3).actual == 12000

    def test_a_redelivered_task_settles_its_pending_row_once_and_changes_nothing(
        self, plan, figure, delay, django_capture_on_commit_callbacks
    ) -> None:
        rebuild(plan)
        with django_capture_on_commit_callbacks(execute=True):
            figure("rural-transfer", "410611", 3, 500)
        delay.assert_called_once()
        args, kwargs = delay.call_args.args, delay.call_args.kwargs
        assert PendingRollup.objects.filter(pk__in=kwargs["pending"]).exists()

        assert rollup_plan.run(*args, **kwargs) > 0
        first = stored(plan)
        assert not PendingRollup.objects.filter(pk__in=kwargs["pending"]).exists()
        rollup_plan.run(*args, **kwargs)  # acks_late: delivered again after a lost ack

        assert stored(plan) == first
        assert city(plan, "rural-transfer", 3).actual == 500
        assert rebuild(plan, compare=True).drift == 0

    def test_deliveries_twice_and_out_of_order_give_the_numbers_of_a_clean_rebuild(
        self, plan, figure, correct, delay, django_capture_on_commit_callbacks
    ) -> None:
        rebuild(plan)
        with django_capture_on_commit_callbacks(execute=True):
            march = figure("rural-transfer", "410611", 3, 500)
        with django_capture_on_commit_callbacks(execute=True):
            figure("vocational-enrolment", "410621", 2, 9000)
        with django_capture_on_commit_callbacks(execute=True):
            correct(march, 450)  # a later task for the same cell
        with django_capture_on_commit_callbacks(execute=True):
            figure("veterans-trained", "410622", 4, 6)
        calls = list(delay.call_args_list)
        assert len(calls) == 4

        for call in [*reversed(calls), *calls, calls[0]]:  # newest first, then again, twice
            rollup_plan.run(*call.args, **call.kwargs)

        assert city(plan, "rural-transfer", 3).actual == 450
        assert not PendingRollup.objects.exists()
        after = stored(plan)
        Rollup.objects.filter(plan=plan).delete()
        rebuild(plan)
        assert stored(plan) == after

    def test_a_plan_gone_is_nothing_to_do(self, plan) -> None:
        assert rollup_plan.run(plan.pk + 1000, None, 1) == 0


class TestNightlyRebuild:
    def test_drift_is_found_fixed_and_recorded(self, plan, figure, caplog) -> None:
        figure("rural-transfer", "410611", 1, 1000)
        figure("rural-transfer", "410611", 3, 500)
        rebuild(plan)
        Rollup.objects.filter(
            plan=plan, indicator__code="rural-transfer", region__isnull=True, month=3
        ).update(actual=999999)

        with caplog.at_level(logging.WARNING, logger="reporting.rollup.runs"):
            result = nightly_rebuild()

        assert set(result) == {2015}
        assert result[2015] >= 1
        assert city(plan, "rural-transfer", 3).actual == 1500
        run = RollupRun.objects.get(plan=plan, kind=RollupRun.Kind.NIGHTLY)
        assert run.drift == result[2015]
        assert run.rows == 21 * 7 * 12
        assert any("drift" in r.getMessage() for r in caplog.records)

        assert nightly_rebuild() == {2015: 0}
        runs = RollupRun.objects.filter(plan=plan, kind=RollupRun.Kind.NIGHTLY)
        assert sorted(runs.values_list("drift", flat=True)) == [0, result[2015]]

    @pytest.mark.parametrize("damage", ["changed", "deleted"])
    def test_drift_counts_the_rows_that_differ(self, plan, figure, damage) -> None:
        figure("rural-transfer", "410611", 3, 500)
        rebuild(plan)
        row = Rollup.objects.filter(
            plan=plan, indicator__code="rural-transfer", region__isnull=True, month=3
        )
        if damage == "changed":
            row.update(actual=999999)
        else:
            row.delete()

        assert nightly_rebuild() == {2015: 1}  # one row differed from the recomputation

    def test_nothing_stored_yet_is_all_drift(self, plan) -> None:
        assert nightly_rebuild() == {2015: 21 * 7 * 12}
        assert nightly_rebuild() == {2015: 0}


def test_the_sweep_of_pending_rollups_is_on_the_beat_schedule(beat_schedules) -> None:
    task = PeriodicTask.objects.get(task="reporting.tasks.sweep_pending_rollups")

    assert task.task == sweep_pending_rollups.name
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (5, "minutes")
    assert task.task in app.tasks


def test_the_nightly_rebuild_is_on_the_beat_schedule(beat_schedules) -> None:
    task = PeriodicTask.objects.get(task="reporting.tasks.nightly_rebuild")

    assert task.task == nightly_rebuild.name
    assert task.enabled
    assert task.crontab is not None
    assert task.interval is None
    assert task.task in app.tasks


# On SQLite the worker thread and the test share an in-memory database whose table locks fail
# at once ("database table is locked"): this test needs PostgreSQL as well as Redis.
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_rolls_up_an_approval(
    require_postgres, require_broker, plan, figure, reviewer
) -> None:
    assert not app.conf.task_always_eager, "with a broker, tasks must go through it"
    rebuild(plan)
    app.control.purge()  # leftovers of earlier runs in the test database of Redis

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        figure("rural-transfer", "410611", 3, 1234)  # committed: on_commit sends to Redis
        actual, deadline = None, time.monotonic() + 30
        while time.monotonic() < deadline:
            actual = city(plan, "rural-transfer", 3).actual
            if actual == 1234:
                break
            time.sleep(0.2)

    assert actual == 1234
    client = Client()
    client.force_login(reviewer)
    numbers = progress(client)
    assert numbers["rural-transfer"]["actual"] == 1234
    assert numbers["training-total"]["actual"] == 1234
    by_worker = RollupRun.objects.filter(plan=plan, kind=RollupRun.Kind.INCREMENTAL)
    assert any("rural-transfer" in run.indicator_codes.split(",") for run in by_worker)
