from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from reporting import selectors
from reporting.exports import workbook
from reporting.models import ExportLog
from targets import policy
from targets.models import Plan


class Command(BaseCommand):
    help = (
        "Write the auditors' summary workbook (the same as /exports/<year>/summary.xlsx) "
        "and log the export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the plan year")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="YYYY-MM (default: the latest month past its deadline with reports sent)",
        )
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument(
            "--user",
            help="username of the auditor or administrator the export is made for "
            "(制表人 and the log); without it the log has no user",
        )

    def handle(
        self,
        *args: Any,
        year: int,
        output: str,
        as_of: str | None = None,
        user: str | None = None,
        **options: Any,
    ) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"no plan for {year}")
        account = None
        if user is not None:
            account = get_user_model().objects.filter(username=user).first()
            if account is None or not policy.may_export(account):
                raise CommandError(f"{user!r} is not an auditor or administrator")
        with translation.override(settings.LANGUAGE_CODE):
            try:
                month = selectors.parse_as_of(plan, as_of)
            except selectors.BadAsOf as exc:
                raise CommandError(str(exc)) from exc
            path = Path(output)
            try:
                with path.open("w+b") as out:
                    log = workbook.export_summary(
                        out=out,
                        plan=plan,
                        month=month,
                        user=account,
                        source=ExportLog.Source.COMMAND,
                    )
            except BaseException:
                path.unlink(missing_ok=True)
                raise
        rows = ", ".join(f"{name} {count}" for name, count in log.row_counts.items())
        self.stdout.write(
            f"{path}: {plan.year}-{month:02d}, {log.size} bytes, sha256 {log.sha256} ({rows})"
        )
