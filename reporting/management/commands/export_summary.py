from __future__ import annotations

import re
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
from targets.models import local_plans, place_of


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
        parser.add_argument(
            "--unit",
            help="a county's code (e.g. 410621): that county's workbook, its rows only "
            "(without it, or 市直's 410601: the city's)",
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
        unit: str | None = None,
        **options: Any,
    ) -> None:
        plan = local_plans().filter(year=year).first()
        if plan is None:
            raise CommandError(f"no plan for {year}")
        region = None
        if unit:
            region = place_of(plan, unit) if re.fullmatch(r"[1-9][0-9]{5}", unit) else None
            if region is None:
                raise CommandError(f"no county {unit!r}")
            region = None if region.is_city_level else region
        account = None
        if user is not None:
            account = get_user_model().objects.filter(username=user).first()
            allowed = account is not None and (
                policy.may_export(account)
                if region is None
                else policy.may_export_county(account, region)
            )
            if not allowed:
                of = "" if region is None else f" of {region.code}"
                raise CommandError(f"{user!r} is not an auditor or administrator{of}")
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
                        region=region,
                    )
            except BaseException:
                path.unlink(missing_ok=True)
                raise
        rows = ", ".join(f"{name} {count}" for name, count in log.row_counts.items())
        county = f" {region.code}" if region is not None else ""
        self.stdout.write(
            f"{path}: {plan.year}-{month:02d}{county}, {log.size} bytes, sha256 {log.sha256} "
            f"({rows})"
        )
