"""On PostgreSQL the rollup is one SQL statement (``reporting/rollup/rollup.sql``): it must give
exactly the rows of the Python reference (``reference.compute``), whatever the figures.

Random figures of the 2015 plan (every kind: a goal fed by quotas and reported for itself, a
goal of its own, a level, the veterans' counts behind four rates, counties with and without a
split target) are written straight to the table, some counted, some drafts beside or on top of
a counted revision. A full rebuild must equal the reference; then some cells change (new,
changed, no longer counted) and the incremental rollup of those series, months and counties
must equal it too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.models import Rollup
from reporting.rollup import compute, postgres, rebuild, rebuild_after_change, rules
from reporting.rows import ROW_FIELDS
from targets.models import Indicator, Submission, places_of
from targets.services import load_plan_definition

from .test_rollup_province import province_definition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

AT = datetime(2015, 6, 1, tzinfo=UTC)

# A cell: (series index, county index, month); its state: (value, counted, a draft on top).
cell = st.tuples(st.integers(0, 16), st.integers(0, 9), st.integers(1, 12))
state = st.tuples(st.integers(0, 5000), st.booleans(), st.booleans())
histories = st.dictionaries(cell, state, max_size=40)
# The change: cells written again (a state) or no longer counted (None).
changes = st.dictionaries(cell, st.one_of(st.none(), state), min_size=1, max_size=6)


def stored(plan) -> set[tuple]:
    return set(Rollup.objects.filter(plan=plan).values_list(*ROW_FIELDS))


def reference(plan) -> set[tuple]:
    return {tuple(getattr(row, name) for name in ROW_FIELDS) for row in compute(plan)}


def write(series, counties, user, cells: dict) -> set[tuple[int, int, int]]:
    """Replace the figures of these cells; returns (series id, county id, month) written."""
    written = set()
    for (s, c, month), figure in cells.items():
        indicator, region = series[s % len(series)], counties[c % len(counties)]
        written.add((indicator.pk, region.pk, month))
        Submission.objects.filter(indicator=indicator, region=region, month=month).delete()
        if figure is None:
            continue
        value, counted, draft_on_top = figure
        approved = {
            "status": Submission.Status.APPROVED if counted else Submission.Status.DRAFT,
            "submitted_by": user if counted else None,
            "submitted_at": AT if counted else None,
            "reviewed_by": user if counted else None,
            "reviewed_at": AT if counted else None,
        }
        common = {"indicator": indicator, "region": region, "month": month, "entered_by": user}
        Submission.objects.create(
            **common,
            revision=1,
            value=value,
            is_counted=counted,
            is_current=not (counted and draft_on_top),
            entered_at=AT,
            **approved,
        )
        if counted and draft_on_top:  # a correction not yet approved: the first still counts
            Submission.objects.create(
                **common,
                revision=2,
                value=value + 7,
                is_current=True,
                correction_reason="更正",
                entered_at=AT,
            )
    return written


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories, change=changes)
def test_sql_rollup_equals_the_python_reference(plan, history, change) -> None:
    user, _ = get_user_model().objects.get_or_create(username="test-rollup-sql")
    series = list(
        Indicator.objects.filter(plan=plan).exclude(kind=Indicator.Kind.RATE).order_by("code")
    )
    counties = list(places_of(plan).order_by("code"))
    assert len(series) == 17 and 5 <= len(counties) <= 10
    with transaction.atomic():
        write(series, counties, user, history)
        rebuild(plan)
        assert stored(plan) == reference(plan)

        touched = write(series, counties, user, change)
        rebuild_after_change(
            plan,
            series_ids={indicator for indicator, _, _ in touched},
            from_month=min(month for _, _, month in touched),
            months={month for _, _, month in touched},
            regions={region for _, region, _ in touched},
        )
        assert stored(plan) == reference(plan)
        transaction.set_rollback(True)


def test_the_reference_is_not_trivially_equal(plan) -> None:
    """The comparison above can fail: a stored row changed by hand is a difference."""
    user, _ = get_user_model().objects.get_or_create(username="test-rollup-sql")
    series = list(
        Indicator.objects.filter(plan=plan).exclude(kind=Indicator.Kind.RATE).order_by("code")
    )
    write(series, list(places_of(plan).order_by("code")), user, {(0, 0, 3): (120, True, False)})
    rebuild(plan)
    assert stored(plan) == reference(plan)
    row = Rollup.objects.filter(plan=plan, month=3, actual__gt=0).first()
    Rollup.objects.filter(pk=row.pk).update(actual=row.actual + 1)
    assert stored(plan) != reference(plan)


@pytest.mark.parametrize("exact", [rules.EXACT, 1], ids=["integers", "numeric"])
def test_halves_round_up_both_ways(plan, monkeypatch, exact) -> None:
    """Completion and projection are rounded in integers below ``EXACT`` and in numeric above
    (sums that large need tens of thousands of figures at the 99,999,999 a figure the database
    allows; here the limit is lowered to 1 to send every figure the numeric way).

    A target of 2,000,000 puts 1 and 3 exactly halfway between two sixth places
    (0.0000005 → 0.000001, 0.0000015 → 0.000002); 21 in August projects 31.5 (→ 32).
    """
    monkeypatch.setattr(rules, "EXACT", exact)
    user, _ = get_user_model().objects.get_or_create(username="test-rollup-sql")
    series = list(
        Indicator.objects.filter(plan=plan).exclude(kind=Indicator.Kind.RATE).order_by("code")
    )
    counties = list(places_of(plan).order_by("code"))
    quota = Indicator.objects.get(plan=plan, code="rural-transfer")
    Indicator.objects.filter(pk=quota.pk).update(target=2_000_000)
    at = series.index(quota)
    cells = {
        (at, 0, 1): (1, True, False),
        (at, 1, 2): (2, True, False),
        (at, 2, 5): (13, True, False),
        (at, 3, 8): (5, True, False),
    }
    write(series, counties, user, cells)
    rebuild(plan)
    assert stored(plan) == reference(plan)
    city = {
        row.month: row for row in Rollup.objects.filter(plan=plan, indicator=quota, region=None)
    }
    assert city[1].completion == Decimal("0.000001")  # 1 / 2,000,000, half up
    assert city[2].completion == Decimal("0.000002")  # 3 / 2,000,000, half up
    assert city[8].projected == 32  # 21 × 12 / 8 = 31.5, half up


@pytest.mark.parametrize(
    ("margin", "colour"),
    [(0, "red"), (25, "amber"), (Decimal("12.5"), "amber"), (Decimal("0.00005"), "red")],
)
def test_amber_margin_as_the_reference_applies_it(plan, settings, margin, colour) -> None:
    """The statement compares in millionths; a margin that is not a whole number of them
    (0.00005 points) is compared as a decimal, and gives the reference's colours too."""
    settings.AMBER_MARGIN_POINTS = margin
    user, _ = get_user_model().objects.get_or_create(username="test-rollup-sql")
    series = list(
        Indicator.objects.filter(plan=plan).exclude(kind=Indicator.Kind.RATE).order_by("code")
    )
    counties = list(places_of(plan).order_by("code"))
    # training-total is 70,000 for the year: by June 35,000 is on time; 31,500 (45 %) is 5
    # points behind.
    goal = series.index(Indicator.objects.get(plan=plan, code="training-total"))
    cells = {(goal, c, 6): (v, True, False) for c, v in enumerate([10_000, 20_000, 1_500])}
    write(series, counties, user, cells)
    rebuild(plan)
    assert stored(plan) == reference(plan)
    city = Rollup.objects.get(plan=plan, indicator__code="training-total", region=None, month=6)
    assert (city.actual, city.completion, city.status) == (31_500, Decimal("0.45"), colour)


