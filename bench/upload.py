"""Benchmark: a 1.8 MB upload whose one sheet inflates to 47 MB (2.2 million cells in one row).

    .venv/bin/python bench/upload.py [--megabytes 47]

The bomb is what a hostile or broken file can be: well under the 5 MB upload limit and the
compression-ratio check (26:1), yet openpyxl builds every cell of a row before yielding it.
A child process runs what both uploads (entry template, plan definition) do before reading
any value: ``excel.check_zip``, then, if that passes, openpyxl's read-only load and the sheet
parser ``excel.stored_cells``. Prints whether it was refused, wall time and peak resident
memory (``ru_maxrss``). No database. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import harness

harness.use_project(database=False)

MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet_bomb(workbook: bytes, sheet_bytes: int, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """``workbook`` with ``part`` replaced by one row of ``sheet_bytes`` of one-digit cells, all
    at C4 (inside the template's table), the dimension honest-looking."""
    rnd = random.Random(15)
    head = MAIN + b'<dimension ref="A1:P12"/><sheetData><row r="4">'
    tail = b"</row></sheetData></worksheet>"
    cells = []
    total = len(head) + len(tail)
    while total < sheet_bytes:
        cell = b'<c r="C4"><v>%d</v></c>' % rnd.randrange(10)
        cells.append(cell)
        total += len(cell)
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[part] = head + b"".join(cells) + tail
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def empty_template() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "填报"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(path: str) -> None:
    import django

    django.setup()
    from openpyxl import load_workbook

    from targets.workbooks import upload as excel

    content = Path(path).read_bytes()
    baseline_mib = harness.peak_rss_mib()
    started = time.perf_counter()
    outcome = "read"
    try:
        excel.check_zip(content)
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
        cells = sum(1 for _cell in excel.stored_cells(workbook, workbook["填报"]))
        workbook.close()
        outcome = f"read {cells:,} cells"
    except excel.UploadRefused as refused:
        outcome = f"refused: {refused.messages[0]}"
    seconds = time.perf_counter() - started
    peak_mib = harness.peak_rss_mib()
    print(f"{seconds:.2f}\t{peak_mib:.0f} ({peak_mib - baseline_mib:+.0f})\t{outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=47)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.file:
        run(args.file)
        return
    if args.make:
        Path(args.make).write_bytes(sheet_bomb(empty_template(), args.megabytes * 2**20))
        return
    # Each step in a child of its own: Linux keeps a process's peak RSS across exec, so the
    # parent stays small and the reader's child starts clean.
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        common = [sys.executable, __file__, "--megabytes", str(args.megabytes)]
        subprocess.run([*common, "--make", file.name], check=True)
        size = Path(file.name).stat().st_size
        print(f"{size / 2**20:.1f} MB file, sheet {args.megabytes} MB inflated")
        print("seconds\tpeak RSS MiB (+ over the process at start)\toutcome")
        result = subprocess.run(
            [*common, "--file", file.name], check=True, capture_output=True, text=True
        )
        print(result.stdout.strip())


if __name__ == "__main__":
    main()
