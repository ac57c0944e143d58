"""No page or file any role can reach shows an ID number in clear (issue #20).

Every role of the authorization matrix asks for every URL of the site by GET, with the matrix's
world (a roster of one person of 淇滨区 among the figures, registers and projects), and Django's
admin for those let in; every answer is searched, workbooks and Word files part by part, for
the person's number in clear, and the log for it too. An auditor's reveal (a POST with a reason,
recorded) is the one answer that holds it.
"""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

import pytest

from tests import test_authz_matrix as matrix
from tests.targets.rosters import QIBIN_WOMAN

pytestmark = pytest.mark.django_db

world = matrix.world  # the matrix's fixture: its users and objects
MASKED = f"{QIBIN_WOMAN[:6]}********{QIBIN_WOMAN[-4:]}"


def _body(response: Any) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # a workbook or a Word file: every part of it
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return content


def _clear(content: bytes) -> bool:
    return QIBIN_WOMAN.encode() in content or QIBIN_WOMAN.lower().encode() in content


@pytest.mark.parametrize("role", matrix.ROLES)
def test_no_page_or_file_a_role_reaches_shows_an_id_in_clear(world, role, caplog):
    caplog.set_level(logging.DEBUG)
    client = matrix._client(world, role)
    shown = []
    masked_seen = False
    urls = [matrix.url_of(route, pattern, world) for route, pattern in matrix.site_patterns()]
    if role in ("auditor", "administrator"):
        urls += matrix._admin_urls()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        content = _body(response)
        if _clear(content):
            shown.append(url)
        masked_seen = masked_seen or MASKED.encode() in content
    assert not shown, f"{role}: an ID number in clear on {shown}"
    assert QIBIN_WOMAN not in caplog.text
    if role in ("clerk", "reviewer", "auditor"):  # they read the roster: masked, so seen
        assert masked_seen


def test_the_reveal_is_the_one_answer_with_the_number_and_it_is_not_logged(world, caplog):
    caplog.set_level(logging.DEBUG)
    client = matrix._client(world, "auditor")
    kwargs = world["per_url"]["roster-reveal"]
    url = f"/rosters/{kwargs['pk']}/reveal/{kwargs['trainee_id']}/"
    assert not _clear(client.get(url).content)
    response = client.post(url, {"reason": "核对重复参训名单", "shown": "id_number"})
    assert _clear(response.content) and "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"  # every page says so
    assert QIBIN_WOMAN not in caplog.text
