"""A county's parts' shares of its targets (乡镇、街道 or 责任单位): set by the county's own
reviewer (县区人社局) or an administrator, all of a quota's at once.

The shares add up to no more than the county's split (the database refuses more, as it refuses
county splits above the city's target); what they leave is shown as 未分解. An active plan's
change needs a reason and is kept as a ``TargetChange`` of the part; a draft's is an
``AuditEntry``; a closed plan's targets are read-only. The plan's rollup is rebuilt once the
change commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy
from ..models import (
    AuditEntry,
    Indicator,
    Plan,
    Region,
    RegionTarget,
    TargetChange,
    TownshipTarget,
    parts_of,
)
from ..signals import targets_changed
from .base import audit, check_value
from .plans import target_reason

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


@transaction.atomic
def part_targets_set(
    *,
    actor: User | None,
    indicator: Indicator,
    place: Region,
    shares: Mapping[str, int | None],
    reason: str = "",
    at: datetime | None = None,
    is_demo: bool = False,
) -> list[TownshipTarget]:
    """Set the shares of ``place``'s split of ``indicator`` among its parts: ``shares`` maps a
    part's code to its share, ``None`` (or a part left out) for none. All or nothing: a share
    refused saves none; ``is_demo`` marks the shares written synthetic (the demo's). Returns the
    shares as they now stand, in the parts' order."""
    if actor is not None and not policy.may_split_county(actor, place):
        raise PermissionDenied(_("您无权分解该县区的目标。"))
    split = (
        RegionTarget.objects.select_for_update(of=("self",))
        .select_related("indicator__plan")
        .filter(indicator=indicator, region=place)
        .first()
    )
    if split is None:
        raise ValidationError(_("该任务没有分解到本县区，不能再分解到乡镇（责任单位）。"))
    plan = split.indicator.plan
    reason = target_reason(plan, reason)
    parts = {part.code: part for part in parts_of(place)}
    foreign = sorted(set(shares) - set(parts))
    if foreign:
        raise ValidationError(
            _("不属于本县区的乡镇（责任单位）：%(codes)s。") % {"codes": "、".join(foreign)}
        )
    wanted = {code: check_value(value) for code, value in shares.items() if value is not None}
    total = sum(wanted.values())
    if total > split.target:
        raise ValidationError(
            _("各乡镇（责任单位）分解目标之和（%(total)s）超过了本县区的分解目标（%(county)s）。")
            % {"total": f"{total:,}", "county": f"{split.target:,}"}
        )
    stored = {share.township.code: share for share in split.parts.select_related("township")}
    changes = [
        (code, stored[code].target if code in stored else None, wanted.get(code))
        for code in parts
        if (stored[code].target if code in stored else None) != wanted.get(code)
    ]
    # Lowered shares first: every total on the way stays within the county's split.
    changes.sort(key=lambda change: (change[2] or 0) - (change[1] or 0))
    at = at or timezone.now()
    for code, old, new in changes:
        if new is None:
            stored[code].delete()
        elif old is None:
            TownshipTarget.objects.create(
                split=split, township=parts[code], target=new, is_demo=is_demo
            )
        else:
            stored[code].target, stored[code].is_demo = new, is_demo
            stored[code].save(update_fields=["target", "is_demo"])
        _record(plan, indicator, parts[code], old, new, actor, reason, at)
    if changes and plan.status == Plan.Status.ACTIVE:
        targets_changed.send(sender=Indicator, plan_id=plan.pk, indicator_id=indicator.pk)
    return list(
        split.parts.select_related("township").order_by("township__order", "township__code")
    )


def _record(
    plan: Plan,
    indicator: Indicator,
    part: Region,
    old: int | None,
    new: int | None,
    actor: User | None,
    reason: str,
    at: datetime,
) -> None:
    """An active plan's change as a ``TargetChange`` of the part; a draft's as an audit entry."""
    if plan.status == Plan.Status.ACTIVE:
        TargetChange.objects.create(
            plan=plan,
            indicator=indicator,
            region=part,
            old_value=old,
            new_value=new,
            reason=reason,
            actor=actor,
            at=at,
        )
        return
    audit(
        actor=actor,
        action=AuditEntry.Action.SPLIT_SET,
        plan=plan,
        about=indicator,
        detail={"region": part.code, "old": old, "new": new, "reason": reason},
        at=at,
    )


def part_targets_of(splits: list[RegionTarget]) -> list[TownshipTarget]:
    """The parts' shares of these county splits (one query)."""
    return list(TownshipTarget.objects.filter(split__in=splits))
