"""The yearly plan and its definition (indicators, county splits, milestones), the departments
and counties it names, and each user's membership (role, department, county)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from .fields import check, link, optional_region
from .units import HOME_UNIT, Region, home_unit

# The bulletin (通报) is the leading group office's own paper, not the government's plan.
DEFAULT_BULLETIN_ISSUER = "鹤壁市全民技能振兴工程领导小组办公室"
DEFAULT_BULLETIN_CC = "市委办公室，市人大常委会办公室，市政府办公室，市政协办公室"


def bulletin_issuer_of(plan: Plan) -> str:
    """The issuer a plan's bulletins print: its own setting, else the default."""
    return plan.bulletin_issuer or DEFAULT_BULLETIN_ISSUER


def default_deadline_day() -> int:
    """A new plan's deadline day: ``SUBMISSION_DEADLINE_DAY`` (the 5th unless set)."""
    return settings.SUBMISSION_DEADLINE_DAY


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("执行中")
        CLOSED = "closed", _("已结束")

    unit = models.ForeignKey(
        "Region",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        related_name="plans",
        limit_choices_to={"kind__in": ["province", "prefecture"]},
        help_text=_("制定方案的市（或省）；方案的县区是它的下级单位。"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
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
    bulletin_issuer = models.CharField(
        _("通报发文单位"),
        max_length=100,
        blank=True,
        default=DEFAULT_BULLETIN_ISSUER,
        help_text=_(
            "月度通报的发文单位（通报自己的落款，不是方案的发文机关）；"
            "留空则为鹤壁市全民技能振兴工程领导小组办公室。"
        ),
    )
    bulletin_cc = models.CharField(
        _("通报抄送"),
        max_length=300,
        blank=True,
        default=DEFAULT_BULLETIN_CC,
        help_text=_("月度通报的抄送单位，用“，”或“、”分隔；留空则不印抄送栏。"),
    )
    review_levels = models.PositiveSmallIntegerField(
        _("审核层级"),
        choices=[
            (1, _("一级审核（市人社局）")),
            (2, _("两级审核（县区人社局初审，市人社局确认）")),
        ],
        default=1,
        help_text=_(
            "两级审核：县区的数据先由该县区审核员审核，再由市级审核员确认后才计入统计；"
            "市直的数据只经市级审核。"
        ),
    )
    roster_mismatch = models.CharField(
        _("花名册核对"),
        max_length=10,
        choices=[("warn", _("不一致时提示审核员")), ("block", _("不一致时不得审核通过"))],
        default="warn",
        help_text=_("培训类数据与其培训班花名册人数（人次或人）不一致时，只提示还是拒绝审核通过。"),
    )
    evidence_total_bytes = models.PositiveBigIntegerField(
        _("佐证材料总量上限（字节）"),
        null=True,
        blank=True,
        help_text=_(
            "本方案全部佐证材料的总大小上限；留空则用系统默认值（EVIDENCE_PLAN_TOTAL_BYTES）。"
        ),
    )

    class Meta:
        verbose_name = _("年度方案")
        verbose_name_plural = _("年度方案")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="plan_one_per_unit_year",
                violation_error_message=_("该单位的这一年度已有方案。"),
            ),
            check(
                Q(ends_on__gte=models.F("starts_on")),
                "plan_ends_after_start",
                _("截止日期不能早于起始日期。"),
            ),
            check(
                Q(deadline_day__gte=1, deadline_day__lte=28),
                "plan_deadline_day_1_28",
                _("报送截止日必须在 1 到 28 日之间。"),
            ),
            check(
                Q(review_levels__in=[1, 2]),
                "plan_review_levels_1_2",
                _("审核层级只能是一级或两级。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.doc_number}"

    def save(self, *args: object, **kwargs: object) -> None:
        # A plan made without naming its unit is the city's (``home_unit``): this
        # installation's own plans, as before units were a tree.
        if self.unit_id is None and (unit := home_unit()) is not None:
            self.unit = unit
        super().save(*args, **kwargs)


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


def local_plans() -> models.QuerySet[Plan]:
    """The plans of this installation's city: the ones its pages, entry and commands mean by
    "the plan of a year" (a province's plan is read on the province's page)."""
    return Plan.objects.filter(unit__code=HOME_UNIT[0])


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

    plan = link(Plan, "indicators", _("年度方案"), on_delete=models.CASCADE)
    code = models.SlugField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=200)
    role = models.CharField(_("类别"), max_length=10, choices=Role)
    kind = models.CharField(_("统计口径"), max_length=10, choices=Kind)
    department = link(Department, "indicators", _("责任部门"))
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
    numerator = link("self", "rates_as_numerator", _("分子"), optional=True)
    denominator = link("self", "rates_as_denominator", _("分母"), optional=True)
    feeds = link(
        "self", "quotas", _("计入目标"), optional=True, help_text=_("部门任务计入的全市目标")
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
            check(
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
                ),
                "indicator_rate_has_counts",
                _("比率指标必须指定分子、分母和目标比率；其他指标不能指定。"),
            ),
            check(
                Q(role="count", target__isnull=True, target_rate__isnull=True)
                | Q(role__in=["goal", "quota"], kind="rate")
                | Q(role__in=["goal", "quota"], target__isnull=False),
                "indicator_target_by_role",
                _("全市目标和部门任务必须有年度目标；计数指标没有目标。"),
            ),
            check(
                Q(target_rate__isnull=True) | Q(target_rate__gte=0, target_rate__lte=1),
                "indicator_target_rate_fraction",
                _("目标比率必须在 0 到 1 之间。"),
            ),
            check(
                Q(feeds__isnull=True) | Q(role="quota", kind="flow"),
                "indicator_only_quotas_feed_goals",
                _("只有累计量类的部门任务可以计入全市目标。"),
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

    indicator = link(Indicator, "region_targets", _("指标"), on_delete=models.CASCADE)
    region = link(Region, "targets", _("县区"))
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

    plan = link(Plan, "milestones", _("年度方案"), on_delete=models.CASCADE)
    code = models.SlugField(_("代码"), max_length=60)
    title = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=Category)
    department = link(Department, "milestones", _("责任部门"))
    region = optional_region("milestones")
    description = models.TextField(_("内容"), blank=True)
    requirement = models.TextField(_("工作要求"), blank=True)
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
    """What a user is in this system: their role and, for clerks, department and county.

    A reviewer, leader or auditor with a county is that county's own (县区人社局): they review,
    read and export their county only. Without one they are the city's.
    """

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
    department = link(Department, "members", _("部门"), optional=True)
    region = optional_region("members", help_text=_("为空表示全市各县区"))

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            check(
                Q(role="clerk", department__isnull=False)
                | Q(role__in=["reviewer", "leader", "auditor"], department__isnull=True)
                | Q(role="administrator", department__isnull=True, region__isnull=True),
                "membership_role_scope",
                _(
                    "填报员必须属于一个部门；审核员、领导和审计员可属于一个县区，不属于部门；"
                    "管理员不属于具体部门或县区。"
                ),
            ),
        ]

    def __str__(self) -> str:
        parts = [str(self.user), self.get_role_display()]
        if self.department_id:
            parts.append(str(self.department))
        if self.region_id:
            parts.append(str(self.region))
        return " · ".join(parts)

    def clean(self) -> None:
        # A leader may belong to a province (省级领导): they read that province's page only.
        province_leader = self.role == self.Role.LEADER and self.region_id is not None
        province_leader = province_leader and self.region.kind == Region.Kind.PROVINCE
        if self.region_id and self.region.kind not in Region.PLACE_KINDS and not province_leader:
            raise ValidationError({"region": _("请选择一个县区或市直。")})
        if self.role != self.Role.CLERK and self.region_id and self.region.is_city_level:
            # 市直 has no reviewer, leader or auditor of its own: the city's review and read it.
            raise ValidationError(
                {"region": _("县区审核员、领导和审计员须属于一个县或区，不能是市直。")}
            )
