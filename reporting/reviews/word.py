"""年中督导 / 年底总结 as a Word file (``reporting.paper``): the title, then one numbered part
per kind of work, each a short paragraph and a table, and the departments' self-assessments."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .. import paper
from . import Review, item_lines, status_label


def build(review: Review) -> bytes:
    document = paper.new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    paper.paragraph(
        document, review.title, name=paper.TITLE_FONT, size=paper.TITLE_SIZE, align=center
    )
    paper.paragraph(
        document,
        _("（截至%(year)s年%(month)s月%(day)s日）")
        % {"year": review.as_of.year, "month": review.as_of.month, "day": review.as_of.day},
        align=center,
    )
    paper.paragraph(
        document,
        _("根据《%(title)s》（%(doc)s），现将全民技能振兴工程各项工作情况报告如下。")
        % {"title": review.plan.title, "doc": review.plan.doc_number},
        indent=True,
    )
    _heading(document, _("一、目标任务完成情况"))
    if review.figures_missing:
        paper.paragraph(document, _("本月数据尚未汇总。"), indent=True)
    else:
        paper.table(
            document,
            [_("指标"), _("完成数（比率）"), _("目标"), _("完成率"), _("状态")],
            [[f.name, f.value, f.target, f.completion, f.status] for f in review.figures],
        )
    _heading(document, _("二、重点工作推进情况"))
    counts = "，".join(
        f"{status_label(status)} {n} 项" for status, n in sorted(review.item_counts.items())
    )
    paper.paragraph(
        document,
        _("重点工作 %(n)s 项：%(counts)s。") % {"n": len(review.items), "counts": counts},
        indent=True,
    )
    rows = [
        [
            "" if line.is_step else line.title,
            f"{line.title}（{line.unit}）" if line.is_step else line.unit,
            line.label,
            _("逾期") if line.overdue else "",
        ]
        for line in item_lines(review)
    ]
    paper.table(document, [_("重点工作"), _("工作措施（责任单位）"), _("状态"), _("逾期")], rows)
    _heading(document, _("三、工作登记"))
    paper.table(document, [_("台账"), _("情况")], [list(row) for row in review.registers])
    if review.missing_plans:
        names = "、".join(d.name for d in review.missing_plans)
        paper.paragraph(document, _("未报送年度具体实施方案：%s。") % names, indent=True)
    _heading(document, _("四、督办与整改"))
    paper.paragraph(
        document,
        _(
            "督办单未销号 %(open)s 份；整改事项 %(items)s 项，"
            "其中未销号 %(pending)s 项、逾期 %(overdue)s 项。"
        )
        % {
            "open": len(review.open_notices),
            "items": len(review.rectifications),
            "pending": sum(1 for item, _o in review.rectifications if item.closed_on is None),
            "overdue": sum(1 for _item, overdue in review.rectifications if overdue),
        },
        indent=True,
    )
    if review.rectifications:
        paper.table(
            document,
            [_("整改事项"), _("责任单位"), _("整改时限"), _("状态")],
            [
                [
                    item.description,
                    item.unit_name,
                    item.due_on.isoformat(),
                    _("已销号") if item.closed_on else (_("逾期") if overdue else _("整改中")),
                ]
                for item, overdue in review.rectifications
            ],
        )
    _heading(document, _("五、各部门自评"))
    for assessment in review.assessments:
        paper.paragraph(document, assessment.department.name, name=paper.HEADING_FONT, indent=True)
        for line in assessment.text.splitlines():
            if line.strip():
                paper.paragraph(document, line.strip(), indent=True)
    if review.missing_assessments:
        names = "、".join(d.name for d in review.missing_assessments)
        paper.paragraph(document, _("未报送自评：%s。") % names, indent=True)
    paper.paragraph(document, "")
    paper.paragraph(
        document,
        _("生成时间：%s") % timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        size=paper.TABLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    return paper.saved(document)


def _heading(document: object, text: str) -> None:
    paper.paragraph(document, text, name=paper.HEADING_FONT, indent=True)
