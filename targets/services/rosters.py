"""Writes of training classes and their rosters (``models.rosters``).

The clerk who may enter an item's figures for a county registers its classes there and
replaces a class's roster whole: every row is checked first (``roster_rows.check_roster``) and
one refused row refuses the roster, saving nothing and leaving the roster that was there. An
auditor may see one row's personal data in clear with a stated reason, recorded first
(``personal_data_reveal``); the rosters of a plan closed longer than the retention period are
removed with a record of what was removed (``rosters_purge``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy, policy_rosters
from ..models import (
    AuditEntry,
    FindingNote,
    Indicator,
    PersonalDataReveal,
    Plan,
    Region,
    RosterPurge,
    Trainee,
    TrainingClass,
)
from ..personal_data import EncryptedText, rotate
from ..roster_findings import Finding
from ..roster_rows import RowProblem, TypedRow, check_roster
from .base import audit, plan_refusal

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


REVEAL_REASON_MIN = 4
RENUMBER_OFFSET = 1_000_000  # above any roster's row numbers


class RosterRefused(ValidationError):
    """A roster with refused rows: ``problems`` names each one and why; nothing was saved."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__([str(problem) for problem in problems])
        self.problems = problems


def _may_write(actor: User, indicator: Indicator, region: Region) -> None:
    if not policy.may_enter_cell(actor, indicator, region):
        raise PermissionDenied(_("您不能为该部门任务和县区登记培训班。"))
    refusal = plan_refusal(indicator.plan)
    if refusal is not None:
        raise ValidationError(refusal)


def training_class_create(
    *,
    actor: User,
    indicator: Indicator,
    region: Region,
    institution: str,
    occupation: str,
    kind: str,
    start_on: date,
    end_on: date,
    hours: int,
    month: int | None = None,
    at: datetime | None = None,
    is_demo: bool = False,
) -> TrainingClass:
    """A class of ``indicator`` in ``region``; it counts in the month its training ends
    (``month``, unless given) of the plan's year."""
    _may_write(actor, indicator, region)
    if indicator.kind == Indicator.Kind.RATE:
        raise ValidationError(_("比率类指标没有培训班：请在其分子、分母的填报项下登记。"))
    year = indicator.plan.year
    if month is None:
        if end_on.year != year:
            raise ValidationError(
                _("结业日期不在%(year)s年内：请写明该培训班计入哪个月。") % {"year": year}
            )
        month = end_on.month
    at = at or timezone.now()
    training_class = TrainingClass(
        indicator=indicator,
        region=region,
        institution=institution.strip(),
        occupation=occupation.strip(),
        kind=kind,
        start_on=start_on,
        end_on=end_on,
        hours=hours,
        month=month,
        created_by=actor,
        created_at=at,
        is_demo=is_demo,
    )
    training_class.full_clean()
    with transaction.atomic():
        training_class.save()
        audit(
            actor=actor,
            action=AuditEntry.Action.TRAINING_CLASS_CREATE,
            about=training_class,
            plan=indicator.plan,
            detail={"month": month, "start_on": start_on, "end_on": end_on, "hours": hours},
            at=at,
        )
    return training_class


def roster_replace(
    *,
    actor: User,
    training_class: TrainingClass,
    rows: Sequence[TypedRow],
    keep: Sequence[int] = (),
    at: datetime | None = None,
) -> list[Trainee]:
    """The class's roster replaced by the rows ``keep`` names (trainees already on it, as
    they are) and then ``rows``, all checked first; ``RosterRefused`` (nothing saved) when any
    row is refused. The roster is numbered 1, 2, … in that order."""
    _may_write(actor, training_class.indicator, training_class.region)
    at = at or timezone.now()
    trainees, problems = check_roster(rows, today=timezone.localdate(at))
    kept = list(training_class.trainees.filter(pk__in=keep).order_by("row", "pk")) if keep else []
    known = {trainee.id_hash: number for number, trainee in enumerate(kept, start=1)}
    for trainee in trainees:  # ``row`` is still the line it was typed on
        if trainee.id_hash in known:
            reason = _("与保留的第%(line)d行是同一人（公民身份号码相同）") % {
                "line": known[trainee.id_hash]
            }
            problems.append(RowProblem(line=trainee.row, reasons=[reason]))
    if problems:
        raise RosterRefused(sorted(problems, key=lambda problem: problem.line))
    with transaction.atomic():
        locked = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
        before = locked.trainees.count()
        locked.trainees.exclude(pk__in=[trainee.pk for trainee in kept]).delete()
        # Renumbered out of the way first: one UPDATE may meet a row's old number otherwise.
        locked.trainees.update(row=F("row") + RENUMBER_OFFSET)
        for number, trainee in enumerate(kept, start=1):
            trainee.row = number
        Trainee.objects.bulk_update(kept, ["row"])
        for number, trainee in enumerate(trainees, start=len(kept) + 1):
            trainee.training_class = locked
            trainee.row = number
        Trainee.objects.bulk_create(trainees, batch_size=1000)
        locked.roster_changed_at = at
        locked.save(update_fields=["roster_changed_at"])
        audit(
            actor=actor,
            action=AuditEntry.Action.ROSTER_REPLACE,
            about=locked,
            plan=locked.indicator.plan,
            detail={"before": before, "after": len(kept) + len(trainees), "kept": len(kept)},
            at=at,
        )
    training_class.roster_changed_at = at
    return [*kept, *trainees]


EXPLANATION_MIN = 4


