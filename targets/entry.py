"""Monthly entry: a clerk's grid of figures for one month, checked whole, saved whole.

``parse_figure`` turns what a clerk typed into a whole number or a Chinese message;
``checks`` flags figures that need a note before they are accepted (above the county's annual
target in one month, far above the cell's own history, or looking like a year-to-date total);
``month_grid`` reads a month for the page and ``month_save`` writes one: every cell through
``targets.services`` (policy, audit trail), all in one transaction, so that an invalid figure,
a conflict or a forged cell leaves nothing written.

Optimistic concurrency: each cell on the page carries a token of the state it was shown in.
If another clerk changed the cell since, the save is refused with a conflict message.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import policy, services
from .models import Indicator, Plan, Region, RegionTarget, Submission
from .periods import deadline, last_day_on_time

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

Status = Submission.Status
logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_DECIMAL = re.compile(r"\d*\.\d+|\d+\.\d*")
_SCIENTIFIC = re.compile(r"\d*\.?\d*e[+-]?\d+")
# A figure above this many times the cell's highest earlier month needs a note.
HISTORY_FACTOR = 3
# ... but only above this size: 3 trainees after a month of 1 is not an outlier.
HISTORY_FLOOR = 30
# Within this share of the earlier months' sum, a monthly figure looks like a running total.
CUMULATIVE_TOLERANCE = 0.05
# The page's note field takes this many characters, and so does the Excel template's.
MAX_NOTE_LENGTH = 1000


def parse_figure(raw: str) -> int | None:
    """A whole non-negative number from what was typed; ``None`` for an empty cell.

    Full-width digits and separators ("１２３", "１，２００") and thousands separators
    ("1,200") are normalised. Anything else raises ``ValidationError`` with a message in
    Chinese that says what to type instead.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if not text:
        return None
    lowered = text.lower()
    if lowered.startswith("-"):
        raise ValidationError(_("不能为负数。"))
    if lowered.startswith("+"):
        lowered = lowered[1:]
    if "," in lowered:
        if not _GROUPED.fullmatch(lowered):
            raise ValidationError(_("千分位分隔符位置不对，请直接填写数字，例如 1200。"))
        lowered = lowered.replace(",", "")
    if _SCIENTIFIC.fullmatch(lowered):
        raise ValidationError(_("请填写普通数字，不要使用科学计数法。"))
    if _DECIMAL.fullmatch(lowered):
        if set(lowered.split(".", 1)[1]) <= {"0"}:
            lowered = lowered.split(".", 1)[0] or "0"
        else:
            raise ValidationError(_("请填写整数，人数、人次不能有小数。"))
    if not _DIGITS.fullmatch(lowered):
        raise ValidationError(_("请填写数字（没有发生请填 0）。"))
    value = int(lowered)
    if value > services.MAX_VALUE:
        raise ValidationError(
            _("数值过大（超过 %(max)s），请检查。") % {"max": f"{services.MAX_VALUE:,}"}
        )
    return value


def checks(
    indicator: Indicator, value: int, month: int, earlier: dict[int, int], target: int | None
) -> list[str]:
    """Reasons a plausible-looking form still needs a note before this figure is accepted.

    ``earlier``: the cell's figures of the earlier months of the year (month → value);
    ``target``: the county's annual target for this series, if it has one.
    """
    reasons = []
    flow = indicator.kind == Indicator.Kind.FLOW
    if flow and target and value > target:
        reasons.append(
            _("一个月的数超过了该县区全年目标（%(target)s）。") % {"target": f"{target:,}"}
        )
    before = [v for m, v in sorted(earlier.items()) if m < month]
    highest = max(before, default=0)
    if len(before) >= 2 and value > HISTORY_FLOOR and value > HISTORY_FACTOR * max(highest, 1):
        reasons.append(
            _("远高于本县区以往各月（最高 %(highest)s）。") % {"highest": f"{highest:,}"}
        )
    total = sum(before)
    if flow and len(before) >= 2 and total > 0:
        typical = total / len(before)
        near_total = abs(value - total) <= CUMULATIVE_TOLERANCE * total
        total_plus_month = total <= value <= total + 2 * typical
        if near_total or total_plus_month:
            reasons.append(
                _("看起来像是年初至今的累计数（此前各月合计 %(total)s）；本表填当月新增数。")
                % {"total": f"{total:,}"}
            )
    return reasons


