"""工作台账: who answers for a work item (``Milestone``), its steps and their monthly reports.

A work item's **responsible units** are its lead unit, the item's own ``department`` (and
``region`` when a county or 市直 leads it), and its co-operating units, one ``WorkUnit`` row
each. A unit is a department, city-wide (no region) or in one county or 市直 (a region): the
same pair a clerk's membership names, so the policy asks one question of both.

Each responsible unit sets its **steps** (``WorkStep``, 工作措施) at the start of the year, each
with its own due date, and reports on them every month (``StepReport``): one row per revision,
reviewed and locked like a figure. A step is 逾期 (overdue) when its due date has passed and no
approved report up to that day says it is done: computed for an as-of date
(``WorkStepQuerySet.overdue``), never stored.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from .fields import check, link, optional_region, user_field
from .figures import Submission, WorkflowEvent
from .plan import Department, Milestone

if TYPE_CHECKING:
    from django.db.models import QuerySet

Progress = Milestone.Status


class WorkUnit(models.Model):
    """A co-operating unit (配合单位) of a work item: a department, city-wide or in one county
    or 市直. The lead unit is the item's own ``department``/``region`` and has no row here, so
    that it is named once; ``responsible_units`` gives both."""

    milestone = link(Milestone, "work_units", _("重点工作"), on_delete=models.CASCADE)
    department = link(Department, "work_units", _("部门"))
    region = optional_region("work_units")
    requirement = models.TextField(_("工作要求"), blank=True)

    class Meta:
        verbose_name = _("配合单位")
        verbose_name_plural = _("配合单位")
        ordering = ["milestone", "department", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "department"],
                condition=Q(region__isnull=True),
                name="workunit_unique_citywide",
                violation_error_message=_("该单位已是这项重点工作的责任单位。"),
            ),
            models.UniqueConstraint(
                fields=["milestone", "department", "region"],
                condition=Q(region__isnull=False),
                name="workunit_unique_in_region",
                violation_error_message=_("该单位已是这项重点工作的责任单位。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {unit_name(self.department, self.region)}"


def unit_name(department: Department, region: models.Model | None) -> str:
    """A unit as people name it: 人社局, or 人社局（浚县）."""
    name = department.short_name or department.name
    return name if region is None else f"{name}（{region}）"


def responsible_units(milestone: Milestone) -> list[tuple[int, int | None]]:
    """(department id, region id or ``None``) of the item's lead unit, then its co-operating
    units."""
    units = [(milestone.department_id, milestone.region_id)]
    units += list(milestone.work_units.values_list("department_id", "region_id"))
    return units


class WorkStepQuerySet(models.QuerySet["WorkStep"]):
    def done_by(self, month: int) -> QuerySet[WorkStep]:
        """Steps whose latest counted (approved) report of a month up to ``month`` says 已完成."""
        latest = (
            StepReport.objects.filter(step=OuterRef("pk"), is_counted=True, month__lte=month)
            .order_by("-month")
            .values("progress")[:1]
        )
        return self.annotate(latest_progress=Subquery(latest)).filter(latest_progress=Progress.DONE)

    def overdue(self, as_of: date) -> QuerySet[WorkStep]:
        """Steps due before ``as_of`` and not done by then (逾期): done means an approved report
        of ``as_of``'s month or earlier says 已完成."""
        return self.filter(due_on__lt=as_of).exclude(pk__in=self.done_by(as_of.month).values("pk"))


