"""Evidence files on step reports through the services: attached to a draft, refused on a
locked revision, carried to a correction, taken off without deleting what a locked revision
points to; the download policy follows who may read the report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError

from targets import policy, services
from targets.evidence import evidence_storage
from targets.models import (
    AuditEntry,
    EvidenceFile,
    StepReport,
    StepReportEvent,
    StepReportEvidence,
    WorkStep,
)
from tests.targets.test_evidence import PDF, png
from tests.targets.work_flow import Progress, Status, item, report, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_step(plan: Any, clerk: Any) -> WorkStep:
    return step(clerk, item(plan))


def pdf(name: str = "会议纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files() -> list[str]:
    storage = evidence_storage()
    try:
        _folders, files = storage.listdir("evidence/2015")
    except FileNotFoundError:
        return []
    return sorted(files)


def draft(clerk: Any, work_step: WorkStep) -> StepReport:
    return services.step_report_save(
        actor=clerk, step=work_step, month=3, progress=Progress.IN_PROGRESS, done="召开了对接会"
    )


def test_a_file_is_stored_under_a_generated_name_and_listed_in_the_trail(
    clerk: Any, work_step: WorkStep
) -> None:
    saved = draft(clerk, work_step)
    file = services.evidence_attach(actor=clerk, report=saved, upload=pdf())
    assert (file.download_name, file.kind, file.size, file.uploaded_by) == (
        "会议纪要.pdf",
        "pdf",
        len(PDF),
        clerk,
    )
    assert file.stored_name.startswith("evidence/2015/") and "会议" not in file.stored_name
    with evidence_storage().open(file.stored_name, "rb") as handle:
        assert handle.read() == PDF
    event = StepReportEvent.objects.filter(report=saved).last()
    assert (event.action, event.actor, event.reason) == ("attach", clerk, "会议纪要.pdf")


def test_a_renamed_program_is_refused_and_nothing_is_stored(
    clerk: Any, work_step: WorkStep
) -> None:
    saved = draft(clerk, work_step)
    program = SimpleUploadedFile("照片.png", b"MZ\x90\x00" + b"\0" * 200)
    with pytest.raises(ValidationError):
        services.evidence_attach(actor=clerk, report=saved, upload=program)
    assert not EvidenceFile.objects.exists() and stored_files() == []


def test_a_sent_or_approved_report_takes_no_file(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    for status in (Status.SUBMITTED, Status.APPROVED):
        locked = report(
            clerk, reviewer, work_step, 4 if status == Status.SUBMITTED else 5, status=status
        )
        with pytest.raises(ValidationError, match="已锁定"):
            services.evidence_attach(actor=clerk, report=locked, upload=pdf())
    assert not EvidenceFile.objects.exists() and stored_files() == []


def test_another_units_clerk_may_not_attach(clerk_of: Any, clerk: Any, work_step: WorkStep) -> None:
    saved = draft(clerk, work_step)
    with pytest.raises(PermissionDenied):
        services.evidence_attach(actor=clerk_of("edu"), report=saved, upload=pdf())
    assert stored_files() == []


def test_the_plan_total_is_a_limit(plan: Any, clerk: Any, work_step: WorkStep) -> None:
    plan.evidence_total_bytes = len(PDF) + 10
    plan.save()
    saved = draft(clerk, work_step)
    services.evidence_attach(actor=clerk, report=saved, upload=pdf())
    with pytest.raises(ValidationError, match="总量上限"):
        services.evidence_attach(actor=clerk, report=saved, upload=pdf("第二份.pdf"))
    assert EvidenceFile.objects.count() == 1 and len(stored_files()) == 1


def test_a_correction_points_to_the_same_files_and_detaching_keeps_them_for_the_locked_one(
    clerk: Any, reviewer: Any, work_step: WorkStep
) -> None:
    saved = draft(clerk, work_step)
    file = services.evidence_attach(actor=clerk, report=saved, upload=pdf())
    services.step_report_submit(actor=clerk, report=saved)
    services.step_report_approve(actor=reviewer, report=saved)
    correction = services.step_report_correct(
        actor=clerk, report=saved, reason="补充材料", progress=Progress.DONE
    )
    assert list(correction.evidence_links.values_list("evidence", flat=True)) == [file.pk]
    services.evidence_detach(actor=clerk, report=correction, file=file)
    # The approved revision still points to the file: it stays, in the database and on disk.
    assert StepReportEvidence.objects.filter(report=saved, evidence=file).exists()
    assert EvidenceFile.objects.filter(pk=file.pk).exists() and len(stored_files()) == 1
    with pytest.raises(ProtectedError):
        file.delete()
    with pytest.raises(ValidationError, match="已锁定"):
        services.evidence_detach(actor=clerk, report=saved, file=file)


def test_detaching_the_last_link_deletes_the_file_after_commit(
    clerk: Any, work_step: WorkStep, django_capture_on_commit_callbacks: Any
) -> None:
    saved = draft(clerk, work_step)
    file = services.evidence_attach(actor=clerk, report=saved, upload=png_upload())
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_detach(actor=clerk, report=saved, file=file)
    assert not EvidenceFile.objects.exists() and stored_files() == []
    assert StepReportEvent.objects.filter(report=saved).last().action == "detach"


def png_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场.png", png(), content_type="image/png")


def test_who_may_download_follows_who_may_read_the_report(
    clerk: Any, clerk_of: Any, reviewer: Any, make_user: Any, work_step: WorkStep
) -> None:
    saved = draft(clerk, work_step)
    file = services.evidence_attach(actor=clerk, report=saved, upload=pdf())
    auditor = make_user("auditor", username="auditor")
    # A draft is its unit's own.
    assert policy.may_download_evidence(clerk, file)
    assert not policy.may_download_evidence(auditor, file)
    assert not policy.may_download_evidence(clerk_of("edu"), file)
    services.step_report_submit(actor=clerk, report=saved)
    assert policy.may_download_evidence(auditor, file)
    assert policy.may_download_evidence(reviewer, file)
    assert not policy.may_download_evidence(clerk_of("edu"), file)


def test_deleting_a_correction_draft_keeps_the_approved_revisions_files(
    clerk: Any, reviewer: Any, work_step: WorkStep, django_capture_on_commit_callbacks: Any
) -> None:
    saved = draft(clerk, work_step)
    kept = services.evidence_attach(actor=clerk, report=saved, upload=pdf())
    services.step_report_submit(actor=clerk, report=saved)
    services.step_report_approve(actor=reviewer, report=saved)
    correction = services.step_report_correct(
        actor=clerk, report=saved, reason="补充材料", progress=Progress.DONE
    )
    extra = services.evidence_attach(actor=clerk, report=correction, upload=png_upload())
    with django_capture_on_commit_callbacks(execute=True):
        services.step_report_delete(actor=clerk, report=correction)
    # The approved revision is current again and keeps its file; the draft's own file is gone.
    saved.refresh_from_db()
    assert saved.is_current and saved.status == Status.APPROVED
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_files() == [kept.stored_name.rsplit("/", 1)[1]]
    assert not EvidenceFile.objects.filter(pk=extra.pk).exists()
    entry = AuditEntry.objects.get(action="step-report-delete")
    assert entry.actor == clerk and entry.detail["files"] == ["会议纪要.pdf", "现场.png"]
    # A locked revision cannot be deleted at all.
    with pytest.raises(ValidationError, match="只有未报送过的草稿可以删除"):
        services.step_report_delete(actor=clerk, report=saved)
