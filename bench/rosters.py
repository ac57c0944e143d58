"""Benchmark: rosters at a province's scale: a 5,000-row upload, and the duplicate report over
1.5 million roster rows against a bare GROUP BY on the same rows, in one run.

    .venv/bin/python bench/rosters.py [--upload-rows 5000] [--rows 1500000] [--rounds 3]

Uses its own PostgreSQL database (``skills_bench_rosters``, or BENCH_ROSTERS_DATABASE_URL),
rebuilt on every run: the 2015 plan, one class for the upload, then SYNTHETIC classes and
roster rows written straight into the tables with COPY (30 people a class; one person in 25
appears twice, in a class of another month or department; one row in 50 a 残疾人, a few
without a card; hashes random, the numbers' ciphertext one token for all, never read). Times:

1. **upload**: the template of one class filled with ``--upload-rows`` synthetic people read
   back (``read_roster_upload``: bounded, parsed, every cell as text) and saved
   (``roster_replace``: every row checked, numbers encrypted and hashed, one transaction); the
   floor in the same run: openpyxl's read-only load of the same file, cells only. Goal < 5 s.
2. **duplicates**: ``roster_findings`` (every rule; the people found twice by ``GROUP BY
   id_hash`` on its index, then only their rows read) against the bare ``SELECT id_hash,
   count(*) … GROUP BY id_hash HAVING count(*) > 1`` over the same rows.

Prints the best of ``--rounds`` for each and the ratios. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_ROSTERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skills_bench_rosters"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skills_plan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "MKenBA6yRa1knh92r1d0KYC89OTjfjr6isn4iNjPKh0=")
os.environ.setdefault("PERSONAL_DATA_HASH_KEY", "bench-only-hash-key")
os.environ.pop("CELERY_BROKER_URL", None)

CLASS_SIZE = 30
AREA = "410621"


def fresh_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def number(rng: random.Random) -> str:
    from targets.identity import check_character

    born = date(rng.randint(1960, 1997), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{AREA}{born:%Y%m%d}{rng.randrange(1, 999):03d}"
    return first17 + check_character(first17)


def setup() -> tuple:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from targets.models import Department, Indicator, Membership, Region
    from targets.services.plan_definition import load_plan_file

    call_command("migrate", verbosity=0)
    plan = load_plan_file()
    clerk = get_user_model().objects.create_user("bench-clerk")
    hrss = Department.objects.get(code="hrss")
    Membership.objects.create(user=clerk, role=Membership.Role.CLERK, department=hrss)
    return plan, clerk, Indicator.objects.get(plan=plan, code="rural-transfer"), Region


def upload(plan, clerk, indicator, regions, rows: int, rounds: int) -> None:
    from openpyxl import load_workbook

    from targets import services
    from targets.workbooks import rosters as roster_workbook

    training_class = services.training_class_create(
        actor=clerk,
        indicator=indicator,
        region=regions.objects.get(code=AREA),
        institution="【基准】培训学校",
        occupation="电工",
        kind="employment",
        start_on=date(2015, 6, 1),
        end_on=date(2015, 6, 12),
        hours=40,
    )
    book = load_workbook(io.BytesIO(roster_workbook.roster_template(training_class)))
    sheet = book[roster_workbook.SHEET]
    rng = random.Random(5000)
    seen: set[str] = set()
    line = roster_workbook.FIRST_ROW
    while len(seen) < rows:
        person = number(rng)
        if person in seen:
            continue
        seen.add(person)
        values = [f"学员{len(seen)}", person, "浚县", "农村转移劳动力", None, "13800001234", "合格"]
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(line, column).value = value
        line += 1
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()

    def ours() -> float:
        started = time.perf_counter()
        typed = roster_workbook.read_roster_upload(io.BytesIO(content), training_class)
        saved = services.roster_replace(actor=clerk, training_class=training_class, rows=typed)
        assert len(saved) == rows
        return time.perf_counter() - started

    def floor() -> float:
        started = time.perf_counter()
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        cells = sum(1 for row in workbook[roster_workbook.SHEET].iter_rows() for c in row)
        workbook.close()
        assert cells
        return time.perf_counter() - started

    best = min(ours() for _ in range(rounds))
    base = min(floor() for _ in range(rounds))
    print(f"upload of {rows:,} rows ({len(content) / 1024:.0f} KiB): read, checked, saved")
    print(f"  ours  {best:.2f} s (goal < 5 s)")
    print(f"  floor {base:.2f} s (openpyxl read-only load of the same cells)")
    print(f"  ratio {best / base:.1f}x")


def build(plan, clerk, rows: int) -> None:
    """Classes and roster rows by COPY: 30 a class, the plan's training items in turn."""
    from django.db import connection

    from targets.models import Region, Trainee
    from targets.personal_data import encrypt

    items = list(
        plan.indicators.filter(role="quota", kind="flow", unit__in=["人次", "人"]).values_list(
            "pk", flat=True
        )
    )
    places = list(Region.objects.filter(kind="county").values_list("pk", flat=True))
    token = encrypt("000000000000000000")  # one ciphertext for every row: never read here
    card = encrypt("00000000000000000012")
    rng = random.Random(15)
    classes = rows // CLASS_SIZE
    at = datetime(2015, 12, 31, tzinfo=UTC)
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY targets_trainingclass (indicator_id, region_id, institution, occupation, kind,"
            " start_on, end_on, hours, month, created_by_id, created_at, roster_changed_at,"
            " is_demo) FROM STDIN"
        ) as copy:
            for n in range(classes):
                month = n % 12 + 1
                start = date(2015, month, 1 + n % 20)
                copy.write_row(
                    (
                        items[n % len(items)],
                        places[n % len(places)],
                        "【基准】培训学校",
                        "电工",
                        "employment",
                        start,
                        start + timedelta(days=5),
                        40,
                        month,
                        clerk.pk,
                        at,
                        at,
                        True,
                    )
                )
        cursor.execute("SELECT min(id) FROM targets_trainingclass WHERE is_demo")
        first = cursor.fetchone()[0]
        hashes = [secrets.token_hex(32) for _ in range(rows)]
        with cursor.copy(
            "COPY targets_trainee (training_class_id, row, name, id_number, id_hash, id_masked,"
            " birth_date, male, household, category, disability_card, phone, appraisal)"
            " FROM STDIN"
        ) as copy:
            for index in range(rows):
                class_id = first + index // CLASS_SIZE
                id_hash = hashes[index]
                if index % 25 == 24:  # the same person in a class far away
                    id_hash = hashes[(index + 7 * CLASS_SIZE + 3) % rows]
                disabled = index % 50 == 0
                copy.write_row(
                    (
                        class_id,
                        index % CLASS_SIZE + 1,
                        "学员",
                        token,
                        id_hash,
                        f"{AREA}********{index % 10000:04d}",
                        date(rng.randint(1960, 1997), 1, 1),
                        index % 2 == 0,
                        "浚县",
                        "disabled" if disabled else "rural",
                        "" if disabled and index % 200 == 0 else (card if disabled else ""),
                        "",
                        "",
                    )
                )
        cursor.execute("ANALYZE targets_trainee")
        cursor.execute("ANALYZE targets_trainingclass")
    assert Trainee.objects.count() >= rows


