"""A plan's definition, written whole: loaded from a file (``fixtures/plan-2015.json``, or a
definition workbook) or copied from another year's plan into a new draft.

Loading matches everything by its natural key (year, department code, GB/T 2260 code,
indicator and milestone codes) and updates it in place, so loading the same file twice changes
nothing; the whole load is one transaction, so a bad definition leaves the database as it was.

Cloning copies the plan header (with its own year, document number and dates shifted by the
year difference), every indicator with its role, kind, unit, target or target rate, department,
the references between indicators (remapped to the new plan's own indicators), the county
splits, and the milestones (status reset, evidence cleared, due dates shifted). Nothing that
happened under the old plan is copied: no submissions, events, rollups, notices or bulletins.

Each writes an ``AuditEntry`` with its actor (``None``: a command run by the operator).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    HOME_PROVINCE,
    HOME_UNIT,
    AuditEntry,
    Department,
    Indicator,
    Milestone,
    Plan,
    Region,
    RegionTarget,
    local_plans,
    places_of,
)
from .base import audit, upsert_row
from .plans import indicator_target_set, region_target_set
from .work_definition import clone_work_units, load_work

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

DEFAULT_PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "plan-2015.json"
# The reason an active plan's target changes carry when a plan file is loaded again.
LOADED_REASON = "载入方案文件"
MIN_YEAR = 2000
MAX_YEAR = 2100

REFERENCES = ("numerator", "denominator", "feeds")
_PLAN_DATES = ("written_on", "published_on", "starts_on", "ends_on")
# Loaded from the data as they are; the dates are parsed.
_PLAN_LOADED = ("title", "doc_number", "parent_doc_number", "parent_doc_title", "issuer")
# Copied by a clone as they are; the plan's own identity and dates are set by the clone.
_PLAN_COPIED = (
    "parent_doc_number",
    "parent_doc_title",
    "issuer",
    "deadline_day",
    "review_levels",
    "roster_mismatch",
    "bulletin_issuer",
    "bulletin_cc",
)
_INDICATOR_FIELDS = (
    "name",
    "role",
    "kind",
    "unit",
    "target",
    "target_rate",
    "accepts_figures",
    "series_name",
    "source_clause",
    "order",
)
_MILESTONE_FIELDS = ("title", "category", "description", "requirement", "source_clause", "order")

Item = TypeVar("Item")


def dependency_order(
    items: Iterable[Item],
    key: Callable[[Item], Hashable],
    refs: Callable[[Item], list[Hashable]],
    refused: Callable[[list[Item]], str],
) -> list[Item]:
    """``items`` ordered so that each comes after those it names, so every insert can point at
    a saved row; a reference that never resolves (a cycle, a stranger) is refused, not guessed."""
    ordered: list[Item] = []
    placed: set[Hashable] = set()
    pending = list(items)
    while pending:
        ready = [item for item in pending if all(ref in placed for ref in refs(item))]
        if not ready:
            raise ValidationError(refused(pending))
        for item in ready:
            ordered.append(item)
            placed.add(key(item))
            pending.remove(item)
    return ordered


# --- cloning ------------------------------------------------------------------------------


def shift_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes the 28th if need be."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def placeholder_doc_number(year: int) -> str:
    """A document number that says plainly it is not one yet (the field must be unique)."""
    return _("%(year)s年方案（文号待定）") % {"year": year}


def shifted_title(source: Plan, year: int) -> str:
    return source.title.replace(str(source.year), str(year))


def check_new_plan(*, year: int, doc_number: str, unit: Region | None = None) -> None:
    """Refuse a year (of ``unit``, else of the city's plans) or a document number already
    taken, in words an administrator reads."""
    errors: dict[str, str] = {}
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("年度必须是 %(min)s 到 %(max)s 之间的整数。") % {
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    elif (local_plans() if unit is None else unit.plans).filter(year=year).exists():
        errors["year"] = _("%(year)s 年度方案已存在，不能重复创建。") % {"year": year}
    if not doc_number.strip():
        errors["doc_number"] = _("请填写文号。")
    else:
        taken = Plan.objects.filter(doc_number=doc_number.strip()).first()
        if taken is not None:
            errors["doc_number"] = _("文号“%(doc)s”已被 %(year)s 年度方案使用。") % {
                "doc": doc_number.strip(),
                "year": taken.year,
            }
    if errors:
        raise ValidationError(errors)


def _copied(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


@transaction.atomic
def plan_clone(
    *,
    source: Plan,
    year: int,
    doc_number: str | None = None,
    title: str | None = None,
    actor: User | None = None,
) -> Plan:
    """A new draft plan for ``year`` with ``source``'s definition; see the module docstring."""
    doc_number = (doc_number or "").strip() or placeholder_doc_number(year)
    check_new_plan(year=year, doc_number=doc_number, unit=source.unit)
    shift = year - source.year
    plan = Plan(
        unit=source.unit,
        year=year,
        title=(title or "").strip() or shifted_title(source, year),
        doc_number=doc_number,
        status=Plan.Status.DRAFT,
        **_copied(source, _PLAN_COPIED),
        **{field: shift_years(getattr(source, field), shift) for field in _PLAN_DATES},
    )
    plan.full_clean()
    plan.save()

    new_ids: dict[int, int] = {}
    for old in dependency_order(
        source.indicators.all(),
        key=lambda indicator: indicator.pk,
        refs=lambda indicator: [
            ref for ref in (getattr(indicator, f"{name}_id") for name in REFERENCES) if ref
        ],
        refused=lambda pending: (
            _("指标之间的引用无法复制：%s。") % "、".join(i.code for i in pending)
        ),
    ):
        new = Indicator.objects.create(
            plan=plan,
            code=old.code,
            department_id=old.department_id,
            **_copied(old, _INDICATOR_FIELDS),
            **{f"{ref}_id": new_ids.get(getattr(old, f"{ref}_id")) for ref in REFERENCES},
        )
        new_ids[old.pk] = new.pk

    RegionTarget.objects.bulk_create(
        RegionTarget(
            indicator_id=new_ids[split.indicator_id],
            **_copied(split, ("region_id", "target", "is_demo")),
        )
        for split in RegionTarget.objects.filter(indicator__plan=source).order_by("pk")
    )
    Milestone.objects.bulk_create(
        Milestone(
            plan=plan,
            status=Milestone.Status.NOT_STARTED,
            evidence="",
            due_on=shift_years(milestone.due_on, shift),
            **_copied(milestone, ("code", "department_id", "region_id", *_MILESTONE_FIELDS)),
        )
        for milestone in source.milestones.order_by("pk")
    )
    clone_work_units(source, plan)
    audit(
        actor=actor,
        action=AuditEntry.Action.PLAN_CLONE,
        plan=plan,
        about=plan,
        detail={"source": source.pk, "source_year": source.year},
    )
    return plan


# --- loading ------------------------------------------------------------------------------


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
    codes = {row["code"] for row in rows}

    def refs(row: dict[str, Any]) -> list[str]:
        return [row[key] for key in REFERENCES if row.get(key)]

    for row in rows:
        missing = [ref for ref in refs(row) if ref not in codes]
        if missing:
            raise ValidationError(
                _("指标 %(code)s 引用了不存在的指标 %(missing)s。")
                % {"code": row["code"], "missing": "、".join(missing)}
            )
    return dependency_order(
        rows,
        key=lambda row: row["code"],
        refs=refs,
        refused=lambda pending: (
            _("指标之间存在循环引用：%s。") % "、".join(r["code"] for r in pending)
        ),
    )


def _lookup(found: dict[str, Any], code: str | None, message: str) -> Any:
    if code is None:
        return None
    try:
        return found[code]
    except KeyError:
        raise ValidationError(message % code) from None


@transaction.atomic
def load_plan_definition(
    data: dict[str, Any], *, prune: bool = False, actor: User | None = None
) -> Plan:
    """Upsert the plan, its departments, counties, indicators, splits and milestones.

    The plan's status is the data's only when the plan is created: afterwards only
    ``plan_activate`` and ``plan_close`` move it (draft → active → closed). A closed plan is
    left as it is. With ``prune`` (a draft's definition replaced whole, as a workbook import
    does) the plan's indicators, county splits and milestones that the data no longer names
    are deleted, and the splits are set afresh.
    """
    for key, what in (
        ("departments", _("部门")),
        ("regions", _("县区")),
        ("indicators", _("指标")),
        ("milestones", _("重点工作")),
    ):
        _refuse_duplicates(data.get(key, []), what)
    plan_data = data["plan"]
    plan_values = {field: plan_data.get(field, "") for field in (*_PLAN_LOADED, *_PLAN_DATES)}
    for field in _PLAN_DATES:
        plan_values[field] = date.fromisoformat(plan_values[field])
    for field in ("deadline_day", "review_levels", "roster_mismatch"):
        if field in plan_data:
            plan_values[field] = plan_data[field]
    unit = _unit(data.get("unit"))
    existing = Plan.objects.filter(unit=unit, year=plan_data["year"]).first()
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
    changed: list[str] = []  # the models of the rows saved or deleted

    def upsert(model: type, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
        obj, saved = upsert_row(model, lookup, values)
        if saved:
            changed.append(model.__name__)
        return obj

    plan = upsert(Plan, {"unit": unit, "year": plan_data["year"]}, plan_values)
    # With ``prune`` the splits are set afresh below, so a lowered city target never meets its
    # old splits.
    if prune and RegionTarget.objects.filter(indicator__plan=plan).delete()[0]:
        changed.append("RegionTarget")

    departments = {
        row["code"]: upsert(
            Department,
            {"code": row["code"]},
            {key: row[key] for key in ("name", "short_name", "is_lead", "order")},
        )
        for row in data["departments"]
    }
    departments.update({d.code: d for d in Department.objects.exclude(code__in=departments)})
    regions = {
        row["code"]: upsert(
            Region,
            {"code": row["code"]},
            {**{key: row[key] for key in ("name", "kind", "order")}, "parent": unit},
        )
        for row in data["regions"]
    }
    regions.update({r.code: r for r in places_of(plan).exclude(code__in=regions)})

    def department(code: str) -> Department:
        return _lookup(departments, code, _("未知的部门代码：%s。"))

    def region(code: str | None) -> Region | None:
        return _lookup(regions, code, _("未知的县区代码：%s。"))

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
        for key in REFERENCES:
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
                actor=actor,
                indicator=existing_indicator,
                target=values["target"],
                target_rate=values["target_rate"],
                reason=LOADED_REASON,
            )
        indicators[row["code"]] = upsert(Indicator, {"plan": plan, "code": row["code"]}, values)

    for row in data.get("region_targets", []):
        if row["indicator"] not in indicators:
            raise ValidationError(_("县区分解引用了不存在的指标：%s。") % row["indicator"])
        region_target_set(
            actor=actor,
            indicator=indicators[row["indicator"]],
            region=region(row["region"]),
            target=row["target"],
            reason=LOADED_REASON,
        )

    for row in data.get("milestones", []):
        upsert(
            Milestone,
            {"plan": plan, "code": row["code"]},
            {
                "department": department(row["department"]),
                "region": region(row.get("region")),
                "description": row.get("description", ""),
                "requirement": row.get("requirement", ""),
                "source_clause": row.get("source_clause", ""),
                "due_on": date.fromisoformat(row["due_on"]),
                "order": row.get("order", 0),
                "title": row["title"],
                "category": row["category"],
            },
        )
    if prune and _prune(plan, data):
        changed.append("Indicator")
    changed += load_work(plan, data, department=department, region=region, prune=prune, actor=actor)
    if status is not None and status != plan.status:
        plan.status = status
        plan.full_clean(validate_constraints=False)
        plan.save(update_fields=["status"])
        changed.append("Plan")
    if changed:  # loading an unchanged definition writes nothing, not even its audit row
        audit(
            actor=actor,
            action=AuditEntry.Action.PLAN_LOAD,
            plan=plan,
            about=plan,
            detail={"created": existing is None, "prune": prune, "changed": sorted(set(changed))},
        )
    return plan


def _unit(data: dict[str, Any] | None) -> Region:
    """The unit a plan definition belongs to, with its parent, made or updated as the data
    says (``{"code", "name", "kind", "parent": {...}}``); without data, 鹤壁市 under 河南省."""
    if data is None:
        data = {
            "code": HOME_UNIT[0],
            "name": HOME_UNIT[1],
            "kind": Region.Kind.PREFECTURE,
            "parent": {"code": HOME_PROVINCE[0], "name": HOME_PROVINCE[1], "kind": "province"},
        }
    parent = _unit(data["parent"]) if data.get("parent") else None
    unit, _saved = upsert_row(
        Region,
        {"code": data["code"]},
        {"name": data["name"], "kind": data["kind"], "parent": parent},
    )
    return unit


def _prune(plan: Plan, data: dict[str, Any]) -> int:
    """Delete what the data no longer names, once the rest points at what it does name; how
    many rows were deleted."""
    total, _counts = (
        Milestone.objects.filter(plan=plan)
        .exclude(code__in=[row["code"] for row in data.get("milestones", [])])
        .delete()
    )
    leftover = Indicator.objects.filter(plan=plan).exclude(
        code__in=[row["code"] for row in data["indicators"]]
    )
    # References are protected: delete those no other leftover names first (rates before
    # their counts, quotas before their goal). A draft has no figures to protect.
    while leftover.exists():
        named = set()
        for ref in REFERENCES:
            named.update(leftover.exclude(**{ref: None}).values_list(ref, flat=True))
        deleted, _counts = leftover.exclude(pk__in=named).delete()
        if not deleted:
            raise ValidationError(_("无法删除互相引用的指标。"))
        total += deleted
    return total


def load_plan_file(path: Path | str = DEFAULT_PLAN_FILE, *, actor: User | None = None) -> Plan:
    with open(path, encoding="utf-8") as handle:
        return load_plan_definition(json.load(handle), actor=actor)
