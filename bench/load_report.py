"""The load bench's numbers: percentiles per kind of page, the floor, CPU shares (bench/load.py)."""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import os
import platform
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# Kinds of page, by the names the locustfile gives its requests. The login POST and the
# approval follow their redirect (the home page, the review page): their times include it.
KINDS: dict[str, list[str]] = {
    "dashboard & drill-downs": ["/dashboard/", "/dashboard/quota/", "/dashboard/county/"],
    "progress API": ["/api/progress/[y]/"],
    "entry page": ["/entry/[y]/[m]/"],
    "save (draft)": ["/entry/[y]/[m]/ POST save"],
    "send for review": ["/entry/[y]/[m]/ POST submit"],
    "review pages": ["/review/", "/review/[dept]/[m]/"],
    "approve all": ["/review/[dept]/[m]/ POST approve_all"],
    "exports page": ["/exports/"],
    "summary workbook": ["/exports/[y]/summary.xlsx"],
    "login form": ["/accounts/login/"],
    "login POST": ["/accounts/login/ POST"],
}
FLOOR = "floor: static file"


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest time that ``share`` of the requests did not exceed."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def read_requests(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as source:
        return [
            {**row, "started": float(row["started"]), "ms": float(row["ms"])}
            for row in csv.DictReader(source)
        ]


def summarise(rows: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    times = sorted(row["ms"] for row in rows)
    return {
        "requests": len(rows),
        "failures": sum(1 for row in rows if row["failure"]),
        "per_second": len(rows) / seconds if seconds else math.nan,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": times[-1] if times else math.nan,
    }


class CpuShare:
    """Samples every process's CPU time every two seconds and the machine's load average.

    Each process is put in a group: ours (by process tree), PostgreSQL and Redis (by name),
    or "other" (whatever else shares the machine). A process that exits between two samples
    loses at most its last two seconds.
    """

    def __init__(self) -> None:
        self.roots: dict[str, list[int]] = defaultdict(list)
        self.seen: dict[int, tuple[str, float]] = {}
        self.used: dict[str, float] = defaultdict(float)
        self.loads: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def add(self, group: str, pid: int) -> None:
        self.roots[group].append(pid)

    def start(self) -> None:
        import psutil

        self.machine = psutil.cpu_times()
        self.started = time.monotonic()
        self.sample(first=True)
        self.thread.start()

    def groups(self) -> dict[int, str]:
        import psutil

        owner: dict[int, str] = {}
        for group, pids in self.roots.items():
            for pid in pids:
                try:
                    root = psutil.Process(pid)
                    for process in [root, *root.children(recursive=True)]:
                        owner[process.pid] = group
                except psutil.Error:
                    continue
        return owner

    def sample(self, first: bool = False) -> None:
        import psutil

        owner = self.groups()
        for process in psutil.process_iter(["name", "cpu_times"]):
            times = process.info["cpu_times"]
            if times is None:
                continue
            name = (process.info["name"] or "").lower()
            group = owner.get(process.pid) or (
                "postgresql"
                if name.startswith("postgres")
                else "redis"
                if name.startswith("redis")
                else "other processes"
            )
            total = times.user + times.system
            key = process.pid
            if key in self.seen:
                self.used[group] += max(0.0, total - self.seen[key][1])
            elif not first:
                self.used[group] += total  # born since the last sample: all of its time
            self.seen[key] = (group, total)
        self.loads.append(os.getloadavg()[0])

    def run(self) -> None:
        while not self.stop.wait(2):
            self.sample()

    def finish(self) -> dict[str, Any]:
        import psutil

        self.stop.set()
        self.thread.join()
        self.sample()
        seconds = time.monotonic() - self.started
        now = psutil.cpu_times()
        idle = (now.idle + getattr(now, "iowait", 0)) - (
            self.machine.idle + getattr(self.machine, "iowait", 0)
        )
        busy = sum(now) - sum(self.machine) - idle
        return {
            "seconds": seconds,
            "cores": os.cpu_count(),
            "machine busy cpu-s": busy,
            "cpu-s by group": dict(sorted(self.used.items(), key=lambda item: -item[1])),
            "load average 1 min, mean": sum(self.loads) / len(self.loads),
            "load average 1 min, max": max(self.loads),
        }


def ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.0f}"


