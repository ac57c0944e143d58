"""The reviewer's pages: the queue, one department's month to approve or return, a cell's history.

Every figure a POST names must be one the page would list (this plan, department and month,
waiting, readable and approvable by the user); otherwise nothing at all is written. All the
figures of one POST are approved or returned in one transaction: all of them, or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from skills_plan.views import allowed_by

from .. import completeness, periods, policy, services
from ..forms import ReviewForm
from ..grid import checks
from ..models import (
    Department,
    Plan,
    Region,
    RegionTarget,
    Submission,
    SubmissionEvent,
    TownshipFigure,
)
from ..periods import MONTHS
from ..roster_selectors import roster_counts
from ..selectors import active_plan

Status = Submission.Status
# Reports missing or late listed on the queue page; the rest are on /review/reports/.
GAPS_SHOWN = 10


@login_required
@allowed_by(policy.may_review)
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    plan = active_plan()
    waiting = policy.awaiting_review(
        request.user,
        policy.readable_submissions(request.user, Submission.objects.filter(indicator__plan=plan)),
    )
    counts = {
        (row["indicator__department"], row["month"]): row["n"]
        for row in waiting.values("indicator__department", "month")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for department in Department.objects.all():
        cells = [
            {
                "month": month,
                "n": counts.get((department.pk, month), 0),
                "url": reverse("review-month", args=[department.pk, month]),
            }
            for month in MONTHS
        ]
        rows.append(
            {
                "department": department,
                "cells": cells,
                "months": [cell["n"] for cell in cells],
                "total": sum(cell["n"] for cell in cells),
            }
        )
    due_month = periods.latest_due_month(plan) if plan else None
    due_gaps = completeness.gaps(plan, due_month) if due_month else []
    county = policy.county_home(request.user)
    if county is not None:  # a county's reviewer: their county's reports only
        due_gaps = [gap for gap in due_gaps if gap.region == county.code]
    # Sent county figures not yet approved by their county: the city's reviewer sees them
    # coming, not in the queue.
    at_county = (
        Submission.objects.filter(
            indicator__plan=plan, status=Status.SUBMITTED, is_current=True
        ).exclude(region__kind=Region.Kind.CITY)
        if plan is not None and plan.review_levels == 2 and county is None
        else Submission.objects.none()
    )
    return render(
        request,
        "targets/review.html",
        {
            "plan": plan,
            "county": county,
            "two_levels": plan is not None and plan.review_levels == 2,
            "at_county": at_county.count(),
            "due_month": due_month,
            "due_gaps": due_gaps[:GAPS_SHOWN],
            "due_gaps_more": max(0, len(due_gaps) - GAPS_SHOWN),
            "due_missing": sum(gap.missing for gap in due_gaps),
            "due_late": sum(gap.late for gap in due_gaps),
            "months": MONTHS,
            "rows": rows,
            "month_totals": [
                sum(column) for column in zip(*(row["months"] for row in rows), strict=True)
            ],
            "total": sum(counts.values()),
        },
    )


def format_value(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def format_change(value: int, previous: int | None) -> str:
    """The change against an earlier figure as people read it: +12%, -3%, 0%."""
    if previous is None:
        return "—"
    if previous == 0:
        return "0%" if value == 0 else _("新增")
    change = round((value - previous) * 100 / previous)
    return f"{change:+d}%" if change else "0%"


@dataclass
class WaitingRow:
    submission: Submission
    value: str
    is_late: bool
    previous_revision: str | None
    previous_month: str
    previous_month_change: str
    # The previous month's figure is shown even when not approved yet, marked so ("待审").
    previous_month_pending: str = ""
    # What the clerk was warned of on entry (a note was required), and their note.
    warnings: list[str] = field(default_factory=list)
    # Returned, then sent again: the figure that was returned and the reviewer's comment.
    returned_value: str | None = None
    return_comment: str = ""
    # A training item's roster behind the cell and month (人次 or 人); None: no roster item.
    roster: int | None = None


# How a previous month's figure not approved yet is marked beside the one under review.
PENDING_LABELS = {
    Status.DRAFT: gettext_lazy("草稿"),
    Status.SUBMITTED: gettext_lazy("待审"),
    Status.VERIFIED: gettext_lazy("县区已审"),
    Status.RETURNED: gettext_lazy("已退回"),
}


def _rows(plan: Plan, month: int, figures: list[Submission]) -> list[WaitingRow]:
    """Each waiting figure with the context a reviewer needs to judge it.

    Its previous revision; the cell's previous month as it stands (its current revision,
    marked when not approved yet); the entry warnings its clerk had to answer with a note;
    for a figure returned and sent again, what was returned and why. A fixed number of
    queries, whatever the number of figures.
    """
    if not figures:
        return []
    indicator_ids = {s.indicator_id for s in figures}
    region_ids = {s.region_id for s in figures}
    cells = Submission.objects.filter(indicator_id__in=indicator_ids, region_id__in=region_ids)
    revisions = {
        (row["indicator_id"], row["region_id"], row["revision"]): row["value"]
        for row in cells.filter(month=month).values(
            "indicator_id", "region_id", "revision", "value"
        )
    }
    earlier: dict[tuple[int, int], dict[int, tuple[int, str]]] = {}
    for row in cells.filter(month__lt=month, is_current=True).values(
        "indicator_id", "region_id", "month", "value", "status"
    ):
        key = (row["indicator_id"], row["region_id"])
        earlier.setdefault(key, {})[row["month"]] = (row["value"], row["status"])
    targets = {
        (t.indicator_id, t.region_id): t.target
        for t in RegionTarget.objects.filter(
            indicator_id__in=indicator_ids, region_id__in=region_ids
        )
    }
    returns: dict[int, SubmissionEvent] = {}
    for event in SubmissionEvent.objects.filter(
        submission__in=figures, action=SubmissionEvent.Action.RETURN
    ).order_by("at", "id"):
        returns[event.submission_id] = event  # the latest return of each figure
    due = periods.deadline(plan, month)
    rosters = roster_counts(figures)
    rows = []
    for submission in figures:
        key = (submission.indicator_id, submission.region_id)
        earlier_revision = revisions.get((*key, submission.revision - 1))
        months = earlier.get(key, {})
        before, before_status = months.get(month - 1, (None, ""))
        returned = returns.get(submission.pk)
        rows.append(
            WaitingRow(
                submission=submission,
                value=format_value(submission.value),
                is_late=_is_late(submission, due),
                previous_revision=(
                    format_value(earlier_revision) if submission.revision > 1 else None
                ),
                previous_month=format_value(before),
                previous_month_change=format_change(submission.value, before),
                previous_month_pending=str(PENDING_LABELS.get(before_status, "")),
                warnings=checks(
                    submission.indicator,
                    submission.value,
                    month,
                    {m: value for m, (value, _status) in months.items()},
                    targets.get(key),
                ),
                returned_value=format_value(returned.new_value) if returned else None,
                return_comment=returned.reason if returned else "",
                roster=rosters.get(submission.pk),
            )
        )
    return rows


def _is_late(submission: Submission, due: datetime) -> bool:
    """Judged as the completeness report does: by the first sending of the cell's report.

    A figure returned and sent again keeps its first sending; a correction follows an approved
    report, so it is never late itself.
    """
    if submission.revision > 1:
        return False
    sent = submission.first_submitted_at or submission.submitted_at
    return sent is not None and sent >= due


class ReviewError(Exception):
    """A POST that cannot be carried out as asked; the page shows why and nothing is written."""


def _chosen(
    user: Any, form: ReviewForm, of_page: QuerySet[Submission], action: str
) -> list[Submission]:
    """The waiting figures a POST names, each checked against the page it came from.

    ``of_page`` is every figure of the page's plan, department and month the user may read.
    An id outside it (another department, month or plan, or no such figure) is a forged
    request: 404. A figure of the page that no longer waits (reviewed meanwhile) is an error
    shown on the page. One the user may not approve: 403.
    """
    waiting = policy.awaiting_review(user, of_page).select_related("indicator", "region")
    if action == "approve_all":
        figures = list(waiting)
        if not figures:
            raise ReviewError(_("没有等待审核的数据。"))
    else:
        if form.has_error("ids"):
            raise Http404
        ids = form.cleaned_data["ids"]
        if not ids:
            raise ReviewError(_("请至少选择一条数据。"))
        if of_page.filter(pk__in=ids).count() != len(ids):
            raise Http404
        figures = list(waiting.filter(pk__in=ids))
        if len(figures) != len(ids):
            others = of_page.filter(pk__in=ids).exclude(pk__in=[s.pk for s in figures])
            if others.filter(status=Status.SUBMITTED, is_current=True).exists():
                raise ReviewError(_("所选数据中有尚未经县区审核的，须先由县区审核员审核通过。"))
            raise ReviewError(_("所选数据中有已被审核或退回的，请刷新页面后重试。"))
    for submission in figures:
        if not policy.may_approve_cell(user, submission.indicator, submission.region):
            raise PermissionDenied
    return figures


def _done(figures: list[Submission], action: str) -> str:
    """The success message of a review (a county's approval says what comes next)."""
    n = len(figures)
    if action == "return":
        return ngettext("已退回 %(n)d 条数据。", "已退回 %(n)d 条数据。", n) % {"n": n}
    if any(figure.status == Status.VERIFIED for figure in figures):
        return ngettext(
            "县区审核通过 %(n)d 条数据，待市人社局确认后计入统计。",
            "县区审核通过 %(n)d 条数据，待市人社局确认后计入统计。",
            n,
        ) % {"n": n}
    return ngettext("已审核通过 %(n)d 条数据。", "已审核通过 %(n)d 条数据。", n) % {"n": n}


def _errors(error: ValidationError | PermissionDenied | ReviewError) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error) or _("您无权审核该数据。")]


