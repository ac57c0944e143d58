"""The bulletin's 重点工作进展: counts by status, the 滞后 items and steps named with their
units (逾期 said), a 下步工作要求 for them; on the page and in the Word file, and frozen with a
published bulletin."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from docx import Document

from reporting.bulletins import numbers as bulletin_numbers
from reporting.bulletins import text as bulletin_text
from reporting.services import bulletins as publishing
from targets import services
from tests.helpers import client_for
from tests.reporting.work_ledger import build
from tests.targets.work_flow import Progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(
    bulletin_march: Any, plan: Any, administrator: Any, clerk: Any, clerk_of: Any, reviewer: Any
) -> dict:
    """March's figures (rolled up, the clock on 10 April) and the small work ledger."""
    return build(plan, administrator, clerk, clerk_of, reviewer)


def section(text: str) -> list[str]:
    return text.split("四、重点工作进展\n")[1].split("\n五、存在的问题")[0].split("\n")


def test_the_section_counts_and_names_whats_behind(plan: Any, ledger: dict) -> None:
    numbers = bulletin_numbers.collect(plan, 4)
    lines = section(bulletin_text.render(numbers)[1])
    assert lines[0] == (
        "截至2015年4月底，方案确定的13项重点工作中，已完成1项，推进中0项，滞后2项，未开始10项"
        "（以审核通过的工作台账为准）。各责任单位共设定工作措施5项，逾期未完成1项。"
    )
    assert lines[1] == (
        "进度滞后的重点工作：实施“政府+企业”“劳务品牌+培训基地”“就业+培训”3个对接行动"
        "（牵头单位：人力资源社会保障局）、城乡劳动者技能培训品牌基地项目（鹤山区依托鹤壁工业中专）"
        "（牵头单位：鹤山区人力资源社会保障局）。"
    )
    assert lines[2] == (
        "滞后的工作措施：人力资源社会保障局“召开对接会”（完成时限3月31日，已逾期）；"
        "鹤山区人力资源社会保障局“申报基地”（完成时限6月30日）。"
    )
    assert len(lines) == 3
    requirements = bulletin_text.render(numbers)[1].split("六、下步工作要求\n")[1]
    assert "（一）加快重点工作推进。请人力资源社会保障局、鹤山区人力资源社会保障局对滞后" in (
        requirements
    )


def test_nothing_behind_no_list_and_no_requirement(plan: Any, ledger: dict) -> None:
    numbers = bulletin_numbers.collect(plan, 2)
    text = bulletin_text.render(numbers)[1]
    lines = section(text)
    assert lines == [
        "截至2015年2月底，方案确定的13项重点工作中，已完成1项，推进中1项，滞后0项，未开始11项"
        "（以审核通过的工作台账为准）。各责任单位共设定工作措施5项，逾期未完成0项。"
    ]
    assert "加快重点工作推进" not in text


def test_in_english_the_section_is_english(plan: Any, ledger: dict) -> None:
    numbers = bulletin_numbers.collect(plan, 4)
    with translation.override("en"):
        text = bulletin_text.render(numbers)[1]
    assert "4. Key tasks" in text.split("\n") and "6. Next steps" in text.split("\n")
    assert "of the plan's 13 key tasks 1 were done, 0 in progress, 2 behind" in text
    assert '人力资源社会保障局: "召开对接会" (due 3/31, overdue)' in text


def test_a_published_bulletin_keeps_its_work_section(
    plan: Any, ledger: dict, reviewer: Any, leader: Any, clerk: Any
) -> None:
    published = publishing.bulletin_publish(plan=plan, month=3, actor=reviewer, confirmed=True)
    frozen = section(published.text)
    assert "鹤山区人力资源社会保障局“申报基地”（完成时限6月30日）" in frozen[2]
    assert published.numbers["work"]["counts"]["delayed"] == 1

    # Later the March report of 申报基地 is corrected: no longer 滞后, approved.
    march_report = ledger["base"].reports.get(month=3, is_counted=True)
    correction = services.step_report_correct(
        actor=clerk, report=march_report, reason="误报为滞后", progress=Progress.IN_PROGRESS
    )
    services.step_report_submit(actor=clerk, report=correction)
    services.step_report_approve(actor=reviewer, report=correction)
    now = bulletin_text.render(bulletin_numbers.collect(plan, 3))[1]
    assert "申报基地" not in section(now)[-1]  # the draft of today would say otherwise

    published.refresh_from_db()
    assert section(published.text) == frozen
    client = client_for(leader)
    page = client.get("/bulletins/2015/3/").content.decode()
    assert "鹤山区人力资源社会保障局“申报基地”（完成时限6月30日）" in page
    document = Document(BytesIO(client.get("/bulletins/2015/3.docx").content))
    assert any("“申报基地”（完成时限6月30日）" in p.text for p in document.paragraphs)
    # In English, too, from the numbers stored with it.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/bulletins/2015/3/").content.decode()
    assert "申报基地" in english and "Steps behind" in english


def test_a_bulletin_published_before_the_section_keeps_its_sections(
    plan: Any, ledger: dict
) -> None:
    numbers = bulletin_numbers.collect(plan, 3)
    del numbers["work"]
    headings = [
        line for heading, line in bulletin_text.blocks(bulletin_text.render(numbers)[1]) if heading
    ]
    assert headings[3:] == ["四、存在的问题", "五、下步工作要求"]
