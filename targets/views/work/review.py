"""The reviewer's 工作台账 pages: the sent step reports, grouped by work item, unit and month,
each approved or returned with a comment; a report's history (every revision and event with
its actor), read by the reviewers, leaders, auditors and the unit's own clerks.

Under two-level review (``Plan.review_levels``) a county's reviewer approves their county's
steps' reports first (县区已审核) and the city's reviewer accepts them after; the city's queue
lists them once the county has approved them, and says how many still wait for the counties.

A POST names one report, which must be one of the reviewer's page (this plan, readable by the
reviewer, at their level): another id is 404, a report reviewed meanwhile or not yet approved
by its county an error on the page, and a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from skills_plan.views import allowed_by

from ... import policy, services
from ...models import EvidenceFile, Plan, StepReport, StepReportEvent
from ...selectors import active_plan
from ...work_forms import StepReviewForm
from .units import evidence_prefetch, files_of

Status = StepReport.Status
Action = StepReportEvent.Action


@dataclass
class WaitingReport:
    report: StepReport
    files: list[EvidenceFile]
    # Returned before and sent again: the reviewer's comment then.
    return_comment: str = ""


@dataclass
class Refusal:
    """Why a POST reviewed nothing: the report it named (if any), the messages, what was typed."""

    report_id: int | None
    errors: list[str]
    comment: str = ""


@dataclass
class Group:
    """The sent reports of one work item, unit and month."""

    item: Any
    unit: str
    month: int
    reports: list[WaitingReport]


def _sent(user: Any, plan: Plan | None) -> QuerySet[StepReport]:
    """The plan's current reports this user reads (a draft is its unit's own)."""
    if plan is None:
        return StepReport.objects.none()
    return policy.readable_step_reports(
        user, StepReport.objects.filter(step__milestone__plan=plan, is_current=True)
    )


def _waiting(user: Any, plan: Plan | None) -> QuerySet[StepReport]:
    """The reports waiting for this reviewer's level (``policy.awaiting_step_review``)."""
    return policy.awaiting_step_review(user, _sent(user, plan))


def _at_county(user: Any, plan: Plan | None) -> int:
    """For the city's reviewer: sent reports of counties' steps still waiting for their
    county's reviewer (two-level review), not yet in the city's queue."""
    if plan is None or plan.review_levels != 2 or policy.county_of(user) is not None:
        return 0
    sent = _sent(user, plan).filter(status=Status.SUBMITTED)
    return sent.exclude(pk__in=_waiting(user, plan).values("pk")).count()


def _groups(reports: list[StepReport]) -> list[Group]:
    returns: dict[int, str] = {}
    for event in StepReportEvent.objects.filter(report__in=reports, action=Action.RETURN).order_by(
        "at", "pk"
    ):
        returns[event.report_id] = event.reason  # the latest return of each report
    rows = [
        WaitingReport(report, files_of(report), returns.get(report.pk, "")) for report in reports
    ]

    def key(row: WaitingReport) -> tuple[int, str, int]:
        step = row.report.step
        return (step.milestone_id, step.unit_name, row.report.month)

    return [
        Group(item=members[0].report.step.milestone, unit=unit, month=month, reports=members)
        for (_item, unit, month), group in groupby(rows, key=key)
        for members in [list(group)]
    ]


@login_required
@allowed_by(policy.may_review_work)
@require_http_methods(["GET", "POST"])
def work_review(request: HttpRequest) -> HttpResponse:
    """The queue of sent step reports; POST: approve or return one of them."""
    plan = active_plan()
    refusal: Refusal | None = None
    status = 200
    if request.method == "POST":
        if plan is None:
            raise Http404
        services.require_open_plan(plan)
        refusal = _decide(request, plan)
        if refusal is None:
            return redirect("work-review")
        status = 400
    reports = list(
        _waiting(request.user, plan)
        .select_related(
            "step__milestone", "step__department", "step__region", "submitted_by", "verified_by"
        )
        .prefetch_related(evidence_prefetch())
        .order_by(
            "step__milestone__order",
            "step__milestone__code",
            "step__department__code",
            "step__region__code",
            "month",
            "step__order",
            "step__due_on",
            "step_id",
        )
    )
    return render(
        request,
        "targets/work_review.html",
        {
            "plan": plan,
            "county": policy.county_home(request.user),
            "at_county": _at_county(request.user, plan),
            "groups": _groups(reports),
            "total": len(reports),
            "refusal": refusal,
            # A refusal about a report still listed is shown at that report, else above all.
            "refusal_listed": refusal is not None
            and refusal.report_id in {report.pk for report in reports},
            "comment_max": services.REVIEW_COMMENT_MAX,
        },
        status=status,
    )


