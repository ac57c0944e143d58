"""Hypothesis: whatever is typed into any form, query parameter or URL, the answer is never a 5xx.

Text comes with control characters, NUL, full-width and other Unicode digits, HTML and SQL, and
strings of many kilobytes. Every example runs in a savepoint that is rolled back, so examples
do not pile up data and one database error cannot poison the next (on PostgreSQL a NUL that
reached the database would raise here, not hide). Run them against PostgreSQL in CI.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targets.models import Indicator, Region, places_of

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
ODD = [
    "",
    " ",
    "\x00",
    "5\x00",
    "\x00\x01\x1f\x7f",
    "１２３",
    "１，２００",
    "٣٤",
    "𝟙𝟚",
    "1,200",
    "-5",
    "1e9",
    "3.5",
    "NaN",
    "9" * 30,
    "9" * 5000,
    "\ufeff12",
    "\u202e12",
    "12\r\n",
    "2015-03",
    "２０１５-０３",
    "2015-13",
    "0-0",
    "<script>alert(1)</script>",
    "'; DROP TABLE targets_submission; --",
    "1 OR 1=1",
    "%00",
    "../../etc/passwd",
]
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(ODD),
    # A control character inside ordinary text, NUL above all: what PostgreSQL cannot store.
    st.builds(
        lambda before, control, after: before + control + after,
        st.text(max_size=10),
        st.sampled_from(["\x00", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028"]),
        st.text(max_size=10),
    ),
    st.builds(
        lambda piece, n: piece * n, st.text(min_size=1, max_size=3), st.integers(300, 20_000)
    ),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["1", "3", "12", "13", "0", "2015", "99999999999999999999"]),
)


def _isolated(call: Callable[[], Any]) -> Any:
    """The response of ``call``, its writes rolled back."""
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def _keys(world: Any) -> list[str]:
    series = Indicator.objects.filter(plan=world.plan, department=world.hrss, code__in=CODES)
    return [f"{s.pk}-{r.pk}" for s in series for r in places_of(world.plan)]


CODES = ("rural-transfer", "in-service", "reemployment")


@FUZZ
@given(
    data=st.data(),
    extra=st.dictionaries(texts, texts, max_size=3),
    action=st.one_of(st.sampled_from(["save", "submit"]), texts),
)
def test_the_entry_grid(world: Any, data: Any, extra: dict[str, str], action: str) -> None:
    form: dict[str, str] = {"action": action, **extra}
    for key in data.draw(st.lists(st.sampled_from(_keys(world)), max_size=4, unique=True)):
        form[f"v-{key}"] = data.draw(st.one_of(st.integers(0, 200).map(str), numbers, texts))
        if data.draw(st.booleans()):
            form[f"n-{key}"] = data.draw(texts)
        if data.draw(st.booleans()):
            form[f"t-{key}"] = data.draw(texts)
    month = data.draw(st.sampled_from(["3", "4", "12"]))

    response = _isolated(lambda: world.client("clerk").post(f"/entry/2015/{month}/", form))

    assert response.status_code in (302, 400, 403)


def test_a_figure_of_thousands_of_digits_is_refused_as_too_large(world: Any) -> None:
    """Once a 500: int() refuses a string of more than 4300 digits (ValueError)."""
    series = Indicator.objects.get(plan=world.plan, code="reemployment")
    key = f"{series.pk}-{Region.objects.get(code='410622').pk}"
    form = {"action": "save", f"v-{key}": "9" * 5000}

    response = world.client("clerk").post("/entry/2015/3/", form)

    assert response.status_code == 400
    assert "数值过大" in response.content.decode()


@settings(FUZZ, max_examples=30)
@given(notes=st.lists(texts, min_size=1, max_size=4), submit=st.booleans())
def test_a_valid_grid_with_any_notes(world: Any, notes: list[str], submit: bool) -> None:
    """Figures that would be saved, so that every note reaches the save."""
    form = {"action": "submit" if submit else "save"}
    for key, note in zip(_keys(world), notes, strict=False):
        form[f"v-{key}"], form[f"n-{key}"] = "7", note

    response = _isolated(lambda: world.client("clerk").post("/entry/2015/4/", form))

    assert response.status_code in (302, 400)


@FUZZ
@given(value=st.one_of(numbers, texts), reason=texts, note=texts)
def test_the_correction_form(world: Any, value: str, reason: str, note: str) -> None:
    url = f"/entry/cell/{world.approved.pk}/correct/"
    form = {"value": value, "reason": reason, "note": note}

    response = _isolated(lambda: world.client("clerk").post(url, form))

    assert response.status_code in (302, 400)


@FUZZ
@given(
    action=st.one_of(st.sampled_from(["approve_all", "approve", "return"]), texts),
    ids=st.lists(st.one_of(st.sampled_from(["own", "own"]), numbers, texts), max_size=3),
    comment=texts,
    month=st.one_of(st.just(3), st.integers(0, 13), st.integers(min_value=0, max_value=2**70)),
)
def test_the_review_form(world: Any, action: str, ids: list[str], comment: str, month: int) -> None:
    # "own" stands for a figure of the page that waits for review.
    ids = [str(world.waiting[0].pk) if i == "own" else i for i in ids]
    url = f"/review/{world.hrss.pk}/{month}/"
    form = {"action": action, "ids": ids, "comment": comment}

    response = _isolated(lambda: world.client("reviewer").post(url, form))

    assert response.status_code in (200, 302, 400, 403, 404)


@settings(FUZZ, max_examples=30)
@given(comment=texts)
def test_a_return_with_any_comment(world: Any, comment: str) -> None:
    """A return that would be carried out, so that every comment reaches the database."""
    url = f"/review/{world.hrss.pk}/3/"
    form = {"action": "return", "ids": [world.waiting[0].pk], "comment": comment}

    response = _isolated(lambda: world.client("reviewer").post(url, form))

    assert response.status_code in (200, 302, 400)


@FUZZ
@given(explanation=texts, catch_up_plan=texts)
def test_the_notice_answer(world: Any, explanation: str, catch_up_plan: str) -> None:
    url = f"/entry/notices/{world.notice.pk}/answer/"
    form = {"explanation": explanation, "catch_up_plan": catch_up_plan}

    response = _isolated(lambda: world.client("clerk").post(url, form))

    assert response.status_code in (302, 400)


@FUZZ
@given(year=numbers, month=numbers, as_of=texts, extra=st.dictionaries(texts, texts, max_size=2))
def test_publishing_and_export_jobs(
    world: Any, year: str, month: str, as_of: str, extra: dict[str, str]
) -> None:
    year, month = year.lstrip("-"), month.lstrip("-")  # the URL takes digits only
    publish = _isolated(
        lambda: world.client("reviewer").post(f"/bulletins/{year}/{month}/publish/", extra)
    )
    export = _isolated(
        lambda: world.client("auditor").post(f"/exports/{year}/jobs/", {"as_of": as_of, **extra})
    )

    # 400: a body Django's parser refuses (the view reads its confirm field).
    assert publish.status_code in (302, 400, 404, 409)
    assert export.status_code in (302, 400, 404)


def _template(world: Any) -> bytes:
    return world.client("clerk").get("/entry/2015/3/template.xlsx").content


@FUZZ
@given(content=st.binary(max_size=4096), name=texts, action=texts)
def test_an_upload_of_random_bytes(world: Any, content: bytes, name: str, action: str) -> None:
    file = SimpleUploadedFile(name[:100] or "x", content)

    response = _isolated(
        lambda: world.client("clerk").post(
            "/entry/2015/3/upload/", {"file": file, "action": action}
        )
    )

    assert response.status_code == 400


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_an_upload_of_a_template_with_random_damage(world: Any, data: Any) -> None:
    """The real template, one of its parts cut, overwritten or replaced with random bytes."""
    with zipfile.ZipFile(io.BytesIO(_template(world))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = data.draw(st.sampled_from(sorted(parts)))
    original = parts[name]
    at = data.draw(st.integers(0, len(original)))
    parts[name] = data.draw(
        st.one_of(
            st.just(original[:at]),
            st.binary(max_size=64).map(lambda noise: original[:at] + noise + original[at + 64 :]),
            st.binary(max_size=512),
            texts.map(lambda text: original[:at] + text.encode("utf-8", "replace")),
        )
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    file = SimpleUploadedFile("t.xlsx", out.getvalue())

    response = _isolated(
        lambda: world.client("clerk").post(
            "/entry/2015/3/upload/", {"file": file, "action": "save"}
        )
    )

    assert response.status_code in (302, 400)


@FUZZ
@given(year=numbers, as_of=texts)
def test_the_progress_api(world: Any, year: str, as_of: str) -> None:
    response = world.client("leader").get(f"/api/progress/{year.lstrip('-')}/", {"as_of": as_of})

    assert response.status_code in (200, 400, 404, 503)
    assert response["Content-Type"] == "application/json"


DASHBOARD_PARAMS = ("as_of", "department", "county", "status", "sort", "page", "year", "month")


PAGES = [
    ("leader", "/dashboard/"),
    ("leader", "/dashboard/quota/{code}/"),
    ("leader", "/dashboard/county/{code}/"),
    ("leader", "/dashboard/department/{code}/"),
    ("leader", "/review/reports/"),
    ("leader", "/bulletins/"),
    ("reviewer", "/review/notices/"),
    ("clerk", "/entry/notices/"),
    ("auditor", "/exports/"),
    ("auditor", "/exports/2015/summary.xlsx"),
]


@settings(FUZZ, max_examples=60)
@given(
    page=st.sampled_from(PAGES),
    params=st.dictionaries(st.one_of(st.sampled_from(DASHBOARD_PARAMS), texts), texts, max_size=4),
    code=st.one_of(st.sampled_from(["rural-transfer", "410611", "hrss"]), texts),
)
def test_the_dashboards_and_lists(
    world: Any, page: tuple[str, str], params: dict[str, str], code: str
) -> None:
    who, url = page
    url = url.format(code=quote(code, safe="") or "x")

    response = world.client(who).get(url, params)

    assert response.status_code in (200, 400, 404), (url, response.status_code)


@FUZZ
@given(username=texts, password=texts, language=texts, next_url=texts)
def test_logging_in_and_choosing_a_language(
    world: Any, username: str, password: str, language: str, next_url: str
) -> None:
    login = _isolated(
        lambda: world.client(None).post(
            "/accounts/login/", {"username": username, "password": password}
        )
    )
    chosen = world.client("clerk").post("/i18n/setlang/", {"language": language, "next": next_url})

    assert login.status_code == 200
    assert chosen.status_code in (200, 302)
