"""Benchmark: the rollup at province scale, against the bare aggregate, in one run.

    .venv/bin/python bench/rollup.py [--plans 10 --regions 200 --indicators 40] [--jobs 2]

Builds (once, in its own PostgreSQL database, ``skills_bench`` unless BENCH_DATABASE_URL says
otherwise) a SYNTHETIC data set of plans × indicators × counties × 12 months of approved
figures — by default 10 × 40 × 200 × 12 = 960,000 submissions — and times:

1. the floor: a bare SQL ``GROUP BY`` over the same rows (what any rollup must at least read);
2. the full rebuild of every plan (``reporting.rollup.rebuild_plans``) over the stored rows
   (nothing to change: the nightly case, which the goal of ≤ 2× the floor is about), and the
   first build into empty rollup tables (reported), each one plan at a time and ``--jobs``
   plans at once;
3. the incremental rollup after one approval (``rebuild_after_change``), the median of runs.

It prints the times and the ratios to the floor. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import harness  # bench/ is on the path: this file runs as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skills_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skills_plan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.pop("CELERY_BROKER_URL", None)


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(plans: int, regions: int, indicators: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from targets.models import HOME_UNIT, Department, Indicator, Plan, Region, Submission

    expected = plans * regions * indicators * 12
    places = Region.objects.filter(kind="county")
    if Submission.objects.count() == expected and places.count() == regions:
        print(f"data set present: {expected:,} submissions")
        return
    print(f"building {expected:,} synthetic submissions …", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        Submission.objects.all().delete()
        Indicator.objects.exclude(feeds=None).delete()  # a goal is protected by its quotas
        Indicator.objects.all().delete()
        Plan.objects.all().delete()
        Region.objects.exclude(parent=None).delete()  # a unit is protected by those under it
        Region.objects.all().delete()
        Department.objects.all().delete()
        user, _ = get_user_model().objects.get_or_create(username="bench")
        department = Department.objects.create(code="bench", name="合成部门", short_name="合成")
        # The pages read this installation's city's plans (``local_plans``): the synthetic
        # plans are that city's, under a name that says they are synthetic.
        city = Region.objects.create(
            code=HOME_UNIT[0], name="合成市（基准测试）", kind="prefecture"
        )
        region_rows = Region.objects.bulk_create(
            Region(code=f"{500000 + i}", name=f"合成县{i:03d}", kind="county", order=i, parent=city)
            for i in range(regions)
        )
        for p in range(plans):
            year = 2015 + p
            plan = Plan.objects.create(
                unit=city,
                year=year,
                title=f"合成方案 {year}",
                doc_number=f"合成〔{year}〕1号",
                written_on=date(year, 1, 1),
                published_on=date(year, 1, 1),
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
                status="active",
            )
            goal = Indicator.objects.create(
                plan=plan,
                code="goal",
                name="合成目标",
                role="goal",
                kind="flow",
                department=department,
                unit="人",
                target=10_000_000,
            )
            created = [goal]
            for i in range(1, indicators):
                kind = "stock" if i % 10 == 0 else "flow"
                created.append(
                    Indicator.objects.create(
                        plan=plan,
                        code=f"q{i:02d}",
                        name=f"合成任务{i}",
                        role="quota",
                        kind=kind,
                        department=department,
                        unit="人",
                        target=100_000,
                        feeds=goal if kind == "flow" else None,
                    )
                )
            tz = ZoneInfo("Asia/Shanghai")
            with (
                connection.cursor() as cursor,
                cursor.copy(harness.COPY_APPROVED) as copy,
            ):
                for indicator in created:
                    for region in region_rows:
                        for month in range(1, 13):
                            at = datetime(year, month, 28, tzinfo=tz)
                            value = (indicator.pk * 7 + region.pk * 13 + month * 31) % 500
                            copy.write_row(
                                harness.approved_row(
                                    indicator.pk, region.pk, month, value, user.pk, at
                                )
                            )
            print(f"  plan {year} done", flush=True)
    with connection.cursor() as cursor:
        # As autovacuum would leave it: statistics current, the visibility map set.
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.1f} s")


def bare_aggregate() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indicator_id, region_id, month, SUM(value) FROM targets_submission"
            " WHERE is_counted GROUP BY indicator_id, region_id, month"
        )
        rows = cursor.fetchall()
    elapsed = time.perf_counter() - started
    print(f"bare GROUP BY: {len(rows):,} groups in {elapsed:.2f} s")
    return elapsed


def full_rebuild(label: str, jobs: int) -> float:
    from reporting.rollup import rebuild_plans
    from targets.models import Plan

    started = time.perf_counter()
    runs = rebuild_plans(Plan.objects.order_by("year"), jobs=jobs)
    elapsed = time.perf_counter() - started
    rows = sum(run.rows for run in runs)
    print(f"full rebuild, {label}, {jobs} at once: {rows:,} rollup rows in {elapsed:.2f} s")
    return elapsed


def write_floor() -> float:
    """What writing the rollup's rows costs by itself: the stored rows copied by one INSERT
    into a table of the same columns without an index (what a first build writes at least)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_write_floor")
        cursor.execute("CREATE TABLE bench_write_floor (LIKE reporting_rollup INCLUDING DEFAULTS)")
        started = time.perf_counter()
        cursor.execute("INSERT INTO bench_write_floor SELECT * FROM reporting_rollup")
        elapsed = time.perf_counter() - started
        rows = cursor.rowcount
        cursor.execute("DROP TABLE bench_write_floor")
    print(f"writing {rows:,} rows into a table without indexes: {elapsed:.2f} s")
    return elapsed