def first_day(plan: Plan, month: int) -> date:
    return date(plan.year, month, 1)


def open_months(plan: Plan, today: date | None = None) -> list[int]:
    """Months of the plan open for entry: each opens on its first day."""
    today = today or timezone.localdate()
    return [m for m in range(1, 13) if first_day(plan, m) <= today]


@dataclass
class Cell:
    indicator: Indicator
    region: Region
    current: Submission | None = None
    to_date: int | None = None
    earlier: dict[int, int] = field(default_factory=dict)
    target: int | None = None
    raw: str = ""
    note: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.region.pk}"

    @property
    def status(self) -> str:
        return self.current.status if self.current else ""

    @property
    def editable(self) -> bool:
        return self.current is None or self.current.status in (Status.DRAFT, Status.RETURNED)

    @property
    def token(self) -> str:
        return services.state_token(self.current)


@dataclass
class Grid:
    plan: Plan
    month: int
    series: list[Indicator]
    regions: list[Region]
    rows: list[tuple[Indicator, list[Cell]]]
    errors: list[str] = field(default_factory=list)
    # What a save wrote: figures changed (or created), and figures sent for review.
    saved: int = 0
    sent: int = 0

    @property
    def cells(self) -> list[Cell]:
        return [cell for _indicator, cells in self.rows for cell in cells]

    @property
    def deadline(self) -> datetime:
        return deadline(self.plan, self.month)

    @property
    def due_on(self) -> date:
        """The last day on which this month's figures are on time."""
        return last_day_on_time(self.plan, self.month)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(cell.errors for cell in self.cells)

    def counts(self) -> dict[str, int]:
        counts = {"empty": 0, **{status: 0 for status in Status.values}}
        for cell in self.cells:
            counts[cell.status or "empty"] += 1
        return counts


def month_grid(user: User, plan: Plan, month: int, *, lock: bool = False) -> Grid:
    """The cells a clerk may enter for one month, with their current figures and history."""
    series = list(policy.enterable_indicators(user, plan.pk).order_by("order", "pk"))
    regions = list(policy.enterable_regions(user).order_by("order", "code"))
    current = Submission.objects.filter(
        indicator__in=series, region__in=regions, month__lte=month, is_current=True
    ).select_related("entered_by", "submitted_by", "reviewed_by")
    if lock:
        current = current.select_for_update(of=("self",))
    by_cell: dict[tuple[int, int], dict[int, Submission]] = {}
    for submission in current:
        by_cell.setdefault((submission.indicator_id, submission.region_id), {})[
            submission.month
        ] = submission
    targets = {
        (t.indicator_id, t.region_id): t.target
        for t in RegionTarget.objects.filter(indicator__in=series, region__in=regions)
    }
    rows = []
    for indicator in series:
        cells = []
        for region in regions:
            months = by_cell.get((indicator.pk, region.pk), {})
            this = months.get(month)
            earlier = {m: s.value for m, s in months.items() if m < month}
            cell = Cell(
                indicator=indicator,
                region=region,
                current=this,
                earlier=earlier,
                target=targets.get((indicator.pk, region.pk)),
                raw="" if this is None else str(this.value),
                note="" if this is None else this.note,
            )
            cell.to_date = _to_date(indicator, earlier, this.value if this else None)
            cells.append(cell)
        rows.append((indicator, cells))
    return Grid(plan=plan, month=month, series=series, regions=regions, rows=rows)


