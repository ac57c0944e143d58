"""How the pages write numbers: through ``reporting.formatting``, as the bulletin, workbook and
Word file do (61,450 人次, 73.2%, rates as 87.5%（35/40）).

Give a whole progress item where there is one (``item|completion_percent``,
``item|value_text``): the percentage is then rounded once from the exact ratio behind it.
``percent`` is for fractions that are exact already (the time progress m/12, a target rate).
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reporting import formatting
from reporting.models import Rollup

register = template.Library()


@register.filter
def figure(value: int | float | Decimal | None) -> str:
    """A count with thousands separators; a dash without data."""
    return formatting.count(value)


@register.filter
def percent(value: float | Decimal | None, places: int = 1) -> str:
    """A fraction in percent (0.7319 → 73.2%); a dash without data."""
    if value is None or value == "":
        return formatting.DASH
    return formatting.percent(value, int(places))


@register.filter
def completion_percent(item: formatting.Figures) -> str:
    """A goal's, quota's or county's completion from its exact actual ÷ target."""
    return formatting.percent(formatting.completion_of(item))


@register.filter
def value_text(item: formatting.Figures) -> str:
    """An item's value: a rate as a percentage of its exact counts, a count otherwise."""
    if item.kind == "rate":
        return formatting.percent(formatting.rate_of(item))
    return formatting.count(item.actual)


@register.filter
def percent_width(value: float | Decimal | None) -> int:
    """A fraction as a whole percentage between 0 and 100, for bars."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def status_label(value: str | None) -> str:
    """正常 / 预警 / 滞后, 待报 (pending: not judged), or 无数据."""
    if not value:
        return str(_("无数据"))
    if value == "pending":  # not judged: the month's reports are not all approved
        return str(_("待报"))
    return str(Rollup.Status(value).label)


@register.simple_tag
def headings(*labels: str) -> str:
    """A table's column headings: ``{% headings _("县区") _("填报项") %}``."""
    return format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))


@register.simple_tag
def number_headings(*labels: str) -> str:
    """Column headings over numbers, right-aligned as their cells (class num)."""
    cells = ((label,) for label in labels)
    return format_html_join("", '<th scope="col" class="num">{}</th>', cells)


@register.simple_tag
def standing_cells(row: formatting.Figures, pending: bool) -> SafeString:
    """A row's value, target, completion and status cells in a ranking (a province's cities, a
    county's parts): a rate as its rate (numerator/denominator) and its completion as a
    comparison; a row whose reports are not all approved (``pending``) 待报 with how many are,
    never coloured. Written here rather than by an included template: a province's page has
    hundreds of these rows."""
    if row.kind == "rate":
        value = format_html(
            '<td class="num value">{} <span class="muted">（{}/{}）</span></td>',
            value_text(row),
            figure(row.numerator),
            figure(row.denominator),
        )
        target = format_html('<td class="num target">{}</td>', percent(row.target, 0))
        completion = gettext("完成目标的 %(completion)s") % {"completion": completion_percent(row)}
    else:
        value = format_html('<td class="num value">{}</td>', figure(row.actual))
        target = format_html('<td class="num target">{}</td>', figure(row.target))
        completion = completion_percent(row)
    if pending:
        reported = gettext("已审核 %(approved)s/%(expected)s") % {
            "approved": row.reported.approved,
            "expected": row.reported.expected,
        }
        status = format_html(
            '<span class="status status--pending">{}</span> <span class="reported muted">{}</span>',
            gettext("待报"),
            reported,
        )
    else:
        status = format_html(
            '<span class="status status--{}">{}</span>',
            row.status or "none",
            status_label(row.status),
        )
    return format_html(
        '{}{}<td class="num completion">{}</td><td class="status-cell">{}</td>',
        value,
        target,
        completion,
        status,
    )
