"""A county's parts' shares of its targets (乡镇、街道 or 责任单位), set on one page.

``/review/parts/<code>/``: the county's own reviewer (县区人社局), or an administrator, sees
each quota split to the county with one box per part, and saves them all at once through
``services.part_targets_set``: every quota's shares, or (one refused) none. An active plan's
change needs a reason, kept with each change. A code no county of the plan has, or a county
that does not split further, is 404; anyone else is refused (403) before anything is read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import policy, services
from ..models import Plan, Region, RegionTarget, parts_of, place_of
from ..selectors import plan_for
from ..services import TARGET_REASON_MAX


class PartTargetsForm(forms.Form):
    """One box per quota × part (blank: no share), and the reason of an active plan's change."""

    def __init__(
        self, splits: list[RegionTarget], parts: list[Region], active: bool, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.splits, self.parts = splits, parts
        for split in splits:
            for part in parts:
                self.fields[self.name_of(split, part)] = forms.IntegerField(
                    label=part.name, required=False, min_value=0, max_value=split.target
                )
        self.fields["reason"] = forms.CharField(
            label=_("调整理由"),
            required=active,
            max_length=TARGET_REASON_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("方案执行中，调整分解必须填写理由。") if active else "",
        )

    @staticmethod
    def name_of(split: RegionTarget, part: Region) -> str:
        return f"share-{split.indicator_id}-{part.code}"

    def groups(self) -> list[tuple[RegionTarget, list[forms.BoundField]]]:
        """Each quota's split with its parts' boxes, for the template."""
        return [
            (split, [self[self.name_of(split, part)] for part in self.parts])
            for split in self.splits
        ]


def _plan(request: HttpRequest) -> Plan:
    year = request.GET.get("year", "")
    if year and not (year.isascii() and year.isdigit() and len(year) == 4):
        raise Http404(_("没有这个年度方案。"))
    plan = plan_for(request.user, int(year) if year else None)
    if plan is None:
        raise Http404(_("没有这个年度方案。"))
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def part_targets(request: HttpRequest, code: str) -> HttpResponse:
    """Set the county's parts' shares of each quota split to it."""
    if "\x00" in code:  # PostgreSQL refuses a NUL even in a lookup: no such county
        raise Http404(_("没有这个县区。"))
    place = Region.objects.filter(code=code, kind__in=Region.PLACE_KINDS).first()
    if place is None:
        raise Http404(_("没有这个县区。"))
    if not policy.may_split_county(request.user, place):
        raise PermissionDenied
    plan = _plan(request)
    if place_of(plan, code) is None:
        raise Http404(_("没有这个县区。"))
    parts = list(parts_of(place))
    if not parts:
        raise Http404(_("该县区没有再分解到乡镇（责任单位）。"))
    splits = list(
        RegionTarget.objects.filter(indicator__plan=plan, region=place)
        .select_related("indicator__department")
        .order_by("indicator__order", "indicator__code")
    )
    stored = {
        (share.split_id, share.township_id): share.target
        for share in services.part_targets_of(splits)
    }
    closed = plan.status == Plan.Status.CLOSED
    active = plan.status == Plan.Status.ACTIVE
    initial = {
        PartTargetsForm.name_of(split, part): stored.get((split.pk, part.pk))
        for split in splits
        for part in parts
    }
    data = request.POST if request.method == "POST" and not closed else None
    form = PartTargetsForm(splits, parts, active, data=data, initial=initial)
    if data is not None and form.is_valid():
        try:
            with transaction.atomic():
                for split in splits:
                    services.part_targets_set(
                        actor=request.user,
                        indicator=split.indicator,
                        place=place,
                        shares={
                            part.code: form.cleaned_data[form.name_of(split, part)]
                            for part in parts
                        },
                        reason=form.cleaned_data["reason"],
                    )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("乡镇（责任单位）分解目标已保存。"))
            return redirect(f"{request.path}?year={plan.year}")
    return render(
        request,
        "targets/part_targets.html",
        {"plan": plan, "place": place, "form": form, "closed": closed, "parts": parts},
    )
