"""Monthly figures: one row per revision of a cell, and the trail of every change."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import check, link, user_field
from .plan import Indicator, Region

# The largest monthly figure taken (a count of people, far above any county's): the services
# refuse more with a message, the database refuses it too.
MAX_FIGURE = 99_999_999


class ReviewStatus(models.TextChoices):
    """Where a reviewed record other than a figure or a step report (a register row, a
    project's ledger row) is in its one-level review."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class Submission(models.Model):
    """One monthly figure for a series × county × month, one row per revision.

    An approved figure is never overwritten: a correction is a new revision with a reason.
    Exactly one revision of a cell is current (the one in the workflow now); at most one is
    counted: the latest approved revision, which goes on counting while a correction of it is
    under review.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        # Two-level review: the county's reviewer has approved it; it counts once the city's
        # reviewer accepts it (APPROVED).
        VERIFIED = "verified", _("县区已审核")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    indicator = link(Indicator, "submissions", _("填报项"))
    region = link(Region, "submissions", _("县区"))
    month = models.PositiveSmallIntegerField(
        _("月份"),
        validators=[
            MinValueValidator(1, message=_("月份必须在 1 到 12 之间。")),
            MaxValueValidator(12, message=_("月份必须在 1 到 12 之间。")),
        ],
    )
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("当前版本"), default=True)
    is_counted = models.BooleanField(
        _("计入统计"),
        default=False,
        help_text=_("该单元格最新一次审核通过的版本；更正审核通过前，原版本继续计入。"),
    )
    value = models.BigIntegerField(
        _("数值"), validators=[MinValueValidator(0, message=_("数值不能为负数。"))]
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    note = models.TextField(_("备注"), blank=True)
    correction_reason = models.TextField(_("更正理由"), blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    entered_by = user_field(_("填报人"), optional=False)
    entered_at = models.DateTimeField(_("填报时间"))
    submitted_by = user_field(_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    # A figure returned and sent again keeps its first sending: a report is on time when it
    # first reached the bureau by the deadline, whatever the review asked for afterwards.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    verified_by = user_field(_("县区审核人"))
    verified_at = models.DateTimeField(_("县区审核时间"), null=True, blank=True)
    reviewed_by = user_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度填报")
        verbose_name_plural = _("月度填报")
        ordering = ["indicator", "region", "month", "revision"]
        constraints = [
            check(Q(value__gte=0), "submission_value_not_negative", _("数值不能为负数。")),
            # The services refuse larger figures first, with a message; the database keeps the
            # limit too, and the rollup relies on it (a figure fits in four bytes).
            models.CheckConstraint(
                condition=Q(value__lte=MAX_FIGURE),
                name="submission_value_at_most_max",
            ),
            check(
                Q(month__gte=1, month__lte=12),
                "submission_month_1_12",
                _("月份必须在 1 到 12 之间。"),
            ),
            check(Q(revision__gte=1), "submission_revision_positive", _("版本号从 1 开始。")),
            check(
                ~Q(status="approved") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                "submission_approved_has_reviewer",
                _("已审核的数据必须记录审核人和审核时间。"),
            ),
            check(
                ~Q(status="verified") | Q(verified_by__isnull=False, verified_at__isnull=False),
                "submission_verified_has_reviewer",
                _("县区已审核的数据必须记录县区审核人和审核时间。"),
            ),
            check(
                Q(status="draft") | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                "submission_submitted_has_submitter",
                _("已报送的数据必须记录报送人和报送时间。"),
            ),
            check(
                Q(revision=1) | ~Q(correction_reason=""),
                "submission_correction_has_reason",
                _("更正已审核的数据必须填写更正理由。"),
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "month", "revision"],
                name="submission_revision_unique",
                violation_error_message=_("该单元格已有此版本。"),
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "month"],
                condition=Q(is_current=True),
                name="submission_one_current_revision",
                violation_error_message=_("每个单元格只能有一个当前版本。"),
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "month"],
                condition=Q(is_counted=True),
                name="submission_one_counted_revision",
                violation_error_message=_("每个单元格只能有一个计入统计的版本。"),
            ),
            check(
                Q(is_counted=False) | Q(status="approved"),
                "submission_counted_is_approved",
                _("只有审核通过的数据计入统计。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "month"], name="submission_status_month"),
            # The rollup reads counted figures in this order; with the value included it
            # reads the index alone, already sorted for its running sums.
            models.Index(
                fields=["indicator", "region", "month"],
                include=["value"],
                condition=Q(is_counted=True),
                name="submission_counted_values",
            ),
            # Report completeness counts first revisions per series and month.
            models.Index(
                fields=["indicator", "month"],
                include=["first_submitted_at"],
                condition=Q(revision=1),
                name="submission_first_revisions",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.indicator.entry_name} · {self.region.name} · {self.month}月 · v{self.revision}"
        )


class WorkflowEvent(models.Model):
    """One step in the life of a reviewed record (a figure, a step report): who did what, when,
    from which status to which, and why. Written once, never changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        CHANGE = "change", _("修改")
        SUBMIT = "submit", _("报送")
        VERIFY = "verify", _("县区审核通过")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        CORRECT = "correct", _("更正")
        WITHDRAW = "withdraw", _("撤回")
        ATTACH = "attach", _("添加佐证材料")
        DETACH = "detach", _("删除佐证材料")

    action = models.CharField(_("操作"), max_length=10, choices=Action)
    actor = user_field(_("操作人"), optional=False)
    at = models.DateTimeField(_("时间"))
    old_status = models.CharField(_("原状态"), max_length=10, blank=True)
    new_status = models.CharField(_("新状态"), max_length=10, blank=True)
    reason = models.TextField(_("理由/意见"), blank=True)

    # The name of the field that holds the record the event is about.
    subject_field = ""

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        subject = getattr(self, self.subject_field)
        return f"{self.get_action_display()} {subject} @ {at:%Y-%m-%d %H:%M}"


class SubmissionEvent(WorkflowEvent):
    """The audit trail: every create, change and status change of a figure."""

    submission = link(Submission, "events", _("填报"))
    old_value = models.BigIntegerField(_("原数值"), null=True, blank=True)
    new_value = models.BigIntegerField(_("新数值"), null=True, blank=True)

    subject_field = "submission"

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("修改记录")
        verbose_name_plural = _("修改记录")
