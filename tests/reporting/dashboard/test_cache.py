"""The dashboard's figures kept in the cache per rollup run (``reporting.views.fragments``): a
second request reads less, a new run shows its numbers, and nothing of one language, one
query string or one user's rights is served to another."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.rollup import rebuild
from targets.models import Plan
from tests.helpers import client_for
from tests.reporting.dashboard.pages import page_text

pytestmark = pytest.mark.django_db

CACHED = [
    "/dashboard/",
    "/dashboard/county/410611/",
    "/dashboard/department/hrss/",
    "/dashboard/quota/in-service/",
]


def queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def table_of(response: Any) -> str:
    """The page's figures: from the first card to the end of the main content (the header
    and its CSRF-carrying forms left out)."""
    text = page_text(response)
    return text[text.index('<section class="card"') : text.index("</main>")]


@pytest.mark.parametrize("url", CACHED)
def test_a_second_request_reads_less_and_shows_the_same(figures, leader, url) -> None:
    client = client_for(leader)
    first_count, first = queries(client, url)
    second_count, second = queries(client, url)
    assert second_count < first_count
    assert table_of(second) == table_of(first)


def test_the_city_dashboard_reads_at_most_twenty_queries_cached(figures, leader) -> None:
    client = client_for(leader)
    client.get("/dashboard/")
    count, _ = queries(client, "/dashboard/")
    assert count <= 20


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/dashboard/", "14,645"),  # in-service city-wide: 2,300 + 12,345
        ("/dashboard/?sort=-completion", "14,645"),
        ("/dashboard/county/410611/", "12,345"),
        ("/dashboard/department/hrss/", "12,345"),
        ("/dashboard/quota/in-service/", "12,345"),
    ],
)
def test_a_new_rollup_run_shows_its_figures(
    plan: Plan, figures, figure, leader, url: str, shown: str
) -> None:
    client = client_for(leader)
    assert shown not in page_text(client.get(url))
    figure("in-service", "410611", 3, 12345)
    rebuild(plan)
    assert shown in page_text(client.get(url))


def test_the_language_is_part_of_the_key(figures, leader) -> None:
    client = client_for(leader)
    chinese = page_text(client.get("/dashboard/"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page_text(client.get("/dashboard/"))
    assert "完成率" in chinese
    assert "完成率" not in english
    assert "Completion" in english
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "完成率" in page_text(client.get("/dashboard/"))


def test_the_query_string_is_part_of_the_key(figures, leader) -> None:
    client = client_for(leader)
    everything = client.get("/dashboard/")
    one_county = client.get("/dashboard/?county=410621")
    assert "浚县" in table_of(one_county).split("quota-table", 1)[1]
    again = client.get("/dashboard/?county=410621")
    assert table_of(again) == table_of(one_county)
    assert table_of(again) != table_of(everything)


def test_a_county_person_never_gets_the_city_readers_copy(figures, leader, county_people) -> None:
    city = client_for(leader).get("/dashboard/county/410621/")
    assert "/dashboard/quota/rural-transfer/" in page_text(city)  # the city's links
    own = client_for(county_people["leader"]).get("/dashboard/county/410621/")
    assert own.status_code == 200
    assert "/dashboard/quota/" not in page_text(own)
    # and the city reader's page is still the city reader's
    assert "/dashboard/quota/rural-transfer/" in page_text(
        client_for(leader).get("/dashboard/county/410621/")
    )


def test_a_cached_county_is_still_refused_to_another_county(figures, leader, county_people) -> None:
    assert client_for(leader).get("/dashboard/county/410611/").status_code == 200
    other = client_for(county_people["leader"]).get("/dashboard/county/410611/")
    assert other.status_code == 403
    assert "rural-transfer" not in page_text(other)


def test_a_cached_page_is_still_refused_to_a_clerk(figures, leader, clerk) -> None:
    assert client_for(leader).get("/dashboard/").status_code == 200
    assert client_for(clerk).get("/dashboard/").status_code == 403


def test_the_header_is_the_users_own(figures, leader, auditor) -> None:
    client_for(leader).get("/dashboard/")
    page = page_text(client_for(auditor).get("/dashboard/"))
    assert "审计员甲" in page


def test_a_quotas_reports_behind_are_read_on_every_request(plan, figures, figure, leader) -> None:
    """The quota's rollup rows are cached; the reports behind them are not rollups: a figure
    sent after the page was cached shows at once, and the rows stay those of the last run."""
    client = client_for(leader)
    url = "/dashboard/quota/in-service/"
    before = page_text(client.get(url))
    assert "7,654" not in before
    figure("in-service", "410611", 3, 7654, status="submitted")
    after = page_text(client.get(url))
    behind = after[after.index("数据来源") :]
    assert "7,654" in behind
    assert "7,654" not in after[: after.index("数据来源")]
