"""The province-sized data set the rollup and dashboard benchmarks share (``--province``).

A SYNTHETIC province: 河南省's 18 cities (their real GB/T 2260 codes and names) with 158
counties in all: 鹤壁市 keeps its five real counties and districts and 市直, the other 17
cities get nine made-up counties each ("…合成县N"; 153). Each city has the 2015 plan's
definition (21 indicators, 17 of them taking figures, six departments) as its own plan of
2015, and the province a plan of the same indicators whose places are the cities. Every figure
series × place × month has one approved figure with a made-up value: 17 × 159 × 12 = 32,436
submissions. Built once, in its own PostgreSQL database (``skills_bench_province`` unless
BENCH_PROVINCE_DATABASE_URL says otherwise). Nothing here runs in the test suite.
"""

from __future__ import annotations

import copy
import json
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import harness

DATABASE_URL = os.environ.get(
    "BENCH_PROVINCE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skills_bench_province"
)
PROVINCE = {"code": "410000", "name": "河南省", "kind": "province"}
CITIES = [
    ("410100", "郑州市"),
    ("410200", "开封市"),
    ("410300", "洛阳市"),
    ("410400", "平顶山市"),
    ("410500", "安阳市"),
    ("410600", "鹤壁市"),
    ("410700", "新乡市"),
    ("410800", "焦作市"),
    ("410900", "濮阳市"),
    ("411000", "许昌市"),
    ("411100", "漯河市"),
    ("411200", "三门峡市"),
    ("411300", "南阳市"),
    ("411400", "商丘市"),
    ("411500", "信阳市"),
    ("411600", "周口市"),
    ("411700", "驻马店市"),
    ("419001", "济源市"),
]
HOME = "410600"
MADE_UP_COUNTIES = 9
YEAR = 2015


def use_database() -> None:
    """Point Django at the province data set's database, made if missing (before setup)."""
    import psycopg

    os.environ["DATABASE_URL"] = DATABASE_URL
    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _definitions() -> list[dict]:
    """The plan file's definition under each city (made-up counties but 鹤壁's), then the
    province's with the cities as its places."""
    from targets.services.plan_definition import DEFAULT_PLAN_FILE

    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        base = json.load(handle)
    found = []
    for order, (code, name) in enumerate(CITIES, start=1):
        data = copy.deepcopy(base)
        data["unit"] = {"code": code, "name": name, "kind": "prefecture", "parent": PROVINCE}
        if code != HOME:
            data["plan"].update(
                doc_number=f"{name}〔2015〕（合成）", title=f"{name}2015年方案（合成）"
            )
            data["regions"] = [
                {
                    "code": f"{code[:4]}{21 + i:02d}",
                    "name": f"{name}合成县{i + 1}",
                    "kind": "county",
                    "order": i + 1,
                }
                for i in range(MADE_UP_COUNTIES)
            ]
            data["region_targets"], data["milestones"], data["work_units"] = [], [], []
        data["_order"] = order
        found.append(data)
    province = copy.deepcopy(base)
    province["unit"] = PROVINCE
    province["plan"].update(
        doc_number="豫政办〔2015〕62号（合成）", title="河南省2015年方案（合成）"
    )
    province["regions"] = [
        {"code": code, "name": name, "kind": "prefecture", "order": order}
        for order, (code, name) in enumerate(CITIES, start=1)
    ]
    province["region_targets"], province["milestones"], province["work_units"] = [], [], []
    return [*found, province]


def build() -> None:
    """The data set, unless it is there already."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from targets.models import Indicator, Plan, Submission, places_of
    from targets.services import load_plan_definition

    cities = Plan.objects.filter(year=YEAR, unit__kind="prefecture")
    if cities.count() == len(CITIES) and Submission.objects.exists():
        print(f"data set present: {Submission.objects.count():,} submissions")
        return
    print("building the province data set …", flush=True)
    started = time.perf_counter()
    tz = ZoneInfo("Asia/Shanghai")
    with transaction.atomic():
        user, _ = get_user_model().objects.get_or_create(username="bench")
        plans = []
        for data in _definitions():
            data.pop("_order", None)
            plans.append(load_plan_definition(data))
        # Read first: no other query may run on the connection while it copies.
        cells = [
            (indicator_id, place.pk)
            for plan in plans[:-1]  # the cities' (the province is sent none)
            for place in places_of(plan)
            for indicator_id in Indicator.objects.filter(
                plan=plan, accepts_figures=True
            ).values_list("pk", flat=True)
        ]
        with (
            connection.cursor() as cursor,
            cursor.copy(harness.COPY_APPROVED) as copy_in,
        ):
            for indicator_id, place_id in cells:
                for month in range(1, 13):
                    at = datetime(YEAR, month, 28, tzinfo=tz)
                    value = (indicator_id * 7 + place_id * 13 + month * 31) % 300
                    copy_in.write_row(
                        harness.approved_row(indicator_id, place_id, month, value, user.pk, at)
                    )
        rows = len(cells) * 12
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would leave it
    counties = sum(places_of(p).count() for p in Plan.objects.filter(unit__kind="prefecture"))
    print(
        f"built in {time.perf_counter() - started:.1f} s: {len(CITIES)} cities, "
        f"{counties} places, {rows:,} submissions"
    )


def add_parts(per_place: int) -> int:
    """Split every city's every county further into ``per_place`` SYNTHETIC parts (示例 names,
    nine-digit codes), each with its share of every counted figure (the figure divided evenly,
    the rest to the first part); returns the shares written. ``remove_parts`` undoes it."""
    from django.db import connection, transaction

    from targets.models import Region, Submission

    remove_parts()
    with transaction.atomic():
        counties = list(Region.objects.filter(parent__kind="prefecture"))
        Region.objects.bulk_create(
            Region(
                code=f"{county.code}{100 + n:03d}",
                name=f"示例{county.code}-{n}",
                kind=Region.Kind.TOWNSHIP,
                parent=county,
                order=n,
            )
            for county in counties
            for n in range(1, per_place + 1)
        )
        parts: dict[int, list[int]] = {}
        for pk, parent_id in Region.objects.filter(kind="township").values_list("pk", "parent_id"):
            parts.setdefault(parent_id, []).append(pk)
        figures = list(
            Submission.objects.filter(is_counted=True).values_list("pk", "region_id", "value")
        )
        written = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY targets_townshipfigure (submission_id, township_id, value) FROM STDIN"
            ) as copy_in,
        ):
            for pk, region_id, value in figures:
                own = sorted(parts[region_id])
                share, rest = divmod(value, len(own))
                for index, part in enumerate(own):
                    copy_in.write_row((pk, part, share + (rest if index == 0 else 0)))
                    written += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE targets_townshipfigure")
        cursor.execute("ANALYZE targets_region")
    return written


def remove_parts() -> None:
    """The parts ``add_parts`` made, their shares and rollup rows."""
    from django.db import transaction

    from reporting.models import PartRollup
    from targets.models import Region, TownshipFigure, TownshipTarget

    with transaction.atomic():
        PartRollup.objects.all().delete()
        TownshipFigure.objects.all().delete()
        TownshipTarget.objects.all().delete()
        Region.objects.filter(kind="township").delete()
