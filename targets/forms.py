"""What people post: a month's grid, a correction, a review, a notice's answer or closing.

Django's fields do the reading: a ``CharField`` refuses a NUL (PostgreSQL cannot store one)
and text longer than its page allows, each with the message people read here. The forms only
read; every write goes through ``targets.services``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .services import CellInput

_DIGITS = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_DECIMAL = re.compile(r"\d*\.\d+|\d+\.\d*")
_SCIENTIFIC = re.compile(r"\d*\.?\d*e[+-]?\d+")
# The page's note field takes this many characters, and so does the Excel template's.
MAX_NOTE_LENGTH = 1000
NOT_A_NUMBER = gettext_lazy("请填写数字（没有发生请填 0）。")
# A grid cell's parts as posted: its figure, its note, its state token.
CELL_PARTS = ("v", "n", "t")
REVIEW_ACTIONS = ("approve_all", "approve", "return")


def save_form(form: forms.Form, write: Callable[[dict[str, Any]], object]) -> bool:
    """``write`` (a service call) with the form's cleaned data, if the form is valid: True once
    written. The service's refusal is a form error; a figure or notice the user may not change
    does not exist for them (404)."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    return True


def parse_figure(raw: str) -> int | None:
    """A whole non-negative number from what was typed; ``None`` for an empty cell.

    Full-width digits and separators ("１２３", "１，２００") and thousands separators
    ("1,200") are normalised. Anything else raises ``ValidationError`` with a message in
    Chinese that says what to type instead.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if not text:
        return None
    lowered = text.lower()
    if lowered.startswith("-"):
        raise ValidationError(_("不能为负数。"))
    if lowered.startswith("+"):
        lowered = lowered[1:]
    if "," in lowered:
        if not _GROUPED.fullmatch(lowered):
            raise ValidationError(_("千分位分隔符位置不对，请直接填写数字，例如 1200。"))
        lowered = lowered.replace(",", "")
    if _SCIENTIFIC.fullmatch(lowered):
        raise ValidationError(_("请填写普通数字，不要使用科学计数法。"))
    if _DECIMAL.fullmatch(lowered):
        if set(lowered.split(".", 1)[1]) <= {"0"}:
            lowered = lowered.split(".", 1)[0] or "0"
        else:
            raise ValidationError(_("请填写整数，人数、人次不能有小数。"))
    if not _DIGITS.fullmatch(lowered):
        raise ValidationError(NOT_A_NUMBER)
    # Leading zeros dropped, more digits than the largest figure has is too large; such a
    # string is never given to int(), which refuses thousands of digits (ValueError).
    digits = lowered.lstrip("0") or "0"
    if len(digits) > len(str(services.MAX_VALUE)) or int(digits) > services.MAX_VALUE:
        raise ValidationError(
            _("数值过大（超过 %(max)s），请检查。") % {"max": f"{services.MAX_VALUE:,}"}
        )
    return int(digits)


class FigureField(forms.CharField):
    """A figure as a clerk types it (see ``parse_figure``): a whole number, or None if empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)  # parse_figure strips, after normalising the text
        super().__init__(**kwargs)
        self.error_messages["null_characters_not_allowed"] = NOT_A_NUMBER

    def clean(self, value: Any) -> int | None:
        return parse_figure(super().clean(value))


class MonthEntryForm(forms.Form):
    """One month's grid as posted: for each cell of the clerk's grid (``keys``), ``v-<key>``
    (the figure as typed), ``n-<key>`` (its note) and ``t-<key>`` (the cell's state token as
    the page showed it). Any part may be missing: the cell then keeps what it holds."""

    def __init__(self, data: Mapping[str, Any], *, keys: Iterable[str]) -> None:
        super().__init__(data)
        self.keys = list(keys)
        note_errors = {
            "max_length": _("备注不能超过 %(max)s 字。") % {"max": MAX_NOTE_LENGTH},
            "null_characters_not_allowed": _("备注中不能含有控制字符（NUL），请删除后重新填写。"),
        }
        for key in self.keys:
            self.fields[f"v-{key}"] = FigureField(required=False)
            self.fields[f"n-{key}"] = forms.CharField(
                required=False, max_length=MAX_NOTE_LENGTH, error_messages=note_errors
            )
            self.fields[f"t-{key}"] = forms.CharField(required=False, strip=False)

    def forged(self) -> bool:
        """A posted cell outside the clerk's grid: another department's or county's."""
        known = set(self.keys)
        for name in self.data:
            part, _sep, key = name.partition("-")
            if part in CELL_PARTS and key and key not in known:
                return True
        return False

    def cells(self) -> dict[str, CellInput]:
        """What was posted for each cell, read by its fields: for ``services.month_save``."""
        errors, cleaned = self.errors, self.cleaned_data
        cells = {}
        for key in self.keys:
            figure, note, token = (f"{part}-{key}" for part in CELL_PARTS)
            if not any(name in self.data for name in (figure, note, token)):
                continue
            typed_note = self.data.get(note)
            if typed_note is not None:
                # A refused note comes back as typed, less what cannot be stored.
                typed_note = cleaned.get(note, typed_note.replace("\x00", ""))
            cells[key] = CellInput(
                raw=self.data.get(figure),
                value=cleaned.get(figure),
                value_errors=tuple(errors.get(figure, ())),
                note=typed_note,
                note_errors=tuple(errors.get(note, ())),
                # A token that is not even text matches no state of the cell: a conflict.
                token=cleaned.get(token, "") if token in self.data else None,
            )
        return cells


