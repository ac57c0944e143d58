"""Evidence files (佐证材料) on a step report: attached to a draft or returned revision, taken
off one, carried to a correction. The file is checked (``targets/evidence.py``) before it is
stored, and stored before its rows are written; if the rows cannot be written the stored file
is removed again, and a file is removed from storage only after the transaction that dropped
its last link has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import evidence, policy
from ..models import EvidenceFile, Plan, StepReport, StepReportEvent, StepReportEvidence
from .base import check_plan_active

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = StepReport.Status
Action = StepReportEvent.Action
EDITABLE = (Status.DRAFT, Status.RETURNED)
MAX_FILES_PER_REPORT = 20


def plan_evidence_bytes(plan: Plan) -> int:
    """The total size of a plan's stored evidence files."""
    return EvidenceFile.objects.filter(plan=plan).aggregate(total=Sum("size"))["total"] or 0


def _editable(report: StepReport, actor: User) -> StepReport:
    report = (
        StepReport.objects.select_for_update(of=("self",))
        .select_related("step__milestone__plan")
        .get(pk=report.pk)
    )
    if not policy.may_report_step(actor, report.step):
        raise PermissionDenied(_("您无权修改该单位的工作台账。"))
    check_plan_active(report.step.milestone.plan)
    if not report.is_current or report.status not in EDITABLE:
        raise ValidationError(
            _("只有草稿或被退回的台账可以添加或删除佐证材料；已报送或已审核的台账已锁定。")
        )
    return report


def _event(report: StepReport, action: str, actor: User, at: datetime, name: str) -> None:
    StepReportEvent.objects.create(
        report=report,
        action=action,
        actor=actor,
        at=at,
        old_status=report.status,
        new_status=report.status,
        reason=name,
    )


def evidence_store(
    *,
    actor: User,
    plan: Plan,
    upload: UploadedFile,
    write: Callable[[EvidenceFile], None],
    at: datetime | None = None,
) -> EvidenceFile:
    """Check ``upload``, store it, and in one transaction count it against the plan's total,
    write its ``EvidenceFile`` row and call ``write`` (which points a record at it and leaves
    the trail, checking again what it must). If anything refuses, the stored file is removed
    and nothing is written."""
    checked = evidence.check_evidence(upload)
    at = at or timezone.now()
    stored = evidence.store_evidence(upload, checked, folder=f"evidence/{plan.year}")
    try:
        with transaction.atomic():
            # One upload at a time per plan counts against its total.
            Plan.objects.select_for_update().filter(pk=plan.pk).first()
            evidence.check_total(plan_evidence_bytes(plan), checked.size, plan.evidence_total_bytes)
            file = EvidenceFile.objects.create(
                plan=plan,
                stored_name=stored,
                download_name=checked.download_name,
                kind=checked.kind.code,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
                uploaded_at=at,
            )
            write(file)
    except BaseException:
        evidence.evidence_storage().delete(stored)
        raise
    return file


def evidence_attach(
    *, actor: User, report: StepReport, upload: UploadedFile, at: datetime | None = None
) -> EvidenceFile:
    """Check ``upload``, store it and attach it to ``report`` (a current draft or returned
    revision of the actor's unit). Refused with a Chinese message, storing nothing, for a file
    that is not accepted, one over the plan's total, or a report that is locked."""
    with transaction.atomic():
        # Checks that need no file first: a locked report refuses before the upload is read.
        plan = _editable(report, actor).step.milestone.plan
    at = at or timezone.now()

    def attach(file: EvidenceFile) -> None:
        locked = _editable(report, actor)
        if locked.evidence_links.count() >= MAX_FILES_PER_REPORT:
            raise ValidationError(
                _("每份台账最多附 %(max)s 个佐证材料。") % {"max": MAX_FILES_PER_REPORT}
            )
        StepReportEvidence.objects.create(report=locked, evidence=file)
        _event(locked, Action.ATTACH, actor, at, file.download_name)

    return evidence_store(actor=actor, plan=plan, upload=upload, write=attach, at=at)


@transaction.atomic
def evidence_detach(
    *, actor: User, report: StepReport, file: EvidenceFile, at: datetime | None = None
) -> None:
    """Take ``file`` off ``report`` (a current draft or returned revision of the actor's unit).
    The file itself is deleted, after commit, only when no other revision points to it: an
    approved revision's files stay."""
    locked = _editable(report, actor)
    link = StepReportEvidence.objects.filter(report=locked, evidence=file).first()
    if link is None:
        raise ValidationError(_("这份台账没有附该佐证材料。"))
    at = at or timezone.now()
    link.delete()
    _event(locked, Action.DETACH, actor, at, file.download_name)
    drop_if_unused(file)


def drop_if_unused(file: EvidenceFile) -> bool:
    """Delete a file no record points to any more (its stored copy after commit); a file a
    step report, an annual plan or a project still points to stays. Whether it was deleted."""
    if file.report_links.exists() or file.annual_plans.exists() or file.project_links.exists():
        return False
    stored = file.stored_name
    file.delete()
    transaction.on_commit(lambda: evidence.evidence_storage().delete(stored))
    return True


def evidence_carry(previous: StepReport, correction: StepReport) -> None:
    """A correction's new revision points to the files of the revision it corrects."""
    StepReportEvidence.objects.bulk_create(
        StepReportEvidence(report=correction, evidence_id=evidence_id)
        for evidence_id in previous.evidence_links.values_list("evidence_id", flat=True)
    )
