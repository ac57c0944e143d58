from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.supervision import due_month, sync_notices
from targets import policy
from targets.models import Plan, local_plans


class Command(BaseCommand):
    help = (
        "Raise and close supervision notices from the stored rollup, for each active plan's "
        "as-of month: the latest whose reporting deadline has passed and for which something was "
        "sent (all active plans, or one year)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="only this plan year")

    def handle(self, *args: Any, year: int | None = None, **options: Any) -> None:
        plans = local_plans().order_by("year")
        if year is not None:
            plans = plans.filter(year=year)
            if not plans.exists():
                raise CommandError(f"no plan for {year}")
        else:
            plans = plans.filter(status=Plan.Status.ACTIVE)
        for plan in plans:
            if not policy.plan_is_open(plan):
                self.stdout.write(f"{plan.year}: not active, skipped")
                continue
            month = due_month(plan)
            if month is None:
                self.stdout.write(f"{plan.year}: no month due with reports sent yet, nothing to do")
                continue
            result = sync_notices(plan, month)
            self.stdout.write(
                f"{plan.year}-{month:02d}: {len(result.raised)} notices raised, "
                f"{len(result.closed)} closed"
            )