def test_planner_settings_hold_for_the_statement_only(plan) -> None:
    """The statement plans with its own settings; the rest of the transaction as before."""

    def settings_now() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('work_mem'), current_setting('enable_sort'),"
                " current_setting('jit'), current_setting('synchronous_commit')"
            )
            return cursor.fetchone()

    seen = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("WITH"):  # the statement: what it plans with
            seen.append(settings_now())
        return execute(sql, params, many, context)

    with transaction.atomic():
        before = settings_now()
        with connection.execute_wrapper(watch):
            postgres.rebuild_rows(plan, indicator_ids=None, from_month=1)
        after = settings_now()
    assert seen == [("64MB", "off", "off", "off")]
    assert after[:3] == before[:3]
    assert after[3] == "off"  # the commit of a rebuild need not wait for the disk


@pytest.mark.parametrize("kind", ["city", "province"])
def test_the_statement_is_fixed_text_with_every_parameter_given(plan, kind) -> None:
    """The SQL is a file read once: no template, and every placeholder bound by name (a
    city's statement, and a province's, each given exactly what it names)."""
    text = postgres.STATEMENT
    if kind == "province":
        text = postgres.PROVINCE_STATEMENT
        plan = load_plan_definition(province_definition())
    names = set(re.findall(r"%\((\w+)\)s", text))
    given = postgres.parameters(
        plan,
        indicators=list(plan.indicators.all()),
        indicator_ids=None,
        from_month=1,
        region_ids=None,
    )
    assert names == set(given)
    assert text.count("%") == len(re.findall(r"%\(\w+\)s", text))  # no other % in the text
    assert "{" not in text and "}" not in text


