"""Load test: gunicorn + PostgreSQL + Redis + a Celery worker under locust, then count.

    .venv/bin/pip install -r bench/requirements-load.txt
    apt-get install -y nginx        # only for --hosts 2 (or --balancer with one host)
    .venv/bin/python bench/load.py [--users 50] [--minutes 3] [--hosts 1|2] [--workers N]

Needs PostgreSQL (``LOAD_DATABASE_URL``) and Redis (``LOAD_BROKER_URL``, ``LOAD_CACHE_URL``)
on this machine, locust (bench/requirements-load.txt) and, with ``--hosts 2``, Debian's
``nginx`` binary: two gunicorn processes ("hosts", ``--workers`` each, default 4 // hosts) on
two ports behind an nginx of their own (least connections), sharing the database, the cache
and the broker as separate machines would.

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

- no cell has two current or two counted revisions (**doubled** must be 0).

Times are reported per kind of page (p50 / p95 / p99 from every request's own time, not
locust's rounded histogram) with throughput, and next to them the p95 of a small static file
asked for by one more user throughout the same run (whitenoise behind the same gunicorn and
balancer): the floor of this stack on this machine. Also the load average and how the CPU
was shared (the app servers, the worker, PostgreSQL, Redis, nginx, locust, anything else),
since locust and other work share the cores. Prints Markdown tables for the README and writes
them with a JSON summary next to the logs. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from load_report import CpuShare, read_requests, report

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skills_load")
BROKER_URL = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/9")
# Django's cache shared by every worker of every host, as in production.
CACHE_URL = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/8")
PASSWORD = "load-2015"
DEPARTMENTS = ["hrss", "edu", "agri", "poverty", "civil", "disabled"]
COUNTIES = ["410602", "410603", "410611", "410621", "410622"]


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        CACHE_URL=CACHE_URL,
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
    redis.Redis.from_url(CACHE_URL).flushdb()
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
    from django.db.models import Count, Q

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
    # The constraints forbid it; counted anyway, so that dropping one would show here.
    doubled = (
        Submission.objects.values("indicator", "region", "month")
        .annotate(
            current=Count("id", filter=Q(is_current=True)),
            counted=Count("id", filter=Q(is_counted=True)),
        )
        .filter(Q(current__gt=1) | Q(counted__gt=1))
        .count()
    )
    plan = Plan.objects.get(year=2015)
    run = rollup.rebuild(plan, kind=RollupRun.Kind.NIGHTLY, compare=True)
    return {
        "accepted saves": accepted,
        "of them sent for review": sent,
        "saves without an answer when the run stopped": in_flight,
        "cells written": len(allowed),
        "cells lost": lost,
        "cells doubled (two current or two counted revisions)": doubled,
        "submissions in the database": Submission.objects.count(),
        "approved": Submission.objects.filter(status="approved").count(),
        "incremental rollups run": RollupRun.objects.filter(kind="incremental").count(),
        "rollup drift against a fresh rebuild": run.drift,
    }


NGINX = """\
{user}worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream app {{
        least_conn;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def nginx_config(work: Path, port: int, upstreams: list[int]) -> Path:
    temp = work / "nginx-temp"
    temp.mkdir()
    user = ""
    if os.geteuid() == 0:  # as root nginx's workers would run as nobody, who cannot write here
        user = "user root;\n"
    path = work / "nginx.conf"
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in upstreams)
    path.write_text(
        NGINX.format(user=user, work=work, temp=temp, servers=servers, port=port),
        encoding="utf-8",
    )
    return path


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for_port(port: int, limit: float = 60) -> None:
    import socket

    started = time.monotonic()
    while time.monotonic() - started < limit:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {limit:.0f} s")


def log(work: Path, name: str) -> IO[str]:
    # Left open for the process's life; the bench exits soon after.
    return open(work / name, "w", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="besides the floor probe")
    parser.add_argument("--spawn-rate", type=float, default=4)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--hosts", type=int, default=1, help="gunicorn processes (app servers)")
    parser.add_argument("--workers", type=int, help="gunicorn workers per host (4 // hosts)")
    parser.add_argument("--balancer", action="store_true", help="nginx even with one host")
    parser.add_argument("--port", type=int, default=18765, help="the first host's port")
    parser.add_argument("--balancer-port", type=int, default=18760)
    parser.add_argument(
        "--replica-url",
        default=os.environ.get("LOAD_REPLICA_URL", ""),
        help="DATABASE_REPLICA_URL for the app servers (the primary's own URL exercises the "
        "router without a replica)",
    )
    args = parser.parse_args()
    args.workers = args.workers or max(1, 4 // args.hosts)
    args.balancer = args.balancer or args.hosts > 1
    if not shutil.which("locust", path=str(BIN)):
        raise SystemExit("locust is not installed: pip install -r bench/requirements-load.txt")
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if args.balancer and not nginx:
        raise SystemExit("--hosts 2 needs nginx as the balancer: apt-get install -y nginx")

    ports = [args.port + index for index in range(args.hosts)]
    # Something else listening there would answer in our place, with another database.
    taken = [port for port in [*ports, args.balancer_port] if not port_free(port)]
    if taken:
        raise SystemExit(f"ports already in use on 127.0.0.1: {taken}; pick others (--port)")

    work = Path(tempfile.mkdtemp(prefix="skills-load-"))
    env = environment(work)
    if args.replica_url:
        env["DATABASE_REPLICA_URL"] = args.replica_url
    clerks = set_up(env)
    env.update(LOAD_CLERKS=",".join(clerks), LOAD_PASSWORD=PASSWORD)
    ledger = work / "ledger.jsonl"
    env["LOAD_LEDGER"] = str(ledger)
    env["LOAD_REQUESTS"] = str(work / "requests.csv")
    cpu = CpuShare()
    processes: list[subprocess.Popen] = []
    for index, port in enumerate(ports):
        gunicorn = [str(BIN / "gunicorn"), "skills_plan.wsgi:application"]
        gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        processes.append(
            subprocess.Popen(
                [*gunicorn, "--timeout", "120"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log(work, f"gunicorn-{index + 1}.log"),
            )
        )
        cpu.add("app servers (gunicorn)", processes[-1].pid)
    processes.append(
        subprocess.Popen(
            [str(BIN / "celery"), "-A", "skills_plan", "worker", "-c", "2", "-l", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log(work, "worker.log"),
        )
    )
    cpu.add("celery worker", processes[-1].pid)
    host = f"http://127.0.0.1:{ports[0]}"
    if args.balancer:
        config = nginx_config(work, args.balancer_port, ports)
        processes.append(
            subprocess.Popen(
                [str(nginx), "-c", str(config), "-p", str(work), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=log(work, "nginx.log"),
            )
        )
        cpu.add("balancer (nginx)", processes[-1].pid)
        host = f"http://127.0.0.1:{args.balancer_port}"
    try:
        for port in [*ports, *([args.balancer_port] if args.balancer else [])]:
            wait_for_port(port)
        time.sleep(2)
        before = os.getloadavg()
        cpu.start()
        started, began = time.time(), time.monotonic()
        locust = subprocess.Popen(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users + 1),  # and the floor probe
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
        )
        cpu.add("locust", locust.pid)
        locust.wait()
        elapsed = time.monotonic() - began
        shares = cpu.finish()
        drained = wait_for_worker()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)

    lines, summary = report(
        args, read_requests(work / "requests.csv"), started, elapsed, shares, before
    )
    counts = count(env, ledger)
    lines += [
        "",
        f"Worker queue empty {drained:.0f} s after the run.",
        "",
        "| count | value |",
        "|---|---|",
    ]
    lines += [f"| {name} | {value} |" for name, value in counts.items()]
    summary["counts"] = counts
    print("\n" + "\n".join(lines))
    (work / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "summary.json").write_text(json.dumps(summary, indent=2, default=str), "utf-8")
    print(f"\nlogs, locust's CSV files, every request's time and this report: {work}")
    if (
        counts["cells lost"]
        or counts["cells doubled (two current or two counted revisions)"]
        or counts["rollup drift against a fresh rebuild"]
    ):
        raise SystemExit("LOST, DOUBLED OR DRIFTED FIGURES")


if __name__ == "__main__":
    main()
