"""The plan's other half, read-only: work items' units and steps, the monthly 工作台账 reports and
their trail, evidence files, the registers and their 整改事项, and the project library with its
ledgers and trail.

They are written only through ``targets.services`` (the clerks' and reviewers' pages), which
check the policy, lock and record each change; the admin lets administrators and auditors find
and read any row (filters, search), and changes nothing. Files are downloaded through the
policy's views, never from here.
"""

from __future__ import annotations

from django.contrib import admin

from ..models import (
    AnnualPlan,
    Competition,
    EvaluationPilot,
    EvidenceFile,
    Meeting,
    Project,
    ProjectEntry,
    ProjectEvent,
    Rectification,
    SelfAssessment,
    StepReport,
    StepReportEvent,
    WorkStep,
    WorkUnit,
)
from .mixins import EventStatusMixin, ReadOnlyMixin

RECORD_TRAIL = ("status", "entered_by", "entered_at", "reviewed_by", "reviewed_at")
RECORD_FILTERS = ("plan", "status", "department", "region")


@admin.register(WorkUnit)
class WorkUnitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("milestone", "department", "region")
    list_filter = ("milestone__plan", "department", "region")
    search_fields = ("milestone__code", "milestone__title", "requirement")
    list_select_related = ("milestone", "department", "region")


@admin.register(WorkStep)
class WorkStepAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "milestone", "department", "region", "due_on", "created_by")
    list_filter = ("milestone__plan", "department", "region")
    search_fields = ("title", "milestone__code", "milestone__title")
    list_select_related = ("milestone", "department", "region", "created_by")
    date_hierarchy = "due_on"


class StepReportEventInline(ReadOnlyMixin, EventStatusMixin, admin.TabularInline):
    model = StepReportEvent
    fields = ("at", "action", "actor", "old_status_label", "new_status_label", "reason")
    readonly_fields = fields
    extra = 0


@admin.register(StepReport)
class StepReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("step", "month", "revision", "progress", *RECORD_TRAIL, "is_counted")
    list_filter = ("step__milestone__plan", "status", "progress", "is_counted", "month")
    search_fields = ("step__title", "done", "problems", "review_comment", "correction_reason")
    list_select_related = ("step", "entered_by", "reviewed_by")
    inlines = [StepReportEventInline]


@admin.register(StepReportEvent)
class StepReportEventAdmin(ReadOnlyMixin, EventStatusMixin, admin.ModelAdmin):
    list_display = ("at", "action", "report", "actor", "old_status_label", "new_status_label")
    list_filter = ("action",)
    search_fields = ("reason", "report__step__title")
    list_select_related = ("report__step", "actor")
    date_hierarchy = "at"


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("download_name", "kind", "size", "plan", "uploaded_by", "uploaded_at")
    list_filter = ("plan", "kind")
    search_fields = ("download_name", "sha256")
    list_select_related = ("plan", "uploaded_by")
    exclude = ("stored_name",)  # where it lies in storage is nobody's business here


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "level", "starts_on", "participants", "winners", *RECORD_TRAIL)
    list_filter = (*RECORD_FILTERS, "level")
    search_fields = ("name", "organiser", "occupations")


@admin.register(EvaluationPilot)
class EvaluationPilotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("enterprise", "level", "appraised", "adjusted", *RECORD_TRAIL)
    list_filter = (*RECORD_FILTERS, "level", "adjusted")
    search_fields = ("enterprise", "occupations")


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "department", "issued_on", *RECORD_TRAIL)
    list_filter = RECORD_FILTERS
    search_fields = ("title",)


class RectificationInline(ReadOnlyMixin, admin.TabularInline):
    model = Rectification
    fields = ("description", "department", "region", "due_on", "closed_on")
    readonly_fields = fields
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "held_on", *RECORD_TRAIL)
    list_filter = (*RECORD_FILTERS, "kind")
    search_fields = ("title", "units_visited", "findings")
    inlines = [RectificationInline]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("description", "meeting", "department", "region", "due_on", "closed_on")
    list_filter = ("meeting__plan", "department", "region")
    search_fields = ("description", "progress", "close_note")
    list_select_related = ("meeting", "department", "region")


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("department", "period", *RECORD_TRAIL)
    list_filter = (*RECORD_FILTERS, "period")
    search_fields = ("text",)


class ProjectEntryInline(ReadOnlyMixin, admin.TabularInline):
    model = ProjectEntry
    fields = ("kind", "name", "source", "indicator", "status", "entered_by", "reviewed_by")
    readonly_fields = fields
    extra = 0


@admin.register(Project)
class ProjectAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "code", "department", "region", "county", "plan")
    list_filter = ("plan", "department", "county")
    search_fields = ("code", "name", "description")
    list_select_related = ("plan", "department", "region", "county")
    inlines = [ProjectEntryInline]


@admin.register(ProjectEntry)
class ProjectEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("project", "kind", "name", "source", *RECORD_TRAIL)
    list_filter = ("project__plan", "kind", "status")
    search_fields = ("name", "source", "project__name", "review_comment")
    list_select_related = ("project", "entered_by", "reviewed_by")


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyMixin, EventStatusMixin, admin.ModelAdmin):
    list_display = ("at", "action", "project", "entry", "actor", "reason")
    list_filter = ("action", "project")
    search_fields = ("reason", "project__name")
    list_select_related = ("project", "entry", "actor")
    date_hierarchy = "at"