def test_the_statement_takes_its_rules_from_rules_py(settings) -> None:
    """The shares, colours, scales and margins the SQL compares with are the rules' own."""
    settings.AMBER_MARGIN_POINTS = Decimal("12.5")
    given = postgres.constants()
    kinds = sorted(rules.KIND_NUMBERS, key=rules.KIND_NUMBERS.get)
    for kind in kinds:
        for month in rules.MONTHS:
            at = rules.KIND_NUMBERS[kind] * given["year_months"] + month  # the SQL's subscript
            share = rules.expected_share(kind, month)
            assert given["shares"][at - 1] == share
            assert given["micro_shares"][at - 1] == share * given["micro"]
    assert given["margin"] == rules.amber_margin() == Decimal("0.125")
    assert given["margin_micro"] == 125_000
    assert (given["green"], given["amber"], given["red"]) == tuple(Rollup.Status.values)
    assert given["six_places"] == rules.SIX_PLACES == Decimal("0.000001")
    assert given["micro"] == 10 ** given["places"] == 1_000_000
    assert (given["flow"], given["rate"], given["exact"]) == (0, 2, rules.EXACT)


def test_the_statement_writes_the_rows_columns() -> None:
    """Its INSERT names every column of the rollup table, its keys first, then the values in
    ``ProgressRow``'s order (the model lists its keys after the values it shares with the
    parts' rollup, ``RollupValues``)."""
    insert = re.search(r"INSERT INTO reporting_rollup \(([^)]*)\)", postgres.STATEMENT)
    columns = [name.strip() for name in insert.group(1).split(",")]
    model = [f.attname for f in Rollup._meta.concrete_fields if f.name != "id"]
    assert sorted(columns) == sorted(model)
    assert columns[:3] == ["plan_id", "indicator_id", "region_id"]
    assert [c.removesuffix("_id") for c in columns[1:]] == [
        f.removesuffix("_id") for f in ROW_FIELDS
    ]


def test_the_statement_spreads_a_figure_over_the_months_it_holds_for() -> None:
    """Its table of spans: every (first month, the next figure's month, a month between)."""
    table = re.search(r"FROM \(VALUES(.*?)\) AS sp\(first, stop, month\)", postgres.STATEMENT, re.S)
    spans = [tuple(map(int, t)) for t in re.findall(r"\((\d+), (\d+), (\d+)\)", table.group(1))]
    assert spans == [
        (first, stop, month)
        for first in rules.MONTHS
        for stop in range(first + 1, 14)
        for month in range(first, stop)
    ]
