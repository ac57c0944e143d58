"""Rates: a numerator's year-to-date sum never exceeds its denominator's.

Counted on the current revision of every cell, whatever its status (draft, sent, returned or
approved): what the clerk sees in the grid and what will count once reviewed. Every write of a
count series (save, send, correction, and so the Excel upload) checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import Indicator, Region, Submission


@dataclass(frozen=True)
class RateExcess:
    """The first month whose year-to-date numerator exceeds its denominator, in a county."""

    numerator: Indicator
    denominator: Indicator
    region: Region
    month: int
    numerator_sum: int
    denominator_sum: int

    @property
    def message(self) -> str:
        return _(
            "%(numerator)s（%(region)s）1—%(month)s月累计 %(numerator_sum)s "
            "超过%(denominator)s累计 %(denominator_sum)s。"
        ) % {
            "numerator": self.numerator.entry_name,
            "region": self.region.name,
            "month": self.month,
            "numerator_sum": f"{self.numerator_sum:,}",
            "denominator": self.denominator.entry_name,
            "denominator_sum": f"{self.denominator_sum:,}",
        }


def rate_excesses(*, month: int, values: Mapping[tuple[int, int], int]) -> list[RateExcess]:
    """Rates broken by writing ``values`` ((series id, region id) → figure) into ``month``.

    Every rate whose numerator or denominator is among the series is checked in each county
    written, for ``month`` and every later month (lowering an earlier denominator can break a
    later month's sums); earlier months do not change. Months before the county's first
    denominator figure are not compared (the rate has no denominator yet). One excess per
    rate and county: the first month that breaks.
    """
    series_ids = {series_id for series_id, _region_id in values}
    pairs = set(
        Indicator.objects.filter(kind=Indicator.Kind.RATE)
        .filter(Q(numerator_id__in=series_ids) | Q(denominator_id__in=series_ids))
        .values_list("numerator_id", "denominator_id")
    )
    if not pairs:
        return []
    checked = sorted(
        {(n, d, region_id) for n, d in pairs for s, region_id in values if s in (n, d)}
    )
    involved = {series_id for pair in pairs for series_id in pair}
    region_ids = {region_id for _n, _d, region_id in checked}
    monthly: dict[tuple[int, int], dict[int, int]] = {}
    for series_id, region_id, m, value in Submission.objects.filter(
        indicator_id__in=involved, region_id__in=region_ids, is_current=True
    ).values_list("indicator_id", "region_id", "month", "value"):
        monthly.setdefault((series_id, region_id), {})[m] = value
    for key, value in values.items():
        monthly.setdefault(key, {})[month] = value
    found: list[tuple[int, int, int, int, int, int]] = []
    for n, d, region_id in checked:
        numerators, denominators = monthly.get((n, region_id), {}), monthly.get((d, region_id), {})
        n_sum = sum(v for m, v in numerators.items() if m < month)
        d_sum = sum(v for m, v in denominators.items() if m < month)
        entered = any(m < month for m in denominators)
        for m in range(month, 13):
            n_sum += numerators.get(m, 0)
            d_sum += denominators.get(m, 0)
            # Before any denominator is entered the rate has none (no rate, not one above
            # 100 %): it is checked once the denominator comes.
            entered = entered or m in denominators
            if entered and n_sum > d_sum:
                found.append((n, d, region_id, m, n_sum, d_sum))
                break
    if not found:
        return []
    indicators = Indicator.objects.in_bulk({i for f in found for i in f[:2]})
    regions = Region.objects.in_bulk({f[2] for f in found})
    return [
        RateExcess(indicators[n], indicators[d], regions[r], m, n_sum, d_sum)
        for n, d, r, m, n_sum, d_sum in found
    ]


def check_rates(*, month: int, values: Mapping[tuple[int, int], int]) -> None:
    excesses = rate_excesses(month=month, values=values)
    if excesses:
        raise ValidationError({"value": [excess.message for excess in excesses]})
