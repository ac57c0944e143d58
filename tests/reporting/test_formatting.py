"""The one formatter: percentages rounded once from the exact ratio, counts, 万 amounts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.template import Context, Template

from reporting import formatting
from tests.reporting import items


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Fraction(7525, 10000), 1, "75.3%"),  # a half rounds up
        (Fraction(150_498, 200_000), 1, "75.2%"),  # 0.75249: not 75.3 via 0.7525
        (Fraction(2, 3), 1, "66.7%"),
        (Fraction(1, 12), 1, "8.3%"),
        (Decimal("0.9"), 0, "90%"),
        (0.9, 1, "90.0%"),
        (1, 1, "100.0%"),
        (0, 1, "0.0%"),
        (Fraction(1529, 1000), 1, "152.9%"),
    ],
)
def test_percent_rounds_half_up_once(value: formatting.Number, places: int, text: str) -> None:
    assert formatting.percent(value, places) == text


def test_percent_trim_drops_only_a_zero_decimal() -> None:
    assert formatting.percent(Fraction(3, 4), trim=True) == "75%"
    assert formatting.percent(Fraction(1, 12), trim=True) == "8.3%"
    assert formatting.percent(None) == "—"


def test_completion_is_exact_where_the_rounded_api_value_is_not() -> None:
    item = items.item(kind="flow", actual=150_498, target=200_000, completion=0.7525)
    assert formatting.percent(formatting.completion_of(item)) == "75.2%"
    # The four-place completion of the API, rounded again, gives the other digit.
    assert formatting.percent(item.completion) == "75.3%"


def test_rate_value_and_completion_are_separate() -> None:
    # 浚县's 参训率: 65.3 % trained of registered, against a 90 % target: 72.6 % completion.
    item = items.item(kind="rate", numerator=653, denominator=1000, target=0.9)
    assert formatting.percent(formatting.rate_of(item)) == "65.3%"
    assert formatting.percent(formatting.completion_of(item)) == "72.6%"
    assert formatting.value_of(item) == Fraction(653, 1000)
    assert formatting.completion_of(items.item(kind="rate", numerator=0, denominator=0)) is None


def test_counts_and_amounts() -> None:
    assert formatting.count(61450) == "61,450"
    assert formatting.count(None) == "—"
    assert formatting.amount(1479) == "1479"
    assert formatting.amount(49560) == "4.96万"
    assert formatting.amount(15000) == "1.5万"
    assert formatting.amount(70000) == "7万"


def test_points_are_differences_of_printed_percentages() -> None:
    assert formatting.points(Fraction(7525, 10000), Fraction(3, 4)) == Decimal("0.3")
    assert formatting.rounded_fraction(Fraction(150_498, 200_000)) == Decimal("0.752")


def test_template_filters_use_the_exact_ratio() -> None:
    template = Template(
        "{% load progress_format %}{{ item|completion_percent }} {{ item|value_text }}"
    )
    item = items.item(kind="flow", actual=150_498, target=200_000, completion=0.7525)
    assert template.render(Context({"item": item})) == "75.2% 150,498"
    rate = items.item(kind="rate", numerator=653, denominator=1000, target=0.9)
    assert template.render(Context({"item": rate})) == "72.6% 65.3%"
