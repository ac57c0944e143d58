"""Copy a yearly plan's definition into a new draft plan for another year.

What is copied: the plan header (with its own year, document number and dates shifted by the
year difference), every indicator with its role, kind, unit, target or target rate, department,
the references between indicators (remapped to the new plan's own indicators), the county
splits, and the milestones (status reset, evidence cleared, due dates shifted). Nothing that
happened under the old plan is copied: no submissions, events, rollups, notices or bulletins.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Indicator, Milestone, Plan, RegionTarget

_REFERENCES = ("numerator", "denominator", "feeds")
# Field copied as they are; the plan's own identity and dates are set by the clone.
_PLAN_COPIED = (
    "parent_doc_number",
    "parent_doc_title",
    "issuer",
    "deadline_day",
    "bulletin_issuer",
    "bulletin_cc",
)
_PLAN_DATES = ("written_on", "published_on", "starts_on", "ends_on")
_INDICATOR_COPIED = (
    "code",
    "name",
    "role",
    "kind",
    "department_id",
    "unit",
    "target",
    "target_rate",
    "accepts_figures",
    "series_name",
    "source_clause",
    "order",
)
_MILESTONE_COPIED = (
    "code",
    "title",
    "category",
    "department_id",
    "region_id",
    "description",
    "source_clause",
    "order",
)
MIN_YEAR = 2000
MAX_YEAR = 2100


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


def check_new_plan(*, year: int, doc_number: str) -> None:
    """Refuse a year or document number already taken, in words an administrator reads."""
    errors: dict[str, str] = {}
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("年度必须是 %(min)s 到 %(max)s 之间的整数。") % {
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    elif Plan.objects.filter(year=year).exists():
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


def _in_dependency_order(indicators: list[Indicator]) -> list[Indicator]:
    """Each indicator after those it names, so every insert can point at a saved row."""
    ordered: list[Indicator] = []
    placed: set[int] = set()
    pending = list(indicators)
    while pending:
        ready = [
            i
            for i in pending
            if all(
                getattr(i, f"{ref}_id") is None or getattr(i, f"{ref}_id") in placed
                for ref in _REFERENCES
            )
        ]
        if not ready:  # a reference outside the plan, or a cycle: refuse, do not guess
            raise ValidationError(
                _("指标之间的引用无法复制：%s。") % "、".join(i.code for i in pending)
            )
        for indicator in ready:
            ordered.append(indicator)
            placed.add(indicator.pk)
            pending.remove(indicator)
    return ordered


@transaction.atomic
def plan_clone(
    *, source: Plan, year: int, doc_number: str | None = None, title: str | None = None
) -> Plan:
    """A new draft plan for ``year`` with ``source``'s definition; see the module docstring."""
    doc_number = (doc_number or "").strip() or placeholder_doc_number(year)
    check_new_plan(year=year, doc_number=doc_number)
    shift = year - source.year
    plan = Plan(
        year=year,
        title=(title or "").strip() or shifted_title(source, year),
        doc_number=doc_number,
        status=Plan.Status.DRAFT,
        **{field: getattr(source, field) for field in _PLAN_COPIED},
        **{field: shift_years(getattr(source, field), shift) for field in _PLAN_DATES},
    )
    plan.full_clean()
    plan.save()

    new_ids: dict[int, int] = {}
    for old in _in_dependency_order(list(source.indicators.all())):
        new = Indicator.objects.create(
            plan=plan,
            **{field: getattr(old, field) for field in _INDICATOR_COPIED},
            **{f"{ref}_id": new_ids.get(getattr(old, f"{ref}_id")) for ref in _REFERENCES},
        )
        new_ids[old.pk] = new.pk

    RegionTarget.objects.bulk_create(
        RegionTarget(
            indicator_id=new_ids[split.indicator_id],
            region_id=split.region_id,
            target=split.target,
            is_demo=split.is_demo,
        )
        for split in RegionTarget.objects.filter(indicator__plan=source).order_by("pk")
    )
    Milestone.objects.bulk_create(
        Milestone(
            plan=plan,
            status=Milestone.Status.NOT_STARTED,
            evidence="",
            due_on=shift_years(milestone.due_on, shift),
            **{field: getattr(milestone, field) for field in _MILESTONE_COPIED},
        )
        for milestone in source.milestones.order_by("pk")
    )
    return plan
