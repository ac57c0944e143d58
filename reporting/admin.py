"""Rollups in the admin: to look at, never to edit (they are rebuilt from the figures)."""

from __future__ import annotations

from django.contrib import admin

from targets.admin.mixins import ReadOnlyMixin

from .models import (
    Bulletin,
    CompletenessRollup,
    ExportJob,
    ExportLog,
    PendingRollup,
    Rollup,
    RollupRun,
)


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "started_at",
        "plan",
        "kind",
        "from_month",
        "rows",
        "drift",
        "duration_ms",
        "indicator_codes",
    )
    list_filter = ("kind", "plan")
    list_select_related = ("plan",)
    date_hierarchy = "started_at"


@admin.register(PendingRollup)
class PendingRollupAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rollups asked for and not run yet: a row older than a few minutes means the broker or
    the worker was down; the sweep (every 5 minutes on beat) or the nightly rebuild runs it."""

    list_display = ("created_at", "plan", "months")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    date_hierarchy = "created_at"


@admin.register(Rollup)
class RollupAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "indicator",
        "region",
        "month",
        "actual",
        "numerator",
        "denominator",
        "target",
        "target_rate",
        "completion",
        "expected",
        "status",
        "projected",
    )
    list_filter = ("plan", "month", "status", "indicator__department", "region")
    search_fields = ("indicator__code", "indicator__name")
    list_select_related = ("indicator", "region")


@admin.register(CompletenessRollup)
class CompletenessRollupAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("plan", "department", "month", "expected", "received", "on_time")
    list_filter = ("plan", "month", "department")
    list_select_related = ("plan", "department")


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Published bulletins are frozen: shown here, changed nowhere."""

    list_display = (
        "plan",
        "region",
        "month",
        "number",
        "status",
        "title",
        "published_by",
        "published_at",
    )
    list_filter = ("plan", "status")
    list_select_related = ("plan", "region", "published_by")
    readonly_fields = (
        "plan",
        "region",
        "month",
        "status",
        "title",
        "text",
        "numbers",
        "published_by",
        "published_at",
    )


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who took which workbook: kept as written."""

    list_display = (
        "exported_at",
        "plan",
        "region",
        "month",
        "exported_by",
        "source",
        "size",
        "sha256",
    )
    list_filter = ("plan", "source")
    list_select_related = ("plan", "region", "exported_by")
    date_hierarchy = "exported_at"
    readonly_fields = (
        "plan",
        "region",
        "month",
        "exported_by",
        "exported_at",
        "source",
        "row_counts",
        "sha256",
        "size",
    )


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Background exports as their workers left them (a stuck one shows its last heartbeat)."""

    list_display = (
        "requested_at",
        "plan",
        "region",
        "month",
        "requested_by",
        "status",
        "rows_done",
        "rows_total",
        "heartbeat_at",
        "finished_at",
    )
    list_filter = ("status", "plan")
    list_select_related = ("plan", "region", "requested_by")
    date_hierarchy = "requested_at"
