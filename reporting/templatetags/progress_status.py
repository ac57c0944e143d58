"""A row's status on the pages: judged (正常 / 预警 / 滞后), or not judged yet (待报 / 数据不全)
with how many of its reports are approved and who is missing."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reporting.rows import IndicatorProgress
from targets.completeness import PENDING, Reported

from .progress_format import status_label

register = template.Library()

# Who is missing, named on the row; beyond that a count (the drill-down lists them all).
MISSING_SHOWN = 3


def pending_label(item: IndicatorProgress) -> str:
    """待报 while nothing the row needs is approved, 数据不全 once part of it is."""
    return _("数据不全") if item.reported and item.reported.approved else _("待报")


@register.filter
def status_cell(item: IndicatorProgress) -> SafeString:
    """The status badge of a goal, quota or county row; a pending row is grey, never
    coloured, and says what is approved and who is missing."""
    status = item.status
    if not status:
        return format_html('<span class="status status--none">{}</span>', status_label(None))
    if status != PENDING:
        return format_html(
            '<span class="status status--{}">{}</span>', status, status_label(status)
        )
    reported = item.reported or Reported(expected=0, approved=0)
    missing = item.missing
    parts = [
        format_html('<span class="status status--pending">{}</span>', pending_label(item)),
        format_html(
            ' <span class="reported muted">{}</span>',
            _("已审核 %(approved)s/%(expected)s")
            % {"approved": reported.approved, "expected": reported.expected},
        ),
    ]
    if missing:
        shown = format_html_join("、", "{}", ((name,) for name in missing[:MISSING_SHOWN]))
        more = (
            _("等 %(count)s 处") % {"count": len(missing)} if len(missing) > MISSING_SHOWN else ""
        )
        parts.append(
            format_html(
                '<span class="missing">{}{}{}</span>',
                _("未审核："),
                shown,
                more,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


@register.filter
def status_class(item: IndicatorProgress) -> str:
    """A card's modifier: the status, ``pending``, or ``none``."""
    return item.status or "none"
