"""The dashboard's queries do not grow with the data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from reporting.rollup import rebuild
from targets.models import Plan
from tests.helpers import client_for
from tests.reporting.dashboard.pages import COUNTIES, URLS

pytestmark = pytest.mark.django_db

# Bounded queries ------------------------------------------------------------------------


def _more_figures(plan: Plan, figure: Any) -> None:
    """Every training quota in every county for nine months, rolled up."""
    codes = ("rural-transfer", "in-service", "rain-dew", "veterans-trained", "veterans-passed")
    for code in codes:
        for region in COUNTIES:
            for month in range(1, 10):
                figure(code, region, month, 10 * month)
    rebuild(plan)


# The home page's 重点工作 panel reads the work ledger: items and steps, and once steps exist,
# their latest approved reports, the files attached to them and the five latest approvals.
# The rosters' backing of the training goal is read live too (issue #20): 3 more.
QUERY_BOUND = 31


@pytest.mark.parametrize(
    "url",
    [
        *URLS,
        "/dashboard/?county=410611&department=hrss&status=green&sort=-completion",
        "/dashboard/quota/veterans-pass/",
    ],
)
def test_queries_do_not_grow_with_the_data(
    plan, figure, leader, django_assert_max_num_queries, url
) -> None:
    figure("new-farmers", "410611", 1, 10)
    rebuild(plan)
    client = client_for(leader)
    client.get(url)  # warm the session
    cache.clear()  # measure the uncached page (the progress document is cached per rollup run)
    with django_assert_max_num_queries(QUERY_BOUND) as small:
        assert client.get(url).status_code == 200
    _more_figures(plan, figure)
    cache.clear()
    with django_assert_max_num_queries(QUERY_BOUND) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
