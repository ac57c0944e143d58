from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("年度方案与填报")

    def ready(self) -> None:
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="targets.sync_role_groups")
