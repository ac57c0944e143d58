"""``GET /api/rosters/<year>/summary``'s body (CONTRACT.md): the rosters behind the training
figures, as counts only. Classes, roster rows (人次) and people up to the as-of month; per
training item its approved figures, roster and mismatched cells; the findings by rule; the
share of each goal's approved training that rosters back. Never a name or an ID number.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count

from targets.models import Plan, Region, TrainingClass
from targets.roster_findings import Rule, roster_findings
from targets.roster_selectors import roster_backing, roster_checks

from .formatting import rounded_fraction


def _share(value: Any) -> float | None:
    rounded = rounded_fraction(value)
    return None if rounded is None else float(rounded)


def roster_document(
    plan: Plan, month: int, region: Region | None, unit: dict[str, str]
) -> dict[str, Any]:
    classes = TrainingClass.objects.filter(indicator__plan=plan, month__lte=month)
    checks = roster_checks(plan, month=month)
    if region is not None:
        classes = classes.filter(region=region)
        checks = [check for check in checks if check.region.pk == region.pk]
    totals = classes.aggregate(
        class_count=Count("pk", distinct=True),
        row_count=Count("trainees"),
        person_count=Count("trainees__id_hash", distinct=True),
    )
    items: dict[str, dict[str, Any]] = {}
    for check in checks:
        item = items.setdefault(
            check.indicator.code,
            {
                "code": check.indicator.code,
                "name": check.indicator.entry_name,
                "unit": check.indicator.unit,
                "figure": 0,
                "roster": 0,
                "cells": 0,
                "matching": 0,
                "mismatched": 0,
                "unapproved": 0,
            },
        )
        item["figure"] += check.figure or 0
        item["roster"] += check.roster
        item["cells"] += 1
        if check.figure is None:
            item["unapproved"] += 1
        elif check.matches:
            item["matching"] += 1
        else:
            item["mismatched"] += 1
    class_ids = set(classes.values_list("pk", flat=True))
    findings = Counter(
        finding.rule for finding in roster_findings(plan) if class_ids.intersection(finding.classes)
    )
    backing = roster_backing(plan, month, region)
    return {
        "plan": {"year": plan.year, "doc_number": plan.doc_number},
        "unit": unit,
        "as_of": f"{plan.year}-{month:02d}",
        "classes": totals["class_count"],
        "trainees": totals["row_count"],  # roster rows: 人次
        "persons": totals["person_count"],
        "items": list(items.values()),
        "findings": {rule: findings.get(rule, 0) for rule in Rule.LABELS},
        "backing": [
            {
                "goal": b.goal.code,
                "reported": b.reported,
                "backed": b.backed,
                "share": _share(b.share),
            }
            for b in backing
        ],
    }
