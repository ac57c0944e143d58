"""The monthly bulletin (通报): a printable page per month, the list of months, publishing.

The city's bulletin, or a county's own (县区通报) with ``?unit=<code>`` (``units.paper_place``):
a county's reviewer, leader and auditor read their county's, which they get without ``unit``;
the city's readers read the city's and every county's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skills_plan.views import allowed_by
from targets import policy
from targets.models import Plan, Region, local_plans, places_of
from targets.periods import deadline, last_day_on_time

from ..bulletins import changes, word
from ..bulletins.county import narrowed
from ..bulletins.text import content as bulletin_content
from ..bulletins.text import date_text, number_text
from ..models import Bulletin
from ..selectors import default_as_of, default_plan, progress
from ..services import bulletins as publishing
from .units import paper_place, unit_query


def _plan_month(request: HttpRequest, year: int, month: int) -> Plan:
    """The plan of ``year`` (404 if none, or a draft the user may not read) for a month 1–12
    (404 otherwise). A closed plan's bulletins stay readable."""
    plan = get_object_or_404(local_plans(), year=year)
    if not policy.may_view_plan(request.user, plan):
        raise Http404(_("没有 %(year)s 年度的方案。") % {"year": year})
    if not 1 <= month <= 12:
        raise Http404(_("月份必须在 1 到 12 之间。"))
    return plan


def _place(request: HttpRequest) -> Region | None:
    """The county whose bulletin is asked for (None: the city's), if the user may read it."""
    return paper_place(
        request.user,
        request.GET.get("unit"),
        city=policy.may_view_dashboard,
        county=policy.may_view_county,
    )


@login_required
@allowed_by(policy.may_read_bulletins)
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """Each plan's months up to the latest reported (or published) one, draft or published.

    The plans the user may read (a draft plan: administrators only), the default plan (the
    latest-year active one, else the latest) first, then the others by year, latest first.
    """
    region = _place(request)
    readable = list(policy.viewable_plans(request.user))
    first = default_plan(readable)
    plans = []
    for plan in sorted(readable, key=lambda p: (p != first, -p.year)):
        published = {
            b.month: b
            for b in Bulletin.objects.filter(plan=plan, region=region).select_related(
                "published_by"
            )
        }
        last = max(default_as_of(plan), max(published, default=0))
        plans.append(
            {
                "plan": plan,
                "months": [{"month": m, "bulletin": published.get(m)} for m in range(1, last + 1)],
            }
        )
    context = {
        "plans": plans,
        "region": region,
        "unit_query": unit_query(region),
        # The city's readers go to each county's own bulletins from here.
        "counties": (
            places_of(first).exclude(kind=Region.Kind.CITY)
            if first is not None and policy.may_view_dashboard(request.user)
            else []
        ),
    }
    return render(request, "reporting/bulletin_list.html", context)


def _published(plan: Plan, month: int, region: Region | None) -> Bulletin | None:
    return (
        Bulletin.objects.filter(plan=plan, month=month, region=region)
        .select_related("published_by")
        .first()
    )


def _may_publish(user: Any, region: Region | None) -> bool:
    if region is None:
        return policy.may_publish_bulletin(user)
    return policy.may_publish_county_bulletin(user, region)


def _bulletin_page(
    request: HttpRequest,
    plan: Plan,
    month: int,
    region: Region | None,
    *,
    error: str | None = None,
    outstanding: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    published = _published(plan, month, region)
    publishable_from = deadline(plan, month)
    context: dict[str, Any] = {
        "plan": plan,
        "region": region,
        "unit_query": unit_query(region),
        "too_early": timezone.now() < publishable_from,
        "last_day_on_time": date_text(last_day_on_time(plan, month)),
        "month": month,
        "bulletin": published,
        "error": error,
        "outstanding": [publishing.outstanding_text(entry) for entry in outstanding or []],
        "may_publish": _may_publish(request.user, region) and published is None,
        "paper": bulletin_content(plan, month, published, region),
    }
    if published is not None:
        current = progress(plan, month)
        if region is not None and current is not None:
            current = narrowed(current, region, None)
        context["changes"] = changes.changes_since(
            published.numbers["progress"], current, county=region and region.name
        )
    return render(request, "reporting/bulletin.html", context, status=status)


@login_required
@allowed_by(policy.may_read_bulletins)
@require_GET
def bulletin_page(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """A month's bulletin: the frozen one once published, else a draft from the rollup."""
    plan = _plan_month(request, year, month)
    return _bulletin_page(request, plan, month, _place(request))


@login_required
@allowed_by(policy.may_read_bulletins)
@require_GET
def bulletin_docx(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """The month's bulletin as a Word file: the same content as the page (a published one from
    its stored text and numbers, never the current rollup)."""
    plan = _plan_month(request, year, month)
    region = _place(request)
    paper = bulletin_content(plan, month, _published(plan, month, region), region)
    if paper is None:
        raise Http404(_("本月进度汇总尚未生成，暂无通报。"))
    response = HttpResponse(
        word.build(paper),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    county = f"-{region.code}" if region is not None else ""
    name = f"bulletin-{year}-{month:02d}{county}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@allowed_by(policy.may_read_bulletins)
@require_POST
def bulletin_publish(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Freeze the month's bulletin with its next number (the city's, or the county's own with
    ``?unit=``). Refused (409) when published already, before the month's deadline or not
    rolled up; with reports missing or not approved answered 409 with their list and a
    confirmation, published when ``confirm`` is sent."""
    plan = _plan_month(request, year, month)
    region = _place(request)
    if not _may_publish(request.user, region):
        raise PermissionDenied
    try:
        published = publishing.bulletin_publish(
            plan=plan,
            month=month,
            actor=request.user,
            confirmed=bool(request.POST.get("confirm")),
            region=region,
        )
    except publishing.NeedsConfirmation as exc:
        return _bulletin_page(
            request, plan, month, region, error=str(exc), outstanding=exc.outstanding, status=409
        )
    except publishing.BulletinError as exc:
        return _bulletin_page(request, plan, month, region, error=str(exc), status=409)
    messages.success(
        request,
        _("通报（%(number)s）已发布。此后数据更正不再改变本期通报。")
        % {"number": number_text(published.number)},
    )
    return redirect(reverse("bulletin", args=[year, month]) + unit_query(region))
