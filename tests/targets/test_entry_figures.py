"""Clerks' typed figures: parsing, and the checks that ask for a note."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from targets import services
from targets.forms import parse_figure
from targets.grid import checks
from targets.models import Plan
from tests.targets.entry_grid import indicator

pytestmark = pytest.mark.django_db

# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0", 0),
        ("1200", 1200),
        ("1,200", 1200),
        ("１２３", 123),
        ("１，２００", 1200),
        (" 45 ", 45),
        ("+7", 7),
        ("12.0", 12),
        ("", None),
        ("   ", None),
        ("0" * 5000 + "7", 7),
    ],
)
def test_figures_are_normalised(typed: str, value: int | None) -> None:
    assert parse_figure(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "请填写数字"),
        ("-5", "不能为负数"),
        ("3.5", "不能有小数"),
        ("1e9", "科学计数法"),
        ("1E3", "科学计数法"),
        ("12,00", "千分位分隔符位置不对"),
        ("1,2,3", "千分位分隔符位置不对"),
        ("100000000", "数值过大"),
        ("十二", "请填写数字"),
        ("12人", "请填写数字"),
        ("=1+1", "请填写数字"),
        # Beyond what int() reads (4300 digits): too large, never a ValueError (a 500).
        ("9" * 5000, "数值过大"),
        ("1" + "0" * 5000 + ".0", "数值过大"),
        ("1" + ",000" * 1500, "数值过大"),
    ],
)
def test_bad_figures_are_refused_with_a_message(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_figure(typed)
    assert message in refused.value.messages[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_parsing_any_text_gives_a_figure_or_a_message(typed: str) -> None:
    try:
        value = parse_figure(typed)
    except ValidationError as refused:
        assert refused.messages and all(refused.messages)
    else:
        assert value is None or 0 <= value <= services.MAX_VALUE


# --- checks that need a note ---------------------------------------------------------------


def test_a_month_above_the_counties_annual_target_needs_a_note(plan: Plan) -> None:
    rural = indicator("rural-transfer")
    assert checks(rural, 5001, 3, {}, target=5000)
    assert not checks(rural, 5000, 3, {}, target=5000)
    assert not checks(rural, 5001, 3, {}, target=None)  # a county without a split


def test_far_above_the_cells_own_history_needs_a_note(plan: Plan) -> None:
    rural = indicator("rural-transfer")
    history = {1: 100, 2: 120}
    assert any("远高于" in r for r in checks(rural, 500, 3, history, None))
    assert not checks(rural, 180, 3, history, None)
    assert not checks(rural, 500, 3, {2: 120}, None)  # one month is no history


def test_a_running_total_typed_as_a_monthly_figure_is_flagged(plan: Plan) -> None:
    rural = indicator("rural-transfer")
    history = {1: 100, 2: 120, 3: 90}
    assert any("累计数" in r for r in checks(rural, 310, 4, history, None))
    assert any("累计数" in r for r in checks(rural, 400, 4, history, None))
    assert not checks(rural, 110, 4, history, None)
    enrolment = indicator("vocational-enrolment")  # a level: the same figure every month is fine
    assert not checks(enrolment, 310, 4, {1: 300, 2: 305, 3: 310}, None)