class WorkStep(models.Model):
    """A step (工作措施) a responsible unit sets for a work item at the start of the year, with
    its own due date. Its unit (``department``, ``region``) is one of the item's
    ``responsible_units``: the services check it."""

    # A draft plan's item dropped from its definition takes its steps along; reports exist
    # only in an active plan and protect their steps (``StepReport.step``).
    milestone = link(Milestone, "steps", _("重点工作"), on_delete=models.CASCADE)
    department = link(Department, "work_steps", _("责任部门"))
    region = optional_region("work_steps")
    title = models.CharField(_("工作措施"), max_length=200)
    due_on = models.DateField(_("完成时限"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_by = user_field(_("设定人"), optional=False)
    created_at = models.DateTimeField(_("设定时间"))

    objects = WorkStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作措施")
        verbose_name_plural = _("工作措施")
        ordering = ["milestone", "order", "due_on", "pk"]
        constraints = [
            check(~Q(title=""), "workstep_title_not_empty", _("工作措施不能为空。")),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.title}"

    @property
    def unit_name(self) -> str:
        return unit_name(self.department, self.region)

    def is_overdue(self, as_of: date) -> bool:
        """逾期 on ``as_of`` (see ``WorkStepQuerySet.overdue``)."""
        if self.due_on >= as_of:
            return False
        return not WorkStep.objects.filter(pk=self.pk).done_by(as_of.month).exists()


class StepReport(models.Model):
    """A step's report for one month, one row per revision (like ``Submission``).

    ``progress`` is where the step stands (未开始/推进中/已完成/滞后); ``status`` is where the
    report is in its review, a figure's statuses: draft, sent, approved by the county (县区已审核:
    a county's step under two-level review, ``Plan.review_levels``, as for its figures),
    approved, returned. An approved revision is locked: a correction is a new revision with a
    reason, reviewed again, while the approved one goes on counting (``is_counted``). Exactly
    one revision of a step × month is current.
    """

    Status = Submission.Status

    step = link(WorkStep, "reports", _("工作措施"))
    month = models.PositiveSmallIntegerField(
        _("月份"),
        validators=[
            MinValueValidator(1, message=_("月份必须在 1 到 12 之间。")),
            MaxValueValidator(12, message=_("月份必须在 1 到 12 之间。")),
        ],
    )
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("当前版本"), default=True)
    is_counted = models.BooleanField(_("计入统计"), default=False)
    progress = models.CharField(_("进展状态"), max_length=12, choices=Progress)
    done = models.TextField(_("工作进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    correction_reason = models.TextField(_("更正理由"), blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    entered_by = user_field(_("填报人"), optional=False)
    entered_at = models.DateTimeField(_("填报时间"))
    submitted_by = user_field(_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    verified_by = user_field(_("县区审核人"))
    verified_at = models.DateTimeField(_("县区审核时间"), null=True, blank=True)
    reviewed_by = user_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作台账月报")
        verbose_name_plural = _("工作台账月报")
        ordering = ["step", "month", "revision"]
        constraints = [
            check(
                Q(month__gte=1, month__lte=12),
                "stepreport_month_1_12",
                _("月份必须在 1 到 12 之间。"),
            ),
            check(Q(revision__gte=1), "stepreport_revision_positive", _("版本号从 1 开始。")),
            check(
                Q(progress__in=Progress.values),
                "stepreport_progress_known",
                _("进展状态必须是未开始、推进中、已完成或滞后。"),
            ),
            check(
                ~Q(status="approved") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                "stepreport_approved_has_reviewer",
                _("已审核的台账必须记录审核人和审核时间。"),
            ),
            check(
                ~Q(status="verified") | Q(verified_by__isnull=False, verified_at__isnull=False),
                "stepreport_verified_has_reviewer",
                _("县区已审核的台账必须记录县区审核人和审核时间。"),
            ),
            check(
                Q(status="draft") | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                "stepreport_submitted_has_submitter",
                _("已报送的台账必须记录报送人和报送时间。"),
            ),
            check(
                Q(revision=1) | ~Q(correction_reason=""),
                "stepreport_correction_has_reason",
                _("更正已审核的台账必须填写更正理由。"),
            ),
            check(
                Q(is_counted=False) | Q(status="approved"),
                "stepreport_counted_is_approved",
                _("只有审核通过的台账计入统计。"),
            ),
            models.UniqueConstraint(
                fields=["step", "month", "revision"],
                name="stepreport_revision_unique",
                violation_error_message=_("该月台账已有此版本。"),
            ),
            models.UniqueConstraint(
                fields=["step", "month"],
                condition=Q(is_current=True),
                name="stepreport_one_current_revision",
                violation_error_message=_("每项工作措施每月只能有一个当前版本。"),
            ),
            models.UniqueConstraint(
                fields=["step", "month"],
                condition=Q(is_counted=True),
                name="stepreport_one_counted_revision",
                violation_error_message=_("每项工作措施每月只能有一个计入统计的版本。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} · {self.month}月 · v{self.revision}"


class StepReportEvent(WorkflowEvent):
    """The trail of a step's reports: every create, change and status change, with its actor."""

    report = link(StepReport, "events", _("工作台账月报"))

    subject_field = "report"

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
