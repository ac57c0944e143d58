"""The registers' forms: what a clerk types for each kind of row, a 整改事项, and the review.

The forms only collect; ``services.register_save`` and the rectification services decide
(policy, plan, locking, the tables' checks) and their refusals become form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    AnnualPlan,
    Competition,
    Department,
    EvaluationPilot,
    Level,
    Meeting,
    Plan,
    Region,
    SelfAssessment,
    places_of,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class CompetitionForm(forms.ModelForm):
    class Meta:
        model = Competition
        fields = [
            "name",
            "level",
            "starts_on",
            "ends_on",
            "organiser",
            "occupations",
            "participants",
            "winners",
            "winner_names",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "winner_names": TEXT}


class PilotForm(forms.ModelForm):
    """A pilot enterprise; its county is one the clerk covers (a county clerk, their own)."""

    region = forms.ModelChoiceField(Region.objects.none(), label=_("所在县区"))

    class Meta:
        model = EvaluationPilot
        fields = ["enterprise", "region", "level", "occupations", "skill_levels", "appraised"]
        fields += ["adjusted"]

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()
        self.fields["level"].choices = [
            (Level.PROVINCE, Level.PROVINCE.label),
            (Level.CITY, Level.CITY.label),
        ]


class AnnualPlanForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("方案文件"),
        required=False,
        help_text=_("PDF、Word 或图片，不超过 20 MB；已上传的文件不必重传。"),
    )

    class Meta:
        model = AnnualPlan
        fields = ["title", "issued_on"]
        widgets = {"issued_on": DATE}


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["held_on", "kind", "title", "units_visited", "findings"]
        widgets = {"held_on": DATE, "findings": TEXT}


class SelfAssessmentForm(forms.ModelForm):
    class Meta:
        model = SelfAssessment
        fields = ["period", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}


FORMS: dict[str, type[forms.ModelForm]] = {
    "competitions": CompetitionForm,
    "pilots": PilotForm,
    "annual-plans": AnnualPlanForm,
    "meetings": MeetingForm,
    "self-assessments": SelfAssessmentForm,
}


class RectificationForm(forms.Form):
    description = forms.CharField(label=_("整改事项"), widget=TEXT, max_length=2000)
    department = forms.ModelChoiceField(Department.objects.all(), label=_("责任单位"))
    region = forms.ModelChoiceField(
        Region.objects.none(), label=_("县区"), required=False, empty_label=_("（市本级）")
    )
    due_on = forms.DateField(label=_("整改时限"), widget=DATE)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = places_of(plan)


class ProgressForm(forms.Form):
    progress = forms.CharField(label=_("整改情况"), widget=TEXT, max_length=2000)


class CommentForm(forms.Form):
    """Approve or return (a comment required to return), close a 整改事项, or reopen (a
    reason required): the one text a button needs."""

    comment = forms.CharField(label=_("意见或理由"), widget=TEXT, required=False, max_length=2000)
