"""A NUL character anywhere a user can type: PostgreSQL cannot store it in a text column and
psycopg refuses it in a query parameter, so reaching the database with one would be a 500.
Every form answers 400 with a Chinese message and writes nothing; every GET answers a normal
page, 400 or 404. These run on SQLite too (where a NUL would be stored): the answer is the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.models import Indicator, Region

pytestmark = pytest.mark.django_db

NUL = "\x00"


def _key(world: Any, code: str = "reemployment", region: str = "410622") -> str:
    series = Indicator.objects.get(plan=world.plan, code=code)
    return f"{series.pk}-{Region.objects.get(code=region).pk}"


def test_a_nul_in_a_grid_note_is_refused_beside_the_cell(world: Any, snap: Any) -> None:
    key = _key(world)
    before = snap()

    response = world.client("clerk").post(
        "/entry/2015/3/", {f"v-{key}": "5", f"n-{key}": f"备注{NUL}", "action": "save"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "本月数据未保存" in page
    assert "备注中不能含有控制字符" in page
    assert snap() == before


def test_a_note_longer_than_the_page_allows_is_refused(world: Any, snap: Any) -> None:
    """Not a NUL, but the same door: the page's note field takes 1000 characters, the Excel
    template too; a POST made by hand with a megabyte of note is refused the same way."""
    key = _key(world)
    before = snap()
    client = world.client("clerk")

    longest = client.post("/entry/2015/3/", {f"v-{key}": "5", f"n-{key}": "注" * 1000})
    too_long = client.post("/entry/2015/4/", {f"v-{key}": "5", f"n-{key}": "注" * 1001})
    huge = client.post("/entry/2015/5/", {f"v-{key}": "5", f"n-{key}": "注" * 300_000})

    assert longest.status_code == 302
    assert too_long.status_code == huge.status_code == 400
    assert "备注不能超过 1000 字" in too_long.content.decode()
    assert len(snap()["submission"]) == len(before["submission"]) + 1


@pytest.mark.parametrize("typed", [NUL, f"5{NUL}", f"{NUL}5"])
def test_a_nul_in_a_grid_figure_is_refused(world: Any, snap: Any, typed: str) -> None:
    key = _key(world)
    before = snap()

    response = world.client("clerk").post("/entry/2015/3/", {f"v-{key}": typed, "action": "save"})

    assert response.status_code == 400
    assert "请填写数字" in response.content.decode()
    assert snap() == before


def test_a_nul_in_a_grid_field_name_or_token_is_refused(world: Any, snap: Any) -> None:
    key = _key(world)
    before = snap()
    client = world.client("clerk")

    forged_name = client.post("/entry/2015/3/", {f"v-{key}{NUL}": "5", "action": "save"})
    forged_token = client.post(
        "/entry/2015/3/", {f"v-{key}": "5", f"t-{key}": NUL, "action": "save"}
    )

    assert forged_name.status_code == 403
    assert forged_token.status_code == 400
    assert snap() == before


@pytest.mark.parametrize("field", ["value", "reason", "note"])
def test_a_nul_in_a_correction_is_refused(world: Any, snap: Any, field: str) -> None:
    data = {"value": "125", "reason": "补录漏报", "note": "", field: f"1{NUL}"}
    before = snap()

    response = world.client("clerk").post(f"/entry/cell/{world.approved.pk}/correct/", data)

    assert response.status_code == 400
    assert "不允许" in response.content.decode() or "请填写数字" in response.content.decode()
    assert snap() == before


def test_a_nul_in_a_return_comment_is_refused(world: Any, snap: Any) -> None:
    before = snap()

    response = world.client("reviewer").post(
        f"/review/{world.hrss.pk}/3/",
        {"action": "return", "ids": [world.waiting[0].pk], "comment": f"请核实{NUL}"},
    )

    assert response.status_code == 400
    assert "审核意见中不能含有控制字符" in response.content.decode()
    assert snap() == before


@pytest.mark.parametrize("ids", [NUL, f"1{NUL}", "１" + NUL])
def test_a_nul_in_the_ids_is_not_found(world: Any, snap: Any, ids: str) -> None:
    before = snap()

    response = world.client("reviewer").post(
        f"/review/{world.hrss.pk}/3/", {"action": "approve", "ids": [ids]}
    )

    assert response.status_code == 404
    assert snap() == before


@pytest.mark.parametrize("field", ["explanation", "catch_up_plan"])
def test_a_nul_in_a_notice_answer_is_refused(world: Any, snap: Any, field: str) -> None:
    data = {"explanation": "开班推迟。", "catch_up_plan": "加开两期。", field: f"推迟{NUL}"}
    before = snap()

    response = world.client("clerk").post(f"/entry/notices/{world.notice.pk}/answer/", data)

    assert response.status_code == 400
    assert "不允许" in response.content.decode()
    assert snap() == before


def test_a_nul_in_an_export_request_is_refused(world: Any, snap: Any) -> None:
    before = snap()

    response = world.client("auditor").post("/exports/2015/jobs/", {"as_of": f"2015-03{NUL}"})

    assert response.status_code == 400
    assert "截止月份格式应为 YYYY-MM" in response.content.decode()
    assert snap() == before


def test_a_nul_in_an_upload_name_or_action_saves_nothing(world: Any, snap: Any) -> None:
    before = snap()

    response = world.client("clerk").post(
        "/entry/2015/3/upload/",
        {"file": SimpleUploadedFile(f"a{NUL}.xlsx", b"PK" + NUL.encode()), "action": NUL},
    )

    assert response.status_code == 400
    assert "不是Excel（.xlsx）文件" in response.content.decode()
    assert snap() == before


def test_a_nul_in_a_login_is_a_form_error(world: Any) -> None:
    response = world.client(None).post(
        "/accounts/login/", {"username": f"clerk{NUL}", "password": f"x{NUL}"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in world.client(None).session


@pytest.mark.parametrize(
    ("who", "url", "statuses"),
    [
        ("leader", "/dashboard/?county=%00", (200,)),
        ("leader", "/dashboard/?department=%00&status=%00", (200,)),
        ("leader", "/dashboard/?sort=%00", (200,)),
        ("leader", "/dashboard/?as_of=2015-03%00", (400,)),
        ("leader", "/dashboard/county/%00/", (404,)),
        ("leader", "/dashboard/county/4106%0011/", (404,)),
        ("leader", "/dashboard/county/410611/?as_of=%00", (400,)),
        ("leader", "/dashboard/department/hrss/?sort=%00", (200,)),
        ("leader", "/api/progress/2015/?as_of=%00", (400,)),
        ("leader", "/review/reports/?month=%00", (404,)),
        ("reviewer", "/review/notices/?status=%00", (200,)),
        ("clerk", "/entry/notices/?status=%00", (200,)),
        ("auditor", "/exports/?year=%00&as_of=%00", (400,)),
        ("auditor", "/exports/2015/summary.xlsx?as_of=%00", (400,)),
        ("leader", "/bulletins/2015/3/?x=%00", (200,)),
    ],
)
def test_a_nul_in_a_url_or_query_is_a_clean_answer(
    world: Any, who: str, url: str, statuses: tuple[int, ...]
) -> None:
    assert world.client(who).get(url).status_code in statuses
