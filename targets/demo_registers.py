"""SYNTHETIC registers for the demo (every name, number and text here is invented and marked
【演示】): skill competitions, appraisal pilots, the departments' annual implementation plans
(one department has not sent its plan), meetings and inspections with their 整改事项 (one
overdue), and the mid-year self-assessments (one returned). Written through the services, as
the clerks and the reviewer would, dated within the demo year.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from . import services
from .demo_work import demo_pdf
from .models import Department, Plan, Region, places_of

TZ = ZoneInfo(settings.TIME_ZONE)

COMPETITIONS = [
    # name, level, start, end, participants, winners, status
    ("【演示】鹤壁市第三届焊工职业技能竞赛", "city", (5, 12), (5, 14), 86, 12, "approved"),
    ("【演示】河南省电工技能竞赛鹤壁选拔赛", "province", (8, 18), (8, 19), 40, 6, "approved"),
    ("【演示】鹤壁市数控车工职业技能竞赛", "city", (10, 20), (10, 21), 52, 8, "submitted"),
]
PILOTS = [
    # enterprise, county, level, occupations, levels, appraised, adjusted
    (
        "【演示】鹤壁某煤业集团",
        "410611",
        "province",
        "采煤工、综采维修电工",
        "初级至高级",
        420,
        False,
    ),
    ("【演示】浚县某食品公司", "410621", "city", "食品检验工", "初级、中级", 65, True),
    ("【演示】淇县某汽车零部件公司", "410622", "city", "车工、铣工", "初级至高级", 138, False),
]
# Departments that sent their annual implementation plan; 扶贫办 has not (the dashboard says so).
ANNUAL_PLANS = {
    "hrss": (3, 20),
    "edu": (4, 2),
    "agri": (4, 10),
    "civil": (4, 15),
    "disabled": (5, 6),
}
SELF_ASSESSMENTS = {
    "hrss": "【演示】上半年完成各类职业技能培训3.6万人次，农民工培训进度略快于序时。",
    "edu": "【演示】职业教育在校生规模稳定，两个专业点申报省级品牌示范专业点。",
    "agri": "【演示】新型职业农民培育进度偏慢，下半年集中在农闲时段开班。",
    "civil": "【演示】退役士兵参训率接近目标，合格率达标。",
    "disabled": "【演示】残疾人精细化培训已开班12期。",
}
RETURNED_SELF_ASSESSMENT = ("poverty", "【演示】雨露计划培训按计划推进。")


def _at(plan: Plan, month: int, day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(plan.year, month, day), time(hour), tzinfo=TZ)


def _through(
    record: Any, clerk: Any, reviewer: Any, status: str, sent: datetime, comment: str = ""
) -> None:
    if status == "draft":
        return
    services.register_submit(actor=clerk, record=record, at=sent)
    reviewed = sent.replace(day=min(sent.day + 2, 28))
    if status == "approved":
        services.register_approve(actor=reviewer, record=record, at=reviewed)
    elif status == "returned":
        services.register_return(actor=reviewer, record=record, comment=comment, at=reviewed)


def load_registers(plan: Plan, clerks: dict[str, Any], reviewer: Any) -> int:
    """The demo's register rows; how many were written (rows and 整改事项)."""
    departments = {d.code: d for d in Department.objects.all()}
    regions = {r.code: r for r in places_of(plan)}
    hrss, lead = departments["hrss"], clerks["hrss"]
    written = 0

    def save(kind: str, clerk: Any, department: Department, values: dict, **extra: Any) -> Any:
        nonlocal written
        written += 1
        return services.register_save(
            actor=clerk,
            kind=kind,
            plan=plan,
            department=department,
            region=extra.pop("region", None),
            values=values,
            **extra,
        )

    for name, level, start, end, people, winners, status in COMPETITIONS:
        at = _at(plan, *end)
        record = save(
            "competitions",
            lead,
            hrss,
            {
                "name": name,
                "level": level,
                "starts_on": date(plan.year, *start),
                "ends_on": date(plan.year, *end),
                "organiser": "【演示】市人力资源社会保障局",
                "occupations": name.removeprefix("【演示】")[-8:],
                "participants": people,
                "winners": winners,
            },
            at=at,
        )
        _through(record, lead, reviewer, status, at)
    for enterprise, county, level, occupations, levels, appraised, adjusted in PILOTS:
        record = save(
            "pilots",
            lead,
            hrss,
            {
                "enterprise": enterprise,
                "level": level,
                "occupations": occupations,
                "skill_levels": levels,
                "appraised": appraised,
                "adjusted": adjusted,
            },
            region=regions[county],
            at=_at(plan, 6, 10),
        )
        _through(record, lead, reviewer, "approved", _at(plan, 6, 12))
    for code, (month, day) in ANNUAL_PLANS.items():
        department = departments[code]
        record = save(
            "annual-plans",
            clerks[code],
            department,
            {
                "title": f"【演示】{department.name}{plan.year}年全民技能振兴工程实施方案",
                "issued_on": date(plan.year, month, day),
            },
            upload=SimpleUploadedFile(
                f"{department.short_name}年度实施方案.pdf", demo_pdf(f"{code} annual plan")
            ),
            at=_at(plan, month, day),
        )
        _through(record, clerks[code], reviewer, "approved", _at(plan, month, day + 1))
    written += _meetings(plan, lead, reviewer, hrss, departments, regions, save)
    for code, text in SELF_ASSESSMENTS.items():
        record = save(
            "self-assessments",
            clerks[code],
            departments[code],
            {"period": 6, "text": text},
            at=_at(plan, 7, 3),
        )
        _through(record, clerks[code], reviewer, "approved", _at(plan, 7, 5))
    code, text = RETURNED_SELF_ASSESSMENT
    record = save(
        "self-assessments",
        clerks[code],
        departments[code],
        {"period": 6, "text": text},
        at=_at(plan, 7, 3),
    )
    comment = "【演示】请补充上半年培训人数和资金使用情况。"
    _through(record, clerks[code], reviewer, "returned", _at(plan, 7, 6), comment)
    return written