def empty_rollups() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reporting_rollup, reporting_completenessrollup, reporting_partrollup"
        )
        cursor.execute("ANALYZE reporting_rollup")


def incremental(repeats: int, plan=None, code: str = "q01") -> float:
    from django.db import transaction

    from reporting.rollup import rebuild_after_change
    from targets.models import Plan, Submission

    plan = plan or Plan.objects.order_by("-year").first()
    times = []
    for i in range(repeats):
        cell = Submission.objects.filter(
            indicator__plan=plan, indicator__code=code, is_counted=True
        ).order_by("region_id", "month")[i]
        with transaction.atomic():
            # One approval, as the service records it, then the rollup it dispatches.
            Submission.objects.filter(pk=cell.pk).update(value=cell.value + 1)
            started = time.perf_counter()
            # Called as the task dispatched after that approval calls it.
            rebuild_after_change(
                plan,
                series_ids=[cell.indicator_id],
                from_month=cell.month,
                months=[cell.month],
                regions=[cell.region_id],
            )
            times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(
        f"incremental after one approval: median {median * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={repeats})"
    )
    return median


def bare_parts_aggregate() -> float:
    """What any rollup of the parts must at least read: the shares of the counted figures,
    summed by series, part and month in a bare ``GROUP BY``."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.indicator_id, t.township_id, s.month, SUM(t.value)"
            " FROM targets_townshipfigure t JOIN targets_submission s ON s.id = t.submission_id"
            " WHERE s.is_counted GROUP BY s.indicator_id, t.township_id, s.month"
        )
        rows = cursor.fetchall()
    elapsed = time.perf_counter() - started
    print(f"bare GROUP BY of the parts' shares: {len(rows):,} groups in {elapsed:.2f} s")
    return elapsed


def province_floor() -> float:
    """What the province's statement must at least read: its cities' city-level rows, summed
    by indicator code and month in a bare ``GROUP BY``."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.code, r.month, SUM(r.actual), SUM(r.numerator), SUM(r.denominator)"
            " FROM reporting_rollup r JOIN targets_indicator i ON i.id = r.indicator_id"
            " JOIN targets_plan p ON p.id = r.plan_id JOIN targets_region u ON u.id = p.unit_id"
            " WHERE r.region_id IS NULL AND u.kind = 'prefecture' GROUP BY i.code, r.month"
        )
        rows = cursor.fetchall()
    elapsed = time.perf_counter() - started
    print(f"bare GROUP BY of the cities' rows: {len(rows):,} groups in {elapsed * 1000:.1f} ms")
    return elapsed


