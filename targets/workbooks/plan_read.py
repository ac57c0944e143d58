"""Checking an uploaded plan definition workbook whole, before anything is saved.

``read_definition`` reports every problem with its cell (sheet, row, column) in Chinese; what
passes is turned into the same dictionary as ``fixtures/plan-2015.json``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ..models import Department, Indicator, Plan, local_places
from . import upload as excel
from .plan_cells import Reader, Row, cell_text, check_headers, sheet_cells, table
from .plan_sheets import (
    INDICATOR_COLUMNS,
    LIMITS,
    MAX_ERRORS,
    MILESTONE_COLUMNS,
    OPTIONAL_SHEETS,
    PLAN_HEADERS,
    PLAN_ROWS,
    SHEET_INDICATORS,
    SHEET_MILESTONES,
    SHEET_PLAN,
    SHEET_SPLITS,
    SHEET_STEPS,
    SHEET_UNITS,
    SHEETS,
    SPLIT_COLUMNS,
    STEP_COLUMNS,
    UNIT_COLUMNS,
    CellError,
    Column,
    DefinitionRefused,
)


def _file_error(message: str) -> DefinitionRefused:
    return DefinitionRefused([CellError("", None, "", message)])


def _plan_header(reader: Reader, workbook: Any) -> dict[str, Any]:
    cells = sheet_cells(reader, workbook, SHEET_PLAN, len(PLAN_HEADERS))
    if not check_headers(reader, SHEET_PLAN, cells, list(PLAN_HEADERS)):
        return {}
    by_key = {c.key: c for c in PLAN_ROWS}
    values: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for number in sorted(n for n in cells if n > 1):
        key = cell_text(cells[number].get(1, ""))
        if not key and not any(cell_text(v) for v in cells[number].values()):
            continue
        if key not in by_key:
            reader.error(SHEET_PLAN, number, 1, _("未知的字段代码“%s”；请不要改动A列。") % key)
            continue
        if key in seen:
            reader.error(SHEET_PLAN, number, 1, _("字段“%s”重复。") % key)
            continue
        seen[key] = number
        values[key] = reader.convert(SHEET_PLAN, number, 3, by_key[key], cells[number].get(3))
    for key, column in by_key.items():
        if key not in seen:
            reader.error(
                SHEET_PLAN,
                None,
                None,
                _("缺少字段“%(key)s”（%(header)s）。") % {"key": key, "header": column.header},
            )
    year_row = seen.get("year")
    if values.get("deadline_day") is not None and not 1 <= values["deadline_day"] <= 28:
        reader.error(SHEET_PLAN, seen["deadline_day"], 3, _("报送截止日必须在 1 到 28 日之间。"))
    if values.get("year") is not None and not 2000 <= values["year"] <= 2100:
        reader.error(SHEET_PLAN, year_row, 3, _("年度必须在 2000 到 2100 之间。"))
    if (
        values.get("starts_on")
        and values.get("ends_on")
        and values["ends_on"] < values["starts_on"]
    ):
        reader.error(SHEET_PLAN, seen["ends_on"], 3, _("截止日期不能早于起始日期。"))
    values["_rows"] = seen
    return values


def _duplicates(reader: Reader, title: str, rows: list[Row], columns: tuple[Column, ...]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code")
        if code is None:
            continue
        if code in seen:
            reader.error(
                title,
                row.number,
                row.column(columns, "code"),
                _("代码“%(code)s”重复（第 %(first)s 行已有）。")
                % {"code": code, "first": seen[code]},
            )
        else:
            seen[code] = row.number


def _check_indicators(
    reader: Reader, rows: list[Row], departments: set[str]
) -> dict[str, dict[str, Any]]:
    title, columns = SHEET_INDICATORS, INDICATOR_COLUMNS
    _duplicates(reader, title, rows, columns)
    by_code = {row.values["code"]: row.values for row in rows if row.values.get("code")}

    for row in rows:
        v = row.values

        def err(key: str, message: str, row: Row = row) -> None:
            reader.error(title, row.number, row.column(columns, key), message)

        if v["department"] is not None and v["department"] not in departments:
            err("department", _("未知的部门代码“%s”（见“代码表”）。") % v["department"])
        role, kind = v["role"], v["kind"]
        if role is None or kind is None:
            continue
        if kind == Indicator.Kind.RATE:
            if role == Indicator.Role.COUNT:
                err("kind", _("计数指标不能是比率；比率指标应为全市目标或部门任务。"))
            for key, what in (("numerator", _("分子")), ("denominator", _("分母"))):
                if v[key] is None and _blank(reader, row, key):
                    err(key, _("比率指标必须填写%s代码。") % what)
            if (
                v["target_rate"] is None
                and _blank(reader, row, "target_rate")
                and role != Indicator.Role.COUNT
            ):
                err("target_rate", _("比率指标必须填写目标比率。"))
            if v["target"] is not None:
                err("target", _("比率指标不填年度目标，只填目标比率。"))
            if v["accepts_figures"]:
                err("accepts_figures", _("比率指标由分子、分母计算，不接受月度填报，应填“否”。"))
        else:
            for key in ("numerator", "denominator"):
                if v[key] is not None:
                    err(key, _("只有比率指标才有分子和分母。"))
            if v["target_rate"] is not None:
                err("target_rate", _("只有比率指标才有目标比率。"))
            if role == Indicator.Role.COUNT:
                if v["target"] is not None:
                    err("target", _("计数指标没有年度目标。"))
            elif v["target"] is None and _blank(reader, row, "target"):
                err("target", _("全市目标和部门任务必须填写年度目标（整数）。"))
        for key in ("numerator", "denominator"):
            ref = v[key]
            if ref is None or kind != Indicator.Kind.RATE:
                continue
            other = by_code.get(ref)
            if other is None:
                err(key, _("指标代码“%s”不存在（须在本表中）。") % ref)
            elif other.get("role") != Indicator.Role.COUNT or other.get("kind") == "rate":
                err(key, _("“%s”不是计数指标；分子和分母必须是计数指标。") % ref)
        if v["feeds"] is not None:
            goal = by_code.get(v["feeds"])
            if goal is None:
                err("feeds", _("指标代码“%s”不存在（须在本表中）。") % v["feeds"])
            elif goal.get("role") != Indicator.Role.GOAL or goal.get("kind") != "flow":
                err("feeds", _("“%s”不是累计量类的全市目标。") % v["feeds"])
            elif role != Indicator.Role.QUOTA or kind != Indicator.Kind.FLOW:
                err("feeds", _("只有累计量类的部门任务可以计入全市目标。"))
    return by_code


def _blank(reader: Reader, row: Row, key: str) -> bool:
    """True unless the cell already has an error of its own (then say nothing more)."""
    letter = get_column_letter(row.column(INDICATOR_COLUMNS, key))
    return not any(
        e.sheet == SHEET_INDICATORS and e.row == row.number and e.column == letter
        for e in reader.errors
    )


def _check_splits(
    reader: Reader, rows: list[Row], indicators: dict[str, dict[str, Any]], regions: set[str]
) -> None:
    title, columns = SHEET_SPLITS, SPLIT_COLUMNS
    seen: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        v = row.values

        def err(key: str, message: str, row: Row = row) -> None:
            reader.error(title, row.number, row.column(columns, key), message)

        code, region, target = v["indicator"], v["region"], v["target"]
        indicator = indicators.get(code) if code else None
        if code is not None and indicator is None:
            err("indicator", _("指标代码“%s”不存在（须在“指标”表中）。") % code)
        elif indicator is not None and (
            indicator.get("kind") == "rate" or indicator.get("role") == "count"
        ):
            err("indicator", _("“%s”没有人数目标，不能分解到县区。") % code)
            indicator = None
        if region is not None and region not in regions:
            err("region", _("未知的县区代码“%s”（见“代码表”）。") % region)
        if code is not None and region is not None:
            if (code, region) in seen:
                err(
                    "region",
                    _("“%(code)s”在县区 %(region)s 的分解重复（第 %(first)s 行已有）。")
                    % {"code": code, "region": region, "first": seen[(code, region)]},
                )
                continue
            seen[(code, region)] = row.number
        if indicator is None or target is None or indicator.get("target") is None:
            continue
        totals[code] += target
        if totals[code] > indicator["target"]:
            err(
                "target",
                _("“%(code)s”的县区分解合计 %(total)s 超过全市目标 %(city)s。")
                % {"code": code, "total": totals[code], "city": indicator["target"]},
            )


def _check_milestones(
    reader: Reader, rows: list[Row], departments: set[str], regions: set[str]
) -> None:
    title, columns = SHEET_MILESTONES, MILESTONE_COLUMNS
    _duplicates(reader, title, rows, columns)
    for row in rows:
        v = row.values
        for key, known, message in (
            ("department", departments, _("未知的部门代码“%s”（见“代码表”）。")),
            ("region", regions, _("未知的县区代码“%s”（见“代码表”）。")),
        ):
            if v[key] is not None and v[key] not in known:
                reader.error(title, row.number, row.column(columns, key), message % v[key])


def _check_work(
    reader: Reader,
    title: str,
    columns: tuple[Column, ...],
    rows: list[Row],
    milestones: set[str],
    departments: set[str],
    regions: set[str],
) -> None:
    """A 配合单位 or 工作措施 row names a milestone of the 重点工作 sheet and known codes."""
    for row in rows:
        v = row.values
        for key, known, message in (
            ("milestone", milestones, _("“重点工作”表中没有代码为“%s”的重点工作。")),
            ("department", departments, _("未知的部门代码“%s”（见“代码表”）。")),
            ("region", regions, _("未知的县区代码“%s”（见“代码表”）。")),
        ):
            if v[key] is not None and v[key] not in known:
                reader.error(title, row.number, row.column(columns, key), message % v[key])


def _open(file: IO[bytes]) -> Any:
    try:
        return excel.open_upload(
            file,
            too_large=_("文件太大（超过 %(size)s MB），方案定义工作簿不会这么大。")
            % {"size": excel.MAX_UPLOAD_BYTES // (1024 * 1024)},
            too_big=_("文件解压后过大，可能已损坏或不是方案定义工作簿，不能导入。"),
            limits=LIMITS,
        )
    except excel.UploadRefused as refused:
        raise _file_error(refused.messages[0]) from refused


def read_definition(file: IO[bytes]) -> dict[str, Any]:
    """The fixture-shaped definition in an uploaded workbook, checked whole.

    Raises ``DefinitionRefused`` with every problem found (up to ``MAX_ERRORS``), each at its
    cell. Reads departments and counties from the database; writes nothing.
    """
    workbook = _open(file)
    try:
        missing = [title for title in SHEETS if title not in workbook.sheetnames]
        if missing:
            raise _file_error(
                _("工作簿缺少工作表：%(missing)s。方案定义工作簿应有 %(all)s 四个工作表。")
                % {"missing": "、".join(missing), "all": "、".join(SHEETS)}
            )
        reader = Reader()
        try:
            header = _plan_header(reader, workbook)
            indicator_rows = table(reader, workbook, SHEET_INDICATORS, INDICATOR_COLUMNS)
            split_rows = table(reader, workbook, SHEET_SPLITS, SPLIT_COLUMNS)
            milestone_rows = table(reader, workbook, SHEET_MILESTONES, MILESTONE_COLUMNS)
            work_rows = {
                title: table(reader, workbook, title, columns)
                for title, columns in ((SHEET_UNITS, UNIT_COLUMNS), (SHEET_STEPS, STEP_COLUMNS))
                if title in workbook.sheetnames
            }
        except excel.UploadRefused as refused:
            raise _file_error(refused.messages[0]) from refused
    finally:
        workbook.close()

    departments = set(Department.objects.values_list("code", flat=True))
    regions = set(local_places().values_list("code", flat=True))
    # A sheet whose columns cannot be trusted is not read further; nor is what names its rows.
    indicators = _check_indicators(reader, indicator_rows or [], departments)
    if indicator_rows is None:
        split_rows = None
    _check_splits(reader, split_rows or [], indicators, regions)
    _check_milestones(reader, milestone_rows or [], departments, regions)
    milestones = {row.values["code"] for row in milestone_rows or [] if row.values["code"]}
    for title, columns in ((SHEET_UNITS, UNIT_COLUMNS), (SHEET_STEPS, STEP_COLUMNS)):
        rows = work_rows.get(title) or []
        _check_work(reader, title, columns, rows, milestones, departments, regions)
    if indicator_rows == []:
        reader.error(SHEET_INDICATORS, None, None, _("没有任何指标。"))
    if reader.errors:
        order = {title: index for index, title in enumerate((*SHEETS, *OPTIONAL_SHEETS))}
        errors = sorted(
            reader.errors,
            key=lambda e: (order.get(e.sheet, -1), e.row or 0, len(e.column), e.column),
        )
        raise DefinitionRefused(errors[:MAX_ERRORS])

    rows_of = header.pop("_rows")
    plan = {key: value for key, value in header.items() if value is not None}
    for key in ("written_on", "published_on", "starts_on", "ends_on"):
        plan[key] = plan[key].isoformat()
    plan["status"] = Plan.Status.DRAFT
    plan["_rows"] = rows_of
    work: dict[str, list[dict[str, Any]]] = {}
    if work_rows.get(SHEET_UNITS) is not None:
        work["work_units"] = [
            {
                "milestone": row.values["milestone"],
                "department": row.values["department"],
                "region": row.values["region"],
                "requirement": row.values["requirement"] or "",
            }
            for row in work_rows[SHEET_UNITS]
        ]
    if work_rows.get(SHEET_STEPS) is not None:
        work["work_steps"] = [
            {
                **{k: v for k, v in row.values.items() if v is not None},
                "due_on": row.values["due_on"].isoformat(),
                "order": row.values["order"] or 0,
            }
            for row in work_rows[SHEET_STEPS]
        ]
    return {
        **work,
        "plan": plan,
        "departments": [],
        "regions": [],
        "indicators": [
            {
                **{k: v for k, v in row.values.items() if v is not None},
                "target_rate": str(row.values["target_rate"])
                if row.values["target_rate"] is not None
                else None,
                "accepts_figures": row.values["kind"] != Indicator.Kind.RATE
                if row.values["accepts_figures"] is None
                else row.values["accepts_figures"],
                "order": row.values["order"] or 0,
            }
            for row in indicator_rows
        ],
        "region_targets": [
            {
                "indicator": r.values["indicator"],
                "region": r.values["region"],
                "target": r.values["target"],
            }
            for r in split_rows
        ],
        "milestones": [
            {
                **{k: v for k, v in row.values.items() if v is not None},
                "due_on": row.values["due_on"].isoformat(),
                "order": row.values["order"] or 0,
            }
            for row in milestone_rows
        ],
    }
