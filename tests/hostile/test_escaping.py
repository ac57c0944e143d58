"""HTML typed by users (notes, correction reasons, review comments, notice answers, query
parameters echoed in messages) is shown escaped on every page that shows it, never as markup."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.rollup import rebuild
from targets import services
from targets.models import Indicator, Region, Submission

pytestmark = pytest.mark.django_db

NOTE = '<script>alert(1)</script>" onfocus="alert(2)'
RETURN = "<script>alert(3)</script><b>请核实</b>"
REASON = "<script>alert(4)</script><img src=x onerror=alert(5)>"
EXPLANATION = "<script>alert(6)</script>开班推迟"
CATCH_UP = "<script>alert(7)</script>加开两期"
RAW = ("<script>alert", "<img src=x", "<b>请核实", '" onfocus="')


def _series(plan: Any, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


@pytest.fixture
def hostile(world: Any) -> dict[str, Any]:
    """Every free text of the site filled with HTML by the people who type it."""
    plan, clerk, reviewer = world.plan, world.users["clerk"], world.users["reviewer"]
    qibin = Region.objects.get(code="410611")
    returned = services.submission_save(
        actor=clerk,
        indicator=_series(plan, "reemployment"),
        region=qibin,
        month=3,
        value=12,
        note=NOTE,
    )
    services.submission_submit(actor=clerk, submission=returned)
    services.submission_return(actor=reviewer, submission=returned, comment=RETURN)
    correction = services.submission_correct(
        actor=clerk, submission=world.approved, value=125, reason=REASON, note=NOTE
    )
    services.submission_submit(actor=clerk, submission=correction)
    services.notice_answer(
        actor=clerk, notice=world.notice, explanation=EXPLANATION, catch_up_plan=CATCH_UP
    )
    rebuild(plan)
    return {"returned": returned, "correction": correction}


def _page(world: Any, who: str, url: str) -> str:
    response = world.client(who).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _assert_escaped(page: str, *shown: str) -> None:
    for raw in RAW:
        assert raw not in page
    for text in shown:
        assert text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in page


def test_the_entry_grid_escapes_notes_comments_and_reasons(world: Any, hostile: Any) -> None:
    _assert_escaped(_page(world, "clerk", "/entry/2015/3/"), NOTE, RETURN)
    # The correction waits for review: its reason is shown, its note is not.
    _assert_escaped(_page(world, "clerk", "/entry/2015/2/"), REASON)


def test_the_review_month_escapes_notes_and_reasons(world: Any, hostile: Any) -> None:
    page = _page(world, "reviewer", f"/review/{world.hrss.pk}/2/")

    _assert_escaped(page, NOTE, REASON)


def test_a_cells_history_escapes_comments_and_reasons(world: Any, hostile: Any) -> None:
    returned: Submission = hostile["returned"]
    corrected: Submission = hostile["correction"]

    _assert_escaped(_page(world, "reviewer", f"/review/cell/{returned.pk}/history/"), RETURN)
    _assert_escaped(_page(world, "clerk", f"/review/cell/{corrected.pk}/history/"), REASON)


def test_the_notice_pages_escape_the_answer(world: Any, hostile: Any) -> None:
    _assert_escaped(_page(world, "reviewer", "/review/notices/"), EXPLANATION, CATCH_UP)
    _assert_escaped(_page(world, "clerk", "/entry/notices/"), EXPLANATION, CATCH_UP)
    answered = _page(world, "clerk", f"/entry/notices/{world.notice.pk}/answer/")
    _assert_escaped(answered, EXPLANATION, CATCH_UP)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/quota/reemployment/",
        "/dashboard/quota/rural-transfer/",
        "/dashboard/county/410611/",
        "/dashboard/department/hrss/",
        "/bulletins/2015/3/",
        "/bulletins/2015/2/",
        "/review/reports/?month=3",
    ],
)
def test_the_dashboards_and_bulletins_never_carry_raw_html(
    world: Any, hostile: Any, url: str
) -> None:
    _assert_escaped(_page(world, "leader", url))


def test_a_refused_grid_shows_what_was_typed_escaped(world: Any) -> None:
    series = _series(world.plan, "reemployment")
    key = f"{series.pk}-{Region.objects.get(code='410622').pk}"

    response = world.client("clerk").post(
        "/entry/2015/3/", {f"v-{key}": NOTE, f"n-{key}": RETURN, "action": "save"}
    )

    assert response.status_code == 400
    _assert_escaped(response.content.decode(), NOTE, RETURN)


def test_a_refused_review_shows_the_comment_escaped(world: Any) -> None:
    comment = "</textarea>" + RETURN

    response = world.client("reviewer").post(
        f"/review/{world.hrss.pk}/3/", {"action": "return", "comment": comment}
    )

    page = response.content.decode()
    assert "请至少选择一条数据" in page
    assert "</textarea><script>" not in page
    _assert_escaped(page, comment)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("leader", "/dashboard/?as_of="),
        ("leader", "/dashboard/quota/rural-transfer/?as_of="),
        ("auditor", "/exports/?as_of="),
        ("auditor", "/exports/2015/summary.xlsx?as_of="),
    ],
)
def test_an_as_of_echoed_in_the_message_is_escaped(world: Any, who: str, url: str) -> None:
    response = world.client(who).get(url + "<script>alert(1)</script>")

    assert response.status_code == 400
    page = response.content.decode()
    assert "截止月份格式应为 YYYY-MM" in page
    _assert_escaped(page)
    assert "&lt;script&gt;alert(1)" in page
