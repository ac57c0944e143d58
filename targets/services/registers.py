"""Registers (竞赛, 评价试点, 年度实施方案, 会议与督查调研) and 整改事项: entered by the clerk of
the unit that keeps them, sent, approved or returned by a reviewer, reopened with a reason.
Each write checks the policy, runs in one transaction and leaves an ``AuditEntry`` with its
actor; a refusal writes nothing. An annual implementation plan's file is checked and stored
like any evidence file (``evidence_store``); the file it replaces is deleted after commit when
nothing else points to it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    REGISTER_MODELS,
    AnnualPlan,
    AuditEntry,
    Department,
    EvidenceFile,
    Meeting,
    Plan,
    Rectification,
    Region,
    RegisterRecord,
)
from .base import audit, check_plan_active
from .evidence import drop_if_unused, evidence_store
from .submissions import check_review_comment

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = RegisterRecord.Status
Action = AuditEntry.Action
EDITABLE = (Status.DRAFT, Status.RETURNED)
TEXT_MAX = 2000
ASSESSMENT_MAX = 10000  # a self-assessment runs to a few pages
_KINDS = {model: kind for kind, model in REGISTER_MODELS.items()}


def kind_of(record: RegisterRecord) -> str:
    return _KINDS[type(record)]


# What a row says, as its audit trail keeps it; who entered or reviewed it is the trail's own.
_BOOKKEEPING = {f.attname for f in RegisterRecord._meta.get_fields() if f.concrete} - {
    "department_id",
    "region_id",
} | {"id"}


def _values(record: RegisterRecord) -> dict[str, Any]:
    names = [f.attname for f in record._meta.concrete_fields if f.attname not in _BOOKKEEPING]
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in ((name, getattr(record, name)) for name in names)
    }


def _check(record: RegisterRecord) -> None:
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        limit = ASSESSMENT_MAX if field.name == "text" else TEXT_MAX
        if isinstance(field, models.TextField) and len(value) > limit:
            raise ValidationError({field.name: _("内容不能超过 %(max)s 字。") % {"max": limit}})
    # Field checks (lengths, choices, required) and the table's checks, in Chinese.
    record.full_clean()


def _changed(record: RegisterRecord, before: dict[str, Any]) -> dict[str, Any]:
    after = _values(record)
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _may_enter(actor: User, record: RegisterRecord) -> bool:
    return policy.may_enter_register(actor, kind_of(record), record.department_id, record.region_id)


def _locked(record: RegisterRecord) -> RegisterRecord:
    return type(record).objects.select_for_update().select_related("plan").get(pk=record.pk)


def register_save(
    *,
    actor: User,
    kind: str,
    plan: Plan,
    department: Department,
    region: Region | None,
    values: dict[str, Any],
    record: RegisterRecord | None = None,
    upload: UploadedFile | None = None,
    at: datetime | None = None,
) -> RegisterRecord:
    """Create a register row of ``kind`` for the unit, or change a draft or returned one.

    An annual implementation plan takes its file as ``upload`` (required when new).
    """
    model = REGISTER_MODELS[kind]
    region_id = region.pk if region is not None else None
    if not policy.may_enter_register(actor, kind, department.pk, region_id):
        raise PermissionDenied(_("您无权登记该单位的台账。"))
    check_plan_active(plan)
    at = at or timezone.now()
    if model is AnnualPlan and record is None and upload is None:
        raise ValidationError({"file": _("请上传年度具体实施方案文件。")})

    def save(file: EvidenceFile | None = None) -> RegisterRecord:
        if record is None:
            saved = model(
                plan=plan, department=department, region=region, entered_by=actor, entered_at=at
            )
            before: dict[str, Any] = {}
        else:
            saved = _locked(record)
            if saved.plan_id != plan.pk or (saved.department_id, saved.region_id) != (
                department.pk,
                region_id,
            ):
                raise ValidationError(_("台账的方案和填报单位不能更改。"))
            if saved.status not in EDITABLE:
                raise ValidationError(_("已报送或已审核的台账已锁定；如需修改，请先重新打开。"))
            before = _values(saved)
            saved.entered_by, saved.entered_at = actor, at
        for name, value in values.items():
            setattr(saved, name, value.strip() if isinstance(value, str) else value)
        old_file_id = getattr(saved, "file_id", None)
        if file is not None:
            saved.file = file
        _check(saved)
        saved.save()
        if file is not None and old_file_id is not None and old_file_id != file.pk:
            _drop_file(old_file_id)
        audit(
            actor=actor,
            action=Action.REGISTER_SAVE,
            about=saved,
            plan=plan,
            detail={"kind": kind, "changed": _changed(saved, before)},
            at=at,
        )
        return saved

    if upload is None:
        with transaction.atomic():
            return save()
    result: list[RegisterRecord] = []
    evidence_store(
        actor=actor, plan=plan, upload=upload, write=lambda f: result.append(save(f)), at=at
    )
    return result[0]


def _drop_file(file_id: int) -> None:
    """Delete a replaced file when nothing points to it any more (the storage after commit)."""
    drop_if_unused(EvidenceFile.objects.get(pk=file_id))


def _move(
    record: RegisterRecord, fields: dict[str, Any], action: str, actor: User, at: datetime, why: str
) -> RegisterRecord:
    old = record.status
    for name, value in fields.items():
        setattr(record, name, value)
    record.save(update_fields=list(fields))
    audit(
        actor=actor,
        action=action,
        about=record,
        plan=record.plan,
        detail={"kind": kind_of(record), "from": old, "to": record.status, "reason": why},
        at=at,
    )
    return record


@transaction.atomic
def register_submit(
    *, actor: User, record: RegisterRecord, at: datetime | None = None
) -> RegisterRecord:
    """Send a draft or returned row for review."""
    record = _locked(record)
    if not policy.may_enter_register(
        actor, kind_of(record), record.department_id, record.region_id
    ):
        raise PermissionDenied(_("您无权报送该单位的台账。"))
    check_plan_active(record.plan)
    if record.status not in EDITABLE:
        raise ValidationError(_("只有草稿或被退回的台账可以报送。"))
    at = at or timezone.now()
    sent = {"status": Status.SUBMITTED, "submitted_by": actor, "submitted_at": at}
    return _move(record, sent, Action.REGISTER_SUBMIT, actor, at, "")


def _review(
    actor: User, record: RegisterRecord, approve: bool, comment: str, at: datetime | None
) -> RegisterRecord:
    check_review_comment(comment)
    record = _locked(record)
    if not policy.may_review_register(actor):
        raise PermissionDenied(_("您无权审核台账。"))
    check_plan_active(record.plan)
    if record.status != Status.SUBMITTED:
        raise ValidationError(_("只有已报送、待审核的台账可以审核。"))
    at = at or timezone.now()
    fields = {
        "status": Status.APPROVED if approve else Status.RETURNED,
        "reviewed_by": actor,
        "reviewed_at": at,
        "review_comment": comment,
    }
    action = Action.REGISTER_APPROVE if approve else Action.REGISTER_RETURN
    return _move(record, fields, action, actor, at, comment)


@transaction.atomic
def register_approve(
    *, actor: User, record: RegisterRecord, comment: str = "", at: datetime | None = None
) -> RegisterRecord:
    return _review(actor, record, True, comment.strip(), at)


@transaction.atomic
def register_return(
    *, actor: User, record: RegisterRecord, comment: str, at: datetime | None = None
) -> RegisterRecord:
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写审核意见。")})
    return _review(actor, record, False, comment.strip(), at)


@transaction.atomic
def register_reopen(
    *, actor: User, record: RegisterRecord, reason: str, at: datetime | None = None
) -> RegisterRecord:
    """Take an approved row back to a draft to correct it, with a reason; it is reviewed again.
    The audit trail keeps what it said."""
    record = _locked(record)
    if not policy.may_enter_register(
        actor, kind_of(record), record.department_id, record.region_id
    ):
        raise PermissionDenied(_("您无权修改该单位的台账。"))
    check_plan_active(record.plan)
    if not reason.strip():
        raise ValidationError({"reason": _("重新打开已审核的台账必须填写理由。")})
    if record.status != Status.APPROVED:
        raise ValidationError(_("只有已审核的台账需要重新打开；草稿或退回的台账可直接修改。"))
    at = at or timezone.now()
    fields = {"status": Status.DRAFT, "reviewed_by": None, "reviewed_at": None}
    fields |= {"submitted_by": None, "submitted_at": None, "review_comment": ""}
    return _move(record, fields, Action.REGISTER_REOPEN, actor, at, reason.strip())


# --- 整改事项 ---------------------------------------------------------------------------------


@transaction.atomic
def rectification_add(
    *,
    actor: User,
    meeting: Meeting,
    description: str,
    department: Department,
    region: Region | None,
    due_on: date,
    at: datetime | None = None,
) -> Rectification:
    """Register what a meeting or inspection asked a unit to put right, by when: the clerk who
    keeps the meeting, while it is a draft or returned."""
    meeting = _locked(meeting)
    if not policy.may_enter_register(actor, "meetings", meeting.department_id, meeting.region_id):
        raise PermissionDenied(_("您无权登记整改事项。"))
    check_plan_active(meeting.plan)
    if meeting.status not in EDITABLE:
        raise ValidationError(_("已报送或已审核的会议记录已锁定；如需增加整改事项，请先重新打开。"))
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("整改事项不能为空。")})
    if len(description) > TEXT_MAX:
        raise ValidationError({"description": _("内容不能超过 %(max)s 字。") % {"max": TEXT_MAX}})
    if not isinstance(due_on, date) or not meeting.held_on <= due_on:
        raise ValidationError({"due_on": _("整改时限不能早于会议或督查日期。")})
    at = at or timezone.now()
    item = Rectification.objects.create(
        meeting=meeting,
        description=description,
        department=department,
        region=region,
        due_on=due_on,
        created_by=actor,
        created_at=at,
    )
    audit(
        actor=actor,
        action=Action.RECTIFICATION_ADD,
        about=item,
        plan=meeting.plan,
        detail={"unit": item.unit_name, "due_on": due_on, "description": description},
        at=at,
    )
    return item


def _locked_item(item: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("meeting__plan")
        .get(pk=item.pk)
    )


@transaction.atomic
def rectification_progress(
    *, actor: User, item: Rectification, progress: str, at: datetime | None = None
) -> Rectification:
    """The responsible unit reports how the 整改 stands (replacing its last report)."""
    item = _locked_item(item)
    if not policy.may_answer_rectification(actor, item):
        raise PermissionDenied(_("您无权反馈该整改事项。"))
    check_plan_active(item.meeting.plan)
    if item.meeting.status == Status.DRAFT:
        raise ValidationError(_("会议记录尚未报送，整改事项还不能反馈。"))
    progress = progress.strip()
    if not progress:
        raise ValidationError({"progress": _("请填写整改情况。")})
    if len(progress) > TEXT_MAX:
        raise ValidationError({"progress": _("内容不能超过 %(max)s 字。") % {"max": TEXT_MAX}})
    at = at or timezone.now()
    before = item.progress
    item.progress, item.progress_by, item.progress_at = progress, actor, at
    item.save(update_fields=["progress", "progress_by", "progress_at"])
    audit(
        actor=actor,
        action=Action.RECTIFICATION_PROGRESS,
        about=item,
        plan=item.meeting.plan,
        detail={"before": before, "progress": progress},
        at=at,
    )
    return item


@transaction.atomic
def rectification_close(
    *, actor: User, item: Rectification, note: str = "", at: datetime | None = None
) -> Rectification:
    """A reviewer closes (销号) a 整改事项 of an approved meeting record."""
    item = _locked_item(item)
    if not policy.may_review_register(actor):
        raise PermissionDenied(_("您无权为整改事项销号。"))
    check_plan_active(item.meeting.plan)
    if item.closed_on is not None:
        raise ValidationError(_("该整改事项已销号。"))
    if item.meeting.status != Status.APPROVED:
        raise ValidationError(_("会议记录审核通过后，整改事项才能销号。"))
    check_review_comment(note.strip())
    at = at or timezone.now()
    item.closed_on = timezone.localdate(at)
    item.closed_by, item.close_note = actor, note.strip()
    item.save(update_fields=["closed_on", "closed_by", "close_note"])
    audit(
        actor=actor,
        action=Action.RECTIFICATION_CLOSE,
        about=item,
        plan=item.meeting.plan,
        detail={"closed_on": item.closed_on, "note": item.close_note},
        at=at,
    )
    return item
