"""The dashboard's quota table (django-tables2): the API's numbers, rates in percent."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import formatting
from .rows import QuotaRow
from .templatetags.progress_format import completion_percent, figure, percent, value_text
from .templatetags.progress_status import status_cell

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def _is_rate(record: QuotaRow) -> bool:
    return record.kind == "rate"


class QuotaTable(tables.Table):
    """One row per quota (city-wide, or one county's row with the county filter)."""

    department = tables.Column(_("责任部门"), accessor="department_short")
    name = tables.Column(_("任务"))
    place = tables.Column(_("范围"), default=_("全市"))
    target = tables.Column(_("目标"), attrs=NUM)
    actual = tables.Column(_("完成数"), attrs=NUM)
    completion = tables.Column(_("完成率"), attrs=NUM)
    expected = tables.Column(_("序时进度"), attrs=NUM)
    status = tables.Column(_("状态"))
    projected = tables.Column(_("预计全年"), attrs=NUM)
    # Shown only with a comparison (``compare_year``): the earlier plan's completion of the
    # same quota and place as of the same month.
    previous_completion = tables.Column(_("上年同期完成率"), attrs=NUM, default="—")

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "table quota-table"}
        row_attrs = {"data-quota": lambda record: record.code}
        orderable = True

    def __init__(
        self,
        *args: Any,
        as_of: str = "",
        query: str = "",
        compare_year: int | None = None,
        year: int | None = None,
        link_quotas: bool = True,
        **kwargs: Any,
    ) -> None:
        if compare_year is None:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "previous_completion")
        super().__init__(*args, **kwargs)
        self.as_of = as_of
        self.query = query or (urlencode({"as_of": as_of}) if as_of else "")
        # The quota drill-down is the city's page: not linked for a county's own people.
        self.link_quotas = link_quotas
        if compare_year is not None and year is not None and compare_year != year - 1:
            column = self.columns["previous_completion"].column
            column.verbose_name = _("%(year)s年同期完成率") % {"year": compare_year}

    def render_name(self, value: str, record: QuotaRow) -> str:
        if not self.link_quotas:
            return value
        url = reverse("dashboard-quota", args=[record.code])
        if self.query:
            url = f"{url}?{self.query}"
        return format_html('<a href="{}" class="quota-link">{}</a>', url, value)

    def render_previous_completion(self, value: Any, record: QuotaRow) -> str:
        exact = record.previous_completion_exact
        return formatting.percent(exact) if exact is not None else percent(value)

    def render_target(self, value: Any, record: QuotaRow) -> str:
        return percent(value, 0) if _is_rate(record) else figure(value)

    def render_actual(self, value: Any, record: QuotaRow) -> str:
        if _is_rate(record):
            return format_html(
                '{} <span class="muted">（{}/{}）</span>',
                value_text(record),
                figure(record.numerator),
                figure(record.denominator),
            )
        return figure(value)

    def render_completion(self, value: Any, record: QuotaRow) -> str:
        return completion_percent(record)

    def render_expected(self, value: Any) -> str:
        return percent(value)

    def render_status(self, value: str, record: QuotaRow) -> str:
        return status_cell(record)

    def render_projected(self, value: Any, record: QuotaRow) -> str:
        return percent(value) if _is_rate(record) else figure(value)
