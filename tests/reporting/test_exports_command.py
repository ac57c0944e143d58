"""``manage.py export_summary``: the same workbook as the download, logged."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from reporting.models import ExportLog
from reporting.rollup import rebuild
from targets.models import Plan

pytestmark = pytest.mark.django_db

NOW = datetime(2015, 10, 8, 9, 30, tzinfo=UTC)


def _cells(book: Any) -> dict[str, list[tuple]]:
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.fixture
def figures(plan: Plan, figure: Any, correct: Any) -> Plan:
    march = figure("rural-transfer", "410611", 3, 500)
    figure("rural-transfer", "410621", 2, 300)
    figure("vocational-enrolment", "410611", 3, 12000)
    figure("veterans-eligible", "410611", 1, 40)
    figure("veterans-aware", "410611", 2, 38)
    figure("rain-dew", "410622", 9, 400)
    correct(march, 650)
    rebuild(plan)
    return plan


@pytest.fixture
def auditor(make_user: Any, plan: Plan) -> Any:
    return make_user("auditor", username="auditor-1", first_name="审计员甲")


def _command(tmp_path: Path, *args: str) -> tuple[Any, bytes]:
    path = tmp_path / "summary.xlsx"
    call_command("export_summary", "--year", "2015", "-o", str(path), *args, stdout=io.StringIO())
    content = path.read_bytes()
    return load_workbook(io.BytesIO(content)), content


def _download(user: Any, as_of: str) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get("/exports/2015/summary.xlsx", {"as_of": as_of})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("as_of", ["2015-03", "2015-09"])
def test_command_and_download_give_the_same_cells(figures, auditor, tmp_path, as_of) -> None:
    with time_machine.travel(NOW, tick=False):
        command, _content = _command(tmp_path, "--as-of", as_of, "--user", "auditor-1")
        download = _download(auditor, as_of)
    assert command.sheetnames == download.sheetnames
    assert _cells(command) == _cells(download)
    assert sum(len(rows) for rows in _cells(command).values()) > 40


def test_without_a_user_only_the_exporter_differs(figures, auditor, tmp_path) -> None:
    with time_machine.travel(NOW, tick=False):
        command, _content = _command(tmp_path, "--as-of", "2015-09")
        download = _download(auditor, "2015-09")
    differing = [
        (name, a, b)
        for name, rows in _cells(command).items()
        for a, b in zip(rows, _cells(download)[name], strict=True)
        if a != b
    ]
    assert differing
    for _name, a, b in differing:
        assert "manage.py export_summary" in " ".join(str(v) for v in a if v)
        assert "审计员甲" in " ".join(str(v) for v in b if v)


def test_command_logs_the_file(figures, auditor, tmp_path) -> None:
    _book, content = _command(tmp_path, "--as-of", "2015-03", "--user", "auditor-1")
    log = ExportLog.objects.get()
    assert log.sha256 == hashlib.sha256(content).hexdigest()
    assert log.size == len(content)
    assert (log.month, log.exported_by, log.source) == (3, auditor, "command")
    assert log.row_counts["月度明细"] == 5  # September's figure is after March


def test_default_as_of_is_the_latest_reported_month(figures, tmp_path) -> None:
    book, _content = _command(tmp_path)
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["截至月份"] == "2015-09"
    assert ExportLog.objects.get().exported_by is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2015-13"], "截止月份"),
        (["--as-of", "2014-09"], "截止月份"),
        (["--user", "nobody-at-all"], "not an auditor"),
    ],
)
def test_bad_arguments(figures, tmp_path, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        _command(tmp_path, *args)
    assert not ExportLog.objects.exists()
    assert not (tmp_path / "summary.xlsx").exists()


def test_a_leader_is_refused(figures, make_user, tmp_path) -> None:
    make_user("leader", username="leader-1")
    with pytest.raises(CommandError, match="not an auditor"):
        _command(tmp_path, "--user", "leader-1")


def test_unknown_year(figures, tmp_path) -> None:
    with pytest.raises(CommandError, match="no plan for 2014"):
        call_command("export_summary", "--year", "2014", "-o", str(tmp_path / "x.xlsx"))


# --- a county's workbook (--unit) ----------------------------------------------------------------


def test_unit_gives_the_countys_download_cell_for_cell(figures, make_user, tmp_path) -> None:
    county_auditor = make_user("auditor", region="410621", username="auditor-410621")
    with time_machine.travel(NOW, tick=False):
        command, _content = _command(
            tmp_path, "--as-of", "2015-09", "--unit", "410621", "--user", "auditor-410621"
        )
        client = Client()
        client.force_login(county_auditor)
        response = client.get("/exports/2015/summary.xlsx", {"as_of": "2015-09"})
        download = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert _cells(command) == _cells(download)
    assert "分县区" not in command.sheetnames
    detail = _cells(command)["月度明细"][5:]
    assert [(row[0], row[4], row[7]) for row in detail] == [("rural-transfer", "410621", 300)]
    assert [log.region.code for log in ExportLog.objects.all()] == ["410621", "410621"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "999999"], "no county"),
        (["--unit", "4106\x0021"], "no county"),
        (["--unit", "410622", "--user", "auditor-410621"], "not an auditor or administrator of"),
        (["--user", "auditor-410621"], "not an auditor"),  # the city's workbook
    ],
)
def test_a_county_is_checked(figures, make_user, tmp_path, args, message) -> None:
    make_user("auditor", region="410621", username="auditor-410621")
    with pytest.raises(CommandError, match=message):
        _command(tmp_path, *args)
    assert not ExportLog.objects.exists()
