"""manage.py rollup [--year 2015]: recompute every rollup synchronously."""

from __future__ import annotations

import threading
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.models import Rollup, RollupRun
from reporting.rollup import runs as reporting_rollup
from targets.models import Plan

pytestmark = pytest.mark.django_db

# 21 indicators (4 goals, 12 quotas, 5 veteran count series) × (5 counties + 市直 + the city)
# × 12.
ROWS_PER_PLAN = 21 * 7 * 12
FIELDS = [f.attname for f in Rollup._meta.concrete_fields if f.name != "id"]


def rollup(*args: str, **options) -> str:
    out = StringIO()
    call_command("rollup", *args, stdout=out, **options)
    return out.getvalue()


def stored(plan: Plan) -> Counter:
    return Counter(Rollup.objects.filter(plan=plan).values_list(*FIELDS))


@pytest.fixture
def plan_2016(plan, plan_of_year) -> Plan:
    """A second plan: the 2015 definition under another year and document number."""
    return plan_of_year(2016)


def test_writes_every_rollup_of_the_year(plan, figure) -> None:
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410611", 3, 500)

    out = rollup(year=2015)

    assert Rollup.objects.filter(plan=plan).count() == ROWS_PER_PLAN
    assert "2015" in out
    assert str(ROWS_PER_PLAN) in out
    march = Rollup.objects.get(
        plan=plan, indicator__code="rural-transfer", region__isnull=True, month=3
    )
    assert (march.actual, march.projected) == (1500, 6000)
    assert RollupRun.objects.filter(plan=plan, kind=RollupRun.Kind.FULL).count() == 1


def test_takes_the_year_as_a_command_line_option(plan) -> None:
    assert "2015" in rollup("--year", "2015")
    assert Rollup.objects.filter(plan=plan).count() == ROWS_PER_PLAN


def test_twice_gives_identical_rows(plan, figure) -> None:
    figure("vocational-enrolment", "410621", 2, 8000)
    figure("veterans-registered", "410611", 2, 8)
    figure("veterans-trained", "410611", 3, 7)

    rollup(year=2015)
    first = stored(plan)
    rollup(year=2015)

    assert stored(plan) == first
    assert sum(first.values()) == ROWS_PER_PLAN


def test_replaces_rows_left_from_before(plan, figure) -> None:
    rollup(year=2015)
    figure("rural-transfer", "410611", 3, 500)
    Rollup.objects.filter(plan=plan, month=12).delete()

    rollup(year=2015)

    assert Rollup.objects.filter(plan=plan).count() == ROWS_PER_PLAN
    december = Rollup.objects.get(
        plan=plan, indicator__code="training-total", region__isnull=True, month=12
    )
    assert december.actual == 500


def test_unknown_year_is_a_clear_error(plan) -> None:
    with pytest.raises(CommandError, match="2099"):
        rollup(year=2099)
    assert not Rollup.objects.exists()


def test_year_must_be_a_number(plan) -> None:
    with pytest.raises(CommandError):
        rollup("--year", "二〇一五")


def test_without_a_year_every_plan(plan, plan_2016) -> None:
    out = rollup()

    assert Rollup.objects.filter(plan=plan).count() == ROWS_PER_PLAN
    assert Rollup.objects.filter(plan=plan_2016).count() == ROWS_PER_PLAN
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("2015") and lines[1].startswith("2016")


def test_one_year_leaves_the_other_plans_alone(plan, plan_2016) -> None:
    rollup(year=2016)

    assert not Rollup.objects.filter(plan=plan).exists()
    assert Rollup.objects.filter(plan=plan_2016).count() == ROWS_PER_PLAN


def test_jobs_must_be_positive(plan) -> None:
    with pytest.raises(CommandError, match="--jobs"):
        rollup("--jobs", "0")
    assert not Rollup.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_plans_rebuilt_at_once_equal_one_at_a_time(
    require_postgres, plan, plan_2016, figure, monkeypatch
) -> None:
    figure("rural-transfer", "410611", 1, 1000)
    figure("vocational-enrolment", "410621", 2, 8000)
    figure("veterans-registered", "410611", 2, 8)
    figure("veterans-trained", "410611", 3, 7)
    rollup("--jobs", "1")
    one_at_a_time = {p.year: stored(p) for p in (plan, plan_2016)}
    Rollup.objects.all().delete()
    threads = []
    real_rebuild = reporting_rollup.rebuild

    def recording_rebuild(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real_rebuild(*args, **kwargs)

    monkeypatch.setattr(reporting_rollup, "rebuild", recording_rebuild)

    out = rollup("--jobs", "2")

    assert {p.year: stored(p) for p in (plan, plan_2016)} == one_at_a_time
    assert all(name.startswith("rollup") for name in threads) and len(threads) == 2
    assert [line[:4] for line in out.splitlines()] == ["2015", "2016"]
    assert sum(one_at_a_time[2015].values()) == ROWS_PER_PLAN


@pytest.mark.django_db(transaction=True)
def test_each_thread_keeps_one_connection_for_all_its_plans(
    require_postgres, plan, plan_2016, plan_of_year, monkeypatch
) -> None:
    """Five plans on two threads: each plan once, in the order given, and no more server
    processes than threads (a new one for each plan would plan the statement cold)."""
    plans = [plan, plan_2016, *(plan_of_year(year) for year in (2017, 2018, 2019))]
    backends = []
    real_rebuild = reporting_rollup.rebuild

    def recording_rebuild(*args, **kwargs):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.append(cursor.fetchone()[0])
        return real_rebuild(*args, **kwargs)

    monkeypatch.setattr(reporting_rollup, "rebuild", recording_rebuild)

    runs = reporting_rollup.rebuild_plans(plans, jobs=2)

    assert [run.plan.year for run in runs] == [2015, 2016, 2017, 2018, 2019]
    assert len(backends) == 5 and len(set(backends)) <= 2
    assert all(Rollup.objects.filter(plan=p).count() == ROWS_PER_PLAN for p in plans)


@pytest.mark.django_db(transaction=True)
def test_a_plan_that_fails_fails_the_whole_run(
    require_postgres, plan, plan_2016, monkeypatch
) -> None:
    real_rebuild = reporting_rollup.rebuild

    def failing_rebuild(p, **kwargs):
        if p.year == 2016:
            raise RuntimeError("2016 could not be rebuilt")
        return real_rebuild(p, **kwargs)

    monkeypatch.setattr(reporting_rollup, "rebuild", failing_rebuild)
    with pytest.raises(RuntimeError, match="2016"):
        reporting_rollup.rebuild_plans([plan, plan_2016], jobs=2)
    # The other plan, in its own transaction, stands.
    assert Rollup.objects.filter(plan=plan).count() == ROWS_PER_PLAN
    assert not Rollup.objects.filter(plan=plan_2016).exists()
