"""SYNTHETIC 工作台账 for the demo: steps for the plan's 13 work items and monthly reports on
them, January–October 2015, all through the services.

Nothing here is real. Every requirement and report text starts with 【演示】, every evidence file
is generated here (a one-page PDF and a small PNG that say "SYNTHETIC DEMO") and named 演示-…;
the site's banner says demo data is loaded. The story: each responsible unit set two or three
steps at the start of the year (年初有安排); clerks report every month from a step's start until
it is done, the reviewer approves a few days after the 5th; most steps finish on time, some run
late (滞后) and three are past their due date and not done by October (逾期: 应用技术本科的报批,
the provincial base's equipment tender, 鹤山区's matching funds); October is partly awaiting
review, and one October report was returned with a comment.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from . import services
from .models import Department, Milestone, Plan, StepReport, WorkStep, places_of

TZ = ZoneInfo(settings.TIME_ZONE)
LAST_MONTH = 10  # the demo's reports run January–October, like its figures
Progress = Milestone.Status
Status = StepReport.Status
DEMO = "【演示】"
RETURN_COMMENT = f"{DEMO}本月进展未附佐证材料，请补充改造工程验收照片后重新报送。"


@dataclass(frozen=True)
class DemoStep:
    """A step of a unit (``department`` code, ``region`` code or None): reported from
    ``start`` each month, done in ``done`` (None: not by October); 滞后 from ``late`` on."""

    department: str
    region: str | None
    title: str
    due: int  # the month it is due at the end of
    start: int
    done: int | None
    late: int | None = None
    files: tuple[str, ...] = ()  # evidence attached to the report that says it is done
    october: str = Status.APPROVED  # where October's report stands


HRSS, JUNXIAN, HESHAN = ("hrss", None), ("hrss", "410621"), ("hrss", "410602")

# Co-operating units and the requirement of each item (synthetic).
# Co-operating units the demo adds to those the plan file names (synthetic: the plan names
# none for these items, or fewer); the items keep the plan's own 工作要求.
UNITS: dict[str, list[tuple[str, str | None]]] = {
    "three-matchings": [("edu", None)],
    "school-enterprise": [("hrss", None)],
    "enterprise-evaluation-pilots": [JUNXIAN],
    "annual-implementation-plans": [("agri", None), ("poverty", None), ("disabled", None)],
}


def _steps() -> dict[str, list[DemoStep]]:
    s = DemoStep
    return {
        "three-matchings": [
            s(*HRSS, "制定“3个对接行动”实施方案", 3, 1, 3, files=("实施方案.pdf",)),
            s(*HRSS, "召开政企用工培训对接会", 6, 4, 6, files=("对接会现场.png", "会议纪要.pdf")),
            s(*HRSS, "建成企业用工培训信息平台", 11, 6, None),
            s("edu", None, "组织职业院校与重点企业对接签约", 9, 5, 9, files=("签约仪式.png",)),
            s("edu", None, "开设企业订单班", 12, 8, None, october=Status.SUBMITTED),
        ],
        "brand-majors": [
            s("edu", None, "遴选申报品牌示范专业点和特色专业点", 4, 2, 4),
            s("edu", None, "完成省级评审材料报送", 7, 5, 8, late=7, files=("评审材料清单.pdf",)),
            s("edu", None, "推进“文化素质+职业技能”招生改革", 12, 6, None),
        ],
        "applied-undergraduate": [
            s("edu", None, "配合制定合作办学方案", 5, 2, 5, files=("合作办学方案.pdf",)),
            s("edu", None, "报请省教育厅审批", 9, 6, None, late=9, october=Status.SUBMITTED),
        ],
        "school-enterprise": [
            s("edu", None, "确定现代学徒制试点学校和企业", 4, 1, 4),
            s("edu", None, "签订校企联合培养协议", 8, 5, 8, files=("联合培养协议.pdf",)),
            s(*HRSS, "支持技工院校开展校企合作", 10, 6, 10),
            s(*HRSS, "组织技工院校订单班结业考核", 12, 9, None),
        ],
        "project-ledger": [
            s(*HRSS, "建立全民技能振兴工程项目库", 3, 1, 3, files=("项目库名单.pdf",)),
            s(*HRSS, "建立“一项目一台账”制度", 5, 3, 5),
            s(*HRSS, "开展项目台账季度检查", 12, 6, None),
        ],
        "provincial-training-base": [
            s(*HRSS, "完成实训楼主体工程", 6, 1, 6, files=("主体完工.png",)),
            s(*HRSS, "完成实训设备采购招标", 9, 6, None, late=9),
            s(*HRSS, "开展首批实训和鉴定", 12, 10, None),
        ],
        "heshan-brand-base": [
            s(*HESHAN, "落实项目配套资金", 5, 1, None, late=4),
            s(*HESHAN, "完成培训基地改造", 10, 5, None, late=8, october=Status.RETURNED),
        ],
        "technician-schools": [
            s(*HRSS, "下达高级工班招生计划", 5, 3, 5),
            s(*HRSS, "完成秋季高级工班招生", 9, 6, 9, files=("招生统计表.pdf",)),
        ],
        "skill-competitions": [
            s(*HRSS, "制定全年职业技能竞赛计划", 3, 1, 3),
            s(*HRSS, "举办全市焊工、电工技能竞赛", 6, 3, 6, files=("焊工竞赛.png", "获奖名单.pdf")),
            s(*HRSS, "选拔选手参加全省技能竞赛", 10, 7, 10),
        ],
        "enterprise-evaluation-pilots": [
            s(*HRSS, "调整市级评价试点企业名单", 4, 2, 4, files=("试点企业名单.pdf",)),
            s(*HRSS, "指导试点企业开展技能人才评价", 11, 5, None),
            s(*JUNXIAN, "推荐县内评价试点企业", 4, 2, 4),
            s(*JUNXIAN, "完成首批企业技能人才评价", 8, 5, 8, files=("评价现场.png",)),
        ],
        "annual-implementation-plans": [
            s(*HRSS, "印发制定年度实施方案的通知", 2, 1, 2),
            s(*HRSS, "汇总审核各部门年度实施方案", 5, 3, 5),
            s("agri", None, "制定本部门年度具体实施方案", 3, 1, 3),
            s("agri", None, "报送市人社局备案", 4, 4, 4, files=("农业局实施方案.pdf",)),
            s("poverty", None, "制定本部门年度具体实施方案", 3, 1, 4, late=4),
            s("poverty", None, "报送市人社局备案", 4, 4, 5, late=5),
            s("disabled", None, "制定本部门年度具体实施方案", 3, 1, 3),
            s("disabled", None, "报送市人社局备案", 4, 4, 4),
        ],
        "target-responsibility": [
            s(*HRSS, "与各县区签订目标责任书", 3, 1, 3, files=("目标责任书.pdf",)),
            s(*HRSS, "开展年中督导", 7, 6, 7, files=("督导现场.png",)),
            s(*HRSS, "开展年底总结考核", 12, 11, None),
        ],
        "publicity": [
            s(*HRSS, "制定集中宣传活动方案", 4, 3, 4),
            s(*HRSS, "举办技能振兴成果集中宣传周", 9, 6, 9, files=("宣传周.png",)),
        ],
    }


# Generated evidence files ---------------------------------------------------------------------


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that says it is synthetic demo material (ASCII text, valid xref)."""
    text = f"SYNTHETIC DEMO EVIDENCE - not a real document ({title})"
    stream = f"BT /F1 14 Tf 50 780 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_png(seed: int, width: int = 160, height: int = 100) -> bytes:
    """A small RGB PNG: coloured bands with a diagonal stripe (a stand-in for a photo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    base = ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 30)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            stripe = (x + y) % 40 < 6
            shade = 40 if stripe else (y * 60) // height
            rows += bytes(min(255, channel + shade) for channel in base)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _upload(name: str, seed: int) -> SimpleUploadedFile:
    content = demo_pdf(f"demo-{seed}") if name.endswith(".pdf") else demo_png(seed)
    return SimpleUploadedFile(f"演示-{name}", content)


# Loading --------------------------------------------------------------------------------------


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    if month > 12:
        year, month = year + 1, month - 12
    return datetime.combine(date(year, month, day), time(hour), tzinfo=TZ)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _progress(step: DemoStep, month: int) -> str:
    if step.done is not None and month >= step.done:
        return Progress.DONE
    if step.late is not None and month >= step.late:
        return Progress.DELAYED
    return Progress.IN_PROGRESS


def _text(step: DemoStep, month: int, progress: str) -> tuple[str, str]:
    if progress == Progress.DONE:
        return f"{DEMO}{step.title}已完成。", ""
    if progress == Progress.DELAYED:
        return (
            f"{DEMO}{step.title}正在推进，进度慢于计划。",
            f"{DEMO}受资金、审批等因素影响，预计推迟完成。",
        )
    return f"{DEMO}{month}月继续推进“{step.title}”。", ""


def load_work(plan: Plan, users: dict[str, object]) -> int:
    """The demo's steps and reports; how many reports it wrote."""
    admin, reviewer = users["admin"], users["reviewer"]
    clerks = {
        ("hrss", None): users["clerk-hrss"],
        ("hrss", "410621"): users["clerk-hrss-410621"],
        ("hrss", "410602"): users["clerk-hrss"],  # the city-wide clerk covers 鹤山区 too
        ("edu", None): users["clerk-edu"],
        ("agri", None): users["clerk-agri"],
        ("poverty", None): users["clerk-poverty"],
        ("disabled", None): users["clerk-disabled"],
    }
    departments = {d.code: d for d in Department.objects.all()}
    regions = {r.code: r for r in places_of(plan)}
    items = {m.code: m for m in plan.milestones.all()}
    year = plan.year
    for code, units in UNITS.items():
        item = items[code]
        kept = [
            (u.department, u.region) for u in item.work_units.select_related("department", "region")
        ]
        named = {(department.code, region.code if region else None) for department, region in kept}
        added = [
            (departments[d], regions[r] if r else None) for d, r in units if (d, r) not in named
        ]
        services.work_units_set(
            actor=admin, milestone=item, requirement=item.requirement, units=kept + added
        )
    reports = 0
    files = 0
    for code, steps in _steps().items():
        item = items[code]
        for order, demo_step in enumerate(steps, start=1):
            clerk = clerks[(demo_step.department, demo_step.region)]
            step = services.work_step_set(
                actor=clerk,
                milestone=item,
                department=departments[demo_step.department],
                region=regions[demo_step.region] if demo_step.region else None,
                title=demo_step.title,
                due_on=_month_end(year, demo_step.due),
                order=order,
                at=_at(year, 1, 20),
            )
            last = min(demo_step.done or LAST_MONTH, LAST_MONTH)
            for month in range(demo_step.start, last + 1):
                progress = _progress(demo_step, month)
                done, problems = _text(demo_step, month, progress)
                report = services.step_report_save(
                    actor=clerk,
                    step=step,
                    month=month,
                    progress=progress,
                    done=done,
                    problems=problems,
                    at=_at(year, month + 1, 2, 9),
                )
                if progress == Progress.DONE:
                    for name in demo_step.files:
                        files += 1
                        services.evidence_attach(
                            actor=clerk,
                            report=report,
                            upload=_upload(name, files),
                            at=_at(year, month + 1, 2, 10),
                        )
                reports += 1
                status = demo_step.october if month == LAST_MONTH else Status.APPROVED
                services.step_report_submit(actor=clerk, report=report, at=_at(year, month + 1, 3))
                reviewed = _at(year, month + 1, 6, 15)
                if status == Status.APPROVED:
                    services.step_report_approve(actor=reviewer, report=report, at=reviewed)
                elif status == Status.RETURNED:
                    services.step_report_return(
                        actor=reviewer, report=report, comment=RETURN_COMMENT, at=reviewed
                    )
    return reports


def has_work(plan: Plan) -> bool:
    return WorkStep.objects.filter(milestone__plan=plan).exists()
