"""Reminders: the day after a month's deadline, who has not reported, or reported late.

``targets.completeness.gaps`` lists, per department × county, reports missing or late;
``send_reminders`` emails each clerk responsible for a gap (a county
clerk their county, a department's city-wide clerk every county of the department) and
records the run; a month's reminders go out once, so a task run twice sends nothing more.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.completeness import gaps
from targets.models import Membership, Plan, local_plans
from targets.periods import deadline, last_day_on_time

from .models import ReminderRun
from .services.reminders import reminder_run_record

# Reminders for a month whose deadline passed longer ago than this are not sent any more
# (a worker down for a few days catches up; a new installation does not mail last year).
CATCH_UP_DAYS = 7


def due_months(plan: Plan, today: date) -> list[int]:
    """Months whose deadline has passed, at most ``CATCH_UP_DAYS`` ago."""
    months = []
    for month in range(1, 13):
        late_from = deadline(plan, month).date()  # the day after the deadline day
        if late_from <= today < late_from + timedelta(days=CATCH_UP_DAYS):
            months.append(month)
    return months


def _clerks_by_department() -> dict[str, list[Membership]]:
    """Active clerks by department code, read once for all of a month's gaps."""
    clerks: dict[str, list[Membership]] = {}
    for membership in Membership.objects.filter(
        role=Membership.Role.CLERK, user__is_active=True
    ).select_related("user", "region", "department"):
        clerks.setdefault(membership.department.code, []).append(membership)
    return clerks


def _responsible(clerks: list[Membership], region_code: str) -> list[Membership]:
    """A department's city-wide clerks, and its clerk of this county."""
    return [m for m in clerks if m.region is None or m.region.code == region_code]


def _message(plan: Plan, month: int, lines: list[str]) -> tuple[str, str]:
    subject = _("【催报】%(year)s年%(month)s月技能振兴工程数据报送情况") % {
        "year": plan.year,
        "month": month,
    }
    body = "\n".join(
        [
            _("您好："),
            "",
            _("%(year)s年%(month)s月的数据应于 %(due)s 前报送。截至目前："),
            "",
            *lines,
            "",
            _("请尽快登录系统补报；已迟报的数据仍请核对。本邮件由系统自动发送。"),
        ]
    ) % {
        "year": plan.year,
        "month": month,
        "due": last_day_on_time(plan, month).isoformat(),
    }
    return subject, body


def send_reminders(plan: Plan, month: int, *, at: datetime | None = None) -> ReminderRun | None:
    """Email the clerks responsible for every gap of ``month`` and record it; once a month.

    Returns the run, or ``None`` when this month's reminders were already sent.
    """
    at = at or timezone.now()
    if ReminderRun.objects.filter(plan=plan, month=month).exists():
        return None
    found = gaps(plan, month)
    per_clerk: dict[int, tuple[Membership, list[str]]] = {}
    details = []
    clerks_of = _clerks_by_department()
    for gap in found:
        clerks = _responsible(clerks_of.get(gap.department, []), gap.region)
        line = _("%(department)s · %(region)s：未报 %(missing)s 项，迟报 %(late)s 项") % {
            "department": gap.department_name,
            "region": gap.region_name,
            "missing": gap.missing,
            "late": gap.late,
        }
        for membership in clerks:
            per_clerk.setdefault(membership.user_id, (membership, []))[1].append(line)
        details.append(
            {
                **{k: v for k, v in asdict(gap).items() if k in ("department", "region")},
                "department_name": gap.department_name,
                "region_name": gap.region_name,
                "missing": gap.missing,
                "late": gap.late,
                "clerks": sorted(m.user.username for m in clerks),
            }
        )
    messages = []
    for membership, lines in per_clerk.values():
        if not membership.user.email:
            continue
        subject, body = _message(plan, month, lines)
        messages.append(EmailMessage(subject, body, to=[membership.user.email]))
    try:
        with transaction.atomic():
            run = reminder_run_record(
                plan=plan,
                month=month,
                sent_at=at,
                emails=len(messages),
                gaps=details,
            )
            # Recorded first: if the mail server fails, the transaction is rolled back and the
            # next run tries again; if two runs race, the unique constraint lets one through.
            if messages:
                get_connection().send_messages(messages)
    except IntegrityError:
        return None
    return run


def send_due_reminders(today: date | None = None) -> list[ReminderRun]:
    """For every active plan of this city, the reminders of the months whose deadline just
    passed."""
    today = today or timezone.localdate()
    runs = []
    for plan in local_plans().filter(status=Plan.Status.ACTIVE):
        for month in due_months(plan, today):
            run = send_reminders(plan, month)
            if run is not None:
                runs.append(run)
    return runs
