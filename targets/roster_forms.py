"""The rosters' forms: a new training class, the roster grid, an upload, a reveal's reason.

The forms collect; ``services.rosters`` decides (policy, plan, the rows' checks), and its
refusals become form errors. The grid's rows are plain text fields named ``r<n>-<field>``:
``roster_rows.check_roster`` reads and checks them, so a refused row keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import Indicator, Region, TrainingClass
from .roster_rows import TYPED_FIELDS, TypedRow
from .roster_selectors import roster_items

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GRID_ROWS = 10  # blank rows under the kept ones
MAX_GRID_ROWS = 200  # more at once: the Excel template


class ClassForm(forms.ModelForm):
    """A class of one of the clerk's training items in one of their counties."""

    indicator = forms.ModelChoiceField(Indicator.objects.none(), label=_("部门任务"))
    region = forms.ModelChoiceField(Region.objects.none(), label=_("县区"))
    month = forms.IntegerField(
        label=_("计入月份"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("留空：计入结业日期所在的月份。"),
    )

    class Meta:
        model = TrainingClass
        fields = ["indicator", "region", "institution", "occupation", "kind"]
        fields += ["start_on", "end_on", "hours", "month"]
        widgets = {"start_on": DATE, "end_on": DATE}

    def __init__(self, *args: Any, indicators: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["region"].queryset = regions
        self.fields["hours"].widget.attrs["inputmode"] = "numeric"


def class_indicators(plan: Any, enterable: Any) -> Any:
    """Of the items this clerk enters, those rosters stand behind (training flows)."""
    items = [indicator.pk for indicator in roster_items(plan)]
    return enterable.filter(pk__in=items).order_by("order", "code")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("花名册（Excel）"))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看理由"),
        max_length=200,
        help_text=_("查看会被记录（查看人、时间、理由），并列入管理员可查的记录。"),
    )


def typed_rows(data: QueryDict, count: int, first_line: int) -> list[TypedRow]:
    """The grid's ``count`` typed rows, numbered from ``first_line``."""
    return [
        TypedRow(
            line=first_line + index,
            **{name: data.get(f"r{index}-{name}", "")[:100] for name in TYPED_FIELDS},
        )
        for index in range(count)
    ]


def grid_size(value: str | None) -> int:
    try:
        return max(1, min(MAX_GRID_ROWS, int(value or GRID_ROWS)))
    except ValueError:
        return GRID_ROWS
