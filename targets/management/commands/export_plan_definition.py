from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.models import local_plans
from targets.workbooks.plan import build_definition, definition_filename


class Command(BaseCommand):
    help = "Write a plan's definition (header, indicators, splits, milestones) as an .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", default="", help="default: 方案定义-<year>.xlsx")

    def handle(self, *args: Any, year: int, output: str, **options: Any) -> None:
        plan = local_plans().filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有 {year} 年度方案。")
        path = Path(output or definition_filename(plan))
        path.write_bytes(build_definition(plan))
        self.stdout.write(f"{path}: {plan.year} {plan.doc_number}")
