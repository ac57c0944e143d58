"""Load test: gunicorn + PostgreSQL + Redis + a Celery worker under locust, then count.

    .venv/bin/pip install -r bench/requirements-load.txt
    .venv/bin/python bench/load.py [--users 44] [--minutes 3] [--workers 4]

Builds its own PostgreSQL database (``LOAD_DATABASE_URL``, default ``skills_load``, dropped
and made anew) with the 2015 plan and no figures, 30 synthetic clerk accounts (one per
department and county: ``load-<department>-<county>``) and a reviewer, a leader and an auditor;
starts gunicorn and a Celery worker (Redis database 9) and runs ``bench/load/locustfile.py``
headless: clerks fill their months (draft, sometimes a second draft, then send), reviewers
approve whatever waits, leaders read dashboards and the API, auditors download workbooks.

Afterwards, once the worker's queue is empty, it counts:

- every save the server accepted (a 302 after the POST, written to the ledger by the users) is
  in the database with the last value accepted for each cell: **lost** must be 0;
- the stored rollup equals a fresh rebuild from the database (the nightly comparison):
  **drift** must be 0, i.e. every approved figure is in the numbers the dashboards read.

Prints locust's totals and the counts as a Markdown table for the README. Nothing here runs in
the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skills_load")
BROKER_URL = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "load-2015"
DEPARTMENTS = ["hrss", "edu", "agri", "poverty", "civil", "disabled"]
COUNTIES = ["410602", "410603", "410611", "410621", "410622"]


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        SECRET_KEY="load-test-only-" + "x" * 40,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies without the Secure flag.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        BEHIND_PROXY="0",
        STATIC_ROOT=str(work / "static"),
        EXPORT_ROOT=str(work / "exports"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="skills_plan.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def fresh_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


ACCOUNTS = """
from django.contrib.auth import get_user_model
from targets import services
from targets.models import Department, Membership, Region
User = get_user_model()
def make(name, role, department=None, region=None):
    user = User.objects.create_user(name, password={password!r}, first_name=name)
    services.membership_assign(user=user, role=role, department=department, region=region)
make("reviewer", Membership.Role.REVIEWER)
make("leader", Membership.Role.LEADER)
make("auditor", Membership.Role.AUDITOR)
for department in Department.objects.filter(code__in={departments!r}):
    for region in Region.objects.filter(code__in={counties!r}):
        make(f"load-{{department.code}}-{{region.code}}", Membership.Role.CLERK, department, region)
"""


def set_up(env: dict[str, str]) -> list[str]:
    fresh_database()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "load_plan")
    script = ACCOUNTS.format(password=PASSWORD, departments=DEPARTMENTS, counties=COUNTIES)
    manage(env, "shell", "-c", script)
    manage(env, "rollup")
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    return [f"load-{d}-{c}" for d in DEPARTMENTS for c in COUNTIES]


def queue_length() -> int:
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    return int(client.llen("celery")) + int(client.hlen("unacked"))


def wait_for_worker(limit: float = 300) -> float:
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < limit:
        quiet = quiet + 1 if queue_length() == 0 else 0
        if quiet >= 5:
            return time.monotonic() - started
        time.sleep(1)
    raise SystemExit("the worker did not empty its queue in time")


def count(env: dict[str, str], ledger: Path) -> dict[str, int]:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from reporting import rollup
    from reporting.models import RollupRun
    from targets.models import Plan, Submission

    # Per cell: the value of the last accepted save, and of saves sent after it that had no
    # answer when the run stopped (the server may have stored one of them).
    allowed: dict[tuple[int, int, int], list[int]] = {}
    answered = set()
    entries = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    for entry in entries:
        if entry["state"] != "sent":
            answered.add(entry["id"])
    accepted = sent = in_flight = 0
    for entry in entries:
        if entry["state"] == "accepted":
            accepted += 1
            sent += entry["submit"]
        unanswered = entry["state"] == "sent" and entry["id"] not in answered
        in_flight += unanswered
        if entry["state"] != "accepted" and not unanswered:
            continue
        for key, value in entry["values"].items():
            indicator, region = (int(part) for part in key.split("-"))
            cell = (indicator, region, entry["month"])
            if entry["state"] == "accepted":
                allowed[cell] = [value]
            else:
                allowed.setdefault(cell, []).append(value)
    current: dict[tuple[int, int, int], int] = {}
    for indicator, region, month, value in Submission.objects.order_by("revision").values_list(
        "indicator_id", "region_id", "month", "value"
    ):
        current[(indicator, region, month)] = value
    lost = sum(1 for cell, values in allowed.items() if current.get(cell) not in values)
    plan = Plan.objects.get(year=2015)
    run = rollup.rebuild(plan, kind=RollupRun.Kind.NIGHTLY, compare=True)
    return {
        "accepted saves": accepted,
        "of them sent for review": sent,
        "saves without an answer when the run stopped": in_flight,
        "cells written": len(allowed),
        "cells lost": lost,
        "submissions in the database": Submission.objects.count(),
        "approved": Submission.objects.filter(status="approved").count(),
        "incremental rollups run": RollupRun.objects.filter(kind="incremental").count(),
        "rollup drift against a fresh rebuild": run.drift,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=44)
    parser.add_argument("--spawn-rate", type=float, default=4)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("locust", path=str(BIN)):
        raise SystemExit("locust is not installed: pip install -r bench/requirements-load.txt")

    work = Path(tempfile.mkdtemp(prefix="skills-load-"))
    env = environment(work)
    clerks = set_up(env)
    env.update(LOAD_CLERKS=",".join(clerks), LOAD_PASSWORD=PASSWORD)
    ledger = work / "ledger.jsonl"
    env["LOAD_LEDGER"] = str(ledger)
    host = f"http://127.0.0.1:{args.port}"
    processes = [
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "skills_plan.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        ),
        subprocess.Popen(
            [str(BIN / "celery"), "-A", "skills_plan", "worker", "-c", "2", "-l", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "worker.log", "w"),  # noqa: SIM115
        ),
    ]
    try:
        time.sleep(4)
        started = time.monotonic()
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{int(args.minutes * 60)}s",
                "--host",
                host,
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
        elapsed = time.monotonic() - started
        drained = wait_for_worker()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)

    with open(work / "locust_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    counts = count(env, ledger)
    print()
    print(
        f"locust: {args.users} users for {elapsed:.0f} s; worker queue empty {drained:.0f} s later"
    )
    print("| endpoint | requests | failures | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        median, top = float(row["Median Response Time"]), float(row["Max Response Time"])
        print(
            f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{median:.0f} | {row['95%']} | {top:.0f} |"
        )
    print(f"\nrequests per second: {float(total['Requests/s']):.1f}")
    print("| count | value |")
    print("|---|---|")
    for name, value in counts.items():
        print(f"| {name} | {value} |")
    print(f"\nlogs and locust's CSV files: {work}")
    if counts["cells lost"] or counts["rollup drift against a fresh rebuild"]:
        raise SystemExit("LOST OR DRIFTED FIGURES")


if __name__ == "__main__":
    main()
