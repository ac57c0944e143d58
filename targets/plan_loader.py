"""Load a plan definition (``fixtures/plan-2015.json``) into the database, idempotently.

Everything is matched by its natural key (year, department code, GB/T 2260 code, indicator
and milestone codes) and updated in place, so loading the same file twice changes nothing.
The whole load is one transaction: a bad definition leaves the database as it was.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Department, Indicator, Milestone, Plan, Region, RegionTarget
from .services import indicator_target_set, region_target_set

DEFAULT_PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "plan-2015.json"

_PLAN_FIELDS = (
    "title",
    "doc_number",
    "parent_doc_number",
    "parent_doc_title",
    "issuer",
    "written_on",
    "published_on",
    "starts_on",
    "ends_on",
)
_DATE_FIELDS = ("written_on", "published_on", "starts_on", "ends_on")
_REFERENCES = ("numerator", "denominator", "feeds")
# The reason an active plan's target changes carry when a plan file is loaded again.
LOADED_REASON = "载入方案文件"


def _upsert(model: type, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create or update one row, saving only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    elif all(getattr(obj, field) == value for field, value in values.items()):
        return obj
    else:
        for field, value in values.items():
            setattr(obj, field, value)
    # Field checks and clean() give the messages; the foreign keys were just looked up and the
    # database constraints stand behind it all (the load is one transaction).
    relations = [f.name for f in model._meta.fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_constraints=False)
    obj.save()
    return obj


def _refuse_duplicates(rows: list[dict[str, Any]], what: str) -> None:
    seen: set[str] = set()
    for row in rows:
        if row["code"] in seen:
            raise ValidationError(
                _("%(what)s代码重复：%(code)s。") % {"what": what, "code": row["code"]}
            )
        seen.add(row["code"])


def _indicator_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indicators ordered so that each comes after those it names (its counts, its goal)."""
    by_code = {row["code"]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()
    pending = list(rows)
    while pending:
        progress = False
        for row in list(pending):
            refs = [row[key] for key in _REFERENCES if row.get(key)]
            missing = [ref for ref in refs if ref not in by_code]
            if missing:
                raise ValidationError(
                    _("指标 %(code)s 引用了不存在的指标 %(missing)s。")
                    % {"code": row["code"], "missing": "、".join(missing)}
                )
            if all(ref in placed for ref in refs):
                ordered.append(row)
                placed.add(row["code"])
                pending.remove(row)
                progress = True
        if not progress:
            raise ValidationError(
                _("指标之间存在循环引用：%s。") % "、".join(r["code"] for r in pending)
            )
    return ordered


@transaction.atomic
def load_plan_definition(data: dict[str, Any], *, prune: bool = False) -> Plan:
    """Upsert the plan, its departments, counties, indicators, splits and milestones.

    The plan's status is the data's only when the plan is created: afterwards only
    ``plan_lifecycle`` moves it (draft → active → closed). A closed plan is left as it is.
    With ``prune`` (a draft's definition replaced whole, as a workbook import does) the plan's
    indicators, county splits and milestones that the data no longer names are deleted, and
    the splits are set afresh.
    """
    for key, what in (
        ("departments", _("部门")),
        ("regions", _("县区")),
        ("indicators", _("指标")),
        ("milestones", _("重点工作")),
    ):
        _refuse_duplicates(data.get(key, []), what)
    plan_data = data["plan"]
    plan_values = {field: plan_data.get(field, "") for field in _PLAN_FIELDS}
    for field in _DATE_FIELDS:
        plan_values[field] = date.fromisoformat(plan_values[field])
    if "deadline_day" in plan_data:
        plan_values["deadline_day"] = plan_data["deadline_day"]
    existing = Plan.objects.filter(year=plan_data["year"]).first()
    status = None
    if existing is None:
        # Created as a draft, its splits set as its definition (not as changes to an active
        # or closed plan), and put in the data's status at the end.
        status = plan_data.get("status", Plan.Status.DRAFT)
        plan_values["status"] = Plan.Status.DRAFT
    elif existing.status == Plan.Status.CLOSED:
        # As in the admin: a closed plan's definition stays as it was when it closed. Left
        # alone, not refused, so that loading the usual file again (``make demo``) still works.
        return existing
    plan = _upsert(Plan, {"year": plan_data["year"]}, plan_values)
    if prune:
        # Set afresh below, so a lowered city target never meets its old splits.
        RegionTarget.objects.filter(indicator__plan=plan).delete()

    departments = {
        row["code"]: _upsert(
            Department,
            {"code": row["code"]},
            {key: row[key] for key in ("name", "short_name", "is_lead", "order")},
        )
        for row in data["departments"]
    }
    departments.update({d.code: d for d in Department.objects.exclude(code__in=departments)})
    regions = {
        row["code"]: _upsert(
            Region, {"code": row["code"]}, {key: row[key] for key in ("name", "kind", "order")}
        )
        for row in data["regions"]
    }
    regions.update({r.code: r for r in Region.objects.exclude(code__in=regions)})

    def department(code: str) -> Department:
        try:
            return departments[code]
        except KeyError:
            raise ValidationError(_("未知的部门代码：%s。") % code) from None

    def region(code: str | None) -> Region | None:
        if code is None:
            return None
        try:
            return regions[code]
        except KeyError:
            raise ValidationError(_("未知的县区代码：%s。") % code) from None

    indicators: dict[str, Indicator] = {}
    for row in _indicator_order(data["indicators"]):
        rate = row.get("target_rate")
        values = {
            "name": row["name"],
            "role": row["role"],
            "kind": row["kind"],
            "department": department(row["department"]),
            "unit": row["unit"],
            "target": row.get("target"),
            "target_rate": Decimal(rate) if rate is not None else None,
            "accepts_figures": row.get("accepts_figures", row["kind"] != "rate"),
            "series_name": row.get("series_name", ""),
            "source_clause": row.get("source_clause", ""),
            "order": row.get("order", 0),
        }
        for key in _REFERENCES:
            values[key] = indicators[row[key]] if row.get(key) else None
        existing_indicator = Indicator.objects.filter(plan=plan, code=row["code"]).first()
        if (
            plan.status == Plan.Status.ACTIVE
            and existing_indicator is not None
            and existing_indicator.role in (Indicator.Role.GOAL, Indicator.Role.QUOTA)
            and (existing_indicator.role, existing_indicator.kind) == (row["role"], row["kind"])
        ):
            # An active plan's targets change only through the service, kept with a reason.
            indicator_target_set(
                actor=None,
                indicator=existing_indicator,
                target=values["target"],
                target_rate=values["target_rate"],
                reason=LOADED_REASON,
            )
        indicators[row["code"]] = _upsert(Indicator, {"plan": plan, "code": row["code"]}, values)

    for row in data.get("region_targets", []):
        if row["indicator"] not in indicators:
            raise ValidationError(_("县区分解引用了不存在的指标：%s。") % row["indicator"])
        region_target_set(
            actor=None,
            indicator=indicators[row["indicator"]],
            region=region(row["region"]),
            target=row["target"],
            reason=LOADED_REASON,
        )

    for row in data.get("milestones", []):
        _upsert(
            Milestone,
            {"plan": plan, "code": row["code"]},
            {
                "title": row["title"],
                "category": row["category"],
                "department": department(row["department"]),
                "region": region(row.get("region")),
                "description": row.get("description", ""),
                "source_clause": row.get("source_clause", ""),
                "due_on": date.fromisoformat(row["due_on"]),
                "order": row.get("order", 0),
            },
        )
    if prune:
        _prune(plan, data)
    if status is not None and status != plan.status:
        plan.status = status
        plan.full_clean(validate_constraints=False)
        plan.save(update_fields=["status"])
    return plan


def _prune(plan: Plan, data: dict[str, Any]) -> None:
    """Delete what the data no longer names, once the rest points at what it does name."""
    Milestone.objects.filter(plan=plan).exclude(
        code__in=[row["code"] for row in data.get("milestones", [])]
    ).delete()
    leftover = Indicator.objects.filter(plan=plan).exclude(
        code__in=[row["code"] for row in data["indicators"]]
    )
    # References are protected: delete those no other leftover names first (rates before
    # their counts, quotas before their goal). A draft has no figures to protect.
    while leftover.exists():
        named = set()
        for ref in _REFERENCES:
            named.update(leftover.exclude(**{ref: None}).values_list(ref, flat=True))
        deleted, _counts = leftover.exclude(pk__in=named).delete()
        if not deleted:
            raise ValidationError(_("无法删除互相引用的指标。"))


def load_plan_file(path: Path | str = DEFAULT_PLAN_FILE) -> Plan:
    with open(path, encoding="utf-8") as handle:
        return load_plan_definition(json.load(handle))
