"""What is derived from the figures: rollups that dashboards, bulletins and exports read.

Rows are rebuilt from approved submissions by ``reporting.rollup``; nothing else writes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from targets.models import Department, Indicator, Plan, Region


def month_1_12(name: str) -> models.CheckConstraint:
    """The constraint every per-month row carries: its month is 1 to 12."""
    return models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name=name)


def unconstrained(to: type[models.Model], verbose_name: Any, **options: Any) -> models.ForeignKey:
    """A derived row's reference: no index of its own and no constraint in the database."""
    options.setdefault("related_name", "+")
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
        verbose_name=verbose_name,
        **options,
    )


def county_field() -> models.ForeignKey:
    """The county a bulletin or workbook is of (its rows only); empty: the city's."""
    return models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("县区"),
        help_text=_("为空表示全市"),
    )


class RollupValues(models.Model):
    """The values of a rollup row (``ProgressRow``'s after its keys), whatever level it is of."""

    class Status(models.TextChoices):
        GREEN = "green", _("正常")
        AMBER = "amber", _("预警")
        RED = "red", _("滞后")

    month = models.PositiveSmallIntegerField(_("截至月份"))
    actual = models.BigIntegerField(_("完成数"), null=True, blank=True)
    numerator = models.BigIntegerField(_("分子累计"), null=True, blank=True)
    denominator = models.BigIntegerField(_("分母累计"), null=True, blank=True)
    target = models.BigIntegerField(_("目标"), null=True, blank=True)
    target_rate = models.DecimalField(
        _("目标比率"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    completion = models.DecimalField(
        _("完成率"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    expected = models.DecimalField(_("序时进度"), max_digits=7, decimal_places=6)
    status = models.CharField(_("状态"), max_length=5, choices=Status, null=True, blank=True)
    projected = models.BigIntegerField(_("预计全年"), null=True, blank=True)
    unallocated = models.BigIntegerField(_("未分配到部门"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator or 0) / Decimal(self.denominator)


class Rollup(RollupValues):
    """Progress of one indicator in one county (or the whole city) as of the end of a month."""

    # No single-column indexes: the composite ones below serve every lookup, and each index
    # costs on a rebuild that writes a million rows. No foreign-key constraints in the
    # database either: a constraint checks each of those rows at commit (a third of a first
    # build's time), and these rows are derived: the rebuild takes its ids from the plan's own
    # indicators and the regions, and a plan, indicator or region deleted through Django
    # takes its rollups with it (Django cascades; the nightly rebuild replaces the rest).
    plan = unconstrained(Plan, _("年度方案"))
    indicator = unconstrained(Indicator, _("指标"), related_name="rollups")
    region = unconstrained(Region, _("县区"), null=True, blank=True, help_text=_("为空表示全市"))

    class Meta:
        verbose_name = _("进度汇总")
        verbose_name_plural = _("进度汇总")
        ordering = ["plan", "month", "indicator", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "region", "month"],
                condition=Q(region__isnull=False),
                name="rollup_unique_region_cell",
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator", "month"],
                condition=Q(region__isnull=True),
                name="rollup_unique_city_cell",
            ),
            month_1_12("rollup_month_1_12"),
        ]
        indexes = [models.Index(fields=["plan", "month"], name="rollup_plan_month")]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "全市"
        return f"{self.indicator.code} · {where} · {self.month}月"


class PartRollup(RollupValues):
    """Progress of one indicator in one part of a county (乡镇、街道 or 责任单位) as of the end
    of a month: from the parts' shares of the county's counted figures, by the county's rules,
    against the part's share of the county's split. Rebuilt with the plan's rollup, in the same
    transaction (``reporting.rollup.parts``); read by the county's page to rank its parts."""

    plan = unconstrained(Plan, _("年度方案"))
    indicator = unconstrained(Indicator, _("指标"), related_name="part_rollups")
    region = unconstrained(Region, _("乡镇（责任单位）"))

    class Meta:
        verbose_name = _("乡镇进度汇总")
        verbose_name_plural = _("乡镇进度汇总")
        ordering = ["plan", "month", "indicator", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "region", "month"], name="part_rollup_unique_cell"
            ),
            month_1_12("part_rollup_month_1_12"),
        ]
        indexes = [models.Index(fields=["plan", "month"], name="part_rollup_plan_month")]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.region.name} · {self.month}月"


