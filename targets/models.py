"""The plan, its indicators, departments, counties, submissions and milestones.

Invariants that matter are database constraints too: values are never negative, months run
1–12, a cell has exactly one current revision, indicator codes are unique within a plan, and a
rate names both of its count series.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_deadline_day() -> int:
    """A new plan's deadline day: ``SUBMISSION_DEADLINE_DAY`` (the 5th unless set)."""
    return settings.SUBMISSION_DEADLINE_DAY


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("执行中")
        CLOSED = "closed", _("已结束")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=50, unique=True)
    parent_doc_number = models.CharField(_("上级文件文号"), max_length=50, blank=True)
    parent_doc_title = models.CharField(_("上级文件标题"), max_length=200, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    written_on = models.DateField(_("成文日期"))
    published_on = models.DateField(_("发布日期"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    deadline_day = models.PositiveSmallIntegerField(
        _("报送截止日"),
        default=default_deadline_day,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月数据须在次月的这一天（含当天）之前报送，之后报送记为迟报。"),
    )

    class Meta:
        verbose_name = _("年度方案")
        verbose_name_plural = _("年度方案")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_start",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline_day__gte=1, deadline_day__lte=28),
                name="plan_deadline_day_1_28",
                violation_error_message=_("报送截止日必须在 1 到 28 日之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.doc_number}"


class Department(models.Model):
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=20)
    is_lead = models.BooleanField(
        _("牵头部门"), default=False, help_text=_("牵头部门（市人社局）负责审核各部门报送的数据。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("责任部门")
        verbose_name_plural = _("责任部门")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A reporting place: a county or district, or 市直 (the city's own units).

    市直 gathers the figures of city-level units (市直学校, 市属企业, 市级培训机构) that belong
    to no county. It takes part in entry, review, splits and rollups like a county; pages tell
    it apart by its kind. Its code is GB/T 2260's 410601 (鹤壁市市辖区), the code statistics
    systems use for the city's own level: it is no county's and sorts before them.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县")
        CITY = "city", _("市直")

    code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        unique=True,
        help_text=_("GB/T 2260 六位代码"),
        validators=[RegexValidator(r"^[1-9][0-9]{5}$", _("行政区划代码必须是六位数字。"))],
    )
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("县区")
        verbose_name_plural = _("县区")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[1-9][0-9]{5}$"),
                name="region_code_six_digits",
                violation_error_message=_("行政区划代码必须是六位数字。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_city_level(self) -> bool:
        return self.kind == self.Kind.CITY


# The city-level place (市直): see ``Region``.
CITY_LEVEL_CODE = "410601"


class Indicator(models.Model):
    """A city goal, a departmental quota, or a count series behind a rate.

    Goals and quotas carry targets. Flow and stock indicators take monthly figures themselves;
    a rate takes none: it is the ratio of its numerator and denominator count series.
    """

    class Role(models.TextChoices):
        GOAL = "goal", _("全市目标")
        QUOTA = "quota", _("部门任务")
        COUNT = "count", _("计数指标")

    class Kind(models.TextChoices):
        FLOW = "flow", _("累计量")
        STOCK = "stock", _("存量")
        RATE = "rate", _("比率")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("年度方案")
    )
    code = models.SlugField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=200)
    role = models.CharField(_("类别"), max_length=10, choices=Role)
    kind = models.CharField(_("统计口径"), max_length=10, choices=Kind)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("责任部门"),
    )
    unit = models.CharField(_("单位"), max_length=20)
    target = models.PositiveIntegerField(_("年度目标"), null=True, blank=True)
    target_rate = models.DecimalField(
        _("目标比率"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message=_("目标比率必须在 0 到 1 之间。")),
            MaxValueValidator(Decimal("1"), message=_("目标比率必须在 0 到 1 之间。")),
        ],
        help_text=_("以小数表示，90% 填 0.9"),
    )
    numerator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rates_as_numerator",
        verbose_name=_("分子"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rates_as_denominator",
        verbose_name=_("分母"),
    )
    feeds = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotas",
        verbose_name=_("计入目标"),
        help_text=_("部门任务计入的全市目标"),
    )
    accepts_figures = models.BooleanField(
        _("接受月度填报"),
        default=True,
        help_text=_("目标本身是否直接填报数据（例如未分配到部门的培训）"),
    )
    series_name = models.CharField(
        _("填报项名称"),
        max_length=200,
        blank=True,
        help_text=_("填报表中显示的名称；为空时使用指标名称"),
    )
    source_clause = models.CharField(_("方案依据"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="indicator_code_unique_in_plan",
                violation_error_message=_("同一年度方案中指标代码不能重复。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="rate",
                        numerator__isnull=False,
                        denominator__isnull=False,
                        target_rate__isnull=False,
                        target__isnull=True,
                        accepts_figures=False,
                    )
                    | Q(
                        ~Q(kind="rate"),
                        numerator__isnull=True,
                        denominator__isnull=True,
                        target_rate__isnull=True,
                    )
                ),
                name="indicator_rate_has_counts",
                violation_error_message=_(
                    "比率指标必须指定分子、分母和目标比率；其他指标不能指定。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(role="count", target__isnull=True, target_rate__isnull=True)
                | Q(role__in=["goal", "quota"], kind="rate")
                | Q(role__in=["goal", "quota"], target__isnull=False),
                name="indicator_target_by_role",
                violation_error_message=_("全市目标和部门任务必须有年度目标；计数指标没有目标。"),
            ),
            models.CheckConstraint(
                condition=Q(target_rate__isnull=True) | Q(target_rate__gte=0, target_rate__lte=1),
                name="indicator_target_rate_fraction",
                violation_error_message=_("目标比率必须在 0 到 1 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(feeds__isnull=True) | Q(role="quota", kind="flow"),
                name="indicator_only_quotas_feed_goals",
                violation_error_message=_("只有累计量类的部门任务可以计入全市目标。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_rate(self) -> bool:
        return self.kind == self.Kind.RATE

    @property
    def entry_name(self) -> str:
        return self.series_name or self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == self.Kind.RATE:
            if self.numerator_id is None:
                errors["numerator"] = _("比率指标必须指定分子。")
            if self.denominator_id is None:
                errors["denominator"] = _("比率指标必须指定分母。")
            if self.target_rate is None and self.role != self.Role.COUNT:
                errors["target_rate"] = _("比率指标必须有目标比率。")
        elif self.role in (self.Role.GOAL, self.Role.QUOTA) and self.target is None:
            errors["target"] = _("全市目标和部门任务必须有年度目标。")
        for field in ("numerator", "denominator"):
            series = getattr(self, field)
            if series is not None and (series.plan_id != self.plan_id or series.is_rate):
                errors[field] = _("分子和分母必须是同一年度方案中的计数指标。")
        if self.feeds is not None and (
            self.feeds.plan_id != self.plan_id or self.feeds.role != self.Role.GOAL
        ):
            errors["feeds"] = _("只能计入同一年度方案中的全市目标。")
        elif self.feeds is not None and (
            self.kind != self.Kind.FLOW or self.feeds.kind != self.Kind.FLOW
        ):
            # Monthly increments add up across quotas; levels and rates do not.
            errors["feeds"] = _("只有累计量（按月累加）的部门任务可以计入累计量类的全市目标。")
        if self.pk and self.target is not None:
            allocated = self.region_targets.aggregate(total=Sum("target"))["total"] or 0
            if allocated > self.target:
                errors["target"] = _(
                    "年度目标 %(target)s 低于已分解到县区的合计 %(allocated)s。"
                ) % {
                    "target": self.target,
                    "allocated": allocated,
                }
        if errors:
            raise ValidationError(errors)


class RegionTarget(models.Model):
    """A county's or district's share of a quota's target."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="region_targets",
        verbose_name=_("指标"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="targets", verbose_name=_("县区")
    )
    target = models.PositiveIntegerField(_("分解目标"))
    is_demo = models.BooleanField(
        _("演示数据"), default=False, help_text=_("方案未规定县区分解；演示用的分解是虚构的。")
    )

    class Meta:
        verbose_name = _("县区分解目标")
        verbose_name_plural = _("县区分解目标")
        ordering = ["indicator", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region"],
                name="region_target_unique",
                violation_error_message=_("该指标在此县区已有分解目标。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} · {self.region.name}: {self.target}"

    def clean(self) -> None:
        if self.indicator_id is None:
            return  # the form reports the missing indicator itself
        indicator = self.indicator
        if indicator.is_rate or indicator.target is None:
            raise ValidationError(_("只有带年度目标的人数类指标可以分解到县区。"))
        others = (
            RegionTarget.objects.filter(indicator=indicator)
            .exclude(pk=self.pk)
            .aggregate(total=Sum("target"))["total"]
            or 0
        )
        if others + (self.target or 0) > indicator.target:
            raise ValidationError(
                {
                    "target": _(
                        "县区分解合计 %(total)s 超过全市目标 %(city)s"
                        "（其他县区已分解 %(others)s）。"
                    )
                    % {
                        "total": others + (self.target or 0),
                        "city": indicator.target,
                        "others": others,
                    }
                }
            )


class TargetChange(models.Model):
    """The audit trail of targets changed while a plan is active (年中调整目标).

    One row per change of a goal's or quota's target (``region`` empty) or of a county's (or
    市直's) split, written by ``targets.services`` with the reason, in the same transaction.
    A split set for the first time has no old value; a split removed has no new value. Rates
    keep their fractions (0.9 for 90 %) in the same columns.
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="target_changes", verbose_name=_("年度方案")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="target_changes",
        verbose_name=_("指标"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="target_changes",
        verbose_name=_("县区"),
        help_text=_("为空表示全市目标"),
    )
    old_value = models.DecimalField(
        _("原目标"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("新目标"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    reason = models.TextField(_("调整理由"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
        help_text=_("为空表示由系统命令（如载入方案文件）调整"),
    )
    at = models.DateTimeField(_("调整时间"))

    class Meta:
        verbose_name = _("目标调整记录")
        verbose_name_plural = _("目标调整记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="target_change_has_reason",
                violation_error_message=_("调整目标必须填写理由。"),
            ),
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


# The largest monthly figure taken (a count of people, far above any county's): the services
# refuse more with a message, the database refuses it too.
MAX_FIGURE = 99_999_999


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
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("填报项")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("县区")
    )
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

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填报人"),
    )
    entered_at = models.DateTimeField(_("填报时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    # A figure returned and sent again keeps its first sending: a report is on time when it
    # first reached the bureau by the deadline, whatever the review asked for afterwards.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度填报")
        verbose_name_plural = _("月度填报")
        ordering = ["indicator", "region", "month", "revision"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="submission_value_not_negative",
                violation_error_message=_("数值不能为负数。"),
            ),
            # The services refuse larger figures first, with a message; the database keeps the
            # limit too, and the rollup relies on it (a figure fits in four bytes).
            models.CheckConstraint(
                condition=Q(value__lte=MAX_FIGURE),
                name="submission_value_at_most_max",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="submission_month_1_12",
                violation_error_message=_("月份必须在 1 到 12 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(revision__gte=1),
                name="submission_revision_positive",
                violation_error_message=_("版本号从 1 开始。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="submission_approved_has_reviewer",
                violation_error_message=_("已审核的数据必须记录审核人和审核时间。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                name="submission_submitted_has_submitter",
                violation_error_message=_("已报送的数据必须记录报送人和报送时间。"),
            ),
            models.CheckConstraint(
                condition=Q(revision=1) | ~Q(correction_reason=""),
                name="submission_correction_has_reason",
                violation_error_message=_("更正已审核的数据必须填写更正理由。"),
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
            models.CheckConstraint(
                condition=Q(is_counted=False) | Q(status="approved"),
                name="submission_counted_is_approved",
                violation_error_message=_("只有审核通过的数据计入统计。"),
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


class SubmissionEvent(models.Model):
    """The audit trail: every create, change and status change of a figure."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        CHANGE = "change", _("修改")
        SUBMIT = "submit", _("报送")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        CORRECT = "correct", _("更正")
        WITHDRAW = "withdraw", _("撤回")

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="events", verbose_name=_("填报")
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    old_value = models.BigIntegerField(_("原数值"), null=True, blank=True)
    new_value = models.BigIntegerField(_("新数值"), null=True, blank=True)
    old_status = models.CharField(_("原状态"), max_length=10, blank=True)
    new_status = models.CharField(_("新状态"), max_length=10, blank=True)
    reason = models.TextField(_("理由/意见"), blank=True)

    class Meta:
        verbose_name = _("修改记录")
        verbose_name_plural = _("修改记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{self.get_action_display()} {self.submission} @ {at:%Y-%m-%d %H:%M}"


class Milestone(models.Model):
    """The plan's qualitative work, tracked with status and evidence notes, not numbers."""

    class Category(models.TextChoices):
        PROJECT_LEDGER = "project-ledger", _("项目建设（一项目一台账）")
        COMPETITION = "competition", _("职业技能竞赛")
        EVALUATION_PILOT = "evaluation-pilot", _("企业技能人才评价试点")
        SCHOOL_ENTERPRISE = "school-enterprise", _("校企合作")
        EDUCATION_REFORM = "education-reform", _("职业教育改革")
        PUBLICITY = "publicity", _("宣传")
        SUPERVISION = "supervision", _("督导检查")

    class Status(models.TextChoices):
        NOT_STARTED = "not-started", _("未开始")
        IN_PROGRESS = "in-progress", _("推进中")
        DONE = "done", _("已完成")
        DELAYED = "delayed", _("滞后")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("年度方案")
    )
    code = models.SlugField(_("代码"), max_length=60)
    title = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=Category)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="milestones",
        verbose_name=_("责任部门"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("县区"),
    )
    description = models.TextField(_("内容"), blank=True)
    source_clause = models.CharField(_("方案依据"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status, default=Status.NOT_STARTED)
    due_on = models.DateField(_("完成时限"))
    evidence = models.TextField(_("佐证材料说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("重点工作")
        verbose_name_plural = _("重点工作")
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="milestone_code_unique_in_plan",
                violation_error_message=_("同一年度方案中重点工作代码不能重复。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    """What a user is in this system: their role and, for clerks, department and county."""

    class Role(models.TextChoices):
        CLERK = "clerk", _("填报员")
        REVIEWER = "reviewer", _("审核员")
        LEADER = "leader", _("领导")
        AUDITOR = "auditor", _("审计员")
        ADMINISTRATOR = "administrator", _("管理员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=15, choices=Role)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("部门"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("县区"),
        help_text=_("为空表示全市各县区"),
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="clerk", department__isnull=False)
                | Q(~Q(role="clerk"), department__isnull=True, region__isnull=True),
                name="membership_clerk_has_department",
                violation_error_message=_("填报员必须属于一个部门；其他角色不属于具体部门或县区。"),
            ),
        ]

    def __str__(self) -> str:
        parts = [str(self.user), self.get_role_display()]
        if self.department_id:
            parts.append(str(self.department))
        if self.region_id:
            parts.append(str(self.region))
        return " · ".join(parts)


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

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="notices", verbose_name=_("年度方案")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="notices", verbose_name=_("部门任务")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("县区"),
        help_text=_("为空表示全市"),
    )
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
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    # Who closed it (销号): a reviewer, with a reason; none when the system closed it because a
    # later month was judged back on track.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("销号人"),
    )

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="notice_month_1_12",
                violation_error_message=_("月份必须在 1 到 12 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "answered", "closed"]),
                name="notice_status_known",
                violation_error_message=_("督办单状态无效。"),
            ),
            models.CheckConstraint(
                condition=Q(
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
                name="notice_answer_complete",
                violation_error_message=_(
                    "已反馈的督办单必须有反馈人、反馈时间、情况说明和赶进度计划。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) & ~Q(closed_reason="")
                | Q(~Q(status="closed"), closed_at__isnull=True, closed_reason=""),
                name="notice_closed_has_reason",
                violation_error_message=_("关闭的督办单必须有关闭时间和原因；未关闭的不能有。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_by__isnull=True) | Q(status="closed"),
                name="notice_closed_by_only_when_closed",
                violation_error_message=_("未关闭的督办单不能有销号人。"),
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

    notice = models.ForeignKey(
        SupervisionNotice,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("督办单"),
    )
    kind = models.CharField(_("操作"), max_length=10, choices=Kind)
    # None: the system (raising, and closing when the item is back on track).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("督办单记录")
        verbose_name_plural = _("督办单记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["raised", "answered", "closed"]),
                name="notice_event_kind_known",
                violation_error_message=_("督办单记录的操作无效。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="closed") | ~Q(reason=""),
                name="notice_event_close_has_reason",
                violation_error_message=_("销号必须说明原因。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
