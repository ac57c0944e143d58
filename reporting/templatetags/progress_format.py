"""How the dashboard writes numbers: 61,450 人次, 73.2%, rates as 87.5%（35/40）."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from reporting.models import Rollup

register = template.Library()


@register.filter
def figure(value: int | float | Decimal | None) -> str:
    """A count with thousands separators; a dash without data."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def percent(value: float | Decimal | None, places: int = 1) -> str:
    """A fraction in percent (0.7319 → 73.2%); a dash without data."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def percent_width(value: float | Decimal | None) -> int:
    """A fraction as a whole percentage between 0 and 100, for bars."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def status_label(value: str | None) -> str:
    """正常 / 预警 / 滞后, or 无数据."""
    if not value:
        return str(_("无数据"))
    return str(Rollup.Status(value).label)
