from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.rollup import rebuild_plans
from targets.models import Plan


class Command(BaseCommand):
    help = "Recompute every rollup synchronously (all plans, or one year)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="only this plan year")
        parser.add_argument(
            "--jobs",
            type=int,
            help="plans rebuilt at once on PostgreSQL (default: one per CPU)",
        )

    def handle(
        self, *args: Any, year: int | None = None, jobs: int | None = None, **options: Any
    ) -> None:
        plans = Plan.objects.order_by("year")
        if year is not None:
            plans = plans.filter(year=year)
            if not plans.exists():
                raise CommandError(f"no plan for {year}")
        if jobs is not None and jobs < 1:
            raise CommandError("--jobs must be at least 1")
        for run in rebuild_plans(plans, jobs=jobs):
            self.stdout.write(f"{run.plan.year}: {run.rows} rollup rows in {run.duration_ms} ms")
