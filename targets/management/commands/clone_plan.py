from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.models import local_plans
from targets.services import plan_clone


class Command(BaseCommand):
    help = "Copy a plan's definition into a new draft plan for another year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source_year", type=int)
        parser.add_argument("year", type=int)
        parser.add_argument("--doc-number", default="", help="文号 of the new plan")
        parser.add_argument("--title", default="", help="default: the title, year replaced")

    def handle(
        self, *args: Any, source_year: int, year: int, doc_number: str, title: str, **options: Any
    ) -> None:
        source = local_plans().filter(year=source_year).first()
        if source is None:
            raise CommandError(f"没有 {source_year} 年度方案。")
        try:
            plan = plan_clone(
                source=source, year=year, doc_number=doc_number, title=title, actor=None
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{plan.year} {plan.doc_number} (draft): {plan.indicators.count()} indicators, "
            f"{plan.milestones.count()} milestones, copied from {source.year}"
        )
