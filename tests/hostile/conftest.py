"""Fixtures for the hostile-input tests: one small world with an object behind every URL kwarg.

``world`` holds the 2015 plan, a user per role, an approved figure (to correct), waiting figures
(to approve), an open notice (to answer), an export job and a rollup (so a bulletin could be
published). ``snapshot()`` reads every row a POST could write, so a refused POST can be shown to
have changed nothing — values and statuses included, not only row counts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from reporting.models import Bulletin, ExportJob, ExportLog
from reporting.rollup import rebuild
from targets import services
from targets.models import (
    AuditEntry,
    Department,
    EvidenceFile,
    FindingNote,
    PersonalDataReveal,
    Plan,
    Project,
    ProjectEvent,
    ProjectFile,
    StepReport,
    StepReportEvent,
    StepReportEvidence,
    Submission,
    SubmissionEvent,
    SupervisionNotice,
    TownshipFigure,
    TownshipTarget,
    Trainee,
    WorkStep,
)
from tests.helpers import figure_enter, indicator_of
from tests.targets.work_flow import item, report, step
from tests.targets.work_pages import draft_with_file


@dataclass
class World:
    plan: Plan
    users: dict[str, Any]
    hrss: Department
    approved: Submission
    waiting: list[Submission]
    notice: SupervisionNotice
    job: ExportJob
    # 工作台账: a step of the hrss city-wide unit, its approved February report (to correct),
    # its March draft with a file (to change, to take the file off) and its April report sent
    # (to review).
    work_step: WorkStep
    work_approved: StepReport
    work_draft: StepReport
    work_file: EvidenceFile
    work_sent: StepReport

    def client(self, who: str | None, *, csrf: bool = False) -> Client:
        """A client logged in as ``who`` (None: anonymous); ``csrf`` enforces the token."""
        client = Client(enforce_csrf_checks=csrf)
        if who is not None:
            client.force_login(self.users[who])
        return client


@pytest.fixture
def world(plan: Plan, people: dict[str, Any]) -> World:
    users = dict(people)
    clerk, reviewer = users["clerk"], users["reviewer"]
    approved = figure_enter(plan, clerk, "rural-transfer", "410611", 2, 120, reviewer=reviewer)
    figure_enter(plan, clerk, "rural-transfer", "410621", 2, 80, reviewer=reviewer)
    waiting = [
        figure_enter(plan, clerk, "rural-transfer", "410611", 3, 130),
        figure_enter(plan, clerk, "in-service", "410611", 3, 40),
    ]
    notice = services.notice_raise(
        plan=plan, indicator=indicator_of(plan, "rural-transfer"), region=None, month=3
    )
    job = ExportJob.objects.create(plan=plan, month=2, requested_by=users["auditor"])
    work_step = step(clerk, item(plan))
    work_approved = report(clerk, reviewer, work_step, 2)
    work_draft, work_file = draft_with_file(clerk, work_step)
    work_sent = report(clerk, reviewer, work_step, 4, status=StepReport.Status.SUBMITTED)
    rebuild(plan)
    return World(
        plan=plan,
        users=users,
        hrss=Department.objects.get(code="hrss"),
        approved=approved,
        waiting=waiting,
        notice=notice,
        job=job,
        work_step=work_step,
        work_approved=work_approved,
        work_draft=work_draft,
        work_file=work_file,
        work_sent=work_sent,
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row a POST of this site could write, with the fields that change."""
    return {
        "submission": list(
            Submission.objects.order_by("pk").values_list(
                "pk", "value", "note", "status", "is_current", "is_counted", "review_comment"
            )
        ),
        "event": list(SubmissionEvent.objects.order_by("pk").values_list("pk", "action")),
        # A figure's breakdown by its county's parts writes no event of its own.
        "township_figure": list(
            TownshipFigure.objects.order_by("pk").values_list("pk", "township_id", "value")
        ),
        "township_target": list(
            TownshipTarget.objects.order_by("pk").values_list("pk", "township_id", "target")
        ),
        "notice": list(
            SupervisionNotice.objects.order_by("pk").values_list("pk", "status", "explanation")
        ),
        "bulletin": list(Bulletin.objects.order_by("pk").values_list("pk", "month")),
        "export_job": list(ExportJob.objects.order_by("pk").values_list("pk", "status")),
        "export_log": list(ExportLog.objects.order_by("pk").values_list("pk")),
        # Every other write of the services leaves an audit row (registers, 整改事项, …).
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "action")),
        "work_step": list(WorkStep.objects.order_by("pk").values_list("pk", "title", "due_on")),
        "step_report": list(
            StepReport.objects.order_by("pk").values_list(
                "pk", "status", "progress", "done", "is_current", "review_comment"
            )
        ),
        "step_event": list(StepReportEvent.objects.order_by("pk").values_list("pk", "action")),
        "evidence": list(EvidenceFile.objects.order_by("pk").values_list("pk")),
        "evidence_link": list(StepReportEvidence.objects.order_by("pk").values_list("pk")),
        # 项目库: every project write leaves a ProjectEvent.
        "project": list(Project.objects.order_by("pk").values_list("pk", "code", "name")),
        "project_event": list(ProjectEvent.objects.order_by("pk").values_list("pk", "action")),
        "project_file": list(ProjectFile.objects.order_by("pk").values_list("pk")),
        # 花名册: classes and rosters leave audit rows too; a reveal leaves its own record.
        "trainee": list(Trainee.objects.order_by("pk").values_list("pk", "row")),
        "reveal": list(PersonalDataReveal.objects.order_by("pk").values_list("pk")),
        "finding_note": list(FindingNote.objects.order_by("pk").values_list("pk", "status")),
    }


@pytest.fixture
def snap() -> Any:
    """``snap()``: the rows every POST could write, to compare before and after."""
    return snapshot


def fill_template(content: bytes, value: Any = 10, note: str | None = None) -> bytes:
    """A downloaded template with every open figure (and, given ``note``, every note) set."""
    from openpyxl import load_workbook

    from targets.workbooks import entry as entry_workbook

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[entry_workbook.SHEET]
    for row in sheet.iter_rows(min_row=entry_workbook.FIRST_ROW, min_col=3):
        for cell in row:
            if cell.protection.locked is not False:
                continue
            header = str(sheet.cell(entry_workbook.HEADER_ROW, cell.column).value or "")
            if header.endswith(entry_workbook.NOTE_SUFFIX):
                if note is not None:
                    cell.value = note
            elif cell.value is None:
                cell.value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def filled_template() -> Any:
    """``filled_template(content, value=10, note=None)``: see ``fill_template``."""
    return fill_template