class CorrectionForm(forms.Form):
    value = FigureField(label=gettext_lazy("更正后的数值"), max_length=40, strip=True)
    reason = forms.CharField(
        label=gettext_lazy("更正理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": gettext_lazy("更正已审核的数据必须填写更正理由。")},
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=1000)

    def clean_value(self) -> int:
        value = self.cleaned_data["value"]
        if value is None:
            raise forms.ValidationError(_("请填写更正后的数值。"))
        return value


class BreakdownForm(forms.Form):
    """A county's figure by its parts: one figure field per part (``p-<code>``), labelled
    with its name; a blank one is ``None`` (``services.breakdown_save`` asks for all or none)."""

    def __init__(
        self, data: Mapping[str, Any] | None, *, parts: Iterable[Any], initial: Mapping[str, int]
    ) -> None:
        super().__init__(data)
        self.codes = []
        for part in parts:
            self.codes.append(part.code)
            self.fields[f"p-{part.code}"] = FigureField(
                label=part.name,
                required=False,
                max_length=40,
                initial=initial.get(part.code),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )

    def values(self) -> dict[str, int | None]:
        """Each part's figure by its code, from the cleaned form."""
        return {code: self.cleaned_data.get(f"p-{code}") for code in self.codes}


# A row's id is a positive eight-byte integer: anything else names no figure, and a larger
# one would not even fit the query (OverflowError on SQLite, found by tests/hostile/test_fuzz.py).
MAX_ID = 2**63 - 1


class IdsField(forms.Field):
    """The ids of the figures a page lists, as posted (``ids=…`` repeated)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        **forms.IntegerField.default_error_messages,
        "no_such_figure": gettext_lazy("所选数据不存在，请刷新页面后重试。"),
    }

    def to_python(self, value: Any) -> set[int]:
        try:
            ids = {int(item) for item in value or ()}
        except (TypeError, ValueError) as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error
        if any(not 1 <= pk <= MAX_ID for pk in ids):
            raise ValidationError(self.error_messages["no_such_figure"], code="no_such_figure")
        return ids


class WithdrawForm(forms.Form):
    """The sent figures a clerk takes back (none named: all of the month's)."""

    ids = IdsField(required=False)


class ReviewForm(forms.Form):
    """Approve all, approve the chosen or return the chosen figures of a reviewer's page."""

    action = forms.ChoiceField(
        choices=[(action, action) for action in REVIEW_ACTIONS],
        error_messages={
            "required": gettext_lazy("未知的操作。"),
            "invalid_choice": gettext_lazy("未知的操作。"),
        },
    )
    comment = forms.CharField(
        required=False,
        error_messages={
            "null_characters_not_allowed": gettext_lazy(
                "审核意见中不能含有控制字符（NUL），请删除后重新填写。"
            )
        },
    )
    ids = IdsField(required=False)

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"]
        if problem := services.review_comment_problem(comment):
            raise ValidationError(problem)
        return comment

    def comment_as_typed(self) -> str:
        """The comment to show again on the page, less what cannot be stored."""
        return (self.data.get("comment") or "").replace("\x00", "").strip()


class NoticeCloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("销号原因"),
        max_length=200,
        error_messages={
            "required": gettext_lazy("请填写销号原因。"),
            "max_length": gettext_lazy("销号原因过长（不超过 200 字）。"),
        },
    )


class NoticeAnswerForm(forms.Form):
    explanation = forms.CharField(
        label=gettext_lazy("情况说明（滞后原因）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.NOTICE_TEXT_MAX,
        error_messages={"required": gettext_lazy("请填写情况说明（滞后原因）。")},
    )
    catch_up_plan = forms.CharField(
        label=gettext_lazy("赶进度计划（措施和时间安排）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.NOTICE_TEXT_MAX,
        error_messages={"required": gettext_lazy("请填写赶进度计划（措施和时间安排）。")},
    )
