"""Monthly figures, their audit trail, supervision notices and target changes: read-only.

They are written only through ``targets.services``; the admin just shows them.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import AuditEntry, Submission, SubmissionEvent, SupervisionNotice, TargetChange
from .mixins import EventStatusMixin, ReadOnlyMixin

# What an event changed, as its trail on a figure's page and the list of every event show it.
CHANGE_COLUMNS = ("old_value", "new_value", "old_status_label", "new_status_label", "reason")


class SubmissionEventInline(ReadOnlyMixin, EventStatusMixin, admin.TabularInline):
    model = SubmissionEvent
    fields = ("at", "action", "actor", *CHANGE_COLUMNS)
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[SubmissionEvent]:
        # Each row's heading is the event's __str__, which names the submission's cell.
        return (
            super()
            .get_queryset(request)
            .select_related("actor", "submission__indicator", "submission__region")
        )


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "series",
        "region",
        "month",
        "revision",
        "value",
        "status",
        "is_current",
        "is_counted",
        "is_demo",
        "entered_by",
        "reviewed_by",
    )
    list_filter = (
        "status",
        "is_current",
        "is_counted",
        "is_demo",
        "indicator__plan",
        "indicator__department",
        "region",
        "month",
    )
    search_fields = (
        "indicator__code",
        "indicator__name",
        "indicator__series_name",
        "note",
        "review_comment",
        "correction_reason",
    )
    list_select_related = ("indicator", "region", "entered_by", "reviewed_by")
    ordering = ("indicator__plan", "indicator__order", "region__order", "month", "revision")
    inlines = [SubmissionEventInline]

    @admin.display(description=_("填报项"), ordering="indicator__order")
    def series(self, submission: Submission) -> str:
        return submission.indicator.entry_name


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyMixin, EventStatusMixin, admin.ModelAdmin):
    list_display = ("at", "action", "submission", "actor", *CHANGE_COLUMNS)
    list_filter = ("action", "submission__indicator__department", "submission__region")
    search_fields = (
        "submission__indicator__code",
        "submission__indicator__name",
        "actor__username",
        "reason",
    )
    list_select_related = ("submission__indicator", "submission__region", "actor")
    ordering = ("-at", "-id")
    date_hierarchy = "at"


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Notices are raised and closed by the rollup, answered by clerks: read-only here."""

    list_display = (
        "indicator",
        "region",
        "month",
        "status",
        "raised_at",
        "answered_at",
        "closed_at",
    )
    list_filter = ("status", "plan", "month")
    list_select_related = ("indicator", "region")
    search_fields = ("indicator__name", "indicator__code", "explanation", "catch_up_plan")
    ordering = ("-raised_at",)


@admin.register(TargetChange)
class TargetChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Target changes are written by the services with their reason: read-only here."""

    list_display = ("at", "indicator", "place", "old_display", "new_display", "actor", "reason")
    list_filter = ("plan", "indicator__department", "region")
    search_fields = ("indicator__code", "indicator__name", "reason", "actor__username")
    list_select_related = ("indicator", "region", "actor")
    ordering = ("-at", "-id")

    @admin.display(description=_("县区"))
    def place(self, change: TargetChange) -> str:
        return change.place

    @admin.display(description=_("原目标"))
    def old_display(self, change: TargetChange) -> str:
        return change.old_display

    @admin.display(description=_("新目标"))
    def new_display(self, change: TargetChange) -> str:
        return change.new_display


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The services' other writes (a plan activated, closed, cloned, loaded; a role given)."""

    list_display = ("at", "action", "object_text", "actor", "plan")
    list_filter = ("action", "plan")
    search_fields = ("object_text", "actor__username")
    list_select_related = ("actor", "plan")
    ordering = ("-at", "-id")
