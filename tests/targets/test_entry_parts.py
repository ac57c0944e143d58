"""A county's figure broken down by its parts (/entry/cell/<id>/parts/): the clerk's page, the
month grid's link to it, and the reviewer's history showing it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from targets import services
from targets.models import Region, Submission, TownshipFigure
from tests.helpers import assert_sent_to_log_in, client_for, parts_for
from tests.targets.entry_grid import MARCH

pytestmark = pytest.mark.django_db

NAMES = ("城关镇", "善堂镇", "屯子镇")


@pytest.fixture
def parts(plan: Any) -> list[Region]:
    """浚县's three parts (淇滨区 has none)."""
    return parts_for("410621", *NAMES)


@pytest.fixture
def draft(figure: Any, parts: list[Region]) -> Submission:
    """浚县's March figure of rural-transfer, 100: a draft of the city-wide HR clerk."""
    return figure("rural-transfer", "410621", 3, 100, status="draft")


def url(submission: Submission) -> str:
    return f"/entry/cell/{submission.pk}/parts/"


def posted(*values: str) -> dict[str, str]:
    return {f"p-410621{n:03d}": value for n, value in enumerate(values, 1)}


def stored(submission: Submission) -> dict[str, int]:
    rows = TownshipFigure.objects.filter(submission=submission)
    return dict(rows.values_list("township__name", "value"))


def text(response: Any) -> str:
    return response.content.decode()


def test_the_clerk_sees_one_field_per_part(clerk: Any, draft: Submission) -> None:
    response = client_for(clerk).get(url(draft))
    assert response.status_code == 200
    page = text(response)
    for n, name in enumerate(NAMES, 1):
        assert f'<label for="id_p-410621{n:03d}">{name}' in page
    assert 'inputmode="numeric"' in page
    assert "浚县" in page and "100" in page


def test_saving_goes_back_to_the_month_with_a_message(clerk: Any, draft: Submission) -> None:
    client = client_for(clerk)
    response = client.post(url(draft), posted("50", "30", "2０"))  # full-width digits too
    assert response.status_code == 302
    assert response["Location"] == MARCH
    assert stored(draft) == {"城关镇": 50, "善堂镇": 30, "屯子镇": 20}
    assert "已保存乡镇（责任单位）分解" in text(client.get(MARCH))
    # Shown again, prefilled.
    page = text(client.get(url(draft)))
    assert re.search(r'name="p-410621001" value="50"', page)


def test_a_breakdown_not_adding_up_is_shown_again_as_typed(clerk: Any, draft: Submission) -> None:
    response = client_for(clerk).post(url(draft), posted("50", "30", "21"))
    assert response.status_code == 400
    page = text(response)
    assert "各乡镇（责任单位）合计 101，与上报数 100 不一致。" in page
    assert 'name="p-410621003" value="21"' in page
    assert not stored(draft)


def test_a_figure_not_a_number_is_explained(clerk: Any, draft: Submission) -> None:
    response = client_for(clerk).post(url(draft), posted("50", "三十", "20"))
    assert response.status_code == 400
    assert "请填写数字" in text(response)
    assert not stored(draft)


def test_all_blank_clears_the_breakdown(clerk: Any, draft: Submission) -> None:
    client = client_for(clerk)
    client.post(url(draft), posted("50", "30", "20"))
    response = client.post(url(draft), posted("", "", ""))
    assert response.status_code == 302
    assert not stored(draft)
    assert "已清除乡镇（责任单位）分解" in text(client.get(MARCH))


def test_a_sent_figure_shows_its_breakdown_read_only(clerk: Any, draft: Submission) -> None:
    client = client_for(clerk)
    client.post(url(draft), posted("50", "30", "20"))
    services.submission_submit(actor=clerk, submission=draft)
    response = client.get(url(draft))
    assert response.status_code == 200
    page = text(response)
    assert 'name="p-' not in page
    assert "城关镇" in page and "合计" in page
    refused = client.post(url(draft), posted("100", "0", "0"))
    assert refused.status_code == 400
    assert "等待审核" in text(refused)
    assert stored(draft) == {"城关镇": 50, "善堂镇": 30, "屯子镇": 20}


def test_a_county_without_parts_has_no_such_page(clerk: Any, figure: Any, parts: Any) -> None:
    qibin = figure("rural-transfer", "410611", 3, 100, status="draft")
    assert client_for(clerk).get(url(qibin)).status_code == 404


def test_it_checks_ownership(
    clerk_of: Any, reviewer: Any, draft: Submission, county_clerk: Any
) -> None:
    """Another county's or department's clerk finds no such figure; readers are refused; the
    county's own clerk may."""
    for other in (clerk_of("hrss", "410611"), clerk_of("agri")):
        client = client_for(other)
        assert client.get(url(draft)).status_code == 404
        assert client.post(url(draft), posted("100", "0", "0")).status_code == 404
    assert client_for(reviewer).get(url(draft)).status_code == 403
    assert client_for(reviewer).post(url(draft), posted("100", "0", "0")).status_code == 403
    assert_sent_to_log_in(client_for(None).get(url(draft)))
    assert not stored(draft)
    assert client_for(county_clerk).get(url(draft)).status_code == 200


def test_the_month_links_only_figures_of_counties_with_parts(
    clerk: Any, draft: Submission, figure: Any
) -> None:
    qibin = figure("rural-transfer", "410611", 3, 100, status="draft")
    page = text(client_for(clerk).get(MARCH))
    assert f'href="{url(draft)}"' in page
    assert f'href="{url(qibin)}"' not in page
    assert page.count("/parts/") == 1  # 浚县's other cells have no figure yet


def test_the_month_page_reads_no_query_per_cell(
    clerk: Any, figure: Any, parts: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(clerk)
    client.get(MARCH)
    for code in ("rural-transfer", "in-service", "reemployment"):
        for region in ("410621", "410611", "410622"):
            figure(code, region, 3, 10, status="draft")
    with django_assert_max_num_queries(11):  # the grid: this month's figures, earlier values
        assert client.get(MARCH).status_code == 200


def test_the_history_shows_each_revisions_breakdown(
    clerk: Any, reviewer: Any, draft: Submission
) -> None:
    client_for(clerk).post(url(draft), posted("50", "30", "20"))
    services.submission_submit(actor=clerk, submission=draft)
    services.submission_approve(actor=reviewer, submission=draft)
    services.submission_correct(actor=clerk, submission=draft, value=130, reason="补录")
    response = client_for(reviewer).get(f"/review/cell/{draft.pk}/history/")
    assert response.status_code == 200
    (shown,) = response.context["breakdowns"]  # the correction has none yet
    assert shown["submission"].revision == 1 and shown["total"] == 100
    assert [(f.township.name, f.value) for f in shown["parts"]] == [
        ("城关镇", 50),
        ("善堂镇", 30),
        ("屯子镇", 20),
    ]
    assert "乡镇（责任单位）分解" in text(response)
