from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("统计与报表")

    def ready(self) -> None:
        from targets.signals import figures_changed, plan_changed, targets_changed

        from .rollup.dispatch import schedule_full_rollup, schedule_rollup, schedule_target_rollup

        figures_changed.connect(schedule_rollup, dispatch_uid="reporting.schedule_rollup")
        plan_changed.connect(schedule_full_rollup, dispatch_uid="reporting.schedule_full_rollup")
        targets_changed.connect(
            schedule_target_rollup, dispatch_uid="reporting.schedule_target_rollup"
        )
