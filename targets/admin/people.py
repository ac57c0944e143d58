"""Departments, counties and who is who (memberships)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Department, Membership, Region
from .mixins import DefinitionWritesMixin


@admin.register(Department)
class DepartmentAdmin(DefinitionWritesMixin, admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "is_lead", "order")
    list_filter = ("is_lead",)
    search_fields = ("name", "short_name", "code")
    ordering = ("order", "code")


@admin.register(Region)
class RegionAdmin(DefinitionWritesMixin, admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "order")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    ordering = ("order", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "full_name", "role", "department", "region")
    list_filter = ("role", "department", "region")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user", "department", "region")
    ordering = ("role", "department__order", "user__username")
    autocomplete_fields = ("user",)

    @admin.display(description=_("姓名"))
    def full_name(self, membership: Membership) -> str:
        return membership.user.get_full_name()

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple:
        # A membership belongs to its user; give another user a membership of their own.
        return ("user",) if obj else ()

    def save_model(
        self, request: HttpRequest, obj: Membership, form: forms.ModelForm, change: bool
    ) -> None:
        # Through the service, so the role group and is_staff follow the role.
        saved = services.membership_assign(
            user=obj.user,
            role=obj.role,
            department=obj.department,
            region=obj.region,
            actor=request.user,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        # Deleting the row would leave the user's group and staff flag behind; there is no
        # revoking service yet. Change the role instead, or deactivate the user.
        return False
