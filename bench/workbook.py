"""Benchmark: the auditors' workbook of the demo plan, against an unstyled workbook of its cells.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/workbook.py [--rounds 7]

Needs a database with the demo loaded (``make demo``'s first four commands with that
DATABASE_URL). Writes the city's ``summary.xlsx`` for the 2015 plan and its default as-of month
in memory (``write_summary``: every query, sheet and style; no export log), and, in the same
run, the floor: openpyxl's write-only mode writing the same values into the same sheets, cell
for cell, with no style, format, width or heading. The two alternate, ``--rounds`` times each;
prints the median and best of each and their ratio. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import UTC, datetime

import harness

harness.use_project(database=False)
os.environ.setdefault("DEBUG", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--year", type=int, default=2015)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("DATABASE_URL: the database with the demo loaded")

    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation
    from openpyxl import Workbook, load_workbook

    from reporting import selectors
    from reporting.exports.workbook import write_summary
    from targets.models import local_plans

    plan = local_plans().get(year=args.year)
    month = selectors.default_as_of(plan)
    at = datetime(args.year, 11, 6, 9, 0, tzinfo=UTC)

    def workbook() -> bytes:
        out = io.BytesIO()
        write_summary(out, plan, month, exported_by="bench", exported_at=at)
        return out.getvalue()

    with translation.override(settings.LANGUAGE_CODE):
        written = workbook()
    # The floor's cells: every value of the workbook just written, sheet by sheet.
    book = load_workbook(io.BytesIO(written), read_only=True)
    sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}
    cells = sum(value is not None for rows in sheets.values() for row in rows for value in row)

    def floor() -> bytes:
        wb = Workbook(write_only=True)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    timings: dict[str, list[float]] = {"workbook": [], "floor": []}
    with translation.override(settings.LANGUAGE_CODE):
        for _ in range(args.rounds):
            for name, run in (("floor", floor), ("workbook", workbook)):
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)

    print(
        f"{plan.year} plan as of {plan.year}-{month:02d}: {cells:,} cells in {len(sheets)} sheets"
    )
    print("what\tmedian ms\tbest ms")
    for name, times in timings.items():
        print(f"{name}\t{statistics.median(times) * 1000:.0f}\t{min(times) * 1000:.0f}")
    ratio = statistics.median(timings["workbook"]) / statistics.median(timings["floor"])
    print(f"workbook / floor (medians): {ratio:.2f}×")


if __name__ == "__main__":
    main()
