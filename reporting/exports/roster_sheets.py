"""The rosters' two sheets of the auditors' workbook: 花名册核对 and 疑点清单.

花名册核对: each training quota × county × month up to the as-of month, its approved figure
beside the roster behind it (``targets.roster_selectors.roster_checks``: 人次 rows, or persons),
the difference and the verdict. 疑点清单: the findings of ``targets.roster_findings`` whose
classes count in a month up to the as-of month. People appear by their masked numbers only:
a finding's detail carries nothing else, and no sheet reads a clear number. A county's workbook
has its own county's rows.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from targets.models import TrainingClass
from targets.roster_findings import roster_findings
from targets.roster_selectors import RosterCheck, roster_checks

from .styles import INTEGER, Column, Context, append_rows, sheet, values_of

ROSTER_SHEETS = ("花名册核对", "疑点清单")


def _verdict(check: RosterCheck) -> str:
    if check.figure is None:
        return _("未审核")
    return _("一致") if check.matches else _("不一致")


def write_roster_check_sheet(wb: Workbook, context: Context) -> int:
    checks = roster_checks(context.plan, month=context.month)
    if context.region is not None:
        checks = [check for check in checks if check.region.pk == context.region.pk]
    columns = [
        Column(_("填报项代码"), 22, value=lambda c: c.indicator.code),
        Column(_("填报项"), 36, value=lambda c: c.indicator.entry_name),
        Column(_("县区"), 9, value=lambda c: c.region.name),
        Column(_("月份"), 6, value=attrgetter("month")),
        Column(_("单位"), 6, value=lambda c: c.indicator.unit),
        Column(_("审核通过数据"), 12, INTEGER, value=attrgetter("figure")),
        Column(_("花名册"), 10, INTEGER, value=attrgetter("roster")),
        Column(_("培训班数"), 9, INTEGER, value=attrgetter("classes")),
        Column(_("差额（花名册－数据）"), 14, INTEGER, value=attrgetter("difference")),
        Column(_("核对结果"), 9, value=_verdict),
    ]
    heading = _("%(year)s年培训数据与花名册核对表（截至%(month)s月）")
    ws = sheet(wb, context, "花名册核对", heading, columns, label_columns=2)
    return append_rows(ws, columns, values_of(columns, checks))


def write_findings_sheet(wb: Workbook, context: Context) -> int:
    findings = roster_findings(context.plan)
    ids = {class_id for finding in findings for class_id in finding.classes}
    classes = TrainingClass.objects.select_related("region", "indicator").in_bulk(ids)

    def shown(finding: Any) -> bool:
        own = [classes[pk] for pk in finding.classes]
        if not any(c.month <= context.month for c in own):
            return False
        return context.region is None or any(c.region_id == context.region.pk for c in own)

    def named(finding: Any) -> str:
        return "；".join(
            f"{classes[pk].region.name} {classes[pk]}（{classes[pk].month}月）"
            for pk in finding.classes
        )

    columns = [
        Column(_("疑点类别"), 30, value=attrgetter("label")),
        Column(_("说明"), 50, value=attrgetter("detail")),
        Column(_("涉及培训班"), 60, value=named),
        Column(_("涉及花名册行数"), 12, INTEGER, value=lambda f: len(f.trainees) or None),
        Column(_("规则代码"), 18, value=attrgetter("rule")),
    ]
    heading = _("%(year)s年培训花名册疑点清单（截至%(month)s月；身份号码已脱敏）")
    ws = sheet(wb, context, "疑点清单", heading, columns)
    return append_rows(ws, columns, values_of(columns, [f for f in findings if shown(f)]))
