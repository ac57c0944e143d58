from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.models import local_plans
from targets.services import plan_activate, plan_close


class Command(BaseCommand):
    help = "Activate a draft plan (its splits must be valid) or close an active one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("action", choices=["activate", "close"])

    def handle(self, *args: Any, year: int, action: str, **options: Any) -> None:
        plan = local_plans().filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有 {year} 年度方案。")
        change = plan_activate if action == "activate" else plan_close
        try:
            plan = change(plan=plan, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{plan.year} {plan.doc_number}: {plan.get_status_display()}")
