"""Registers the plan names (三、（四）2–3, 四、（一）–（二）): skill competitions, enterprise skill
appraisal pilots, each department's annual implementation plan, the lead office's meetings,
inspections and visits with the 整改事项 they raise, and each department's self-assessment for
the mid-year review and the year-end summary (年中有督导、年底有总结).

Every register row is entered by the clerk of the unit that answers for it, sent, and approved
or returned by a reviewer (``RegisterRecord``): an approved row is locked; reopening it (with a
reason) takes it back to a draft, and the audit trail keeps what it said. A 整改事项 belongs to
a meeting; its responsible unit reports progress and a reviewer closes it (销号). It is overdue
(逾期) when open past its 时限: computed for a day, never stored.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .evidence import EvidenceFile
from .fields import check, link, optional_region, user_field
from .figures import ReviewStatus
from .plan import Department, Plan
from .work import unit_name


class Level(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class RegisterRecord(models.Model):
    """A register row's unit (department, city-wide or in one county or 市直) and its review."""

    Status = ReviewStatus

    plan = link(Plan, "%(class)ss", _("年度方案"))
    department = link(Department, "%(class)ss", _("填报单位"))
    region = optional_region("%(class)ss")
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    review_comment = models.TextField(_("审核意见"), blank=True)
    entered_by = user_field(_("填报人"), optional=False)
    entered_at = models.DateTimeField(_("填报时间"))
    submitted_by = user_field(_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = user_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def unit_name(self) -> str:
        return unit_name(self.department, self.region)


def _review_checks(name: str) -> list[models.CheckConstraint]:
    return [
        check(
            ~Q(status="approved") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
            f"{name}_approved_has_reviewer",
            _("已审核的记录必须记录审核人和审核时间。"),
        ),
        check(
            Q(status="draft") | Q(submitted_by__isnull=False, submitted_at__isnull=False),
            f"{name}_submitted_has_submitter",
            _("已报送的记录必须记录报送人和报送时间。"),
        ),
    ]


class Competition(RegisterRecord):
    """职业技能竞赛: one competition held or entered."""

    name = models.CharField(_("竞赛名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=10, choices=Level)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    organiser = models.CharField(_("主办单位"), max_length=200)
    occupations = models.CharField(_("竞赛职业（工种）"), max_length=300)
    participants = models.PositiveIntegerField(_("参赛人数（人）"))
    winners = models.PositiveIntegerField(_("获奖人数（人）"))
    winner_names = models.TextField(_("获奖人员"), blank=True)

    class Meta:
        verbose_name = _("职业技能竞赛")
        verbose_name_plural = _("职业技能竞赛")
        ordering = ["plan", "starts_on", "pk"]
        constraints = [
            *_review_checks("competition"),
            check(
                Q(ends_on__gte=F("starts_on")),
                "competition_ends_after_start",
                _("结束日期不能早于开始日期。"),
            ),
            check(
                Q(winners__lte=F("participants")),
                "competition_winners_within_participants",
                _("获奖人数不能多于参赛人数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationPilot(RegisterRecord):
    """企业技能人才评价试点: one enterprise appraising its own workers; ``region`` is its
    county (or 市直)."""

    enterprise = models.CharField(_("试点企业"), max_length=200)
    level = models.CharField(_("试点级别"), max_length=10, choices=Level)
    occupations = models.CharField(_("评价职业（工种）"), max_length=300)
    skill_levels = models.CharField(_("评价等级"), max_length=100)
    appraised = models.PositiveIntegerField(_("本年评价人数（人）"))
    adjusted = models.BooleanField(_("本年调整"), default=False)

    class Meta:
        verbose_name = _("企业技能人才评价试点")
        verbose_name_plural = _("企业技能人才评价试点")
        ordering = ["plan", "region", "enterprise", "pk"]
        constraints = [
            *_review_checks("evaluationpilot"),
            check(
                Q(region__isnull=False),
                "evaluationpilot_has_county",
                _("试点企业必须注明所在县区。"),
            ),
            check(
                ~Q(level="national"),
                "evaluationpilot_level_city_or_province",
                _("试点级别只能是省级或市级。"),
            ),
        ]

    def __str__(self) -> str:
        return self.enterprise


class AnnualPlan(RegisterRecord):
    """年度具体实施方案: a department's plan for the year, as a file. It counts as received
    once sent (``submitted_at``)."""

    title = models.CharField(_("方案名称"), max_length=200)
    issued_on = models.DateField(_("印发日期"))
    file = link(EvidenceFile, "annual_plans", _("方案文件"))

    class Meta:
        verbose_name = _("年度具体实施方案")
        verbose_name_plural = _("年度具体实施方案")
        ordering = ["plan", "department", "pk"]
        constraints = [*_review_checks("annualplan")]

    def __str__(self) -> str:
        return self.title


class Meeting(RegisterRecord):
    """会议与督查调研: a meeting held, an inspection or a visit, and what it found."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("会议")
        INSPECTION = "inspection", _("督查")
        RESEARCH = "research", _("调研")

    held_on = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind)
    title = models.CharField(_("名称"), max_length=200)
    units_visited = models.CharField(_("参加或督查单位"), max_length=300, blank=True)
    findings = models.TextField(_("主要情况和发现的问题"), blank=True)

    class Meta:
        verbose_name = _("会议与督查调研")
        verbose_name_plural = _("会议与督查调研")
        ordering = ["plan", "held_on", "pk"]
        constraints = [*_review_checks("meeting")]

    def __str__(self) -> str:
        return self.title


class Rectification(models.Model):
    """整改事项: what a meeting or inspection asked a unit to put right, by when; the unit
    reports progress, a reviewer closes it (销号)."""

    meeting = link(Meeting, "rectifications", _("会议与督查调研"))
    description = models.TextField(_("整改事项"))
    department = link(Department, "rectifications", _("责任单位"))
    region = optional_region("rectifications")
    due_on = models.DateField(_("整改时限"))
    progress = models.TextField(_("整改情况"), blank=True)
    progress_by = user_field(_("反馈人"))
    progress_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = user_field(_("销号人"))
    close_note = models.TextField(_("销号意见"), blank=True)
    created_by = user_field(_("登记人"), optional=False)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_on", "pk"]
        constraints = [
            check(
                ~Q(description=""), "rectification_description_not_empty", _("整改事项不能为空。")
            ),
            check(
                Q(closed_on__isnull=True) | Q(closed_by__isnull=False),
                "rectification_closed_has_closer",
                _("销号必须记录销号人。"),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:50]

    @property
    def unit_name(self) -> str:
        return unit_name(self.department, self.region)

    def is_overdue(self, on: date) -> bool:
        """逾期 on a day: still open after its 时限."""
        return self.closed_on is None and self.due_on < on


class SelfAssessment(RegisterRecord):
    """A department's self-assessment (自评) for the mid-year review (年中督导, June) or the
    year-end summary (年底总结, December): its clerk writes it, a reviewer approves it, and the
    review's report quotes the approved one. One per department, plan and period."""

    class Period(models.IntegerChoices):
        MID_YEAR = 6, _("年中督导")
        YEAR_END = 12, _("年底总结")

    period = models.PositiveSmallIntegerField(_("阶段"), choices=Period)
    text = models.TextField(_("自评情况"))

    class Meta:
        verbose_name = _("部门自评")
        verbose_name_plural = _("部门自评")
        ordering = ["plan", "period", "department", "pk"]
        constraints = [
            *_review_checks("selfassessment"),
            check(
                Q(period__in=[6, 12]),
                "selfassessment_period_6_or_12",
                _("自评只在年中（6月）和年底（12月）。"),
            ),
            check(~Q(text=""), "selfassessment_text_not_empty", _("自评情况不能为空。")),
            check(
                Q(region__isnull=True),
                "selfassessment_citywide",
                _("部门自评由部门（市本级）填写。"),
            ),
            models.UniqueConstraint(
                fields=["plan", "department", "period"],
                name="selfassessment_one_per_period",
                violation_error_message=_("本部门该阶段的自评已登记，请修改原记录。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_period_display()}"


REGISTER_MODELS: dict[str, type[RegisterRecord]] = {
    "competitions": Competition,
    "pilots": EvaluationPilot,
    "annual-plans": AnnualPlan,
    "meetings": Meeting,
    "self-assessments": SelfAssessment,
}