def province_main(args: argparse.Namespace) -> None:
    """``--province``: 18 cities' plans and the province's (``province_data``)."""
    import province_data

    province_data.use_database()
    import django

    django.setup()
    from django.core.management import call_command

    from reporting.rollup import rebuild
    from targets.models import Plan

    call_command("migrate", verbosity=0)
    province_data.build()
    floor = min(bare_aggregate() for _ in range(3))
    jobs = args.jobs
    empty_rollups()
    first = full_rebuild("into empty tables", jobs)
    nightly = "over stored rows, nothing changed (the nightly case)"
    again_one = min(full_rebuild(nightly, 1) for _ in range(2))
    again = min(full_rebuild(nightly, jobs) for _ in range(3))
    home = Plan.objects.get(unit__code=province_data.HOME, year=province_data.YEAR)
    province = Plan.objects.get(unit__kind="province", year=province_data.YEAR)
    # One approval in a city: its rows, then the province's, in one transaction.
    one = incremental(args.repeats, plan=home, code="rural-transfer")
    statement = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        rebuild(province)
        statement.append(time.perf_counter() - started)
    province_alone = statistics.median(statement)
    rows_floor = min(province_floor() for _ in range(3))
    print(
        f"province's own rebuild (its statement, nothing changed): {province_alone * 1000:.0f} ms"
    )
    print(
        f"ratio first build / bare aggregate: {first / floor:.1f}x ({jobs} at once); "
        f"full rebuild (nightly) / bare aggregate: {again / floor:.1f}x with {jobs} at once, "
        f"{again_one / floor:.1f}x one at a time"
    )
    print(f"incremental in a city, its province included: {one * 1000:.0f} ms")
    ratio = province_alone / rows_floor
    print(f"ratio province rebuild / bare GROUP BY of its cities' rows: {ratio:.1f}x")
    if args.parts:
        with_parts(args, floor, again, one, home)


def with_parts(
    args: argparse.Namespace, floor: float, nightly: float, one: float, home: object
) -> None:
    """``--parts N``: every county of every city split into N parts, every figure broken down
    among them; the nightly and incremental rollups again, against the same run's without."""
    import province_data

    started = time.perf_counter()
    shares = province_data.add_parts(args.parts)
    print(
        f"parts: {args.parts} in each county, {shares:,} shares of figures written in "
        f"{time.perf_counter() - started:.1f} s"
    )
    try:
        parts_floor = min(bare_parts_aggregate() for _ in range(3))
        floor_both = floor + parts_floor
        empty_rollups()
        first = full_rebuild("with parts, into empty tables", args.jobs)
        label = "with parts, over stored rows, nothing changed (the nightly case)"
        again = min(full_rebuild(label, args.jobs) for _ in range(3))
        incremental_parts = incremental(args.repeats, plan=home, code="rural-transfer")
        print(
            f"with parts: first build {first / floor_both:.1f}x the bare aggregates (figures' "
            f"and shares'); nightly {again / floor_both:.1f}x ({again / nightly:.1f}x the same "
            f"run without parts); incremental {incremental_parts * 1000:.0f} ms "
            f"({incremental_parts / one:.1f}x without)"
        )
    finally:
        province_data.remove_parts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=10)
    parser.add_argument("--regions", type=int, default=200)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="plans rebuilt at once"
    )
    parser.add_argument(
        "--province",
        action="store_true",
        help="18 cities and 158 counties with the 2015 plan's indicators (bench/province_data.py)",
    )
    parser.add_argument(
        "--parts",
        type=int,
        default=0,
        help="with --province: then split every county into N parts and measure again",
    )
    args = parser.parse_args()
    if args.province:
        province_main(args)
        return

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build(args.plans, args.regions, args.indicators)
    # The machine is shared: each time is the best of a few runs, the floor's as the rebuilds'.
    floor = min(bare_aggregate() for _ in range(3))
    jobs = args.jobs
    empty_rollups()
    first_one = full_rebuild("into empty tables", 1)
    empty_rollups()
    first = full_rebuild("into empty tables", jobs)
    nightly = "over stored rows, nothing changed (the nightly case)"
    again_one = min(full_rebuild(nightly, 1) for _ in range(2))
    again = min(full_rebuild(nightly, jobs) for _ in range(3))
    written = write_floor()
    one = incremental(args.repeats)
    print(
        f"ratio first build / bare aggregate: {first / floor:.1f}x with {jobs} at once, "
        f"{first_one / floor:.1f}x one at a time (reported: a first build also writes every row)"
    )
    print(
        f"ratio full rebuild (nightly, over stored rows) / bare aggregate: {again / floor:.1f}x "
        f"with {jobs} at once, {again_one / floor:.1f}x one at a time (goal ≤ 2x)"
    )
    print(f"incremental: {one * 1000:.0f} ms (goal ≤ 50 ms)")
    print(
        f"writing the rollup's rows alone (no computing, no index): {written / floor:.1f}x "
        "the bare aggregate"
    )


if __name__ == "__main__":
    main()
