"""SYNTHETIC demo ledgers of the plan's two named projects (三、（三）2).

The projects are the plan's own: the provincial public training and appraisal base at
市机电信息工程学校 (of the city HR bureau, 市直) and 鹤山区's brand training base at 鹤壁工业中专.
Everything in their ledgers is invented: the milestones, amounts, training numbers,
specialities, textbooks and competitions, and the 申报书/建设方案, which are one-page generated
PDFs that say so. Every text is marked 【演示】. Most rows are approved, one is waiting for
review, and one (鹤山区's funding) was returned with a comment. All of it goes through the
services, as a clerk and a reviewer would do it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from . import services
from .models import Department, Plan, Region

TZ = ZoneInfo(settings.TIME_ZONE)
RETURN_COMMENT = "【演示】到位金额与银行回单不符，请核实后重新报送。"

# (code, name, unit's region code or None, county code, work item code, description)
PROJECTS = [
    (
        "provincial-training-base",
        "省级技能人才公共实训鉴定示范基地（市机电信息工程学校）",
        None,
        "410601",
        "provincial-training-base",
        "【演示】市政府依托市机电信息工程学校建设，按项目申报书和建设方案完成实训楼、"
        "实训设备和鉴定考场建设。以下台账均为虚构的演示数据。",
    ),
    (
        "heshan-brand-base",
        "城乡劳动者技能培训品牌基地（鹤山区·鹤壁工业中专）",
        "410602",
        "410602",
        "heshan-brand-base",
        "【演示】鹤山区依托鹤壁工业中专建设，改造实训车间，打造农村劳动力转移就业培训品牌。"
        "以下台账均为虚构的演示数据。",
    ),
]

# Ledger rows per project: (kind, values, status, month of entry). Indicators by code.
ROWS: dict[str, list[tuple[str, dict[str, Any], str, int]]] = {
    "provincial-training-base": [
        (
            "milestone",
            {
                "name": "【演示】实训楼主体工程封顶",
                "planned_on": date(2015, 5, 31),
                "done_on": date(2015, 6, 10),
                "progress": "done",
            },
            "approved",
            6,
        ),
        (
            "milestone",
            {
                "name": "【演示】实训设备采购招标",
                "planned_on": date(2015, 9, 30),
                "progress": "in-progress",
            },
            "approved",
            8,
        ),
        (
            "milestone",
            {
                "name": "【演示】设备安装调试及鉴定考场验收",
                "planned_on": date(2015, 11, 30),
                "progress": "not-started",
            },
            "submitted",
            10,
        ),
        (
            "funding",
            {
                "source": "【演示】省级专项资金",
                "planned_amount": 5_000_000,
                "arrived_amount": 5_000_000,
                "on": date(2015, 4, 15),
            },
            "approved",
            4,
        ),
        (
            "funding",
            {
                "source": "【演示】市级财政配套",
                "planned_amount": 3_000_000,
                "arrived_amount": 1_800_000,
                "on": date(2015, 8, 20),
            },
            "approved",
            8,
        ),
        (
            "training",
            {"indicator": "rural-transfer", "assigned": 2000, "achieved": 1350},
            "approved",
            9,
        ),
        (
            "training",
            {"indicator": "skill-appraisal", "assigned": 1500, "achieved": 980},
            "approved",
            9,
        ),
        (
            "product",
            {
                "product_kind": "speciality",
                "name": "【演示】工业机器人技术应用",
                "on": date(2015, 9, 1),
            },
            "approved",
            9,
        ),
        (
            "product",
            {
                "product_kind": "textbook",
                "name": "【演示】数控车削加工实训教程",
                "on": date(2015, 7, 15),
            },
            "approved",
            7,
        ),
        (
            "competition",
            {
                "name": "【演示】全市职业技能竞赛（焊工）",
                "level": "city",
                "on": date(2015, 10, 16),
                "participants": 86,
            },
            "approved",
            10,
        ),
    ],
    "heshan-brand-base": [
        (
            "milestone",
            {
                "name": "【演示】实训车间改造",
                "planned_on": date(2015, 6, 30),
                "progress": "delayed",
            },
            "approved",
            7,
        ),
        (
            "funding",
            {
                "source": "【演示】省级品牌基地补助资金",
                "planned_amount": 800_000,
                "arrived_amount": 800_000,
                "on": date(2015, 5, 20),
            },
            "approved",
            5,
        ),
        (
            "funding",
            {
                "source": "【演示】区级财政配套",
                "planned_amount": 1_200_000,
                "arrived_amount": 400_000,
                "on": date(2015, 7, 10),
            },
            "returned",
            7,
        ),
        (
            "training",
            {"indicator": "rural-transfer", "assigned": 1000, "achieved": 620},
            "approved",
            9,
        ),
        (
            "product",
            {
                "product_kind": "speciality",
                "name": "【演示】电子商务（农村电商方向）",
                "on": date(2015, 9, 1),
            },
            "approved",
            9,
        ),
        (
            "competition",
            {
                "name": "【演示】鹤山区电工技能比武",
                "level": "city",
                "on": date(2015, 9, 25),
                "participants": 40,
            },
            "approved",
            9,
        ),
    ],
}


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2015, month, day), time(hour), tzinfo=TZ)


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that says it is a synthetic demo file (ASCII text, standard font)."""
    lines = ["SYNTHETIC DEMO FILE - not a real document", title, "Hebi skills plan 2015 (demo)"]
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("ascii")),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _row(clerk: Any, reviewer: Any, project: Any, row: tuple) -> None:
    kind, values, status, month = row
    if "indicator" in values:
        values = {**values, "indicator": project.plan.indicators.get(code=values["indicator"])}
    entry = services.project_entry_save(
        actor=clerk, project=project, kind=kind, values=values, at=_at(month, 5, 9)
    )
    if status == "draft":
        return
    services.project_entry_submit(actor=clerk, entry=entry, at=_at(month, 5, 11))
    if status == "approved":
        services.project_entry_approve(actor=reviewer, entry=entry, at=_at(month, 8, 15))
    elif status == "returned":
        services.project_entry_return(
            actor=reviewer, entry=entry, comment=RETURN_COMMENT, at=_at(month, 8, 15)
        )


def load_projects(plan: Plan, users: dict[str, Any]) -> int:
    """The two named projects with their synthetic ledgers and files; the number of projects."""
    if plan.projects.exists():
        return 0
    hrss = Department.objects.get(code="hrss")
    clerk, reviewer = users["clerk-hrss"], users["reviewer"]
    for code, name, region_code, county_code, item, description in PROJECTS:
        project = services.project_save(
            actor=users["admin"],
            plan=plan,
            code=code,
            name=name,
            department=hrss,
            region=Region.objects.get(code=region_code) if region_code else None,
            county=Region.objects.get(code=county_code),
            description=description,
            milestone=plan.milestones.filter(code=item).first(),
            at=_at(2, 1),
        )
        for role, label, title in (
            ("application", "项目申报书", "Project application"),
            ("plan", "建设方案", "Construction plan"),
        ):
            upload = SimpleUploadedFile(
                f"【演示】{label}.pdf", demo_pdf(f"{title}: {code}"), "application/pdf"
            )
            services.project_file_attach(
                actor=clerk, project=project, upload=upload, role=role, at=_at(2, 10)
            )
        for row in ROWS[code]:
            _row(clerk, reviewer, project, row)
    return len(PROJECTS)
