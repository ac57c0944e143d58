"""Who reports and where: departments, counties (and 市直), and each user's membership."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import link, optional_region


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
    department = link(Department, "members", _("部门"), optional=True)
    region = optional_region("members", help_text=_("为空表示全市各县区"))

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
