"""The bulletin's Word download: the page's content, A4, its fonts, who may have it."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from reporting.rollup import rebuild
from reporting.services import bulletins as publishing
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

DOCX = "/bulletins/2015/3.docx"
PAGE = "/bulletins/2015/3/"


@pytest.fixture
def march(bulletin_march):
    """March for the Word file (``bulletin_march``)."""
    return bulletin_march


def paragraphs(response) -> list[str]:
    document = Document(BytesIO(response.content))
    return [p.text for p in document.paragraphs if p.text]


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


def test_the_word_file_has_the_pages_content(march, make_user) -> None:
    client = client_for(make_user("leader"))
    page = client.get(PAGE)
    html = page.content.decode()

    response = client.get(DOCX)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="bulletin-2015-03.docx"'
    lines = paragraphs(response)
    assert lines == page_lines(page.context["paper"])
    for line in lines:  # every line of the file is on the page
        for part in line.split("　　"):
            assert part in html, part
    assert lines[0] == "第1期（草稿）"
    assert "四、重点工作进展" in lines and "六、下步工作要求" in lines
    assert f'href="{DOCX}"' in html


def test_the_word_file_is_a4_with_official_margins_and_chinese_fonts(march, make_user) -> None:
    response = client_for(make_user("leader")).get(DOCX)
    document = Document(BytesIO(response.content))
    section = document.sections[0]

    def mm(*lengths: int) -> tuple[float, ...]:  # Word keeps twentieths of a point
        return tuple(round(length / Mm(1), 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)  # A4
    assert mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert mm(section.left_margin, section.right_margin) == (28, 26)
    fonts = {
        run._element.rPr.rFonts.get(qn("w:eastAsia"))
        for paragraph in document.paragraphs
        for run in paragraph.runs
    }
    assert {"仿宋", "黑体"} <= fonts
    heading = next(p for p in document.paragraphs if p.text == "一、总体进展")
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_a_published_word_file_is_the_published_text_not_the_current_rollup(
    march, make_user, correct, time_machine
) -> None:
    reviewer = make_user("reviewer")
    published = publishing.bulletin_publish(
        plan=march.indicator.plan, month=3, actor=reviewer, confirmed=True
    )
    time_machine.move_to("2015-04-20 10:00 +08:00")
    correct(march, 1500)
    rebuild(march.indicator.plan)

    lines = paragraphs(client_for(reviewer).get(DOCX))

    assert lines[0] == "第1期"
    assert lines[3:-3] == published.text.split("\n")
    assert any("农村劳动力转移就业技能培训完成1200人次" in line for line in lines)
    assert not any("完成1500人次" in line for line in lines)


def test_it_checks_the_role(march, make_user) -> None:
    assert client_for(make_user("clerk", department="hrss")).get(DOCX).status_code == 403
    assert client_for(make_user(None)).get(DOCX).status_code == 403
    anonymous = Client().get(DOCX)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for role in ("leader", "reviewer", "auditor", "administrator"):
        assert client_for(make_user(role)).get(DOCX).status_code == 200


def test_a_draft_plans_word_file_is_for_administrators_only(plan_of_year, make_user) -> None:
    draft = plan_of_year(2016, status="draft")
    rebuild(draft)
    url = "/bulletins/2016/1.docx"
    assert client_for(make_user("leader")).get(url).status_code == 404
    assert client_for(make_user("administrator")).get(url).status_code == 200


def test_no_word_file_before_the_rollup(plan, make_user) -> None:
    client = client_for(make_user("leader"))
    assert client.get(DOCX).status_code == 404
    assert client.get("/bulletins/2015/13.docx").status_code == 404
    assert client.post(DOCX).status_code == 405


def test_text_typed_into_the_plans_settings_is_written_as_text(march, make_user) -> None:
    plan = march.indicator.plan
    plan.bulletin_issuer = '=HYPERLINK("x")<w:p>\x01办公室'
    plan.bulletin_cc = "<b>市政府办公室</b>"
    plan.save()

    lines = paragraphs(client_for(make_user("leader")).get(DOCX))

    assert lines[1].startswith('=HYPERLINK("x")<w:p>办公室　　')
    assert lines[-1] == "抄送：<b>市政府办公室</b>。"
