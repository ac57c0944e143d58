"""项目库 and 一项目一台账: a project saved, its files attached (and taken off), its ledger rows
entered, sent, reviewed and locked. Each write checks the policy, runs in one transaction and
leaves its trail with its actor in ``ProjectEvent``. A refused write writes nothing (and stores
no file).

Files are checked (``targets/evidence.py``) and stored as the step reports' evidence is, and
count against the same per-plan total (``plan_evidence_bytes`` sums every evidence file of the
plan, a project's and a step report's alike). A file taken off is deleted as theirs is, only
once nothing points to it (``drop_if_unused``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import evidence, policy
from ..models import (
    Department,
    EvidenceFile,
    Indicator,
    Milestone,
    Plan,
    Project,
    ProjectEntry,
    ProjectEvent,
    ProjectFile,
    Region,
)
from ..models.projects import KIND_FIELDS, MAX_AMOUNT, TRAINING_UNITS
from .base import MAX_VALUE, check_plan_active
from .evidence import drop_if_unused, plan_evidence_bytes
from .submissions import check_review_comment

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = ProjectEntry.Status
Action = ProjectEvent.Action
Kind = ProjectEntry.Kind
EDITABLE = (Status.DRAFT, Status.RETURNED)
NAME_MAX = 200
DESCRIPTION_MAX = 2000
MAX_FILES_PER_PROJECT = 20


def _event(
    project: Project,
    action: str,
    actor: User,
    at: datetime,
    *,
    entry: ProjectEntry | None = None,
    old_status: str = "",
    reason: str = "",
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        entry=entry,
        action=action,
        actor=actor,
        at=at,
        old_status=old_status,
        new_status=entry.status if entry is not None else "",
        reason=reason,
    )


def _text(value: object, field: str, label: str, *, limit: int = NAME_MAX) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(max)s 字。") % {"label": label, "max": limit}}
        )
    return value


def _date(value: object, field: str, label: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError({field: _("%(label)s必须是日期。") % {"label": label}})
    return value


def _count(value: object, field: str, label: str, limit: int = MAX_VALUE) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("%(label)s必须是整数。") % {"label": label}})
    if value < 0:
        raise ValidationError({field: _("%(label)s不能为负数。") % {"label": label}})
    if value > limit:
        raise ValidationError(
            {field: _("%(label)s过大（超过 %(max)s），请检查。") % {"label": label, "max": limit}}
        )
    return value


def project_setting_refusal(plan: Plan) -> str | None:
    """Why ``plan``'s projects cannot be created or changed now: a closed plan's library is
    read-only. A draft plan's are set up with the rest of the plan (by administrators: nobody
    else reads them yet), so only a closed plan refuses; ``None`` otherwise."""
    if plan.status == Plan.Status.CLOSED:
        return _("%(year)s年度方案已结束，项目库只读。") % {"year": plan.year}
    return None


def _closed_refusal(plan: Plan) -> None:
    refusal = project_setting_refusal(plan)
    if refusal is not None:
        raise ValidationError(refusal)


# --- the project ---------------------------------------------------------------------------


@transaction.atomic
def project_save(
    *,
    actor: User,
    plan: Plan,
    code: str,
    name: str,
    department: Department,
    county: Region,
    region: Region | None = None,
    description: str = "",
    milestone: Milestone | None = None,
    project: Project | None = None,
    at: datetime | None = None,
) -> Project:
    """Create a project of the unit (``department``, ``region``) in ``county``, or (``project``)
    change one. Refused for a closed plan, a user who may not set that unit's projects, a code
    already used in the plan, a work item of another plan, and moving a project that has ledger
    rows to another unit."""
    region_id = region.pk if region is not None else None
    if not policy.may_set_project(actor, department.pk, region_id):
        raise PermissionDenied(_("您无权设定该单位的项目。"))
    _closed_refusal(plan)
    name = _text(name, "name", _("项目名称"))
    code = code.strip()
    if not code or slugify(code) != code or len(code) > 60:
        raise ValidationError({"code": _("项目代码只能由小写字母、数字和连字符组成。")})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": _("建设内容不能超过 %(max)s 字。") % {"max": DESCRIPTION_MAX}}
        )
    if milestone is not None and milestone.plan_id != plan.pk:
        raise ValidationError({"milestone": _("重点工作必须属于同一年度方案。")})
    taken = Project.objects.filter(plan=plan, code=code)
    if project is not None:
        taken = taken.exclude(pk=project.pk)
    if taken.exists():
        raise ValidationError({"code": _("同一年度方案中项目代码不能重复。")})
    at = at or timezone.now()
    fields = {
        "code": code,
        "name": name,
        "department": department,
        "region": region,
        "county": county,
        "description": description.strip(),
        "milestone": milestone,
    }
    if project is None:
        project = Project.objects.create(plan=plan, created_by=actor, created_at=at, **fields)
        _event(project, Action.CREATE, actor, at, reason=name)
        return project
    project = Project.objects.select_for_update().get(pk=project.pk, plan=plan)
    if not policy.may_set_project(actor, project.department_id, project.region_id):
        raise PermissionDenied(_("您无权设定该单位的项目。"))
    moved = (project.department_id, project.region_id) != (department.pk, region_id)
    if moved and project.entries.exists():
        raise ValidationError(_("该项目已有台账，不能改为其他单位。"))
    for field, value in fields.items():
        setattr(project, field, value)
    project.save()
    _event(project, Action.CHANGE, actor, at, reason=name)
    return project


def _keepable(project: Project, actor: User) -> Project:
    project = Project.objects.select_for_update().select_related("plan").get(pk=project.pk)
    if not policy.may_keep_project_ledger(actor, project):
        raise PermissionDenied(_("您无权填报该项目的台账。"))
    check_plan_active(project.plan)
    return project


def project_file_attach(
    *,
    actor: User,
    project: Project,
    upload: UploadedFile,
    role: str,
    at: datetime | None = None,
) -> ProjectFile:
    """Check ``upload``, store it and attach it to ``project`` as its 申报书, 建设方案 or other
    file. Refused with a Chinese message, storing nothing, for a user who does not keep the
    project's ledger, a file that is not accepted, or one over the plan's total."""
    if role not in ProjectFile.Role.values:
        raise ValidationError({"role": _("材料类别必须是项目申报书、建设方案或其他材料。")})
    with transaction.atomic():
        # Checks that need no file first: a refused user is refused before the upload is read.
        locked = _keepable(project, actor)
    checked = evidence.check_evidence(upload)
    at = at or timezone.now()
    plan = locked.plan
    stored = evidence.store_evidence(upload, checked, folder=f"projects/{plan.year}")
    try:
        with transaction.atomic():
            locked = _keepable(project, actor)
            if locked.files.count() >= MAX_FILES_PER_PROJECT:
                raise ValidationError(
                    _("每个项目最多附 %(max)s 个文件。") % {"max": MAX_FILES_PER_PROJECT}
                )
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
            link = ProjectFile.objects.create(project=locked, evidence=file, role=role)
            reason = f"{link.get_role_display()}：{file.download_name}"
            _event(locked, Action.ATTACH, actor, at, reason=reason)
    except BaseException:
        evidence.evidence_storage().delete(stored)
        raise
    return link


@transaction.atomic
def project_file_detach(*, actor: User, link: ProjectFile, at: datetime | None = None) -> None:
    """Take a file off its project: a wrong or outdated 申报书 or 建设方案 is removed by the
    project's unit (who attached it) while the plan is open, and the trail keeps its name. The
    stored file goes too, after commit, unless something else still points to it."""
    project = _keepable(link.project, actor)
    link = ProjectFile.objects.select_related("evidence").filter(pk=link.pk).first()
    if link is None or link.project_id != project.pk:
        raise ValidationError(_("该文件已不在这个项目上。"))
    at = at or timezone.now()
    file = link.evidence
    reason = f"{link.get_role_display()}：{file.download_name}"
    link.delete()
    _event(project, Action.DETACH, actor, at, reason=reason)
    drop_if_unused(file)


# --- ledger rows ---------------------------------------------------------------------------


def _clean_values(project: Project, kind: str, values: Mapping[str, object]) -> dict[str, object]:
    """The typed fields of a ``kind`` row, checked; a field of another kind is refused."""
    if kind not in KIND_FIELDS:
        raise ValidationError({"kind": _("台账类别未知。")})
    allowed = KIND_FIELDS[kind]
    foreign = sorted(set(values) - set(allowed))
    if foreign:
        raise ValidationError(_("台账含有不属于该类别的内容：%(f)s。") % {"f": "、".join(foreign)})
    get = values.get
    clean: dict[str, object] = {}
    if "name" in allowed:
        clean["name"] = _text(get("name"), "name", _("名称"))
    if kind == Kind.MILESTONE:
        clean["planned_on"] = _date(get("planned_on"), "planned_on", _("计划时间"))
        progress = get("progress")
        if progress not in ProjectEntry.Progress.values:
            raise ValidationError({"progress": _("进展状态必须是未开始、推进中、已完成或滞后。")})
        clean["progress"] = progress
        done_on = get("done_on")
        if done_on is not None:
            done_on = _date(done_on, "done_on", _("完成时间"))
            if progress != ProjectEntry.Progress.DONE:
                raise ValidationError({"done_on": _("只有已完成的建设节点填写完成时间。")})
        elif progress == ProjectEntry.Progress.DONE:
            raise ValidationError({"done_on": _("已完成的建设节点请填写完成时间。")})
        clean["done_on"] = done_on
    elif kind == Kind.FUNDING:
        clean["source"] = _text(get("source"), "source", _("资金来源"))
        for field, label in (("planned_amount", _("计划金额")), ("arrived_amount", _("到位金额"))):
            clean[field] = _count(get(field), field, label, MAX_AMOUNT)
    elif kind == Kind.TRAINING:
        indicator = get("indicator")
        if not isinstance(indicator, Indicator) or indicator.plan_id != project.plan_id:
            raise ValidationError({"indicator": _("请选择本年度方案中的培训指标。")})
        if indicator.kind == Indicator.Kind.RATE or indicator.unit not in TRAINING_UNITS:
            raise ValidationError({"indicator": _("分解培训任务只能计入以“人”或“人次”计的指标。")})
        clean["indicator"] = indicator
        clean["assigned"] = _count(get("assigned"), "assigned", _("分解任务数"))
        clean["achieved"] = _count(get("achieved"), "achieved", _("完成数"))
    elif kind == Kind.PRODUCT:
        if get("product_kind") not in ProjectEntry.ProductKind.values:
            raise ValidationError({"product_kind": _("类型必须是专业或教材。")})
        clean["product_kind"] = get("product_kind")
    elif kind == Kind.COMPETITION:
        if get("level") not in ProjectEntry.Level.values:
            raise ValidationError({"level": _("竞赛级别必须是市级、省级或国家级。")})
        clean["level"] = get("level")
        clean["participants"] = _count(get("participants"), "participants", _("参赛人数"))
    if "on" in allowed:
        clean["on"] = _date(get("on"), "on", _("日期"))
    return clean


def _locked_entry(entry: ProjectEntry) -> ProjectEntry:
    return (
        ProjectEntry.objects.select_for_update(of=("self",))
        .select_related("project__plan")
        .get(pk=entry.pk)
    )


@transaction.atomic
def project_entry_save(
    *,
    actor: User,
    project: Project,
    kind: str,
    values: Mapping[str, object],
    entry: ProjectEntry | None = None,
    at: datetime | None = None,
) -> ProjectEntry:
    """Save a ledger row of ``project``: a new draft of ``kind``, or (``entry``) a change to a
    draft or returned row. A sent row waits for review; an approved one is locked."""
    project = _keepable(project, actor)
    clean = _clean_values(project, kind, values)
    at = at or timezone.now()
    if entry is None:
        entry = ProjectEntry.objects.create(
            project=project, kind=kind, entered_by=actor, entered_at=at, **clean
        )
        _event(project, Action.CREATE, actor, at, entry=entry)
        return entry
    entry = _locked_entry(entry)
    if entry.project_id != project.pk or entry.kind != kind:
        raise ValidationError(_("该台账不属于这个项目的这一部分。"))
    if entry.status == Status.APPROVED:
        raise ValidationError(_("该台账已审核锁定，不能修改。"))
    if entry.status == Status.SUBMITTED:
        raise ValidationError(_("该台账已报送，正在等待审核，暂不能修改。"))
    if all(getattr(entry, field) == value for field, value in clean.items()):
        return entry
    for field, value in clean.items():
        setattr(entry, field, value)
    entry.entered_by, entry.entered_at = actor, at
    entry.save(update_fields=[*clean, "entered_by", "entered_at"])
    _event(project, Action.CHANGE, actor, at, entry=entry, old_status=entry.status)
    return entry


def _move(
    entry: ProjectEntry,
    fields: dict[str, object],
    action: str,
    actor: User,
    at: datetime,
    reason: str = "",
) -> ProjectEntry:
    old_status = entry.status
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save(update_fields=list(fields))
    _event(entry.project, action, actor, at, entry=entry, old_status=old_status, reason=reason)
    return entry


@transaction.atomic
def project_entry_submit(
    *, actor: User, entry: ProjectEntry, at: datetime | None = None
) -> ProjectEntry:
    """Send a draft or returned row for review."""
    entry = _locked_entry(entry)
    if not policy.may_keep_project_ledger(actor, entry.project):
        raise PermissionDenied(_("您无权报送该项目的台账。"))
    check_plan_active(entry.project.plan)
    if entry.status not in EDITABLE:
        raise ValidationError(_("只有草稿或被退回的台账可以报送。"))
    at = at or timezone.now()
    sent = {"status": Status.SUBMITTED, "submitted_by": actor, "submitted_at": at}
    return _move(entry, sent, Action.SUBMIT, actor, at)


def _review(
    *, actor: User, entry: ProjectEntry, approve: bool, comment: str, at: datetime | None
) -> ProjectEntry:
    check_review_comment(comment)
    entry = _locked_entry(entry)
    if not policy.may_review_project_entry(actor, entry):
        raise PermissionDenied(_("您无权审核该项目台账。"))
    check_plan_active(entry.project.plan)
    if entry.status != Status.SUBMITTED:
        raise ValidationError(_("只有已报送、待审核的台账可以审核。"))
    at = at or timezone.now()
    reviewed = {
        "status": Status.APPROVED if approve else Status.RETURNED,
        "reviewed_by": actor,
        "reviewed_at": at,
        "review_comment": comment,
    }
    action = Action.APPROVE if approve else Action.RETURN
    return _move(entry, reviewed, action, actor, at, reason=comment)


@transaction.atomic
def project_entry_approve(
    *, actor: User, entry: ProjectEntry, comment: str = "", at: datetime | None = None
) -> ProjectEntry:
    """Accept a sent row: it is locked from now on."""
    return _review(actor=actor, entry=entry, approve=True, comment=comment.strip(), at=at)


@transaction.atomic
def project_entry_return(
    *, actor: User, entry: ProjectEntry, comment: str, at: datetime | None = None
) -> ProjectEntry:
    """Send a sent row back to its unit with a comment (required)."""
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写审核意见。")})
    return _review(actor=actor, entry=entry, approve=False, comment=comment.strip(), at=at)
