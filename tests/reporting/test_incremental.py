"""The incremental rollup after each approval gives exactly what a full rebuild gives."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.models import Rollup
from reporting.rollup import compute, rebuild, rebuild_after_change
from reporting.rows import ROW_FIELDS
from targets.models import Indicator
from tests.helpers import cell_submission

pytestmark = pytest.mark.django_db

SERIES = [
    "rural-transfer",  # a quota feeding the training goal
    "training-total",  # figures reported for the goal itself
    "vocational-enrolment",  # a stock
    "veterans-eligible",  # denominator of two rates
    "veterans-registered",  # numerator of one rate, denominator of another
]
operations = st.lists(
    st.tuples(
        st.sampled_from(SERIES),
        st.sampled_from(["410611", "410621"]),
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=0, max_value=5000),
    ),
    min_size=1,
    max_size=8,
)


def stored(plan) -> set[tuple]:
    return set(Rollup.objects.filter(plan=plan).values_list(*ROW_FIELDS))


def full(plan) -> set[tuple]:
    return {tuple(getattr(row, name) for name in ROW_FIELDS) for row in compute(plan)}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=operations)
def test_incremental_equals_full_rebuild(plan, clerk_of, figure, correct, history) -> None:
    for department in ("hrss", "edu", "civil"):
        clerk_of(department)  # outside the rolled-back block: they outlive each example
    with transaction.atomic():
        rebuild(plan)
        for code, region, month, value in history:
            current = cell_submission(plan, code, region, month, is_current=True)
            try:
                if current is None:
                    submission = figure(code, region, month, value)
                else:  # the cell was approved before: a correction, approved
                    submission = correct(current, value)
            except ValidationError:
                continue  # registered above eligible: refused whole, nothing written
            rebuild_after_change(
                plan,
                series_ids=[submission.indicator_id],
                from_month=month,
                months=[month],
                regions=[submission.region_id],
            )
            assert stored(plan) == full(plan)
        transaction.set_rollback(True)


def test_incremental_touches_only_what_changed(plan, figure) -> None:
    rebuild(plan)
    figure("disabled", "410611", 6, 40)
    untouched = Rollup.objects.filter(plan=plan, month__lt=6).values_list("pk", flat=True)
    before = set(untouched)
    run = rebuild_after_change(
        plan, series_ids=[Indicator.objects.get(plan=plan, code="disabled").pk], from_month=6
    )
    # disabled and training-total (the goal it feeds) × 7 places (5 counties, 市直, the city)
    # × months 6–12.
    assert run.rows == 2 * 7 * 7
    assert set(untouched) == before
    assert (
        Rollup.objects.get(plan=plan, indicator__code="training-total", region=None, month=6).actual
        == 40
    )
