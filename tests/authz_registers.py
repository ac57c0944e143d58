"""The authorization matrix's registers: a sent competition, annual plan and meeting of the HR
bureau, city-wide, and a 整改事项 of the meeting for its 淇滨区 unit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Department, Plan, Region


def registers_of(plan: Plan, users: dict[str, Any], qibin: Region) -> dict[str, Any]:
    """A sent competition and annual plan of the HR bureau, city-wide, and a 整改事项 of a sent
    meeting for its 淇滨区 unit."""
    clerk, hrss = users["clerk"], Department.objects.get(code="hrss")
    unit = {"actor": clerk, "plan": plan, "department": hrss, "region": None}
    competition = services.register_save(
        kind="competitions",
        values={
            "name": "矩阵测试竞赛",
            "level": "city",
            "starts_on": date(2015, 9, 1),
            "ends_on": date(2015, 9, 2),
            "organiser": "市人社局",
            "occupations": "焊工",
            "participants": 10,
            "winners": 2,
        },
        **unit,
    )
    annual = services.register_save(
        kind="annual-plans",
        values={"title": "人社局年度实施方案", "issued_on": date(2015, 7, 1)},
        upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n"),
        **unit,
    )
    meeting = services.register_save(
        kind="meetings",
        values={"held_on": date(2015, 7, 1), "kind": "meeting", "title": "推进会"},
        **unit,
    )
    rectification = services.rectification_add(
        actor=clerk,
        meeting=meeting,
        description="补齐台账",
        department=hrss,
        region=qibin,
        due_on=date(2015, 8, 1),
    )
    for record in (competition, annual, meeting):
        services.register_submit(actor=clerk, record=record)
    return {"competition": competition, "file": annual.file, "rectification": rectification}