def duplicates(plan, rounds: int) -> None:
    from django.db import connection

    from targets.roster_findings import roster_findings

    def ours() -> tuple[float, int]:
        started = time.perf_counter()
        found = roster_findings(plan)
        return time.perf_counter() - started, len(found)

    def floor() -> tuple[float, int]:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_hash, count(*) FROM targets_trainee GROUP BY id_hash HAVING count(*) > 1"
            )
            repeated = len(cursor.fetchall())
        return time.perf_counter() - started, repeated

    runs = [ours() for _ in range(rounds)]
    bases = [floor() for _ in range(rounds)]
    best, found = min(runs)
    base, repeated = min(bases)
    print(f"duplicate report over {plan.indicators.count()} items' rosters")
    print(f"  ours  {best:.2f} s: {found:,} findings (every rule)")
    print(f"  floor {base:.2f} s: bare GROUP BY id_hash, {repeated:,} people found twice")
    print(f"  ratio {best / base:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upload-rows", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    fresh_database()
    import django

    django.setup()
    plan, clerk, indicator, regions = setup()
    upload(plan, clerk, indicator, regions, args.upload_rows, args.rounds)
    started = time.perf_counter()
    build(plan, clerk, args.rows)
    print(f"built {args.rows:,} roster rows in {time.perf_counter() - started:.0f} s")
    duplicates(plan, args.rounds)
    print(f"peak RSS {harness.peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
