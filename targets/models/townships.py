"""A county split further: its parts' (乡镇、街道 or 责任单位) shares of its targets, and of its
figures.

A county that splits further gives each part a share of its own split of a quota
(``TownshipTarget``): the parts' shares add up to at most the county's, the rest is shown as
未分解, as the county splits add up to at most the city's target. The county reports its figure
as before, one per series and month, and may break it down by part (``TownshipFigure``): the
parts add up to exactly the figure, and the breakdown is reviewed and counted with it. Nothing
else reads a part: entry, review, completeness and the city's rollup see the county.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from .fields import check, link
from .figures import Submission
from .plan import RegionTarget
from .units import Region


class TownshipTarget(models.Model):
    """A part's share of its county's split of a quota's target."""

    split = link(
        RegionTarget, "parts", _("县区分解目标"), on_delete=models.CASCADE
    )  # a county's split removed takes its parts' shares with it
    township = link(Region, "township_targets", _("乡镇（责任单位）"))
    target = models.PositiveIntegerField(_("分解目标"))
    is_demo = models.BooleanField(
        _("演示数据"), default=False, help_text=_("演示用的乡镇分解是虚构的。")
    )

    class Meta:
        verbose_name = _("乡镇分解目标")
        verbose_name_plural = _("乡镇分解目标")
        ordering = ["split", "township"]
        constraints = [
            models.UniqueConstraint(
                fields=["split", "township"],
                name="township_target_unique",
                violation_error_message=_("该指标在此乡镇（责任单位）已有分解目标。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.split} · {self.township.name}: {self.target}"

    def clean(self) -> None:
        if self.split_id is None or self.township_id is None:
            return  # the form reports the missing field itself
        if self.township.parent_id != self.split.region_id:
            raise ValidationError({"township": _("该乡镇（责任单位）不属于这个县区。")})
        others = (
            TownshipTarget.objects.filter(split_id=self.split_id)
            .exclude(pk=self.pk)
            .aggregate(total=Sum("target"))["total"]
            or 0
        )
        if others + (self.target or 0) > self.split.target:
            raise ValidationError(
                {
                    "target": _(
                        "各乡镇（责任单位）分解目标之和（%(total)s）超过了县区分解目标"
                        "（%(county)s）。"
                    )
                    % {"total": others + (self.target or 0), "county": self.split.target}
                }
            )


class TownshipFigure(models.Model):
    """A part's share of one revision of a county's monthly figure."""

    submission = link(Submission, "parts", _("县区数据"), on_delete=models.CASCADE)
    township = link(Region, "township_figures", _("乡镇（责任单位）"))
    value = models.BigIntegerField(
        _("数值"), validators=[MinValueValidator(0, message=_("数值不能为负数。"))]
    )

    class Meta:
        verbose_name = _("乡镇分解数")
        verbose_name_plural = _("乡镇分解数")
        ordering = ["submission", "township"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "township"],
                name="township_figure_unique",
                violation_error_message=_("该乡镇（责任单位）已有分解数。"),
            ),
            check(Q(value__gte=0), "township_figure_not_negative", _("数值不能为负数。")),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.township.name}: {self.value}"
