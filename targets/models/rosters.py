"""Training classes (培训班) and their rosters (花名册): the people behind a training figure.

A class belongs to one quota item, one county (or 市直) and the item's department; it counts
in the month its training ends (``month``, set from ``end_on`` unless the plan says otherwise).
Its roster is one row per person (``Trainee``). A person's 公民身份号码 is personal data: the
column holds it encrypted (``personal_data.EncryptedText``), ``id_hash`` is the keyed hash
duplicates are found by (indexed), ``id_masked`` the only form pages and files show; birth
date and sex are derived from the number when the row is checked, never typed. A phone and a
残疾证号 (which contains the ID number) are encrypted too.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..personal_data import EncryptedText
from .fields import check, link, user_field
from .plan import Indicator
from .units import Region


class TrainingClass(models.Model):
    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("就业技能培训")
        UPGRADE = "upgrade", _("岗位技能提升培训")
        ENTREPRENEURSHIP = "entrepreneurship", _("创业培训")
        OTHER = "other", _("其他培训")

    indicator = link(Indicator, "training_classes", _("部门任务"))
    region = link(Region, "training_classes", _("县区"))
    institution = models.CharField(_("培训机构"), max_length=100)
    occupation = models.CharField(_("职业（工种）"), max_length=50)
    kind = models.CharField(_("培训类别"), max_length=20, choices=Kind)
    start_on = models.DateField(_("开班日期"))
    end_on = models.DateField(_("结业日期"))
    hours = models.PositiveSmallIntegerField(_("培训课时"))
    month = models.PositiveSmallIntegerField(_("计入月份"))
    created_by = user_field(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"))
    roster_changed_at = models.DateTimeField(_("花名册更新时间"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("演示数据"), default=False, help_text=_("演示用的培训班和学员是虚构的。")
    )

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["indicator", "region", "month", "start_on", "pk"]
        indexes = [models.Index(fields=["indicator", "region", "month"])]
        constraints = [
            check(
                Q(end_on__gte=F("start_on")), "class_ends_after_start", _("结业日期早于开班日期。")
            ),
            check(Q(month__gte=1, month__lte=12), "class_month_1_12", _("计入月份应为1至12月。")),
            check(Q(hours__gte=1), "class_has_hours", _("培训课时至少为1。")),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation} ({self.start_on}–{self.end_on})"


class Trainee(models.Model):
    class Category(models.TextChoices):
        RURAL = "rural", _("农村转移劳动力")
        EMPLOYEE = "employee", _("在岗职工")
        UNEMPLOYED = "unemployed", _("失业人员")
        POOR = "poor", _("贫困人口")
        DISABLED = "disabled", _("残疾人")
        VETERAN = "veteran", _("退役士兵")
        FARMER = "farmer", _("新型职业农民")
        OTHER = "other", _("其他人员")

    class Appraisal(models.TextChoices):
        NONE = "", _("未鉴定")
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")

    training_class = link(
        TrainingClass, "trainees", _("培训班"), on_delete=models.CASCADE
    )  # a roster is its class's: replaced whole, removed with it
    row = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("姓名"), max_length=30)
    id_number = EncryptedText(_("公民身份号码（加密）"))
    id_hash = models.CharField(_("身份号码匹配码"), max_length=64, db_index=True)
    id_masked = models.CharField(_("公民身份号码"), max_length=18)
    birth_date = models.DateField(_("出生日期"))
    male = models.BooleanField(_("男性"))
    household = models.CharField(_("户籍所在县区"), max_length=50)
    category = models.CharField(_("人员类别"), max_length=20, choices=Category)
    disability_card = EncryptedText(_("残疾证号（加密）"), blank=True, default="")
    phone = EncryptedText(_("联系电话（加密）"), blank=True, default="")
    appraisal = models.CharField(
        _("鉴定结果"), max_length=10, choices=Appraisal, blank=True, default=""
    )

    class Meta:
        verbose_name = _("培训学员")
        verbose_name_plural = _("培训学员")
        ordering = ["training_class", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "id_hash"],
                name="trainee_once_per_class",
                violation_error_message=_("同一培训班中不能重复登记同一人。"),
            ),
            models.UniqueConstraint(
                fields=["training_class", "row"],
                name="trainee_row_unique",
                violation_error_message=_("同一培训班中序号不能重复。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_masked}"

    @property
    def phone_masked(self) -> str:
        """The phone as pages show it: 139****5678 (a landline: its last four digits)."""
        phone = self.phone
        if not phone:
            return ""
        return phone[:3] + "*" * max(len(phone) - 7, 1) + phone[-4:]


class PersonalDataReveal(models.Model):
    """One showing in clear of a roster row's personal data: who, when, why. Written once,
    never changed; the row it showed may be purged later, its masked number stays here."""

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("公民身份号码")
        PHONE = "phone", _("联系电话")
        DISABILITY_CARD = "disability_card", _("残疾证号")

    at = models.DateTimeField(_("时间"))
    actor = user_field(_("查看人"), optional=False)
    trainee = link(
        Trainee, "reveals", _("学员"), on_delete=models.SET_NULL, optional=True
    )  # a purged roster leaves its reveals listed
    shown = models.CharField(_("查看的信息"), max_length=20, choices=Field)
    trainee_text = models.CharField(_("学员"), max_length=200)
    reason = models.CharField(_("查看理由"), max_length=200)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.trainee_text} · {self.get_shown_display()}"


class RosterPurge(models.Model):
    """Rosters of a closed plan removed after the retention period: what was removed, when."""

    at = models.DateTimeField(_("时间"))
    actor = user_field(_("操作人"), help_text=_("为空表示由系统（命令或定时任务）操作"))
    plan = link("targets.Plan", "roster_purges", _("年度方案"))
    classes = models.PositiveIntegerField(_("培训班数"))
    trainees = models.PositiveIntegerField(_("学员数"))

    class Meta:
        verbose_name = _("花名册清除记录")
        verbose_name_plural = _("花名册清除记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.trainees}"


class FindingNote(models.Model):
    """The responsible clerk's explanation of one finding of the rosters (疑点), and its review.

    A finding is not stored (``roster_findings`` finds it again from the rosters); ``key`` names
    it: its rule, its classes and its roster rows, by id. A finding whose rosters change gets a
    new key, and its old note stays, no longer shown beside anything."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已认可")
        RETURNED = "returned", _("已退回")

    plan = link("targets.Plan", "finding_notes", _("年度方案"))
    key = models.CharField(_("疑点标识"), max_length=300)
    rule = models.CharField(_("疑点类别"), max_length=30)
    text = models.TextField(_("情况说明"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.SUBMITTED)
    explained_by = user_field(_("说明人"), optional=False)
    explained_at = models.DateTimeField(_("说明时间"))
    reviewed_by = user_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("疑点说明")
        verbose_name_plural = _("疑点说明")
        ordering = ["-explained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "key"],
                name="finding_note_once",
                violation_error_message=_("该疑点已有说明。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.get_status_display()}"
