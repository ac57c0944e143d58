"""年中督导 / 年底总结: the report page and its Word file bring together the figures, work
items and steps, registers, 督办单 and 整改事项, and approved self-assessments."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from docx import Document

from reporting.rollup import rebuild
from targets import services
from targets.models import Department, Region
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    document = Document(BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


@pytest.fixture
def june(plan: Any, enter: Any, clerk: Any, clerk_of: Any, reviewer: Any) -> Any:
    """Approved June figures for one quota, a step overdue, a meeting with an overdue
    整改事项, and the education bureau's mid-year self-assessment (approved) while the
    agriculture bureau's is a draft."""
    enter(plan, "rural-transfer", "410611", 6, 9000)
    rebuild(plan)
    item = plan.milestones.get(code="three-matchings")
    services.work_step_set(
        actor=clerk,
        milestone=item,
        department=Department.objects.get(code="hrss"),
        title="召开校企对接会",
        due_on=date(2015, 5, 31),
    )
    hrss = Department.objects.get(code="hrss")
    meeting = services.register_save(
        actor=clerk,
        kind="meetings",
        plan=plan,
        department=hrss,
        region=None,
        values={"held_on": date(2015, 5, 20), "kind": "inspection", "title": "上半年督查"},
    )
    services.rectification_add(
        actor=clerk,
        meeting=meeting,
        description="补齐浚县培训台账",
        department=hrss,
        region=Region.objects.get(code="410621"),
        due_on=date(2015, 6, 15),
    )
    services.register_submit(actor=clerk, record=meeting)
    services.register_approve(actor=reviewer, record=meeting)
    for code, text, approve in (
        ("edu", "教育局上半年完成职业教育攻坚任务过半。", True),
        ("agri", "农业局草稿自评", False),
    ):
        assessment = services.register_save(
            actor=clerk_of(code),
            kind="self-assessments",
            plan=plan,
            department=Department.objects.get(code=code),
            region=None,
            values={"period": 6, "text": text},
        )
        if approve:
            services.register_submit(actor=clerk_of(code), record=assessment)
            services.register_approve(actor=reviewer, record=assessment)
    return plan


def test_the_page_and_the_word_file_tell_the_same_story(june: Any, make_user: Any) -> None:
    leader = client_for(make_user("leader", username="leader"))
    page = leader.get("/summaries/2015/6/").content.decode()
    text = docx_text(leader.get("/summaries/2015/6.docx").content)
    for shown in (page, text):
        assert "2015年全民技能振兴工程年中督导报告" in shown
        assert "召开校企对接会" in shown and "逾期" in shown
        assert "补齐浚县培训台账" in shown
        assert "教育局上半年完成职业教育攻坚任务过半。" in shown
        assert "农业局草稿自评" not in shown
        assert "农村劳动力转移就业技能培训" in shown
        assert "9,000 人次" in shown
    assert "鹤政办〔2015〕39号" in text  # cited, not worn


def test_only_june_and_december_exist_and_readers_only(june: Any, make_user: Any, clerk: Any):
    leader = client_for(make_user("leader", username="leader"))
    assert leader.get("/summaries/2015/7/").status_code == 404
    assert leader.get("/summaries/2015/12/").status_code == 200
    assert leader.get("/summaries/2016/6/").status_code == 404
    assert client_for(clerk).get("/summaries/2015/6/").status_code == 403
    response = leader.get("/summaries/2015/12.docx")
    assert "attachment" in response["Content-Disposition"]
