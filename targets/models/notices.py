"""Supervision notices (督办单) and their trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import check, link, optional_region, user_field
from .plan import Indicator, Plan


class SupervisionNotice(models.Model):
    """A supervision notice (督办单): a quota red in one county, or city-wide, for a month.

    The system raises it when the rollup of the as-of month turns the item red and closes it
    when the item no longer is; in between the responsible clerk answers it once, with an
    explanation and a catch-up plan. Who and when of each step are kept on the notice itself:
    raising and closing are the system's (no user), answering is the clerk's.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待反馈")
        ANSWERED = "answered", _("已反馈")
        CLOSED = "closed", _("已关闭")

    plan = link(Plan, "notices", _("年度方案"), on_delete=models.CASCADE)
    indicator = link(Indicator, "notices", _("部门任务"))
    region = optional_region("notices", help_text=_("为空表示全市"))
    month = models.PositiveSmallIntegerField(_("督办月份"), help_text=_("滞后的截至月份"))
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.OPEN)
    # The progress that raised it, as rolled up then: the clerk sees how far behind it was.
    completion = models.DecimalField(
        _("完成率"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    expected = models.DecimalField(
        _("序时进度"), max_digits=7, decimal_places=6, null=True, blank=True
    )
    raised_at = models.DateTimeField(_("下发时间"))
    # 办理时限: to be answered by this day (SUPERVISION_DUE_DAYS after raising, by default).
    due_on = models.DateField(_("办理时限"))
    explanation = models.TextField(_("情况说明"), blank=True)
    catch_up_plan = models.TextField(_("赶进度计划"), blank=True)
    answered_by = user_field(_("反馈人"))
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    # Who closed it (销号): a reviewer, with a reason; none when the system closed it because a
    # later month was judged back on track.
    closed_by = user_field(_("销号人"))

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-raised_at", "-id"]
        constraints = [
            check(
                Q(month__gte=1, month__lte=12), "notice_month_1_12", _("月份必须在 1 到 12 之间。")
            ),
            check(
                Q(status__in=["open", "answered", "closed"]),
                "notice_status_known",
                _("督办单状态无效。"),
            ),
            check(
                Q(
                    ~Q(status="answered"),
                    answered_by__isnull=True,
                    answered_at__isnull=True,
                    explanation="",
                    catch_up_plan="",
                )
                | Q(
                    ~Q(status="open") & ~Q(explanation="") & ~Q(catch_up_plan=""),
                    answered_by__isnull=False,
                    answered_at__isnull=False,
                ),
                "notice_answer_complete",
                _("已反馈的督办单必须有反馈人、反馈时间、情况说明和赶进度计划。"),
            ),
            check(
                Q(status="closed", closed_at__isnull=False) & ~Q(closed_reason="")
                | Q(~Q(status="closed"), closed_at__isnull=True, closed_reason=""),
                "notice_closed_has_reason",
                _("关闭的督办单必须有关闭时间和原因；未关闭的不能有。"),
            ),
            check(
                Q(closed_by__isnull=True) | Q(status="closed"),
                "notice_closed_by_only_when_closed",
                _("未关闭的督办单不能有销号人。"),
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator", "region"],
                condition=Q(region__isnull=False) & ~Q(status="closed"),
                name="notice_one_open_per_county",
                violation_error_message=_("该任务在此县区已有未关闭的督办单。"),
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                condition=Q(region__isnull=True) & ~Q(status="closed"),
                name="notice_one_open_city_wide",
                violation_error_message=_("该任务在全市已有未关闭的督办单。"),
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="notice_plan_status")]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else _("全市")
        return f"{self.indicator.name} · {where} · {self.month}月 · {self.get_status_display()}"

    @property
    def place(self) -> str:
        return self.region.name if self.region_id else str(_("全市"))

    @property
    def rate(self) -> Decimal | None:
        """A rate's value when raised (completion × target rate): a rate is judged on its rate
        against the target rate, so that is what its notice shows; None for other items."""
        if self.indicator.kind != Indicator.Kind.RATE or self.completion is None:
            return None
        return self.completion * (self.indicator.target_rate or 0)

    def is_overdue(self, today: date | None = None) -> bool:
        """逾期: still waiting for its answer after its 办理时限."""
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and today > self.due_on

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and timezone.localdate(self.answered_at) > self.due_on


class SupervisionNoticeEvent(models.Model):
    """The audit trail of a notice: raised, answered, closed (销号), who, when and why."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("下发")
        ANSWERED = "answered", _("反馈")
        CLOSED = "closed", _("销号")

    notice = link(SupervisionNotice, "events", _("督办单"), on_delete=models.CASCADE)
    kind = models.CharField(_("操作"), max_length=10, choices=Kind)
    # None: the system (raising, and closing when the item is back on track).
    actor = user_field(_("操作人"))
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("督办单记录")
        verbose_name_plural = _("督办单记录")
        ordering = ["at", "id"]
        constraints = [
            check(
                Q(kind__in=["raised", "answered", "closed"]),
                "notice_event_kind_known",
                _("督办单记录的操作无效。"),
            ),
            check(
                ~Q(kind="closed") | ~Q(reason=""),
                "notice_event_close_has_reason",
                _("销号必须说明原因。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
