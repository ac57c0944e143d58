"""Uploads and who may make them: stale templates, locked cells, other clerks' templates, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.test import Client

from targets import services
from targets.models import Plan, Submission
from tests.helpers import client_for
from tests.targets.entry_upload import (
    TEMPLATE,
    UPLOAD,
    Role,
    cell,
    counts,
    download,
    filled,
    indicator,
    messages_of,
    nothing_changed,
    region,
    saved,
    upload,
    where,
    workbook_of,
)

pytestmark = pytest.mark.django_db

# --- stale templates and locked cells ------------------------------------------------------


@pytest.fixture
def stale_template(clerk: User, make_user: Any) -> tuple[Client, bytes]:
    """The clerk's client and March template, downloaded before another hrss clerk
    (clerk-hrss-2) saved 7 for rural-transfer in 淇滨区."""
    other = make_user(Role.CLERK, "hrss", username="clerk-hrss-2")
    mine = client_for(clerk)
    content = download(mine)
    services.submission_save(
        actor=other, indicator=indicator("rural-transfer"), region=region("410611"), month=3,
        value=7,
    )  # fmt: skip
    return mine, content


def test_a_stale_template_is_a_conflict_not_a_lost_update(
    stale_template: tuple[Client, bytes],
) -> None:
    mine, content = stale_template
    before = counts()

    response = upload(mine, filled(content, None, **{"rural-transfer__410611": 8}))

    assert response.status_code == 400
    page = messages_of(response)
    assert "填报!E7：" in page
    assert "clerk-hrss-2" in page
    assert "您的修改未保存" in page
    assert "请重新下载模板" in page
    assert cell("rural-transfer", "410611").value == 7
    assert nothing_changed(before)


def test_a_stale_template_cannot_clear_what_another_clerk_entered(
    stale_template: tuple[Client, bytes],
) -> None:
    mine, content = stale_template

    # The stale template still shows that cell empty; another cell is what the clerk changed.
    response = upload(mine, filled(content, None, **{"in-service__410621": 3}))

    assert response.status_code == 400
    assert "请重新下载模板" in messages_of(response)
    assert cell("rural-transfer", "410611").value == 7
    assert cell("in-service", "410621") is None


def test_a_cell_approved_after_the_download_does_not_block_the_rest(
    clerk: User, reviewer: User, figure: Any
) -> None:
    client = client_for(clerk)
    rural = figure("rural-transfer", "410611", 3, 9)
    content = download(client)
    services.submission_approve(actor=reviewer, submission=rural)

    response = upload(client, filled(content, None, **{"in-service__410621": 3}))

    assert response.status_code == 302
    assert cell("in-service", "410621").value == 3
    assert cell("rural-transfer", "410611").status == "approved"


def test_changing_a_locked_cell_with_protection_removed_is_refused(
    clerk: User, figure: Any
) -> None:
    client = client_for(clerk)
    figure("rural-transfer", "410611", 3, 9, status="approved")
    workbook = workbook_of(download(client))
    sheet = workbook["填报"]
    sheet.protection.sheet = False
    sheet[where(sheet, "rural-transfer", "410611")] = 99
    before = counts()

    response = upload(client, saved(workbook))

    assert response.status_code == 400
    assert "填报!E7：该数据已审核锁定" in messages_of(response)
    assert cell("rural-transfer", "410611").value == 9
    assert nothing_changed(before)


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.REVIEWER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR, None]
)
def test_only_clerks_may_download_or_upload(clerk: User, make_user: Any, role: Any) -> None:
    content = filled(download(client_for(clerk)), 5)
    client = client_for(make_user(role))

    assert client.get(TEMPLATE).status_code == 403
    assert upload(client, content).status_code == 403
    assert not Submission.objects.exists()


def test_a_superuser_without_a_role_may_not_either(clerk: User, make_user: Any) -> None:
    client = client_for(make_user(None, is_superuser=True, is_staff=True))

    assert client.get(TEMPLATE).status_code == 403
    assert upload(client, filled(download(client_for(clerk)), 5)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(plan: Plan) -> None:
    for response in (Client().get(TEMPLATE), Client().post(UPLOAD, {"action": "save"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_unknown_year_or_month_is_not_found_and_upload_takes_only_posts(clerk: User) -> None:
    client = client_for(clerk)
    assert client.get("/entry/2099/3/template.xlsx").status_code == 404
    assert client.get("/entry/2015/13/template.xlsx").status_code == 404
    assert client.post("/entry/2015/0/upload/", {"action": "save"}).status_code == 404
    assert client.get(UPLOAD).status_code == 405
