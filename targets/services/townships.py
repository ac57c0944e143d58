"""A county split further: its parts' (乡镇、街道 or 责任单位) shares of its split of a quota,
and a county's figure broken down by part (``targets.models.townships``).

A breakdown belongs to one revision of a figure and is changed only while that revision is the
clerk's to change (a draft, or returned): it is sent, reviewed and approved with the figure. It
adds up to exactly the figure when it is saved; a figure changed afterwards is not sent until
its breakdown is changed too (``check_breakdown``). A correction is a new revision, and starts
without one.

No ``SubmissionEvent`` is written for a breakdown: the trail's actions are a database choice,
and a new one needs a migration. The breakdown saved is kept with its revision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    Region,
    Submission,
    TownshipFigure,
    parts_of,
)
from .base import check_plan_active, check_value

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = Submission.Status


def _editable(submission: Submission) -> None:
    """Refuse a revision the clerk may no longer change, as ``submission_save`` does."""
    if not submission.is_current:
        raise ValidationError(_("这是该数据的旧版本，不能修改分解。"))
    if submission.status == Status.APPROVED:
        raise ValidationError(_("该数据已审核锁定，如需修改请提交更正并说明理由。"))
    if submission.status in (Status.SUBMITTED, Status.VERIFIED):
        raise ValidationError(_("该数据已报送，正在等待审核，暂不能修改。"))


def _checked(submission: Submission, values: Mapping[str, int | None]) -> dict[Region, int]:
    """Each part of the county with its figure, every one given, adding up to the figure; none
    when every value is blank (the breakdown removed)."""
    parts = {part.code: part for part in parts_of(submission.region)}
    foreign = [code for code in values if code not in parts]
    if foreign:
        raise ValidationError(
            [
                _("“%(code)s”不是%(county)s的乡镇（责任单位）。")
                % {"code": code, "county": submission.region.name}
                for code in foreign
            ]
        )
    if all(value is None for value in values.values()):
        return {}
    problems = []
    given: dict[Region, int] = {}
    for code, value in values.items():
        if value is None:
            continue
        try:
            given[parts[code]] = check_value(value)
        except ValidationError as error:
            problems += [
                _("%(part)s：%(problem)s") % {"part": parts[code].name, "problem": text}
                for text in error.messages
            ]
    missing = [part.name for code, part in parts.items() if values.get(code) is None]
    if missing:
        problems.append(
            _("请填写每个乡镇（责任单位）的数（没有发生请填 0）：%(names)s。")
            % {"names": "、".join(missing)}
        )
    if problems:
        raise ValidationError(problems)
    total = sum(given.values())
    if total != submission.value:
        raise ValidationError(
            _("各乡镇（责任单位）合计 %(total)s，与上报数 %(value)s 不一致。")
            % {"total": total, "value": submission.value}
        )
    return given


@transaction.atomic
def breakdown_save(
    *, actor: User, submission: Submission, values: Mapping[str, int | None]
) -> list[TownshipFigure]:
    """Break a county's figure down by its parts: ``values`` maps each part's code to its
    figure, every part given, adding up to exactly the figure. Empty (or every value ``None``,
    a blank field): the breakdown is removed.

    Only the current revision, while a draft or returned, and only by a clerk who may enter
    the figure. The breakdown is replaced whole; a refused one changes nothing.
    """
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("indicator__plan", "region")
        .get(pk=submission.pk)
    )
    if not policy.may_enter_cell(actor, submission.indicator, submission.region):
        raise PermissionDenied(_("您无权填报该部门或县区的数据。"))
    check_plan_active(submission.indicator.plan)
    _editable(submission)
    given = _checked(submission, values)
    TownshipFigure.objects.filter(submission=submission).delete()
    return TownshipFigure.objects.bulk_create(
        TownshipFigure(submission=submission, township=part, value=value)
        for part, value in given.items()
    )


def breakdown_adds_up(submission: Submission) -> bool:
    """A figure without a breakdown, or whose breakdown adds up to it."""
    saved = TownshipFigure.objects.filter(submission_id=submission.pk).aggregate(
        parts=Count("id"), total=Sum("value")
    )
    return not saved["parts"] or saved["total"] == submission.value


def check_breakdown(submission: Submission) -> None:
    """Refuse to send a figure changed after it was broken down (``submission_submit``): its
    breakdown is kept, to be changed."""
    if not breakdown_adds_up(submission):
        raise ValidationError(_("乡镇（责任单位）分解合计与上报数不一致，请先修改分解。"))
