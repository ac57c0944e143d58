from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.utils.translation import gettext as _

from targets.models import Plan
from targets.services import load_plan_file
from targets.services.plan_definition import DEFAULT_PLAN_FILE


class Command(BaseCommand):
    help = "Load (upsert) a plan definition; loading the same file twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PLAN_FILE))

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            plan = load_plan_file(path, actor=None)
        except (OSError, ValueError, KeyError, ValidationError, IntegrityError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if plan.status == Plan.Status.CLOSED:
            self.stdout.write(
                _("%(year)s年度方案已结束，其定义只读，未作改动。") % {"year": plan.year}
            )
            return
        self.stdout.write(
            f"{plan.year} {plan.doc_number}: {plan.indicators.count()} indicators, "
            f"{plan.milestones.count()} milestones"
        )
