from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from targets.services import personal_data_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt the rosters' ID numbers, phones and 残疾证号 under the first key of "
        "FIELD_ENCRYPTION_KEY (put the new key first, run this, then drop the old key)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = personal_data_rotate()
        self.stdout.write(f"{rows} roster rows re-encrypted under the first key")
