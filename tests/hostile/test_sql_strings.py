"""SQL-looking strings are only text: in notes, comments and reasons they are stored as typed;
in query parameters and URL codes they give a normal page, a Chinese 400 or a 404; the tables
are all there afterwards and nothing else changed."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from targets.models import Department, Indicator, Region, Submission

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "'; DROP TABLE targets_submission; --",
    "1 OR 1=1",
    "' OR '1'='1",
    "2015-03' OR 1=1 --",
    '"; DELETE FROM reporting_rollup; --',
    "1; SELECT pg_sleep(5)",
    "%' UNION SELECT password FROM auth_user --",
    "\\'; TRUNCATE targets_region; --",
]
# GET pages and who may read them: every query parameter they read is given the payload.
PAGES = [
    ("leader", "/dashboard/", ("as_of", "department", "county", "status", "sort")),
    ("leader", "/dashboard/quota/rural-transfer/", ("as_of",)),
    ("leader", "/dashboard/county/410611/", ("as_of", "sort")),
    ("leader", "/dashboard/department/hrss/", ("as_of", "sort")),
    ("leader", "/api/progress/2015/", ("as_of",)),
    ("leader", "/review/reports/", ("month",)),
    ("leader", "/bulletins/", ()),
    ("reviewer", "/review/notices/", ("status",)),
    ("reviewer", "/review/", ()),
    ("clerk", "/entry/notices/", ("status",)),
    ("clerk", "/entry/", ()),
    ("auditor", "/exports/", ("year", "as_of")),
    ("auditor", "/exports/2015/summary.xlsx", ("as_of",)),
]
TABLES = ("targets_submission", "targets_region", "reporting_rollup", "auth_user")


def _intact() -> dict[str, int]:
    """Every table the payloads name still answers, with its row count."""
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.parametrize("payload", PAYLOADS)
def test_in_query_parameters_a_page_a_400_or_a_404(world: Any, snap: Any, payload: str) -> None:
    before, tables = snap(), _intact()
    for who, url, parameters in PAGES:
        client = world.client(who)
        for name in parameters:
            response = client.get(url, {name: payload})
            assert response.status_code in (200, 400, 404), (url, name)
            if response.status_code == 400:
                assert "YYYY-MM" in response.content.decode(), (url, name)
        assert client.get(url, dict.fromkeys(parameters, payload)).status_code in (200, 400, 404)
    assert snap() == before
    assert _intact() == tables
    assert Region.objects.count() == 8  # five counties, 市直, the city and its province


@pytest.mark.parametrize("payload", PAYLOADS)
def test_in_url_codes_not_found(world: Any, snap: Any, payload: str) -> None:
    before, tables = snap(), _intact()
    client = world.client("leader")
    for page in ("quota", "county", "department"):
        response = client.get(f"/dashboard/{page}/{quote(payload, safe='')}/")
        assert response.status_code == 404, page
    assert client.get(f"/api/progress/{quote(payload, safe='')}/").status_code == 404
    assert snap() == before
    assert _intact() == tables


@pytest.mark.parametrize("payload", PAYLOADS)
def test_in_notes_reasons_and_comments_stored_as_typed(world: Any, payload: str) -> None:
    tables = _intact()
    series = Indicator.objects.get(plan=world.plan, code="reemployment")
    key = f"{series.pk}-{Region.objects.get(code='410622').pk}"
    clerk, reviewer = world.client("clerk"), world.client("reviewer")

    saved = clerk.post("/entry/2015/3/", {f"v-{key}": "5", f"n-{key}": payload})
    corrected = clerk.post(
        f"/entry/cell/{world.approved.pk}/correct/",
        {"value": "125", "reason": payload, "note": payload},
    )
    returned = reviewer.post(
        f"/review/{world.hrss.pk}/3/",
        {"action": "return", "ids": [world.waiting[0].pk], "comment": payload},
    )
    answered = clerk.post(
        f"/entry/notices/{world.notice.pk}/answer/",
        {"explanation": payload, "catch_up_plan": payload},
    )

    assert [saved.status_code, corrected.status_code, returned.status_code] == [302] * 3
    assert answered.status_code == 302
    current = Submission.objects.filter(is_current=True)
    assert current.get(indicator=series, region__code="410622", month=3).note == payload
    correction = current.get(pk__gt=world.approved.pk, correction_reason=payload)
    assert correction.note == payload
    world.waiting[0].refresh_from_db()
    assert world.waiting[0].review_comment == payload
    world.notice.refresh_from_db()
    assert world.notice.explanation == world.notice.catch_up_plan == payload
    assert _intact()["targets_region"] == tables["targets_region"]
    assert Department.objects.filter(code="hrss").exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_in_posted_ids_actions_and_months_refused(world: Any, snap: Any, payload: str) -> None:
    before, tables = snap(), _intact()
    reviewer = world.client("reviewer")

    ids = reviewer.post(f"/review/{world.hrss.pk}/3/", {"action": "approve", "ids": [payload]})
    action = reviewer.post(f"/review/{world.hrss.pk}/3/", {"action": payload})
    export = world.client("auditor").post("/exports/2015/jobs/", {"as_of": payload})

    assert ids.status_code == 404
    assert action.status_code == 200
    assert "未知的操作" in action.content.decode()
    assert export.status_code == 400
    assert snap() == before
    assert _intact() == tables
