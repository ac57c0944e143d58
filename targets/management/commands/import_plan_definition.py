from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.workbooks.plan import import_definition
from targets.workbooks.plan_sheets import DefinitionRefused


class Command(BaseCommand):
    help = "Create or update a draft plan from a definition workbook; nothing saved on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the user recorded as having set the workbook's new steps (工作措施)",
        )

    def handle(self, *args: Any, path: str, by: str | None = None, **options: Any) -> None:
        actor = None
        if by is not None:
            actor = get_user_model().objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"没有用户名为 {by} 的用户。")
        try:
            with open(path, "rb") as handle:
                result = import_definition(handle, actor=actor)
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
        except DefinitionRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{path}: {len(refused.errors)} 处错误，未导入任何内容。"
            ) from refused
        plan = result.plan
        self.stdout.write(
            f"{plan.year} {plan.doc_number} ({'created' if result.created else 'updated'}, "
            f"draft): {plan.indicators.count()} indicators, {plan.milestones.count()} milestones"
        )
