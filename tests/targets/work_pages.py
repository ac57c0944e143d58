"""What the 工作台账 pages' tests share: a step of the hrss city-wide unit, reports with
files taken through the services, and every row and stored file, to show a refusal wrote
nothing."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.evidence import evidence_storage
from targets.models import EvidenceFile, StepReport, StepReportEvidence, WorkStep
from tests.targets.test_evidence import PDF
from tests.targets.work_flow import Progress, written

MONTH = "/work/2015/3/"
QUEUE = "/review/work/"
PROGRAM = b"MZ\x90\x00" + b"\0" * 200


def pdf(name: str = "会议纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files() -> list[str]:
    try:
        _folders, files = evidence_storage().listdir("evidence/2015")
    except FileNotFoundError:
        return []
    return sorted(files)


def everything() -> dict[str, Any]:
    """Every row the pages may write, and the stored files."""
    return {
        **written(),
        "files": list(EvidenceFile.objects.order_by("pk").values()),
        "links": list(StepReportEvidence.objects.order_by("pk").values()),
        "stored": stored_files(),
    }


def post_report(client: Any, work_step: WorkStep, action: str = "save", **fields: Any) -> Any:
    data = {
        "step": work_step.pk,
        "progress": Progress.IN_PROGRESS,
        "done": "召开了对接会",
        "problems": "",
        "action": action,
        **fields,
    }
    return client.post(MONTH, data)


def draft_with_file(clerk: Any, work_step: WorkStep) -> tuple[StepReport, EvidenceFile]:
    saved = services.step_report_save(
        actor=clerk, step=work_step, month=3, progress=Progress.IN_PROGRESS, done="召开了对接会"
    )
    return saved, services.evidence_attach(actor=clerk, report=saved, upload=pdf())


def sent_with_file(clerk: Any, work_step: WorkStep) -> tuple[StepReport, EvidenceFile]:
    saved, file = draft_with_file(clerk, work_step)
    services.step_report_submit(actor=clerk, report=saved)
    saved.refresh_from_db()
    return saved, file


def page_text(response: Any) -> str:
    return response.content.decode()
