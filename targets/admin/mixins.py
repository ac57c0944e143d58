"""What several admin pages share: read-only figures, closed plans, writes through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Plan, Submission, SubmissionEvent
from ..services.definitions import definition_delete, definition_save


class ReadOnlyMixin:
    """Figures are written through the services only; the admin just shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClosedPlanReadOnlyMixin:
    """A closed plan is read-only: its header, indicators, county splits and milestones.

    ``plan_of(obj)`` names the object's plan. New rows cannot be given a closed plan either:
    the plan choices leave closed plans out.
    """

    def plan_of(self, obj: Any) -> Plan:
        return obj.plan

    def _closed(self, obj: Any) -> bool:
        return obj is not None and self.plan_of(obj).status == Plan.Status.CLOSED

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._closed(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField:
        if db_field.name == "plan":
            kwargs["queryset"] = Plan.objects.exclude(status=Plan.Status.CLOSED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DefinitionWritesMixin:
    """Saves and deletes a plan's definition through ``targets.services.definitions``."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changed = form.changed_data if change else ()
        definition_save(actor=request.user, record=obj, changed=changed)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        definition_delete(actor=request.user, record=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for record in queryset:
                definition_delete(actor=request.user, record=record)


def _status_label(value: str) -> str:
    return Submission.Status(value).label if value else "—"


class EventStatusMixin:
    """An event stores status codes; show them as the words the rest of the admin uses."""

    @admin.display(description=_("原状态"))
    def old_status_label(self, event: SubmissionEvent) -> str:
        return _status_label(event.old_status)

    @admin.display(description=_("新状态"))
    def new_status_label(self, event: SubmissionEvent) -> str:
        return _status_label(event.new_status)
