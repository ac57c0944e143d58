"""Audit trails of the plan's definition: target changes, and every other write."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import check, link, optional_region, user_field
from .plan import Indicator, Plan


class TargetChange(models.Model):
    """The audit trail of targets changed while a plan is active (年中调整目标).

    One row per change of a goal's or quota's target (``region`` empty) or of a county's (or
    市直's) split, written by ``targets.services`` with the reason, in the same transaction.
    A split set for the first time has no old value; a split removed has no new value. Rates
    keep their fractions (0.9 for 90 %) in the same columns.
    """

    plan = link(Plan, "target_changes", _("年度方案"))
    indicator = link(Indicator, "target_changes", _("指标"))
    region = optional_region("target_changes", help_text=_("为空表示全市目标"))
    old_value = models.DecimalField(
        _("原目标"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("新目标"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    reason = models.TextField(_("调整理由"))
    actor = user_field(_("操作人"), help_text=_("为空表示由系统命令（如载入方案文件）调整"))
    at = models.DateTimeField(_("调整时间"))

    class Meta:
        verbose_name = _("目标调整记录")
        verbose_name_plural = _("目标调整记录")
        ordering = ["at", "id"]
        constraints = [
            check(~Q(reason=""), "target_change_has_reason", _("调整目标必须填写理由。")),
        ]
        indexes = [models.Index(fields=["indicator", "at"], name="target_change_indicator")]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else _("全市")
        at = timezone.localtime(self.at)
        return f"{self.indicator.name} · {where} · {at:%Y-%m-%d %H:%M}"

    @property
    def place(self) -> str:
        return self.region.name if self.region_id else str(_("全市"))

    def _shown(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        if self.indicator.is_rate:
            return f"{value * 100:.1f}%".replace(".0%", "%")
        return f"{int(value):,}"

    @property
    def old_display(self) -> str:
        return self._shown(self.old_value)

    @property
    def new_display(self) -> str:
        return self._shown(self.new_value)


class AuditEntry(models.Model):
    """One write of the services that leaves no trail of its own: who, when, what, on what.

    Figures keep theirs in ``SubmissionEvent``, notices in ``SupervisionNoticeEvent``, an
    active plan's targets in ``TargetChange``; everything else the services change (a plan
    activated, closed, cloned or loaded, a draft's targets and county splits, a role given, a
    record of the definition saved or deleted, a milestone's progress reported)
    writes one of these, in the same transaction. Written once, never changed.
    """

    class Action(models.TextChoices):
        PLAN_ACTIVATE = "plan-activate", _("启用方案")
        PLAN_CLOSE = "plan-close", _("结束方案")
        PLAN_CLONE = "plan-clone", _("复制方案")
        PLAN_LOAD = "plan-load", _("载入方案定义")
        TARGET_SET = "target-set", _("设定年度目标")
        SPLIT_SET = "split-set", _("设定县区分解")
        MEMBERSHIP_ASSIGN = "membership-assign", _("分配角色")
        DEFINITION_SAVE = "definition-save", _("修改方案定义")
        DEFINITION_DELETE = "definition-delete", _("删除方案定义")
        MILESTONE_UPDATE = "milestone-update", _("更新重点工作进展")
        WORK_STEP_SET = "work-step-set", _("设定工作措施")
        WORK_UNITS_SET = "work-units-set", _("设定责任单位")
        STEP_REPORT_DELETE = "step-report-delete", _("删除台账草稿")
        REGISTER_SAVE = "register-save", _("登记台账")
        REGISTER_SUBMIT = "register-submit", _("报送台账")
        REGISTER_APPROVE = "register-approve", _("审核通过台账")
        REGISTER_RETURN = "register-return", _("退回台账")
        REGISTER_REOPEN = "register-reopen", _("重新打开台账")
        RECTIFICATION_ADD = "rectification-add", _("登记整改事项")
        RECTIFICATION_PROGRESS = "rectification-progress", _("反馈整改情况")
        RECTIFICATION_CLOSE = "rectification-close", _("整改销号")
        TRAINING_CLASS_CREATE = "training-class-create", _("登记培训班")
        ROSTER_REPLACE = "roster-replace", _("更新花名册")
        FINDING_EXPLAIN = "finding-explain", _("说明花名册疑点")
        FINDING_ACCEPT = "finding-accept", _("认可疑点说明")
        FINDING_RETURN = "finding-return", _("退回疑点说明")

    at = models.DateTimeField(_("时间"))
    # None: the system (a command run by the operator, a scheduled task).
    actor = user_field(_("操作人"), help_text=_("为空表示由系统（命令或定时任务）操作"))
    action = models.CharField(_("操作"), max_length=30, choices=Action)
    plan = link(Plan, "audit_entries", _("年度方案"), on_delete=models.SET_NULL, optional=True)
    # The object the write is about, named even after it is gone.
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    object_text = models.CharField(_("对象"), max_length=300)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["plan", "at"], name="audit_entry_plan_at")]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{self.get_action_display()} · {self.object_text} · {at:%Y-%m-%d %H:%M}"
