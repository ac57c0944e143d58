"""The 工作台账 pages' forms: a step (工作措施), a month's report on one step, a correction and a
reviewer's decision. They check what was typed; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .forms import MAX_ID
from .models import Milestone
from .services import REPORT_TEXT_MAX, REVIEW_COMMENT_MAX
from .services.work import STEP_TITLE_MAX

Progress = Milestone.Status
TEXT_ROWS = 3


def _text(label: str, *, required: bool = False, max_length: int = REPORT_TEXT_MAX) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )


class IdField(forms.IntegerField):
    """A row's id as posted: a positive eight-byte integer, else no such row."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput, **kwargs)


class StepForm(forms.Form):
    """A step of the clerk's unit: a new one (no ``step``) or a change to one."""

    step = IdField(required=False)
    unit = forms.ChoiceField(label=gettext_lazy("责任单位"))
    title = forms.CharField(
        label=gettext_lazy("工作措施"),
        max_length=STEP_TITLE_MAX,
        error_messages={"required": gettext_lazy("工作措施不能为空。")},
    )
    due_on = forms.DateField(
        label=gettext_lazy("完成时限"),
        # A date input takes and shows ISO dates, whatever the language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写完成时限。"),
            "invalid": gettext_lazy("完成时限必须是日期，如 2015-06-30。"),
        },
    )
    order = forms.IntegerField(
        label=gettext_lazy("排序"), required=False, min_value=0, max_value=999, initial=0
    )

    def __init__(self, *args: object, units: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0][0]
            self.fields["unit"].widget = forms.HiddenInput()


class StepReportForm(forms.Form):
    """One step's report of a month; the evidence files come in ``request.FILES``."""

    step = IdField()
    progress = forms.ChoiceField(
        label=gettext_lazy("进展状态"),
        choices=Progress.choices,
        error_messages={
            "required": gettext_lazy("请选择进展状态。"),
            "invalid_choice": gettext_lazy("进展状态必须是未开始、推进中、已完成或滞后。"),
        },
    )
    done = _text(gettext_lazy("工作进展"))
    problems = _text(gettext_lazy("存在问题"))
    action = forms.ChoiceField(
        choices=[("save", "save"), ("submit", "submit")], required=False, initial="save"
    )


class StepCorrectionForm(forms.Form):
    """A correction of an approved report: what it says now, and why."""

    progress = StepReportForm.base_fields["progress"]
    done = _text(gettext_lazy("工作进展"))
    problems = _text(gettext_lazy("存在问题"))
    reason = forms.CharField(
        label=gettext_lazy("更正理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        error_messages={"required": gettext_lazy("更正已审核的台账必须填写更正理由。")},
    )


class StepReviewForm(forms.Form):
    """A reviewer's decision on one sent report: approve, or return with a comment."""

    report = IdField(error_messages={"required": gettext_lazy("请选择要审核的台账。")})
    action = forms.ChoiceField(
        choices=[("approve", "approve"), ("return", "return")],
        error_messages={
            "required": gettext_lazy("请选择审核通过或退回。"),
            "invalid_choice": gettext_lazy("请选择审核通过或退回。"),
        },
    )
    comment = forms.CharField(required=False, max_length=REVIEW_COMMENT_MAX)