def _meetings(
    plan: Plan,
    lead: Any,
    reviewer: Any,
    hrss: Department,
    departments: dict[str, Department],
    regions: dict[str, Region],
    save: Any,
) -> int:
    """Three meetings and visits; the inspection's 整改事项: one closed, one overdue."""
    kickoff = save(
        "meetings",
        lead,
        hrss,
        {
            "held_on": date(plan.year, 3, 18),
            "kind": "meeting",
            "title": "【演示】全民技能振兴工程领导小组第一次会议",
            "units_visited": "【演示】各成员单位",
            "findings": "【演示】部署全年工作，明确各部门年度任务。",
        },
        at=_at(plan, 3, 18),
    )
    item = services.rectification_add(
        actor=lead,
        meeting=kickoff,
        description="【演示】各部门4月底前报送年度具体实施方案。",
        department=departments["poverty"],
        region=None,
        due_on=date(plan.year, 4, 30),
        at=_at(plan, 3, 19),
    )
    _through(kickoff, lead, reviewer, "approved", _at(plan, 3, 20))
    inspection = save(
        "meetings",
        lead,
        hrss,
        {
            "held_on": date(plan.year, 7, 14),
            "kind": "inspection",
            "title": "【演示】全民技能振兴工程年中督查",
            "units_visited": "【演示】浚县、山城区人社局，鹤壁工业中专",
            "findings": "【演示】部分县区培训台账不全，品牌基地配套资金未全部到位。",
        },
        at=_at(plan, 7, 14),
    )
    fixed = services.rectification_add(
        actor=lead,
        meeting=inspection,
        description="【演示】补齐2015年上半年培训台账。",
        department=hrss,
        region=regions["410621"],
        due_on=date(plan.year, 8, 31),
        at=_at(plan, 7, 15),
    )
    late = services.rectification_add(
        actor=lead,
        meeting=inspection,
        description="【演示】落实鹤山区品牌培训基地配套资金。",
        department=hrss,
        region=regions["410602"],
        due_on=date(plan.year, 9, 30),
        at=_at(plan, 7, 15),
    )
    _through(inspection, lead, reviewer, "approved", _at(plan, 7, 16))
    services.rectification_progress(
        actor=lead, item=fixed, progress="【演示】台账已补齐。", at=_at(plan, 8, 25)
    )
    services.rectification_close(
        actor=reviewer, item=fixed, note="【演示】已核实。", at=_at(plan, 8, 28)
    )
    services.rectification_progress(
        actor=lead, item=late, progress="【演示】已拨付一半，其余待财政批复。", at=_at(plan, 9, 28)
    )
    services.rectification_close(
        actor=reviewer, item=item, note="【演示】已全部报送（扶贫办除外）。", at=_at(plan, 5, 2)
    )
    visit = save(
        "meetings",
        lead,
        hrss,
        {
            "held_on": date(plan.year, 9, 22),
            "kind": "research",
            "title": "【演示】技工院校高级工班招生调研",
            "units_visited": "【演示】鹤煤技师学院、鹤壁高级技工学校",
            "findings": "【演示】高级工班招生较上年增加。",
        },
        at=_at(plan, 9, 22),
    )
    _through(visit, lead, reviewer, "submitted", _at(plan, 9, 24))
    return 3
