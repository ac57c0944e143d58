"""Benchmark: the 月度明细 sheet at 100,000 rows: as the workbook writes it (rows as XML), against
openpyxl's write-only and normal modes.

    .venv/bin/python bench/export.py [--rows 100000]

Each mode runs in a child process of its own (so one's heap does not inflate the other's
peak) and writes the same synthetic rows: the detail sheet's 16 columns, number and date
formats (xml-rows: ``reporting.exports.styles.append_rows``, a thousand rows at a time as XML, what
the workbook does; write-only: a ``WriteOnlyCell`` per value through ``styles.cell``, rows
appended as they come; normal: every cell kept in memory until saved). Prints wall time,
peak resident memory (``ru_maxrss``, which counts lxml's C allocations too) and file size.
No database: the rows are made up. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skills_plan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.pop("CELERY_BROKER_URL", None)


def rows(count: int):
    start = datetime(2015, 2, 3, 9, 0)
    for n in range(count):
        at = start + timedelta(minutes=n)
        yield [
            f"series-{n % 40}",
            f"培训填报项 {n % 40}",
            "人力资源社会保障局",
            "累计量",
            f"4106{n % 200:02d}",
            f"县区{n % 200}",
            n % 12 + 1,
            n * 7 % 5000,
            1,
            f"clerk-{n % 50}",
            at,
            at + timedelta(hours=2),
            "reviewer",
            at + timedelta(days=3),
            "否",
            "=1+1" if n % 1000 == 0 else None,  # user text, kept as text
        ]


MODES = ["xml-rows", "write-only", "normal"]


def run(mode: str, count: int) -> None:
    import django

    django.setup()
    from openpyxl import Workbook

    from reporting.exports import styles
    from reporting.exports.xml_rows import create_sheet
    from targets.workbooks.text import set_text

    formats = [None] * 7 + [styles.INTEGER, None, None] + [styles.DATETIME] * 2
    formats += [None, styles.DATETIME, None, None]
    started = time.perf_counter()
    wb = Workbook(write_only=mode != "normal")
    if mode == "xml-rows":
        ws = create_sheet(wb, "月度明细")
        columns = [styles.Column(str(i), 10, f) for i, f in enumerate(formats)]
        styles.append_rows(ws, columns, rows(count))
    elif mode == "write-only":
        ws = wb.create_sheet("月度明细")
        for values in rows(count):
            ws.append([styles.cell(ws, v, f) for v, f in zip(values, formats, strict=True)])
    else:
        ws = wb.active
        ws.title = "月度明细"
        for r, values in enumerate(rows(count), start=1):
            for c, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
                cell = ws.cell(r, c)
                if isinstance(value, str):
                    set_text(cell, value)
                else:
                    cell.value = value
                if number_format:
                    cell.number_format = number_format
    with tempfile.TemporaryFile() as out:
        wb.save(out)
        size = out.tell()
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode}\t{seconds:.1f}\t{peak_mib:.0f}\t{size / 2**20:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        run(args.mode, args.rows)
        return
    print(f"{args.rows:,} detail rows × 16 columns")
    print("mode\tseconds\tpeak RSS MiB\tfile MiB")
    for mode in MODES:
        result = subprocess.run(
            [sys.executable, __file__, "--mode", mode, "--rows", str(args.rows)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(result.stdout.strip())


if __name__ == "__main__":
    main()
