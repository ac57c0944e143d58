"""The forms of the project ledger's pages: a row of one part, a file, a review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .. import services
from ..models import Indicator, Plan, ProjectEntry, ProjectFile
from ..models.projects import KIND_FIELDS, TRAINING_UNITS

# Fields a row of its kind must have (the rest of ``KIND_FIELDS`` are optional).
OPTIONAL = frozenset({"done_on"})


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
