from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from targets.demo import load_demo
from targets.models import local_plans
from targets.services import load_plan_file


class Command(BaseCommand):
    help = (
        "Demo accounts (CONTRACT.md) and SYNTHETIC figures for January–October 2015, "
        "on top of the 2015 plan. Safe to run again: existing figures are left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = local_plans().filter(year=2015).first() or load_plan_file(actor=None)
        summary = load_demo(plan, settings.DEMO_PASSWORD)
        what = "created" if summary.created else "already present, left unchanged"
        self.stdout.write(
            f"{summary.accounts} demo accounts (password from DEMO_PASSWORD); "
            f"{summary.submissions} synthetic submissions {what}."
        )
