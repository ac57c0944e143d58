"""Saving a clerk's month: the grid's whole-month save, checked whole, written whole.

Every cell goes through ``submission_save`` (policy, audit trail) and, to send the month,
``submission_submit``, all in one transaction: an invalid figure, a conflict or a forged cell
leaves nothing written. The page's form and the Excel upload both hand their cells here as
``CellInput`` (``targets.forms.MonthEntryForm`` reads them).

Optimistic concurrency: each cell on the page carries a token of the state it was shown in.
If another clerk changed the cell since, the save is refused with a conflict message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import policy
from ..grid import Cell, Grid, checks, month_grid, open_months, state_token
from ..models import Plan, Submission
from .base import Conflict
from .rates import rate_excesses
from .submissions import submission_save, submission_submit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = Submission.Status
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CellInput:
    """One cell of a posted grid as its form read it. A part not posted is ``None``: the cell
    keeps what it holds (its figure, its note) and the state it was read in (its token)."""

    raw: str | None = None  # the figure as typed, shown again when the save is refused
    value: int | None = None  # the figure, when ``raw`` is one (None: an empty cell)
    value_errors: tuple[str, ...] = ()
    note: str | None = None
    note_errors: tuple[str, ...] = ()
    token: str | None = None


class EntryRefused(Exception):
    """The form was not saved; ``grid`` carries the messages beside each cell."""

    def __init__(self, grid: Grid):
        super().__init__("entry refused")
        self.grid = grid


def month_save(
    *,
    actor: User,
    plan: Plan,
    month: int,
    cells: Mapping[str, CellInput],
    submit: bool,
    at: datetime | None = None,
) -> Grid:
    """Save (with ``submit``: and send for review) one month's posted grid, whole or not at all.

    ``cells``: what was posted for each cell, by ``Cell.key``. A posted cell outside the
    clerk's grid raises ``PermissionDenied``; anything else wrong raises ``EntryRefused`` with
    every message, and nothing is written.
    """
    if not policy.may_enter(actor):
        raise PermissionDenied(_("您无权填报数据。"))
    at = at or timezone.now()
    grid = None
    try:
        with transaction.atomic():
            grid = month_grid(actor, plan, month, lock=True)
            if set(cells) - {cell.key for cell in grid.cells}:
                raise PermissionDenied(_("提交的数据中包含您无权填报的部门或县区。"))
            _apply(grid, cells, submit=submit, actor=actor, at=at)
            if grid.has_errors:
                raise EntryRefused(grid)
    except IntegrityError as error:
        # Another clerk created a cell of this grid between our read and our write.
        grid = month_grid(actor, plan, month)
        grid.errors.append(_("其他人刚刚保存了本月的数据，请刷新页面后重新填写。"))
        raise EntryRefused(grid) from error
    except DatabaseError as error:
        # The database failed part-way (connection lost, disk full, …): the transaction is
        # rolled back whole, and the clerk keeps the page as typed, to send again.
        logger.exception("month %s of plan %s not saved: database error", month, plan.pk)
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # the page is drawn on a new connection
        if grid is None:
            raise
        # Nothing of the grid changed: the exception left _apply before any cell was updated.
        grid.errors = [
            _(
                "数据库暂时无法保存，本月数据一个也没有保存。请稍后重新提交；如果一再出现，请联系系统管理员。"
            )
        ]
        raise EntryRefused(grid) from error
    return grid


def _apply(
    grid: Grid, cells: Mapping[str, CellInput], *, submit: bool, actor: User, at: datetime
) -> None:
    if not policy.plan_is_open(grid.plan):
        grid.errors.append(_("%(plan)s 不在执行中，不能填报。") % {"plan": grid.plan})
        return
    if grid.month not in open_months(grid.plan, timezone.localdate(at)):
        grid.errors.append(_("%(month)s月尚未开始，不能填报。") % {"month": grid.month})
        return
    # First every cell is checked; only a grid without a single error is written.
    accepted: list[tuple[Cell, int]] = []
    for cell in grid.cells:
        typed = cells.get(cell.key, CellInput())
        if typed.raw is None and not cell.editable:
            continue
        cell.raw = cell.raw if typed.raw is None else typed.raw
        cell.note = (cell.note if typed.note is None else typed.note).strip()
        if typed.note_errors:
            cell.errors.extend(typed.note_errors)
            continue
        if (cell.token if typed.token is None else typed.token) != cell.token:
            cell.errors.append(_conflict(cell.current))
            continue
        if typed.value_errors:
            cell.errors.extend(typed.value_errors)
            continue
        value = typed.value
        if typed.raw is None:
            value = cell.current.value if cell.current else None
        if not cell.editable:
            if value != cell.current.value:
                cell.errors.append(_locked_message(cell.current))
            continue
        if value is None:
            if cell.current is not None:
                cell.errors.append(_("已填的数不能清空；没有发生请填 0。"))
            elif submit:
                cell.errors.append(_("请填写本月数据（没有发生请填 0）。"))
            continue
        reasons = checks(cell.indicator, value, grid.month, cell.earlier, cell.target)
        if reasons:
            cell.warnings = reasons
            if not cell.note:
                cell.errors.append(_("请在备注中说明原因后再保存。"))
                continue
        accepted.append((cell, value))
    # Only figures that change can break a rate; they are checked together, before any write.
    changed = {
        (cell.indicator.pk, cell.region.pk): value
        for cell, value in accepted
        if cell.current is None or cell.current.value != value
    }
    if changed and not grid.has_errors:
        _rate_errors(grid, changed)
    if grid.has_errors:
        return
    saved: list[tuple[Cell, Submission]] = []
    for cell, value in accepted:
        before = state_token(cell.current)
        try:
            submission = submission_save(
                actor=actor,
                indicator=cell.indicator,
                region=cell.region,
                month=grid.month,
                value=value,
                note=cell.note,
                at=at,
                # Checked again under the row lock: another clerk may have saved the cell since
                # the grid was read (if they created it, our insert meets the unique index).
                expected=cell.token,
                batch=changed,
            )
        except Conflict as conflict:
            cell.errors.append(_conflict(conflict.current))
        except ValidationError as error:
            cell.errors.extend(error.messages)
        else:
            saved.append((cell, submission))
            if state_token(submission) != before:
                grid.saved += 1
    # Sent once every figure is written: a rate's sums are then checked as stored, whole.
    if submit and not grid.has_errors:
        for cell, submission in saved:
            try:
                submission_submit(actor=actor, submission=submission, at=at)
            except ValidationError as error:
                cell.errors.extend(error.messages)
            else:
                grid.sent += 1
    if not grid.has_errors:
        for cell, submission in saved:
            submission.refresh_from_db()
            cell.current = submission


def _rate_errors(grid: Grid, changed: dict[tuple[int, int], int]) -> None:
    """Each rate the grid's changed figures would break, beside the changed cells behind it."""
    by_key = {(cell.indicator.pk, cell.region.pk): cell for cell in grid.cells}
    for excess in rate_excesses(month=grid.month, values=changed):
        for series in (excess.numerator, excess.denominator):
            key = (series.pk, excess.region.pk)
            if key in changed:
                by_key[key].errors.append(excess.message)


def _who_when(user: object, at: datetime | None) -> dict[str, str]:
    name = getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "")
    return {"who": name, "when": date_format(timezone.localtime(at), "Y-m-d H:i") if at else ""}


def _conflict(current: Submission | None) -> str:
    if current is None:
        return _("该数据已被删除或尚未保存，请刷新页面后重新填写。")
    return _(
        "该数据已被 %(who)s 于 %(when)s 修改，您的修改未保存。请刷新页面后重新填写。"
    ) % _who_when(current.entered_by, current.entered_at)


def _locked_message(current: Submission) -> str:
    if current.status == Status.APPROVED:
        return _("该数据已审核锁定，如需修改请提交更正并说明理由。")
    return _("该数据已报送，正在等待审核，暂不能修改。")
