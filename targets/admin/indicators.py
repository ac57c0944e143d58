"""Indicators and their targets, and county splits (县区分解).

An active plan's targets and splits are changed only with a reason (调整理由), through
``indicator_target_set`` / ``region_target_set``, which keep each change as a
``TargetChange`` and have the rollup rebuilt; a draft's are edited plainly, a closed plan's not
at all. The indicators' other fields are saved through ``definition_save``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import policy, services
from ..models import Indicator, Plan, RegionTarget
from .mixins import ClosedPlanReadOnlyMixin, DefinitionWritesMixin

REASON_FIELD = "change_reason"


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("调整理由"),
        required=False,
        max_length=services.TARGET_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("方案执行中调整年度目标、目标比率或县区分解时必填，记入目标调整记录。"),
    )


def _is_active(plan: Plan | None) -> bool:
    return plan is not None and policy.plan_is_open(plan)


MISSING_REASON = _("方案执行中，调整目标或县区分解必须填写调整理由。")


class IndicatorForm(forms.ModelForm):
    change_reason = _reason_field()

    def _changes_target(self) -> bool:
        return bool(
            self.instance.pk
            and _is_active(self.instance.plan)
            and {"target", "target_rate"} & set(self.changed_data)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self._changes_target():
            if not (cleaned.get(REASON_FIELD) or "").strip():
                self.add_error(REASON_FIELD, MISSING_REASON)
            problem = services.goal_share_problem(self.instance, cleaned.get("target"))
            if problem is not None:
                self.add_error("target", problem)
        return cleaned


class RegionTargetForm(forms.ModelForm):
    change_reason = _reason_field()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        indicator = cleaned.get("indicator") or (
            self.instance.indicator if self.instance.indicator_id else None
        )
        active = indicator is not None and _is_active(indicator.plan)
        if active and self.has_changed() and not (cleaned.get(REASON_FIELD) or "").strip():
            self.add_error(REASON_FIELD, MISSING_REASON)
        return cleaned

    def _post_clean(self) -> None:
        # RegionTarget.clean() reads the indicator; without one the form already has an error.
        if self.instance.indicator_id is None and not self.cleaned_data.get("indicator"):
            return
        super()._post_clean()


class RegionTargetInlineForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A county's share is changed or deleted, not moved to another county.
            self.fields["region"].disabled = True


class RegionTargetInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.target is None:
            return
        changed = any(
            form.has_changed() or (form.cleaned_data or {}).get("DELETE") for form in self.forms
        )
        # The reason is the indicator form's field, posted with this formset.
        reason = (self.data.get(REASON_FIELD) or "").strip()
        if changed and _is_active(self.instance.plan) and not reason:
            raise ValidationError(MISSING_REASON)
        total = sum(
            form.cleaned_data.get("target") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if total > self.instance.target:
            raise ValidationError(
                _("县区分解合计 %(total)s 超过全市目标 %(city)s。"),
                params={"total": total, "city": self.instance.target},
            )


class RegionTargetInline(admin.TabularInline):
    model = RegionTarget
    form = RegionTargetInlineForm
    formset = RegionTargetInlineFormSet
    fields = ("region", "target", "is_demo")
    readonly_fields = ("is_demo",)
    extra = 0
    ordering = ("region__order",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegionTarget]:
        return super().get_queryset(request).select_related("indicator", "region")


def _save_region_targets(
    indicator: Indicator, formset: forms.BaseInlineFormSet, *, actor: Any, reason: str
) -> list[RegionTarget | None]:
    """Save a formset of county shares through the service, lowered shares first.

    The formset has checked the new total; saving decreases first keeps every intermediate
    total within the city target, so neither ``clean()`` nor the database trigger objects.
    """
    instances = formset.save(commit=False)
    for region_target in formset.deleted_objects:
        services.region_target_set(
            actor=actor,
            indicator=indicator,
            region=region_target.region,
            target=None,
            reason=reason,
        )
    before = dict(
        RegionTarget.objects.filter(pk__in=[o.pk for o in instances if o.pk]).values_list(
            "pk", "target"
        )
    )
    return [
        services.region_target_set(
            actor=actor,
            indicator=indicator,
            region=region_target.region,
            target=region_target.target,
            reason=reason,
        )
        for region_target in sorted(instances, key=lambda o: o.target - before.get(o.pk, 0))
    ]


@admin.register(Indicator)
class IndicatorAdmin(ClosedPlanReadOnlyMixin, DefinitionWritesMixin, admin.ModelAdmin):
    form = IndicatorForm
    list_display = (
        "code",
        "name",
        "role",
        "kind",
        "department",
        "target_display",
        "unit",
        "feeds",
        "accepts_figures",
        "plan",
    )
    list_filter = ("plan", "role", "kind", "department", "accepts_figures")
    search_fields = ("code", "name", "series_name")
    list_select_related = ("plan", "department", "feeds")
    ordering = ("plan", "order", "code")
    fieldsets = (
        (
            None,
            {"fields": ("plan", "code", "name", "series_name", "role", "kind", "department")},
        ),
        (_("目标"), {"fields": ("unit", "target", "target_rate", "feeds", "accepts_figures")}),
        (_("比率的分子和分母"), {"fields": ("numerator", "denominator")}),
        (_("其他"), {"fields": ("source_clause", "order")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Indicator | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and _is_active(obj.plan):
            fieldsets.append((_("年中调整"), {"fields": (REASON_FIELD,)}))
        return fieldsets

    def save_model(
        self, request: HttpRequest, obj: Indicator, form: forms.ModelForm, change: bool
    ) -> None:
        if not (change and form._changes_target()):
            super().save_model(request, obj, form, change)
            return
        # The other fields are saved as they are; the target goes through its own service.
        target, target_rate = obj.target, obj.target_rate
        saved = Indicator.objects.get(pk=obj.pk)
        obj.target, obj.target_rate = saved.target, saved.target_rate
        super().save_model(request, obj, form, change)
        changed = services.indicator_target_set(
            actor=request.user,
            indicator=obj,
            target=target,
            target_rate=target_rate,
            reason=form.cleaned_data[REASON_FIELD],
        )
        obj.target, obj.target_rate = changed.target, changed.target_rate

    @admin.display(description=_("年度目标"))
    def target_display(self, indicator: Indicator) -> str:
        return _target_text(indicator)

    def get_inlines(self, request: HttpRequest, obj: Indicator | None) -> list[type]:
        # Only a saved indicator with a counted target can be split into county shares.
        if obj is None or obj.target is None or obj.is_rate:
            return []
        return [RegionTargetInline]

    def get_form(
        self,
        request: HttpRequest,
        obj: Indicator | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # With several yearly plans, offer only the indicator's own plan's series and goals.
            for name in ("numerator", "denominator", "feeds"):
                if name in form.base_fields:
                    field = form.base_fields[name]
                    field.queryset = field.queryset.filter(plan_id=obj.plan_id)
        return form

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField:
        if db_field.name in ("numerator", "denominator"):
            kwargs["queryset"] = Indicator.objects.filter(role=Indicator.Role.COUNT)
        elif db_field.name == "feeds":
            kwargs["queryset"] = Indicator.objects.filter(role=Indicator.Role.GOAL)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is RegionTarget:
            _save_region_targets(
                form.instance,
                formset,
                actor=request.user,
                reason=form.cleaned_data.get(REASON_FIELD, ""),
            )
        else:
            super().save_formset(request, form, formset, change)


@admin.register(RegionTarget)
class RegionTargetAdmin(ClosedPlanReadOnlyMixin, admin.ModelAdmin):
    form = RegionTargetForm
    list_display = ("indicator", "region", "target", "is_demo")
    list_filter = ("indicator__plan", "indicator__department", "region", "is_demo")
    search_fields = ("indicator__code", "indicator__name", "region__name", "region__code")
    list_select_related = ("indicator", "region")
    ordering = ("indicator__plan", "indicator__order", "region__order")

    def plan_of(self, obj: RegionTarget) -> Plan:
        return obj.indicator.plan

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An active plan's split is removed in its indicator's page, with a reason.
        if obj is not None and _is_active(self.plan_of(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would delete splits without a reason
        return actions

    def get_readonly_fields(self, request: HttpRequest, obj: RegionTarget | None = None) -> tuple:
        if obj is None:
            return ("is_demo",)
        return ("indicator", "region", "is_demo")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField:
        if db_field.name == "indicator":
            kwargs["queryset"] = (
                Indicator.objects.filter(target__isnull=False)
                .exclude(plan__status=Plan.Status.CLOSED)
                .select_related("plan")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_model(self, request: HttpRequest, obj: RegionTarget) -> None:
        # A draft's split (an active plan's is removed in its indicator's page, with a reason).
        services.region_target_set(
            actor=request.user, indicator=obj.indicator, region=obj.region, target=None
        )

    def save_model(
        self, request: HttpRequest, obj: RegionTarget, form: forms.ModelForm, change: bool
    ) -> None:
        obj.pk = services.region_target_set(
            actor=request.user,
            indicator=obj.indicator,
            region=obj.region,
            target=obj.target,
            reason=form.cleaned_data.get(REASON_FIELD, ""),
        ).pk


def _target_text(indicator: Indicator) -> str:
    """The annual target as people read it: 70,000 or 90%."""
    if indicator.is_rate:
        rate = indicator.target_rate
        return "—" if rate is None else f"{(rate * 100).normalize():f}%"
    if indicator.target is None:
        return "—"
    return f"{indicator.target:,}"