class CompletenessRollup(models.Model):
    """Reports expected, received and received on time, per department and month."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("月份"))
    expected = models.PositiveIntegerField(_("应报"))
    received = models.PositiveIntegerField(_("已报"))
    on_time = models.PositiveIntegerField(_("按时报送"))

    class Meta:
        verbose_name = _("报送及时率")
        verbose_name_plural = _("报送及时率")
        ordering = ["plan", "month", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "department", "month"], name="completeness_unique"
            ),
            models.CheckConstraint(
                condition=Q(received__lte=models.F("expected"))
                & Q(on_time__lte=models.F("received")),
                name="completeness_counts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.month}月: {self.received}/{self.expected}"


class RollupRun(models.Model):
    """One rebuild: what it covered, how long it took, and any drift a full rebuild found."""

    class Kind(models.TextChoices):
        FULL = "full", _("全量重算")
        INCREMENTAL = "incremental", _("增量更新")
        NIGHTLY = "nightly", _("夜间核对重算")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind)
    from_month = models.PositiveSmallIntegerField(_("起始月份"), default=1)
    indicator_codes = models.TextField(_("指标"), blank=True, help_text=_("为空表示全部指标"))
    started_at = models.DateTimeField(_("开始时间"))
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"))
    rows = models.PositiveIntegerField(_("写入行数"))
    drift = models.PositiveIntegerField(
        _("差异行数"), default=0, help_text=_("重算结果与已存结果不一致的行数")
    )

    class Meta:
        verbose_name = _("汇总运行记录")
        verbose_name_plural = _("汇总运行记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.get_kind_display()} @ {self.started_at:%Y-%m-%d %H:%M}"


class ReminderRun(models.Model):
    """The reminders sent for one month of a plan, the day after its deadline: once only."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("月份"))
    sent_at = models.DateTimeField(_("发送时间"))
    missing = models.PositiveIntegerField(_("未报数"))
    late = models.PositiveIntegerField(_("迟报数"))
    emails = models.PositiveIntegerField(_("发送邮件数"))
    # [{"department": code, "region": code, "missing": n, "late": n, "clerks": [username]}]
    gaps = models.JSONField(_("未报与迟报明细"), default=list)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="reminder_once_a_month"),
            month_1_12("reminder_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.year}年{self.month}月 催报"


class Bulletin(models.Model):
    """A month's published bulletin (通报), frozen: its text and the numbers behind it.

    A month without a row is a draft, generated from the current rollup whenever it is read.
    Publishing writes the row once; later corrections of figures never change it (the page
    lists what changed since), and a month is published once only.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("年度方案")
    )
    region = county_field()  # a county's own bulletin (县区通报), with its own 第N期
    month = models.PositiveSmallIntegerField(_("截至月份"))
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PUBLISHED)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("通报正文"))
    # {"progress": the progress API's document for the month, "gaps": [reports missing/late]}
    numbers = models.JSONField(_("通报所依据的数据"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The bulletin's own masthead, fixed at publication: 第N期 of its plan year (no gaps, in
    # the order of publication), its issuer and 抄送 as the plan said then, its 成文日期.
    number = models.PositiveSmallIntegerField(_("期号"), null=True, blank=True)
    issuer = models.CharField(_("发文单位"), max_length=100, blank=True)
    cc = models.CharField(_("抄送"), max_length=300, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")
        ordering = ["plan", "region", "month"]
        constraints = [
            # Once a month and 第N期 once: the city's per plan, each county's per plan and county.
            models.UniqueConstraint(
                fields=["plan", "month"],
                condition=Q(region__isnull=True),
                name="bulletin_once_a_month",
            ),
            models.UniqueConstraint(
                fields=["plan", "region", "month"],
                condition=Q(region__isnull=False),
                name="bulletin_once_a_month_a_county",
            ),
            month_1_12("bulletin_month_1_12"),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="published", published_at__isnull=False, published_by__isnull=False),
                name="bulletin_published_has_who_and_when",
            ),
            models.UniqueConstraint(
                fields=["plan", "number"],
                condition=Q(region__isnull=True),
                name="bulletin_number_once_a_plan",
            ),
            models.UniqueConstraint(
                fields=["plan", "region", "number"],
                condition=Q(region__isnull=False),
                name="bulletin_number_once_a_county",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="published", number__gte=1, issued_on__isnull=False),
                name="bulletin_published_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.region.name} " if self.region_id else ""
        return f"{where}{self.plan.year}年{self.month}月 通报（{self.get_status_display()}）"


class ExportLog(models.Model):
    """One summary workbook handed out: who, when, for what month, and the file's fingerprint.

    Written once by ``reporting.exports.workbook.export_summary``; never changed.
    """

    class Source(models.TextChoices):
        WEB = "web", _("网页下载")
        COMMAND = "command", _("命令行")
        TASK = "task", _("后台生成")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度方案")
    )
    region = county_field()
    month = models.PositiveSmallIntegerField(_("截至月份"))
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导出人"),
    )
    exported_at = models.DateTimeField(_("导出时间"))
    source = models.CharField(_("方式"), max_length=10, choices=Source)
    # {"封面": n, "总表": n, "分县区": n, "月度明细": n, "修改记录": n, "目标调整记录": n,
    #  "里程碑": n}
    row_counts = models.JSONField(_("各表行数"), default=dict)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-exported_at", "-id"]
        constraints = [month_1_12("export_log_month_1_12")]

    def __str__(self) -> str:
        return f"{self.plan.year}-{self.month:02d} summary.xlsx @ {self.exported_at:%Y-%m-%d %H:%M}"


class ExportJob(models.Model):
    """A workbook too large to write during a request, written by a Celery worker.

    Created by ``reporting.exports.jobs.create``; the task (``reporting.tasks.export_workbook``)
    claims it, writes the file under ``EXPORT_ROOT`` reporting rows as it goes, and links the
    export log. Only the account that asked for it may read or download it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度方案")
    )
    region = county_field()
    month = models.PositiveSmallIntegerField(_("截至月份"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.QUEUED)
    # Rows written so far and the rows expected (counted when the job was asked for).
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("预计行数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Touched as rows are written: a running job silent for long had its worker die.
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file_name = models.CharField(_("文件"), max_length=200, blank=True)
    log = models.OneToOneField(
        ExportLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job",
        verbose_name=_("导出记录"),
    )
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("后台导出任务")
        verbose_name_plural = _("后台导出任务")
        ordering = ["-requested_at", "-id"]
        constraints = [month_1_12("export_job_month_1_12")]

    def __str__(self) -> str:
        return f"{self.plan.year}-{self.month:02d} summary.xlsx ({self.status})"

    @property
    def percent(self) -> int:
        """Whole percent written; 100 only when the file is there."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class PendingRollup(models.Model):
    """A rollup that approvals asked for and that has not run yet.

    Written in the transaction that approves (or submits) figures, deleted by the rollup that
    covers it. If the broker was down when the task was to be sent, the row stays, and the
    next sweep (``reporting.tasks.sweep_pending_rollups``, every few minutes on beat) or the
    nightly rebuild runs the plan's rollup: nothing approved is left out of the numbers.
    """

    # No constraint in the database: its check would take a share lock on the plan's row at
    # every approval, and so wait for any rebuild of the plan (which holds that row locked).
    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        verbose_name=_("年度方案"),
    )
    # The months whose figures changed (all twelve for a change of the plan itself).
    months = models.JSONField(_("涉及月份"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待汇总记录")
        verbose_name_plural = _("待汇总记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        months = ",".join(str(m) for m in self.months)
        return f"{self.plan.year} {months}月 @ {self.created_at:%Y-%m-%d %H:%M}"
