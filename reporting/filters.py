"""The dashboard's quota filters (django-filter) over the rollup rows of one as-of month."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from targets.completeness import PENDING
from targets.models import Department, Indicator, Plan, Region, places_of

from .models import Rollup


class QuotaFilter(django_filters.FilterSet):
    """By department, county (the county's own rows instead of the city's) and status."""

    department = django_filters.ModelChoiceFilter(
        label=_("责任部门"),
        field_name="indicator__department",
        queryset=Department.objects.none(),
        to_field_name="code",
        empty_label=_("全部部门"),
    )
    county = django_filters.ModelChoiceFilter(
        label=_("县区（含市直）"),
        field_name="region",
        queryset=Region.objects.none(),
        to_field_name="code",
        empty_label=_("全市"),
    )
    # Judged statuses and ``pending`` (reports of the month not all approved), which is not
    # stored: the view filters the judged rows (``dashboard.with_status``), not the query.
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[*Rollup.Status.choices, (PENDING, _("待报/数据不全"))],
        empty_label=_("全部状态"),
        method="judged_later",
    )

    class Meta:
        model = Rollup
        fields: list[str] = []

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.filter(
            indicators__plan=plan, indicators__role=Indicator.Role.QUOTA
        ).distinct()
        self.filters["county"].queryset = places_of(plan)

    def judged_later(self, queryset: QuerySet[Rollup], name: str, value: str) -> QuerySet[Rollup]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[Rollup]) -> QuerySet[Rollup]:
        if not self.form.cleaned_data.get("county"):
            queryset = queryset.filter(region__isnull=True)
        return super().filter_queryset(queryset)
