from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from targets.plan_loader import DEFAULT_PLAN_FILE, load_plan_file


class Command(BaseCommand):
    help = "Load (upsert) a plan definition; loading the same file twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PLAN_FILE))

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            plan = load_plan_file(path)
        except (OSError, ValueError, KeyError, ValidationError, IntegrityError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(
            f"{plan.year} {plan.doc_number}: {plan.indicators.count()} indicators, "
            f"{plan.milestones.count()} milestones"
        )