def report(
    args: argparse.Namespace,
    requests: list[dict[str, Any]],
    started: float,
    elapsed: float,
    cpu: dict[str, Any],
    before: tuple[float, float, float],
) -> tuple[list[str], dict[str, Any]]:
    app = [row for row in requests if row["name"] != FLOOR]
    floor = summarise([row for row in requests if row["name"] == FLOOR], elapsed)
    # Steady state: from ten seconds after the last user started (the logins are over).
    steady_from = started + (args.users + 1) / args.spawn_rate + 10
    steady_seconds = max(1.0, started + elapsed - steady_from)
    steady = summarise([row for row in app if row["started"] >= steady_from], steady_seconds)
    total = summarise(app, elapsed)
    kinds = {}
    for kind, names in KINDS.items():
        rows = [row for row in app if row["name"] in names]
        kinds[kind] = summarise(rows, elapsed)
    known = {name for names in KINDS.values() for name in names}
    unknown = sorted({row["name"] for row in app} - known)
    if unknown:
        kinds["other"] = summarise([row for row in app if row["name"] in unknown], elapsed)

    shape = (
        f"{args.hosts} host{'s' if args.hosts > 1 else ''} × {args.workers} gunicorn workers"
        + (" behind nginx" if args.balancer else "")
    )
    lines = [
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{cpu['cores']} cores; {shape}; {args.users} users (+1 floor probe) for "
        f"{elapsed:.0f} s; load average before the run {before[0]:.2f} / {before[1]:.2f} / "
        f"{before[2]:.2f}, during it {cpu['load average 1 min, mean']:.2f} mean, "
        f"{cpu['load average 1 min, max']:.2f} max (1 min).",
        "",
        "| kind | requests | req/s | failures | p50 ms | p95 ms | p99 ms | max ms "
        "| p95 / floor p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def line(kind: str, row: dict[str, Any]) -> str:
        ratio = (
            row["p95"] / floor["p95"] if floor["p95"] and not math.isnan(row["p95"]) else math.nan
        )
        return (
            f"| {kind} | {row['requests']:,} | {row['per_second']:.1f} | {row['failures']} | "
            f"{ms(row['p50'])} | {ms(row['p95'])} | {ms(row['p99'])} | {ms(row['max'])} | "
            f"{'–' if math.isnan(ratio) else f'{ratio:.1f}×' if ratio < 10 else f'{ratio:.0f}×'} |"
        )

    for kind, row in kinds.items():
        lines.append(line(kind, row))
    lines.append(line("**all pages**", total))
    lines.append(line("all pages, steady state (after the logins)", steady))
    lines.append(line(FLOOR, floor))
    busy = cpu["machine busy cpu-s"]
    capacity = cpu["seconds"] * (cpu["cores"] or 1)
    lines += [
        "",
        f"CPU over {cpu['seconds']:.0f} s: the machine was busy {busy:,.0f} of "
        f"{capacity:,.0f} core-seconds ({busy / capacity:.0%}).",
        "",
        "| process group | CPU seconds | share of the machine's capacity |",
        "|---|---|---|",
    ]
    for group, seconds in cpu["cpu-s by group"].items():
        lines.append(f"| {group} | {seconds:,.0f} | {seconds / capacity:.0%} |")
    summary = {
        "shape": shape,
        "users": args.users,
        "seconds": elapsed,
        "kinds": kinds,
        "all": total,
        "steady": steady,
        "floor": floor,
        "cpu": cpu,
        "load average before": before,
    }
    return lines, summary