def _to_date(indicator: Indicator, earlier: dict[int, int], value: int | None) -> int | None:
    """Year to date with this month's figure: a sum for flows, the level for stocks."""
    if indicator.kind == Indicator.Kind.STOCK:
        if value is not None:
            return value
        return earlier[max(earlier)] if earlier else None
    figures = [*earlier.values(), *([value] if value is not None else [])]
    return sum(figures) if figures else None


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
    data: dict[str, str],
    submit: bool,
    at: datetime | None = None,
) -> Grid:
    """Save (with ``submit``: and send for review) one month's posted grid, whole or not at all.

    ``data`` is the posted form: ``v-<indicator>-<region>`` (the figure as typed),
    ``n-<indicator>-<region>`` (the note) and ``t-<indicator>-<region>`` (the token of the cell
    as shown). A posted cell outside the clerk's grid raises ``PermissionDenied``; anything
    else wrong raises ``EntryRefused`` with every message, and nothing is written.
    """
    if not policy.may_enter(actor):
        raise PermissionDenied(_("您无权填报数据。"))
    at = at or timezone.now()
    grid = None
    try:
        with transaction.atomic():
            grid = month_grid(actor, plan, month, lock=True)
            _check_posted_cells(grid, data)
            _apply(grid, data, submit=submit, actor=actor, at=at)
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


def _check_posted_cells(grid: Grid, data: dict[str, str]) -> None:
    allowed = {cell.key for cell in grid.cells}
    for name in data:
        prefix, _sep, key = name.partition("-")
        if prefix in ("v", "n", "t") and key and key not in allowed:
            raise PermissionDenied(_("提交的数据中包含您无权填报的部门或县区。"))


def _apply(grid: Grid, data: dict[str, str], *, submit: bool, actor: User, at: datetime) -> None:
    if not policy.plan_is_open(grid.plan):
        grid.errors.append(_("%(plan)s 不在执行中，不能填报。") % {"plan": grid.plan})
        return
    if grid.month not in open_months(grid.plan, timezone.localdate(at)):
        grid.errors.append(_("%(month)s月尚未开始，不能填报。") % {"month": grid.month})
        return
    # First every cell is checked; only a grid without a single error is written.
    accepted: list[tuple[Cell, int]] = []
    for cell in grid.cells:
        posted = f"v-{cell.key}" in data
        if not posted and not cell.editable:
            continue
        cell.raw = data.get(f"v-{cell.key}", cell.raw)
        cell.note = data.get(f"n-{cell.key}", cell.note).strip()
        # PostgreSQL cannot store a NUL; a note longer than the page allows was not typed there.
        if "\x00" in cell.note:
            cell.note = cell.note.replace("\x00", "")
            cell.errors.append(_("备注中不能含有控制字符（NUL），请删除后重新填写。"))
            continue
        if len(cell.note) > MAX_NOTE_LENGTH:
            cell.errors.append(_("备注不能超过 %(max)s 字。") % {"max": MAX_NOTE_LENGTH})
            continue
        if data.get(f"t-{cell.key}", cell.token) != cell.token:
            cell.errors.append(_conflict(cell.current))
            continue
        try:
            value = parse_figure(cell.raw)
        except ValidationError as error:
            cell.errors.extend(error.messages)
            continue
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
        before = services.state_token(cell.current)
        try:
            submission = services.submission_save(
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
        except services.Conflict as conflict:
            cell.errors.append(_conflict(conflict.current))
        except ValidationError as error:
            cell.errors.extend(error.messages)
        else:
            saved.append((cell, submission))
            if services.state_token(submission) != before:
                grid.saved += 1
    # Sent once every figure is written: a rate's sums are then checked as stored, whole.
    if submit and not grid.has_errors:
        for cell, submission in saved:
            try:
                services.submission_submit(actor=actor, submission=submission, at=at)
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
    for excess in services.rate_excesses(month=grid.month, values=changed):
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