def finding_explain(
    *, actor: User, plan: Plan, finding: Finding, text: str, at: datetime | None = None
) -> FindingNote:
    """The responsible clerk's explanation of ``finding``, sent for review (again, after a
    return); an accepted explanation stays as it is."""
    classes = list(TrainingClass.objects.filter(pk__in=finding.classes).select_related("indicator"))
    if not classes or not policy_rosters.may_explain_finding(actor, classes):
        raise PermissionDenied(_("只有负责该培训班花名册的填报人可以说明这一疑点。"))
    text = text.strip()
    if len(text) < EXPLANATION_MIN:
        raise ValidationError(_("请写明情况（至少%(count)d个字）。") % {"count": EXPLANATION_MIN})
    at = at or timezone.now()
    with transaction.atomic():
        note = FindingNote.objects.select_for_update().filter(plan=plan, key=finding.key).first()
        if note is not None and note.status == FindingNote.Status.ACCEPTED:
            raise ValidationError(_("该疑点的说明已被认可，不能再修改。"))
        note = note or FindingNote(plan=plan, key=finding.key, rule=finding.rule)
        note.text, note.status = text[:1000], FindingNote.Status.SUBMITTED
        note.explained_by, note.explained_at = actor, at
        note.reviewed_by, note.reviewed_at, note.review_comment = None, None, ""
        note.save()
        audit(actor=actor, action=AuditEntry.Action.FINDING_EXPLAIN, about=note, plan=plan, at=at)
    return note


def finding_review(
    *,
    actor: User,
    note: FindingNote,
    finding: Finding,
    accept: bool,
    comment: str = "",
    at: datetime | None = None,
) -> FindingNote:
    """A reviewer accepts ``note`` or returns it with a comment (``finding``: what it explains,
    found again from the rosters)."""
    classes = list(TrainingClass.objects.filter(pk__in=finding.classes))
    if note.key != finding.key or not policy_rosters.may_review_finding(actor, classes):
        raise PermissionDenied(_("您不能审核这条疑点说明。"))
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError(_("退回时必须填写审核意见。"))
    at = at or timezone.now()
    with transaction.atomic():
        locked = FindingNote.objects.select_for_update().get(pk=note.pk)
        if locked.status != FindingNote.Status.SUBMITTED:
            raise ValidationError(_("只有待审核的说明可以审核。"))
        locked.status = FindingNote.Status.ACCEPTED if accept else FindingNote.Status.RETURNED
        locked.reviewed_by, locked.reviewed_at, locked.review_comment = actor, at, comment[:500]
        locked.save()
        action = AuditEntry.Action.FINDING_ACCEPT if accept else AuditEntry.Action.FINDING_RETURN
        audit(actor=actor, action=action, about=locked, plan=locked.plan, at=at)
    return locked


def personal_data_reveal(
    *, actor: User, trainee: Trainee, shown: str, reason: str, at: datetime | None = None
) -> str:
    """The clear text of one of ``trainee``'s personal fields, for an auditor with a reason;
    the reveal is recorded before it is returned."""
    if not policy.may_reveal_personal_data(actor, trainee.training_class):
        raise PermissionDenied(_("只有审计人员可以查看学员的完整个人信息。"))
    if shown not in PersonalDataReveal.Field.values:
        raise ValidationError(_("不能查看这项信息。"))
    reason = " ".join(reason.split())
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationError(
            _("请写明查看理由（至少%(count)d个字），查看会被记录。") % {"count": REVEAL_REASON_MIN}
        )
    PersonalDataReveal.objects.create(
        at=at or timezone.now(),
        actor=actor,
        trainee=trainee,
        shown=shown,
        trainee_text=f"{trainee} · {trainee.training_class}"[:200],
        reason=reason[:200],
    )
    return getattr(trainee, shown)


def rosters_purge(*, actor: User | None = None, at: datetime | None = None) -> list[RosterPurge]:
    """The roster rows of every plan closed and ended more than ``ROSTER_RETENTION_DAYS``
    ago removed (the classes stay: they hold no personal data), each plan's removal recorded.
    Run again, it removes nothing more."""
    at = at or timezone.now()
    cutoff = timezone.localdate(at) - timedelta(days=settings.ROSTER_RETENTION_DAYS)
    purges = []
    for plan in Plan.objects.filter(status=Plan.Status.CLOSED, ends_on__lt=cutoff):
        with transaction.atomic():
            rows = Trainee.objects.filter(training_class__indicator__plan=plan)
            removed = rows.count()
            if not removed:
                continue
            classes = TrainingClass.objects.filter(trainees__in=rows).distinct().count()
            rows.delete()
            purges.append(
                RosterPurge.objects.create(
                    at=at, actor=actor, plan=plan, classes=classes, trainees=removed
                )
            )
    return purges


def personal_data_rotate(*, batch: int = 1000) -> int:
    """Every encrypted value of the rosters written again under the first key of
    ``FIELD_ENCRYPTION_KEY`` (after a new key was put first); the number of rows rewritten.
    The clear text never leaves the database layer and the matching hashes do not change.
    Run again, it rewrites the same rows, harmlessly."""
    fields = [f for f in Trainee._meta.concrete_fields if isinstance(f, EncryptedText)]
    columns = [f.column for f in fields]
    table = Trainee._meta.db_table
    quote = connection.ops.quote_name
    rewritten = 0
    last = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(map(quote, columns))} FROM {quote(table)} "
                f"WHERE id > %s ORDER BY id LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",
                [
                    [rotate(value) if value else value for value in values] + [pk]
                    for pk, *values in rows
                ],
            )
        rewritten += len(rows)
        last = rows[-1][0]
