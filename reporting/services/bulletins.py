"""Publishing a month's bulletin: frozen text and numbers, the plan's next number, and who
published it when (``Bulletin.published_by`` / ``published_at``, its audit trail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from targets import policy
from targets.models import Plan, Region, bulletin_issuer_of
from targets.periods import deadline, last_day_on_time

from ..bulletins import county
from ..bulletins.numbers import collect, stored
from ..bulletins.text import date_text, next_number, render
from ..bulletins.wording import OFFICIAL_LANGUAGE
from ..models import Bulletin


class BulletinError(Exception):
    """A bulletin that cannot be published; the message is for people."""


class NeedsConfirmation(BulletinError):
    """Reports of the month are missing or not yet approved: publish only when confirmed."""

    def __init__(self, message: str, outstanding: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.outstanding = outstanding


def outstanding_text(entry: dict[str, Any]) -> str:
    """One department × place not fully approved, for the confirmation list."""
    return _(
        "%(department)s × %(region)s：应报%(expected)s项，已报送%(sent)s项，已审核%(approved)s项"
    ) % {
        "department": entry["department_name"],
        "region": entry["region_name"],
        "expected": entry["expected"],
        "sent": entry["sent"],
        "approved": entry["approved"],
    }


def bulletin_publish(
    *,
    plan: Plan,
    month: int,
    actor: Any,
    confirmed: bool = False,
    at: datetime | None = None,
    region: Region | None = None,
) -> Bulletin:
    """Freeze a month's bulletin as generated now, with the plan's next number. Once per month.

    ``region``: a county's own bulletin (县区通报), with the county's next number, its issuer
    and its reports; without: the city's.

    Not before the month's reporting deadline; with reports still missing or not approved only
    when ``confirmed`` (``NeedsConfirmation`` names them otherwise). Corrections that come later
    are for the next month's bulletin and are listed on this month's page as changes since.
    """
    allowed = (
        policy.may_publish_bulletin(actor)
        if region is None
        else policy.may_publish_county_bulletin(actor, region)
    )
    if not allowed:
        raise PermissionDenied
    now = at or timezone.now()
    published = Bulletin.objects.filter(plan=plan, month=month, region=region)
    if published.exists():
        raise BulletinError(_("本月通报已发布，不能重复发布。"))
    if now < deadline(plan, month):
        raise BulletinError(
            _("%(month)s月数据的报送截止日（%(day)s）之后才能发布本月通报。")
            % {"month": month, "day": date_text(last_day_on_time(plan, month))}
        )
    with translation.override(OFFICIAL_LANGUAGE):
        numbers = collect(plan, month) if region is None else county.collect(plan, month, region)
        if numbers is None:
            raise BulletinError(_("进度汇总尚未生成，暂不能发布通报。"))
        if numbers["outstanding"] and not confirmed:
            raise NeedsConfirmation(
                _("%(month)s月份还有%(count)s份报表未报齐或未审核通过，确认后仍可发布：")
                % {"month": month, "count": len(numbers["outstanding"])},
                numbers["outstanding"],
            )
        heading, text = render(numbers)
    try:
        with transaction.atomic():
            # One publication at a time per plan, so numbers follow each other without gaps.
            Plan.objects.select_for_update().filter(pk=plan.pk).first()
            if published.exists():
                raise BulletinError(_("本月通报已发布，不能重复发布。"))
            fresh = Plan.objects.get(pk=plan.pk)
            if region is None:
                issuer, cc = bulletin_issuer_of(fresh), fresh.bulletin_cc
            else:
                issuer, cc = county.issuer(fresh, region), county.cc(fresh)
            return Bulletin.objects.create(
                plan=plan,
                region=region,
                month=month,
                status=Bulletin.Status.PUBLISHED,
                title=heading,
                text=text,
                numbers=stored(numbers),
                published_by=actor,
                published_at=now,
                number=next_number(plan, region),
                issuer=issuer,
                cc=cc,
                issued_on=timezone.localdate(now),
            )
    except IntegrityError:  # published by someone else a moment ago
        raise BulletinError(_("本月通报已发布，不能重复发布。")) from None
