"""GET /api/rosters/<year>/summary (CONTRACT.md): counts only, never a name or an ID number;
who may ask and for which unit as the progress API; the dashboard's share of the training goal
backed by rosters, from the same exact ratio."""

from __future__ import annotations

import re

import pytest

from reporting.rollup import rebuild
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

URL = "/api/rosters/2015/summary"
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def test_the_summary_counts_classes_people_checks_findings_and_backing(rosters, auditor):
    response = client_for(auditor).get(URL, {"as_of": "2015-06"})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2015-06" and body["unit"]["code"] == "410600"
    assert (body["classes"], body["trainees"], body["persons"]) == (2, 3, 2)
    (rural,) = [item for item in body["items"] if item["code"] == "rural-transfer"]
    assert (rural["figure"], rural["roster"], rural["mismatched"], rural["matching"]) == (
        4,
        3,
        1,
        0,
    )
    assert body["findings"]["overlap"] == 1 and body["findings"]["no-disability-card"] == 1
    assert body["findings"]["same-roster"] == 0
    (training,) = body["backing"]
    assert training == {"goal": "training-total", "reported": 4, "backed": 3, "share": 0.75}
    text = response.content.decode()
    assert not ID_NUMBER.search(text) and "张三" not in text and "0015" not in text


def test_before_the_classes_month_there_is_nothing(rosters, auditor):
    body = client_for(auditor).get(URL, {"as_of": "2015-05"}).json()
    assert (body["classes"], body["trainees"], body["items"], body["backing"]) == (0, 0, [], [])
    assert set(body["findings"].values()) == {0}


def test_who_may_ask_and_for_which_unit(rosters, clerk, county_people, auditor):
    assert client_for(clerk).get(URL).status_code == 403
    assert client_for(auditor).get(URL, {"as_of": "2015-13"}).status_code == 400
    assert client_for(auditor).get("/api/rosters/2031/summary").status_code == 404
    county = client_for(county_people["auditor"])
    own = county.get(URL, {"as_of": "2015-06"}).json()
    assert own["unit"]["code"] == "410621" and own["classes"] == 2
    assert county.get(URL, {"unit": "410611"}).status_code == 403
    qibin = client_for(auditor).get(URL, {"as_of": "2015-06", "unit": "410611"}).json()
    assert (qibin["classes"], qibin["backing"]) == (0, [])
    assert client_for(auditor).post(URL).status_code == 405


def test_the_dashboard_shows_the_share_backed_by_rosters(rosters, plan, leader):
    rebuild(plan)
    page = client_for(leader).get("/dashboard/", {"as_of": "2015-06"}).content.decode()
    assert "已审核的 4 人次中，有花名册支撑的 3 人次，占 75.0%" in page
    assert "/rosters/" not in page  # leaders read the share, not the rosters


def test_the_quota_drill_down_sets_each_cell_beside_its_roster(rosters, plan, leader):
    rebuild(plan)
    client = client_for(leader)
    page = client.get("/dashboard/quota/rural-transfer/", {"as_of": "2015-06"})
    rows = [
        [cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", page.content.decode().split("花名册核对")[1], re.S)
    ]
    assert rows[1][:6] == ["浚县", "6", "4", "3", "2", "-1"] and "不一致" in rows[1][6]
    rate = client.get("/dashboard/quota/veterans-pass/").content.decode()
    assert "花名册核对" not in rate  # no roster stands behind a rate