@login_required
@allowed_by(policy.may_review)
@require_http_methods(["GET", "POST"])
def review_month(request: HttpRequest, department_id: int, month: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id)
    if month not in MONTHS:
        raise Http404
    plan = active_plan()
    of_page = _of_page(request.user, plan, department, month)
    errors: list[str] = []
    chosen: set[int] = set()
    comment = ""
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST)
        form.is_valid()
        comment = form.comment_as_typed()
        if form.has_error("action"):
            errors = list(form.errors["action"])
        elif form.has_error("comment"):
            # Checked before any figure is touched: the page comes back with what was typed.
            errors = list(form.errors["comment"])
            status = 400
        else:
            action = form.cleaned_data["action"]
            comment = form.cleaned_data["comment"]
            try:
                figures = _chosen(request.user, form, of_page, action)
                chosen = {s.pk for s in figures}
                if action == "return" and not comment:
                    raise ReviewError(_("退回时必须填写审核意见。"))
                figures = services.submissions_review(
                    actor=request.user,
                    submissions=figures,
                    approve=action != "return",
                    comment=comment,
                )
            except (ReviewError, ValidationError) as error:
                errors = _errors(error)
            except PermissionDenied as error:
                # _chosen refuses what the user may never approve (403); the services may
                # still refuse one that changed meanwhile: show it, nothing was written.
                if not chosen:
                    raise
                errors = _errors(error)
            else:
                messages.success(request, _done(figures, action))
                return redirect("review-month", department_id=department.pk, month=month)
    figures = list(
        policy.awaiting_review(request.user, of_page)
        .select_related("indicator", "region", "submitted_by", "entered_by", "verified_by")
        .order_by("indicator__order", "indicator__code", "region__order", "region__code")
    )
    return render(
        request,
        "targets/review_month.html",
        {
            "plan": plan,
            "department": department,
            "month": month,
            # The deadline is the first late moment; people read the last day it is on time.
            "due_on": periods.last_day_on_time(plan, month) if plan else None,
            "rows": _rows(plan, month, figures) if plan else [],
            "errors": errors,
            "chosen": chosen,
            "comment": comment,
            "comment_max": services.REVIEW_COMMENT_MAX,
        },
        status=status,
    )


