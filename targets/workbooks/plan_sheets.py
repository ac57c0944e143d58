"""The plan definition workbook's layout: its sheets, their columns and the errors it reports.

Shared by the export and the import (``targets.workbooks.plan``) and the checks
(``targets.workbooks.plan_read``); the module docstring of ``plan`` describes the sheets.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Indicator, Milestone, Plan, WorkStep
from . import upload as excel

SHEET_PLAN = "方案"
SHEET_INDICATORS = "指标"
SHEET_SPLITS = "县区分解"
SHEET_MILESTONES = "重点工作"
SHEET_UNITS = "配合单位"
SHEET_STEPS = "工作措施"
SHEET_CODES = "代码表"
SHEETS = (SHEET_PLAN, SHEET_INDICATORS, SHEET_SPLITS, SHEET_MILESTONES)
# Read when present: a workbook exported before they existed still imports (and leaves a
# draft's co-operating units and steps as they are).
OPTIONAL_SHEETS = (SHEET_UNITS, SHEET_STEPS)

MAX_UPLOAD_BYTES = excel.MAX_UPLOAD_BYTES
MAX_ROWS = 1000
# Checked on the zip before parsing; the rows beyond MAX_ROWS are then named one by one.
LIMITS = excel.SheetLimits(
    rows=10 * MAX_ROWS, columns=100, cells=100_000, part_bytes=10 * 1024 * 1024, what="plan"
)
MAX_ERRORS = 200
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    kind: str = "text"  # text, code, region, int, rate, date, bool, role, kind, category
    required: bool = False
    max_length: int | None = None


def _max(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


PLAN_ROWS = (
    Column("year", "年度", 0, "int", True),
    Column("title", "标题", 0, "text", True, _max(Plan, "title")),
    Column("doc_number", "文号", 0, "text", True, _max(Plan, "doc_number")),
    Column("parent_doc_number", "上级文件文号", 0, "text", False, _max(Plan, "parent_doc_number")),
    Column("parent_doc_title", "上级文件标题", 0, "text", False, _max(Plan, "parent_doc_title")),
    Column("issuer", "发文机关", 0, "text", False, _max(Plan, "issuer")),
    Column("written_on", "成文日期", 0, "date", True),
    Column("published_on", "发布日期", 0, "date", True),
    Column("starts_on", "起始日期", 0, "date", True),
    Column("ends_on", "截止日期", 0, "date", True),
    Column("deadline_day", "报送截止日（次月几日）", 0, "int", True),
)
PLAN_HEADERS = ("字段代码", "项目", "内容")

INDICATOR_COLUMNS = (
    Column("code", "代码", 24, "code", True, _max(Indicator, "code")),
    Column("name", "名称", 36, "text", True, _max(Indicator, "name")),
    Column("role", "类别", 10, "role", True),
    Column("kind", "统计口径", 10, "kind", True),
    Column("department", "责任部门代码", 12, "department", True),
    Column("unit", "单位", 8, "text", True, _max(Indicator, "unit")),
    Column("target", "年度目标", 12, "int"),
    Column("target_rate", "目标比率", 10, "rate"),
    Column("numerator", "分子代码", 20, "code", False, _max(Indicator, "code")),
    Column("denominator", "分母代码", 20, "code", False, _max(Indicator, "code")),
    Column("feeds", "计入目标代码", 20, "code", False, _max(Indicator, "code")),
    Column("accepts_figures", "接受月度填报", 12, "bool"),
    Column("series_name", "填报项名称", 30, "text", False, _max(Indicator, "series_name")),
    Column("source_clause", "方案依据", 14, "text", False, _max(Indicator, "source_clause")),
    Column("order", "排序", 6, "int"),
)
SPLIT_COLUMNS = (
    Column("indicator", "指标代码", 24, "code", True, _max(Indicator, "code")),
    Column("region", "县区代码", 12, "region", True),
    Column("target", "分解目标", 12, "int", True),
    Column("indicator_name", "指标名称（仅供参考）", 36, "ignored"),
    Column("region_name", "县区名称（仅供参考）", 14, "ignored"),
)
MILESTONE_COLUMNS = (
    Column("code", "代码", 28, "code", True, _max(Milestone, "code")),
    Column("title", "名称", 40, "text", True, _max(Milestone, "title")),
    Column("category", "类别", 18, "category", True),
    Column("department", "责任部门代码", 12, "department", True),
    Column("region", "县区代码", 10, "region"),
    Column("description", "内容", 50, "text"),
    Column("source_clause", "方案依据", 14, "text", False, _max(Milestone, "source_clause")),
    Column("due_on", "完成时限", 12, "date", True),
    Column("order", "排序", 6, "int"),
    Column("requirement", "工作要求", 50, "text"),
)
UNIT_COLUMNS = (
    Column("milestone", "重点工作代码", 28, "code", True, _max(Milestone, "code")),
    Column("department", "配合部门代码", 12, "department", True),
    Column("region", "县区代码", 10, "region"),
    Column("requirement", "工作要求", 50, "text"),
    Column("milestone_title", "重点工作名称（仅供参考）", 40, "ignored"),
)
STEP_COLUMNS = (
    Column("milestone", "重点工作代码", 28, "code", True, _max(Milestone, "code")),
    Column("department", "责任部门代码", 12, "department", True),
    Column("region", "县区代码", 10, "region"),
    Column("title", "工作措施", 40, "text", True, _max(WorkStep, "title")),
    Column("due_on", "完成时限", 12, "date", True),
    Column("order", "排序", 6, "int"),
)
SHEET_COLUMNS = {
    SHEET_INDICATORS: INDICATOR_COLUMNS,
    SHEET_SPLITS: SPLIT_COLUMNS,
    SHEET_MILESTONES: MILESTONE_COLUMNS,
    SHEET_UNITS: UNIT_COLUMNS,
    SHEET_STEPS: STEP_COLUMNS,
}


# --- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One problem, where it is: sheet, row and column letter (empty when not one cell)."""

    sheet: str
    row: int | None
    column: str
    message: str

    @property
    def location(self) -> str:
        if self.row is None:
            return self.sheet
        return f"{self.sheet}!{self.column}{self.row}"

    def __str__(self) -> str:
        return f"{self.location}：{self.message}" if self.location else self.message


class DefinitionRefused(Exception):
    """The workbook was not imported; nothing was saved. ``errors`` say where and why."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(str(error) for error in errors[:5]))
        self.errors = errors
