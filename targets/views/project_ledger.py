"""A project's ledger as people read it: one part per kind of row, each row with its columns,
its status, who entered it (its source) and who approved it; and the same parts as a workbook
(one sheet per part). The page and the workbook read the same ``LedgerPart`` s, so what a user
sees is what they download."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from .. import policy
from ..models import Project, ProjectEntry
from ..workbooks.text import set_text

Kind = ProjectEntry.Kind
Status = ProjectEntry.Status

# Each part's own columns: (field, heading). ``unit`` is the training indicator's unit.
PART_COLUMNS: dict[str, list[tuple[str, Any]]] = {
    Kind.MILESTONE: [
        ("name", gettext_lazy("建设节点")),
        ("planned_on", gettext_lazy("计划时间")),
        ("done_on", gettext_lazy("完成时间")),
        ("progress", gettext_lazy("进展状态")),
    ],
    Kind.FUNDING: [
        ("source", gettext_lazy("资金来源")),
        ("planned_amount", gettext_lazy("计划金额（元）")),
        ("arrived_amount", gettext_lazy("到位金额（元）")),
        ("on", gettext_lazy("日期")),
    ],
    Kind.TRAINING: [
        ("indicator", gettext_lazy("计入指标")),
        ("assigned", gettext_lazy("分解任务数")),
        ("achieved", gettext_lazy("完成数")),
        ("unit", gettext_lazy("单位")),
    ],
    Kind.PRODUCT: [
        ("product_kind", gettext_lazy("类型")),
        ("name", gettext_lazy("名称")),
        ("on", gettext_lazy("日期")),
    ],
    Kind.COMPETITION: [
        ("name", gettext_lazy("竞赛名称")),
        ("level", gettext_lazy("级别")),
        ("on", gettext_lazy("日期")),
        ("participants", gettext_lazy("参赛人数")),
    ],
}
CHOICE_FIELDS = frozenset({"progress", "product_kind", "level"})
# Columns every row has after its own: its review and its source.
TRAIL_COLUMNS = [
    gettext_lazy("状态"),
    gettext_lazy("填报人"),
    gettext_lazy("填报时间"),
    gettext_lazy("审核人"),
    gettext_lazy("审核时间"),
    gettext_lazy("审核意见"),
]


def person(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def cell_value(entry: ProjectEntry, name: str) -> str | int | date | None:
    """A row's value in column ``name``: a choice's label, the indicator's name, a number or a
    date as they are, text as typed."""
    if name == "unit":
        return entry.unit
    if name == "indicator":
        return entry.indicator.name if entry.indicator_id else ""
    if name in CHOICE_FIELDS:
        return getattr(entry, f"get_{name}_display")()
    return getattr(entry, name)


def shown(value: object) -> tuple[object, bool]:
    """A cell for the page and whether it is a number: whole numbers grouped (3,000,000)."""
    if isinstance(value, int):
        return f"{value:,}", True
    return value, False


@dataclass
class LedgerPart:
    """One part of the ledger: its rows (those the user may read) and approved totals."""

    kind: str
    label: str
    headings: list[Any]
    rows: list[ProjectEntry]
    # Approved rows only; training by unit (人, 人次): different units are never added.
    totals: list[tuple[str, list[int | str]]] = field(default_factory=list)

    def cells(self, entry: ProjectEntry) -> list[str | int | date | None]:
        return [cell_value(entry, name) for name, _label in PART_COLUMNS[self.kind]]

    @property
    def table(self) -> list[tuple[ProjectEntry, list[tuple[Any, bool]]]]:
        """Rows for the page: each cell with whether it is a number (right-aligned)."""
        return [(entry, [shown(value) for value in self.cells(entry)]) for entry in self.rows]

    @property
    def total_rows(self) -> list[tuple[str, list[tuple[Any, bool]]]]:
        return [(label, [shown(value) for value in values[1:]]) for label, values in self.totals]


def _totals(kind: str, rows: list[ProjectEntry]) -> list[tuple[str, list[int | str]]]:
    approved = [row for row in rows if row.status == Status.APPROVED]
    if kind == Kind.FUNDING and approved:
        planned = sum(row.planned_amount or 0 for row in approved)
        arrived = sum(row.arrived_amount or 0 for row in approved)
        return [(_("合计（已审核）"), ["", planned, arrived, ""])]
    if kind == Kind.TRAINING:
        by_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in approved:
            by_unit[row.unit][0] += row.assigned or 0
            by_unit[row.unit][1] += row.achieved or 0
        return [
            (_("合计（已审核，%(unit)s）") % {"unit": unit}, ["", *sums, unit])
            for unit, sums in sorted(by_unit.items())
        ]
    if kind == Kind.COMPETITION and approved:
        participants = sum(row.participants or 0 for row in approved)
        return [(_("合计（已审核）"), ["", "", "", participants])]
    return []


def readable_rows(user: AbstractBaseUser, project: Project) -> QuerySet[ProjectEntry]:
    return policy.readable_project_entries(
        user,
        project.entries.select_related("indicator", "entered_by", "reviewed_by", "submitted_by"),
    ).order_by("kind", "on", "planned_on", "pk")


def ledger_parts(user: AbstractBaseUser, project: Project) -> list[LedgerPart]:
    """The ledger's five parts, in the plan's order, with the rows ``user`` may read."""
    by_kind: dict[str, list[ProjectEntry]] = defaultdict(list)
    for row in readable_rows(user, project):
        by_kind[row.kind].append(row)
    return [
        LedgerPart(
            kind=kind,
            label=str(label),
            headings=[heading for _name, heading in PART_COLUMNS[kind]],
            rows=by_kind[kind],
            totals=_totals(kind, by_kind[kind]),
        )
        for kind, label in Kind.choices
    ]


# --- the workbook ---------------------------------------------------------------------------


def _put(cell: Any, value: object) -> None:
    """User text as text (never a formula); numbers and dates as they are."""
    if isinstance(value, str):
        set_text(cell, value)
    elif isinstance(value, datetime):
        cell.value = timezone.localtime(value).replace(tzinfo=None)
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value
        if isinstance(value, int):
            cell.number_format = "#,##0"


def _row(sheet: Any, values: list[object], bold: bool = False) -> None:
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet["A1"].value is not None else 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        _put(cell, "" if value is None else value)
        if bold:
            cell.font = Font(bold=True)


def ledger_workbook(user: AbstractBaseUser, project: Project) -> bytes:
    """The ledger as ``.xlsx``: a sheet naming the project and its files, then one sheet per
    part, every row with its status, source (填报人, 填报时间) and approver (审核人, 审核时间)."""
    workbook = Workbook()
    about = workbook.active
    about.title = _("项目概况")
    facts = [
        (_("项目名称"), project.name),
        (_("项目代码"), project.code),
        (_("责任单位"), project.unit_name),
        (_("所在县区"), project.county.name),
        (_("年度方案"), project.plan.title),
        (_("重点工作"), project.milestone.title if project.milestone else ""),
        (_("建设内容"), project.description),
        (_("导出人"), person(user)),
        (_("导出时间"), timezone.now()),
    ]
    for label, value in facts:
        _row(about, [label, value])
    for link in project.files.select_related("evidence"):
        _row(about, [link.get_role_display(), link.evidence.download_name])
    for part in ledger_parts(user, project):
        sheet = workbook.create_sheet(part.label)
        _row(sheet, [str(h) for h in [*part.headings, *TRAIL_COLUMNS]], bold=True)
        sheet.freeze_panes = "A2"
        for entry in part.rows:
            trail = [
                entry.get_status_display(),
                person(entry.entered_by),
                entry.entered_at,
                person(entry.reviewed_by),
                entry.reviewed_at,
                entry.review_comment,
            ]
            _row(sheet, [*part.cells(entry), *trail])
        for label, values in part.totals:
            _row(sheet, [label, *values[1:]], bold=True)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
