from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from targets.services import rosters_purge


class Command(BaseCommand):
    help = (
        "Remove the roster rows of plans closed and ended more than ROSTER_RETENTION_DAYS ago, "
        "recording each removal (safe to run again)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purges = rosters_purge()
        for purge in purges:
            self.stdout.write(
                f"{purge.plan.year} {purge.plan.doc_number}: {purge.trainees} roster rows of "
                f"{purge.classes} classes removed"
            )
        if not purges:
            days = settings.ROSTER_RETENTION_DAYS
            self.stdout.write(f"nothing to remove (retention {days} days after a plan's end)")
