"""The forms of the project library's pages: a project, a row of one part of its ledger, a
file, a review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .. import services
from ..models import (
    Department,
    Indicator,
    Plan,
    Project,
    ProjectEntry,
    ProjectFile,
    Region,
    places_of,
)
from ..models.projects import KIND_FIELDS, TRAINING_UNITS
from ..services.projects import DESCRIPTION_MAX, NAME_MAX

# A project's facts as ``services.project_save`` takes them (its unit aside).
PROJECT_FIELDS = ("code", "name", "county", "description", "milestone")
# Fields a row of its kind must have (the rest of ``KIND_FIELDS`` are optional).
OPTIONAL = frozenset({"done_on"})


class ProjectForm(forms.Form):
    """A project's facts as typed; the service checks the code, the unit and the plan.

    Only those who choose a project's unit (``choose_unit``: administrators) get its two fields:
    a clerk's project is of their own unit, so a department or county posted anyway is not read.
    """

    code = forms.CharField(
        label=gettext_lazy("项目代码"),
        max_length=60,
        help_text=gettext_lazy("小写字母、数字和连字符，如 heshan-base；同一年度方案中不能重复。"),
    )
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=NAME_MAX)
    department = forms.ModelChoiceField(Department.objects.all(), label=gettext_lazy("责任部门"))
    region = forms.ModelChoiceField(
        Region.objects.none(),
        label=gettext_lazy("责任单位所属县区"),
        required=False,
        empty_label=gettext_lazy("（市本级）"),
    )
    county = forms.ModelChoiceField(Region.objects.none(), label=gettext_lazy("所在县区"))
    description = forms.CharField(
        label=gettext_lazy("建设内容"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    milestone = forms.ModelChoiceField(
        None, label=gettext_lazy("重点工作"), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, plan: Plan, choose_unit: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = places_of(plan)
        if choose_unit:
            self.fields["region"].queryset = places_of(plan)
        else:
            del self.fields["department"], self.fields["region"]
        self.fields["milestone"].queryset = plan.milestones.order_by("order", "code")
        self.fields["milestone"].label_from_instance = lambda milestone: milestone.title

    @staticmethod
    def initial_of(project: Project) -> dict[str, Any]:
        return {name: getattr(project, name) for name in (*PROJECT_FIELDS, "department", "region")}

    def values(self) -> dict[str, Any]:
        """What the service takes besides the unit."""
        return {name: self.cleaned_data[name] for name in PROJECT_FIELDS}


class EntryForm(forms.Form):
    """A ledger row of one part (``kind``): the part's own fields, labelled as the model is."""

    def __init__(self, *args: Any, kind: str, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in KIND_FIELDS[kind]:
            model_field = ProjectEntry._meta.get_field(name)
            field = model_field.formfield()
            field.required = name not in OPTIONAL
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if name == "indicator":
                field.queryset = (
                    Indicator.objects.filter(plan=plan, unit__in=TRAINING_UNITS)
                    .exclude(kind=Indicator.Kind.RATE)
                    .order_by("order", "code")
                )
                field.label_from_instance = lambda i: f"{i.name}（{i.unit}）"
            self.fields[name] = field

    def values(self) -> dict[str, Any]:
        """What the service takes: this part's fields, blank text as empty."""
        return {name: self.cleaned_data.get(name) for name in KIND_FIELDS[self.kind]}


class ProjectFileForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("材料类别"), choices=ProjectFile.Role.choices)
    file = forms.FileField(label=gettext_lazy("文件"))


class EntryReviewForm(forms.Form):
    """Approve or return one sent row; a return needs its comment (the service says so)."""

    action = forms.ChoiceField(
        choices=[("approve", "approve"), ("return", "return")],
        error_messages={
            "required": gettext_lazy("未知的操作。"),
            "invalid_choice": gettext_lazy("未知的操作。"),
        },
    )
    comment = forms.CharField(label=gettext_lazy("审核意见"), required=False)

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"]
        if problem := services.review_comment_problem(comment):
            raise ValidationError(problem)
        return comment