def _of_page(
    user: Any, plan: Plan | None, department: Department, month: int
) -> QuerySet[Submission]:
    """Every figure of one plan, department and month that ``user`` may read."""
    if plan is None:
        return Submission.objects.none()
    return policy.readable_submissions(
        user,
        Submission.objects.filter(
            indicator__plan=plan, indicator__department=department, month=month
        ),
    )


@dataclass
class HistoryEvent:
    event: SubmissionEvent
    action: str
    old_value: str
    new_value: str
    old_status: str
    new_status: str


def _by_part() -> QuerySet[TownshipFigure]:
    """A revision's breakdown in page order, each part with its name."""
    return TownshipFigure.objects.select_related("township").order_by(
        "township__order", "township__code"
    )


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status or "—"


@login_required
@require_GET
def cell_history(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_object_or_404(
        Submission.objects.select_related("indicator__plan", "indicator__department", "region"),
        pk=submission_id,
    )
    if not policy.may_read_cell(request.user, submission.indicator, submission.region):
        raise PermissionDenied
    revisions = list(
        Submission.objects.filter(
            indicator_id=submission.indicator_id,
            region_id=submission.region_id,
            month=submission.month,
        )
        .select_related("entered_by", "submitted_by", "reviewed_by")
        .prefetch_related(Prefetch("parts", queryset=_by_part()))
        .order_by("revision")
    )
    events = (
        SubmissionEvent.objects.filter(submission__in=revisions)
        .select_related("actor", "submission")
        .order_by("at", "id")
    )
    return render(
        request,
        "targets/review_history.html",
        {
            "submission": submission,
            "indicator": submission.indicator,
            "region": submission.region,
            "month": submission.month,
            "revisions": [
                {"submission": r, "value": format_value(r.value), "status": r.get_status_display()}
                for r in revisions
            ],
            "events": [
                HistoryEvent(
                    event=event,
                    action=event.get_action_display(),
                    old_value=format_value(event.old_value),
                    new_value=format_value(event.new_value),
                    old_status=_status_label(event.old_status),
                    new_status=_status_label(event.new_status),
                )
                for event in events
            ],
            # Each revision's breakdown by the county's parts, where it has one.
            "breakdowns": [
                {"submission": r, "parts": parts, "total": sum(p.value for p in parts)}
                for r, parts in ((r, list(r.parts.all())) for r in revisions)
                if parts
            ],
            "may_review": policy.may_review(request.user),
        },
    )
