"""Yearly plans and their milestones; the plan's tools: clone, activate, close, export and
import its definition.

A plan is edited as a draft; its status moves only through the actions (draft → active →
closed), and a closed plan is read-only. Every tool needs the Django permission to change plans
(``add`` for a clone or an import that may create one): administrators have them, auditors may
only look, other roles never reach the admin. The checks are made again in each view, not only
by hiding buttons.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Milestone, Plan
from ..services import plan_activate, plan_clone, plan_close
from ..services.plan_definition import MAX_YEAR, MIN_YEAR, shifted_title
from ..workbooks.plan import build_definition, definition_filename, import_definition
from ..workbooks.plan_sheets import MAX_UPLOAD_BYTES, SHEETS, CellError, DefinitionRefused
from .mixins import ClosedPlanReadOnlyMixin, DefinitionWritesMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The workbook's limit plus room for the form around it.
UPLOAD_REQUEST_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024


class PlanCloneForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("新年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    doc_number = forms.CharField(
        label=gettext_lazy("文号"),
        max_length=Plan._meta.get_field("doc_number").max_length,
        help_text=gettext_lazy("新方案的发文字号，不能与已有方案相同。"),
    )
    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=Plan._meta.get_field("title").max_length,
        required=False,
        help_text=gettext_lazy("为空时沿用原标题，并把其中的年份换成新年度。"),
    )


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("方案定义工作簿（.xlsx）"),
        help_text=gettext_lazy("用“导出方案定义”得到的工作簿修改后上传；不超过 5 MB。"),
    )


class PlanToolsMixin:
    """Actions and views on ``PlanAdmin``: clone, activate, close, export and import."""

    change_list_template = "admin/targets/plan/change_list.html"
    actions = ["clone_plan", "activate_plans", "close_plans", "export_definition"]

    # --- permissions ---------------------------------------------------------------------

    def _may_change(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def _may_import(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) and self.has_add_permission(request)

    def get_list_display(self, request: HttpRequest) -> tuple:
        display = tuple(super().get_list_display(request))
        return (*display, "definition_link") if self._may_change(request) else display

    @admin.display(description=gettext_lazy("方案定义"))
    def definition_link(self, plan: Plan) -> str:
        url = reverse("admin:targets_plan_export_definition", args=[plan.pk])
        return format_html('<a href="{}">{}</a>', url, _("导出方案定义"))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra_context = {**(extra_context or {}), "may_import": self._may_import(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "import-definition/",
                wrap(self.import_definition_view),
                name="targets_plan_import_definition",
            ),
            path(
                "<int:plan_id>/export-definition/",
                wrap(self.export_definition_view),
                name="targets_plan_export_definition",
            ),
            *super().get_urls(),
        ]

    # --- actions -------------------------------------------------------------------------

    def _one(self, request: HttpRequest, queryset: QuerySet[Plan]) -> Plan | None:
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个年度方案。"), messages.ERROR)
            return None
        return queryset.get()

    @admin.action(description=gettext_lazy("复制为新年度方案"), permissions=["add"])
    def clone_plan(self, request: HttpRequest, queryset: QuerySet[Plan]) -> Any:
        source = self._one(request, queryset)
        if source is None:
            return None
        if "apply" in request.POST:
            form = PlanCloneForm(request.POST)
            if form.is_valid():
                try:
                    plan = plan_clone(source=source, actor=request.user, **form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        _("已复制为 %(plan)s（草稿）。请核对目标后启用。") % {"plan": plan},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:targets_plan_change", args=[plan.pk])
                    )
        else:
            year = source.year + 1
            form = PlanCloneForm(initial={"year": year, "title": shifted_title(source, year)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("复制为新年度方案"),
            "source": source,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/targets/plan/clone.html", context)

    def _change_each(
        self, request: HttpRequest, queryset: QuerySet[Plan], change: Any, done: str
    ) -> None:
        for plan in queryset.order_by("year"):
            try:
                plan = change(plan=plan, actor=request.user)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, f"{plan}：{message}", messages.ERROR)
            else:
                self.message_user(request, f"{plan}：{done}", messages.SUCCESS)

    @admin.action(description=gettext_lazy("启用所选方案（检查分解）"), permissions=["change"])
    def activate_plans(self, request: HttpRequest, queryset: QuerySet[Plan]) -> None:
        self._change_each(request, queryset, plan_activate, _("已启用。"))

    @admin.action(description=gettext_lazy("结束所选方案"), permissions=["change"])
    def close_plans(self, request: HttpRequest, queryset: QuerySet[Plan]) -> None:
        self._change_each(request, queryset, plan_close, _("已结束。"))

    @admin.action(description=gettext_lazy("导出方案定义"), permissions=["change"])
    def export_definition(self, request: HttpRequest, queryset: QuerySet[Plan]) -> Any:
        plan = self._one(request, queryset)
        return None if plan is None else _definition_response(plan)

    # --- views ---------------------------------------------------------------------------

    def export_definition_view(self, request: HttpRequest, plan_id: int) -> HttpResponse:
        if not self._may_change(request):
            raise PermissionDenied
        return _definition_response(get_object_or_404(Plan, pk=plan_id))

    def import_definition_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may_import(request):
            raise PermissionDenied
        errors: list[CellError] = []
        too_big = [CellError("", None, "", _("文件太大（超过 5 MB）。"))]
        if request.method == "POST" and _content_length(request) > UPLOAD_REQUEST_LIMIT:
            # Refused before Django parses (and spools to disk) the upload.
            form, errors = DefinitionUploadForm(), too_big
        elif request.method == "POST":
            form = DefinitionUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    if upload.size > MAX_UPLOAD_BYTES:
                        raise DefinitionRefused(too_big)
                    result = import_definition(upload, actor=request.user)
                except DefinitionRefused as refused:
                    errors = refused.errors
                else:
                    done = _("已创建") if result.created else _("已更新")
                    self.message_user(
                        request,
                        _("%(done)s草稿方案 %(plan)s。") % {"done": done, "plan": result.plan},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:targets_plan_change", args=[result.plan.pk])
                    )
        else:
            form = DefinitionUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入方案定义"),
            "form": form,
            "errors": errors,
            "sheets": SHEETS,
        }
        status = 400 if errors else 200
        return TemplateResponse(
            request, "admin/targets/plan/import_definition.html", context, status=status
        )


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _definition_response(plan: Plan) -> HttpResponse:
    response = HttpResponse(build_definition(plan), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, definition_filename(plan))
    response["Cache-Control"] = "no-store"
    return response


@admin.register(Plan)
class PlanAdmin(PlanToolsMixin, ClosedPlanReadOnlyMixin, DefinitionWritesMixin, admin.ModelAdmin):
    """Plans: edited as drafts; status moves only through the actions (draft → active → closed)."""

    list_display = ("year", "unit", "doc_number", "title", "status", "starts_on", "ends_on")
    list_filter = ("status", "unit")
    list_select_related = ("unit",)
    search_fields = ("title", "doc_number", "parent_doc_number")
    ordering = ("-year",)
    fieldsets = (
        (None, {"fields": ("unit", "year", "title", "doc_number", "issuer", "status")}),
        (gettext_lazy("上级文件"), {"fields": ("parent_doc_number", "parent_doc_title")}),
        (gettext_lazy("日期"), {"fields": ("written_on", "published_on", "starts_on", "ends_on")}),
        (
            gettext_lazy("报送与审核"),
            {"fields": ("deadline_day", "review_levels", "roster_mismatch")},
        ),
        (gettext_lazy("月度通报"), {"fields": ("bulletin_issuer", "bulletin_cc")}),
    )
    readonly_fields = ("status",)

    def plan_of(self, obj: Plan) -> Plan:
        return obj


@admin.register(Milestone)
class MilestoneAdmin(ClosedPlanReadOnlyMixin, DefinitionWritesMixin, admin.ModelAdmin):
    list_display = ("title", "category", "department", "region", "status", "due_on", "plan")
    list_filter = ("plan", "status", "category", "department", "region")
    search_fields = ("code", "title", "description", "evidence")
    list_select_related = ("plan", "department", "region")
    ordering = ("plan", "order", "code")
    fieldsets = (
        (None, {"fields": ("plan", "code", "title", "category", "department", "region")}),
        (gettext_lazy("内容与依据"), {"fields": ("description", "source_clause", "order")}),
        (gettext_lazy("进展"), {"fields": ("status", "due_on", "evidence")}),
    )
