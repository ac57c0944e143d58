"""The rosters' records for administrators, read-only: each showing of personal data in clear
(who, when, why, whose masked number) and each removal of a closed plan's rosters. The roster
rows themselves are not here: the admin never shows an ID number."""

from __future__ import annotations

from django.contrib import admin

from ..models import PersonalDataReveal, RosterPurge
from .mixins import ReadOnlyMixin


@admin.register(PersonalDataReveal)
class PersonalDataRevealAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "shown", "trainee_text", "reason")
    list_filter = ("shown",)
    search_fields = ("actor__username", "reason")
    list_select_related = ("actor",)
    exclude = ("trainee",)  # its page would be the row's; the masked text is enough
    ordering = ("-at", "-id")


@admin.register(RosterPurge)
class RosterPurgeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "plan", "classes", "trainees", "actor")
    list_filter = ("plan",)
    list_select_related = ("plan", "actor")
    ordering = ("-at", "-id")
