"""A county's bulletin on the bulletin pages (``?unit=<code>``): a county's people read their
county's (without ``unit`` too) and never another's or the city's; the city's readers read every
county's; the Word file prints the page's lines; the county's reviewer publishes it."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document

from reporting.models import Bulletin
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGE = "/bulletins/2015/3/"
DOCX = "/bulletins/2015/3.docx"
LIST = "/bulletins/"
PUBLISH = "/bulletins/2015/3/publish/"
XUN = "?unit=410621"
TITLE = "关于2015年1—3月浚县全民技能振兴工程目标任务进展情况的通报"
CITY_TITLE = "关于2015年1—3月全民技能振兴工程目标任务进展情况的通报"
CONFIRM = {"confirm": "1"}  # March has a report not approved: publishing needs a confirmation


def page_lines(paper: dict) -> list[str]:
    return [
        paper["number"],
        f"{paper['issuer']}　　{paper['date']}",
        paper["title"],
        *[line for _heading, line in paper["blocks"]],
        paper["issuer"],
        paper["date"],
        paper["cc"],
    ]


# --- who reads which ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "reviewer", "auditor"])
def test_a_countys_people_read_their_countys_bulletin(county_march, county_people, role) -> None:
    client = client_for(county_people[role])

    for url in (PAGE, PAGE + XUN):
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200, url
        assert page.context["region"].code == "410621"
        assert TITLE in html and "浚县全民技能振兴工程领导小组办公室" in html
        assert "淇滨区" not in html and "999" not in html
        assert f'href="{DOCX}{XUN}"' in html
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert f'href="{PAGE}{XUN}"' in listing.content.decode()
    assert 'id="county-bulletins"' not in listing.content.decode()


@pytest.mark.parametrize("url", [PAGE, DOCX, LIST])
def test_it_checks_the_county(county_march, county_people, url) -> None:
    client = client_for(county_people["leader"])

    for other in ("410622", "410611", "999999", "abc", "4106210", "%00"):
        assert client.get(f"{url}?unit={other}").status_code == 404, other
    # 市直's code names the city's own level: the city's paper is the city's people's.
    assert client.get(f"{url}?unit=410601").status_code == 403


def test_the_city_readers_read_any_countys_bulletin(county_march, leader) -> None:
    client = client_for(leader)

    city = client.get(PAGE)
    county = client.get(PAGE + XUN)
    qi = client.get(PAGE + "?unit=410622")

    assert CITY_TITLE in city.content.decode() and city.context["region"] is None
    assert TITLE in county.content.decode()
    assert "关于2015年1—3月淇县全民技能振兴工程" in qi.content.decode()
    assert CITY_TITLE in client.get(PAGE + "?unit=410601").content.decode()
    listing = client.get(LIST).content.decode()
    assert 'id="county-bulletins"' in listing and f'href="{LIST}{XUN}"' in listing


def test_clerks_still_read_no_bulletin(county_march, county_clerk) -> None:
    client = client_for(county_clerk)
    for url in (PAGE + XUN, DOCX + XUN, LIST + XUN):
        assert client.get(url).status_code == 403
    assert client.post(PUBLISH + XUN, CONFIRM).status_code == 403


# --- the Word file -------------------------------------------------------------------------------


def test_the_word_file_has_the_pages_lines_to_the_digit(county_march, county_people) -> None:
    client = client_for(county_people["leader"])
    page = client.get(PAGE)

    response = client.get(DOCX)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bulletin-2015-03-410621.docx"'
    lines = [p.text for p in Document(BytesIO(response.content)).paragraphs if p.text]
    assert lines == page_lines(page.context["paper"])
    text = "\n".join(lines)
    assert "占年度目标（4000人次）的30.0%，超序时进度5.0个百分点" in text
    assert "退役士兵参训率为65.3%（98/150，目标90%），低于目标24.7个百分点" in text
    assert lines[0] == "第1期（草稿）"
    html = page.content.decode()
    for line in lines:
        for part in line.split("　　"):
            assert part in html, part


# --- publishing -----------------------------------------------------------------------------------


def test_the_countys_reviewer_publishes_its_bulletin(county_march, county_people) -> None:
    client = client_for(county_people["reviewer"])
    assert 'id="bulletin-publish"' in client.get(PAGE).content.decode()

    response = client.post(PUBLISH + XUN, CONFIRM)

    assert response.status_code == 302 and response["Location"] == PAGE + XUN
    frozen = Bulletin.objects.get()
    assert (frozen.region.code, frozen.number, frozen.month) == ("410621", 1, 3)
    page = client.get(PAGE).content.decode()
    assert "已发布" in page and "第1期" in page and 'id="bulletin-publish"' not in page
    assert "发布以来数据没有变化。" in page
    read = client_for(county_people["leader"]).get(PAGE).content.decode()
    assert "第1期" in read and "第1期（草稿）" not in read
    assert not Bulletin.objects.filter(region=None).exists()  # the city's March: a draft


def test_publishing_the_county_asks_to_confirm_what_is_outstanding(
    county_march, county_people
) -> None:
    response = client_for(county_people["reviewer"]).post(PUBLISH + XUN)

    assert response.status_code == 409
    html = response.content.decode()
    assert "人力资源社会保障局 × 浚县：应报8项，已报送8项，已审核7项" in html
    assert f'action="{PUBLISH}{XUN}"' in html
    assert not Bulletin.objects.exists()


def test_who_may_publish_a_countys_bulletin(county_march, county_people, reviewer) -> None:
    county = client_for(county_people["reviewer"])
    assert county.post(PUBLISH + "?unit=410622", CONFIRM).status_code == 404
    assert county.post(PUBLISH + "?unit=410601", CONFIRM).status_code == 403
    for role in ("leader", "auditor"):
        client = client_for(county_people[role])
        assert 'id="bulletin-publish"' not in client.get(PAGE).content.decode()
        assert client.post(PUBLISH, CONFIRM).status_code == 403
    assert not Bulletin.objects.exists()

    # The city's reviewers publish a county's bulletin too: its own 第1期, not the city's.
    assert client_for(reviewer).post(PUBLISH + "?unit=410622", CONFIRM).status_code == 302
    assert client_for(reviewer).post(PUBLISH, CONFIRM).status_code == 302
    assert sorted(
        (b.region.code if b.region else "", b.number) for b in Bulletin.objects.all()
    ) == [("", 1), ("410622", 1)]