def _decide(request: HttpRequest, plan: Plan) -> Refusal | None:
    """Approve or return the posted report: None when done, else why not (nothing written).
    A report id that names no report of the queue's plan the reviewer may read and review at
    their level is 404."""
    form = StepReviewForm(request.POST)
    form.is_valid()
    comment = str(form.data.get("comment", ""))
    if not form.data.get("report"):
        return Refusal(None, [_("请选择要审核的台账。")], comment)
    if form.has_error("report"):
        raise Http404
    report = get_object_or_404(
        policy.readable_step_reports(
            request.user, StepReport.objects.filter(step__milestone__plan=plan)
        ).select_related("step__milestone__plan", "step__department", "step__region"),
        pk=form.cleaned_data["report"],
    )
    if not policy.may_review_step(request.user, report.step):
        raise Http404  # not on this reviewer's page: a county's reviewer under one level
    if form.errors:
        errors = [text for texts in form.errors.values() for text in texts]
        return Refusal(report.pk, errors, comment)
    action = form.cleaned_data["action"]
    comment = form.cleaned_data["comment"].strip()
    # Sent but not yet approved by its county: the service says why the city cannot accept it.
    waiting = policy.step_waiting_statuses(request.user, report.step) | {Status.SUBMITTED}
    if report.status not in waiting or not report.is_current:
        return Refusal(report.pk, [_("该台账已被审核或退回，请刷新页面后查看。")], comment)
    if action == "return" and not comment:
        return Refusal(report.pk, [_("退回时必须填写审核意见。")], comment)
    review = services.step_report_return if action == "return" else services.step_report_approve
    try:
        reviewed = review(actor=request.user, report=report, comment=comment)
    except ValidationError as error:
        return Refusal(report.pk, list(error.messages), comment)
    values = {"title": report.step.title, "unit": report.step.unit_name, "month": report.month}
    if action == "return":
        messages.success(request, _("已退回 %(unit)s “%(title)s” %(month)s月台账。") % values)
    elif reviewed.status == Status.VERIFIED:
        messages.success(
            request,
            _("县区审核通过 %(unit)s “%(title)s” %(month)s月台账，待市人社局确认后计入统计。")
            % values,
        )
    else:
        messages.success(request, _("已审核通过 %(unit)s “%(title)s” %(month)s月台账。") % values)
    return None


@dataclass
class HistoryEvent:
    event: StepReportEvent
    old_status: str
    new_status: str


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status or "—"


@login_required
@require_GET
def work_history(request: HttpRequest, report_id: int) -> HttpResponse:
    """Every revision of a step's month and every event of them, with its actor."""
    readable = policy.readable_step_reports(request.user, StepReport.objects.all())
    report = get_object_or_404(
        readable.select_related(
            "step__milestone__plan", "step__department", "step__region", "step__milestone"
        ),
        pk=report_id,
    )
    revisions = list(
        readable.filter(step_id=report.step_id, month=report.month)
        .select_related("entered_by", "submitted_by", "verified_by", "reviewed_by")
        .prefetch_related(evidence_prefetch())
        .order_by("revision")
    )
    events = (
        StepReportEvent.objects.filter(report__in=revisions)
        .select_related("actor", "report")
        .order_by("at", "id")
    )
    clerk = policy.may_report_step(request.user, report.step)
    back = (
        reverse("work-month", args=[report.step.milestone.plan.year, report.month])
        if clerk
        else reverse("work-review")
        if policy.may_review_work(request.user)
        else ""
    )
    return render(
        request,
        "targets/work_history.html",
        {
            "report": report,
            "step": report.step,
            "item": report.step.milestone,
            "back": back,
            "revisions": [{"report": r, "files": files_of(r)} for r in revisions],
            "events": [
                HistoryEvent(
                    event=event,
                    old_status=_status_label(event.old_status),
                    new_status=_status_label(event.new_status),
                )
                for event in events
            ],
        },
    )
