"""项目库 and 一项目一台账: the plan's construction projects (三、（三）) and one ledger each.

A ``Project`` belongs to a unit like a ``WorkStep`` does (a department, city-wide or in one
county or 市直: the pair a clerk's membership names) and stands in a county (``county``, what
the library filters by). Its 申报书 and 建设方案 are ``ProjectFile`` rows pointing to stored
``EvidenceFile`` s (PROTECT: a file a project names is never deleted from under it).

The ledger is one model, ``ProjectEntry``, with a ``kind`` and typed nullable fields, rather
than five small models: every row of every part is entered, sent, reviewed and locked the same
way, shows the same source (entered by/at) and approver, and sits in the same trail, so one
model keeps one set of services, one policy question and one review form. What each kind needs
is stated as database checks: a kind's own fields are required, every other kind's are empty
(``KIND_FIELDS``). The parts:

- 建设节点 (``milestone``): ``name``, ``planned_on``, ``done_on`` (optional), ``progress``;
- 配套资金 (``funding``): ``source``, ``planned_amount`` and ``arrived_amount`` (whole 元), ``on``;
- 分解培训任务 (``training``): the ``indicator`` it contributes to, ``assigned`` and
  ``achieved``, counted in the indicator's unit (人 or 人次; sums never mix units);
- 专业与教材 (``product``): ``product_kind`` (专业/教材), ``name``, ``on``;
- 承办竞赛 (``competition``): ``name``, ``level`` (市/省/国家), ``on``, ``participants``.

A row is a draft, sent, approved (locked, never changed again) or returned (its unit changes
and sends it again). ``ProjectEvent`` is the whole project's trail: the project saved, files
attached, and every create, change and status change of its rows, each with its actor.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .evidence import EvidenceFile
from .fields import check, link, optional_region, user_field
from .figures import ReviewStatus, WorkflowEvent
from .plan import Department, Indicator, Milestone, Plan, Region
from .work import unit_name

MAX_AMOUNT = 10**12  # 元: far above any project's budget; guards against typos
TRAINING_UNITS = ("人", "人次")
# The typed fields each kind of ledger row uses; every other typed field stays empty.
KIND_FIELDS = {
    "milestone": ("name", "planned_on", "done_on", "progress"),
    "funding": ("source", "planned_amount", "arrived_amount", "on"),
    "training": ("indicator", "assigned", "achieved"),
    "product": ("product_kind", "name", "on"),
    "competition": ("name", "level", "on", "participants"),
}


class Project(models.Model):
    """One project of the library (项目库), of a unit, in a county."""

    plan = link(Plan, "projects", _("年度方案"))
    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("项目名称"), max_length=200)
    department = link(Department, "projects", _("责任部门"))
    region = optional_region("projects")
    county = link(Region, "located_projects", _("所在县区"))
    description = models.TextField(_("建设内容"), blank=True)
    milestone = link(Milestone, "projects", _("重点工作"), optional=True, on_delete=models.SET_NULL)
    created_by = user_field(_("创建人"), optional=False)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目库")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="project_code_unique_in_plan",
                violation_error_message=_("同一年度方案中项目代码不能重复。"),
            ),
            check(~Q(name=""), "project_name_not_empty", _("项目名称不能为空。")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_name(self) -> str:
        return unit_name(self.department, self.region)


class ProjectFile(models.Model):
    """A project's 申报书, 建设方案 or other file: a stored evidence file."""

    class Role(models.TextChoices):
        APPLICATION = "application", _("项目申报书")
        CONSTRUCTION_PLAN = "plan", _("建设方案")
        OTHER = "other", _("其他材料")

    project = link(Project, "files", _("项目"))
    evidence = link(EvidenceFile, "project_links", _("文件"))
    role = models.CharField(_("材料类别"), max_length=12, choices=Role)

    class Meta:
        verbose_name = _("项目材料")
        verbose_name_plural = _("项目材料")
        ordering = ["project", "role", "evidence"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "evidence"],
                name="projectfile_unique",
                violation_error_message=_("该文件已附在这个项目上。"),
            ),
            check(
                Q(role__in=["application", "plan", "other"]),
                "projectfile_role_known",
                _("材料类别必须是项目申报书、建设方案或其他材料。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_role_display()} · {self.evidence}"


class ProjectEntry(models.Model):
    """One row of a project's ledger (一项目一台账), of one part (``kind``); see the module."""

    Status = ReviewStatus
    Progress = Milestone.Status

    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("建设节点")
        FUNDING = "funding", _("配套资金")
        TRAINING = "training", _("分解培训任务")
        PRODUCT = "product", _("专业与教材")
        COMPETITION = "competition", _("承办竞赛")

    class ProductKind(models.TextChoices):
        SPECIALITY = "speciality", _("专业")
        TEXTBOOK = "textbook", _("教材")

    class Level(models.TextChoices):
        CITY = "city", _("市级")
        PROVINCE = "province", _("省级")
        NATION = "nation", _("国家级")

    project = link(Project, "entries", _("项目"))
    kind = models.CharField(_("台账类别"), max_length=12, choices=Kind)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    planned_on = models.DateField(_("计划时间"), null=True, blank=True)
    done_on = models.DateField(_("完成时间"), null=True, blank=True)
    progress = models.CharField(_("进展状态"), max_length=12, choices=Progress, blank=True)
    source = models.CharField(_("资金来源"), max_length=200, blank=True)
    planned_amount = models.PositiveBigIntegerField(_("计划金额（元）"), null=True, blank=True)
    arrived_amount = models.PositiveBigIntegerField(_("到位金额（元）"), null=True, blank=True)
    on = models.DateField(_("日期"), null=True, blank=True)
    indicator = link(Indicator, "project_entries", _("计入指标"), optional=True)
    assigned = models.PositiveIntegerField(_("分解任务数"), null=True, blank=True)
    achieved = models.PositiveIntegerField(_("完成数"), null=True, blank=True)
    product_kind = models.CharField(_("类型"), max_length=12, choices=ProductKind, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=Level, blank=True)
    participants = models.PositiveIntegerField(_("参赛人数"), null=True, blank=True)

    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    review_comment = models.TextField(_("审核意见"), blank=True)
    entered_by = user_field(_("填报人"), optional=False)
    entered_at = models.DateTimeField(_("填报时间"))
    submitted_by = user_field(_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = user_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目台账")
        verbose_name_plural = _("项目台账")
        ordering = ["project", "kind", "pk"]
        constraints = [
            check(
                Q(kind__in=["milestone", "funding", "training", "product", "competition"]),
                "projectentry_kind_known",
                _("台账类别未知。"),
            ),
            check(
                ~Q(status="approved") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                "projectentry_approved_has_reviewer",
                _("已审核的台账必须记录审核人和审核时间。"),
            ),
            check(
                Q(status="draft") | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                "projectentry_submitted_has_submitter",
                _("已报送的台账必须记录报送人和报送时间。"),
            ),
            check(
                Q(planned_amount__isnull=True) | Q(planned_amount__lte=MAX_AMOUNT),
                "projectentry_planned_amount_bounded",
                _("金额过大，请检查。"),
            ),
            check(
                Q(arrived_amount__isnull=True) | Q(arrived_amount__lte=MAX_AMOUNT),
                "projectentry_arrived_amount_bounded",
                _("金额过大，请检查。"),
            ),
            check(
                Q(done_on__isnull=True) | Q(progress="done"),
                "projectentry_done_on_when_done",
                _("只有已完成的建设节点填写完成时间。"),
            ),
            *[
                check(
                    ~Q(kind=kind) | required,
                    f"projectentry_{kind}_fields",
                    _("台账缺少该类别的必填内容。"),
                )
                for kind, required in (
                    ("milestone", ~Q(name="") & Q(planned_on__isnull=False) & ~Q(progress="")),
                    (
                        "funding",
                        ~Q(source="")
                        & Q(planned_amount__isnull=False, arrived_amount__isnull=False)
                        & Q(on__isnull=False),
                    ),
                    (
                        "training",
                        Q(indicator__isnull=False, assigned__isnull=False, achieved__isnull=False),
                    ),
                    ("product", ~Q(name="") & ~Q(product_kind="") & Q(on__isnull=False)),
                    (
                        "competition",
                        ~Q(name="")
                        & ~Q(level="")
                        & Q(on__isnull=False, participants__isnull=False),
                    ),
                )
            ],
            # Each typed field is empty except in the kinds that use it.
            *[
                check(
                    Q(kind__in=kinds) | empty,
                    f"projectentry_{field}_only_in_kind",
                    _("台账含有不属于该类别的内容。"),
                )
                for field, kinds, empty in (
                    ("name", ["milestone", "product", "competition"], Q(name="")),
                    ("planned_on", ["milestone"], Q(planned_on__isnull=True)),
                    ("progress", ["milestone"], Q(progress="")),
                    ("source", ["funding"], Q(source="")),
                    ("planned_amount", ["funding"], Q(planned_amount__isnull=True)),
                    ("arrived_amount", ["funding"], Q(arrived_amount__isnull=True)),
                    ("on", ["funding", "product", "competition"], Q(on__isnull=True)),
                    ("indicator", ["training"], Q(indicator__isnull=True)),
                    ("assigned", ["training"], Q(assigned__isnull=True)),
                    ("achieved", ["training"], Q(achieved__isnull=True)),
                    ("product_kind", ["product"], Q(product_kind="")),
                    ("level", ["competition"], Q(level="")),
                    ("participants", ["competition"], Q(participants__isnull=True)),
                )
            ],
            check(
                Q(product_kind__in=["", "speciality", "textbook"]),
                "projectentry_product_kind_known",
                _("类型必须是专业或教材。"),
            ),
            check(
                Q(level__in=["", "city", "province", "nation"]),
                "projectentry_level_known",
                _("竞赛级别必须是市级、省级或国家级。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} · {self.pk}"

    @property
    def unit(self) -> str:
        """What ``assigned``/``achieved`` count: the indicator's unit (人 or 人次)."""
        return self.indicator.unit if self.indicator_id else ""

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)


class ProjectEvent(WorkflowEvent):
    """The project's trail: the project saved (create/change), a file attached or taken off (the
    file's name in ``reason``), and each ledger row's create, change, send, approval and return."""

    project = link(Project, "events", _("项目"))
    entry = link(ProjectEntry, "events", _("项目台账"), optional=True)

    subject_field = "project"

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
