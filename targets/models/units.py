"""Organisation units: the tree 省 → 市 → its places (县、区 and 市直) → their parts (乡镇、街道
or 责任单位), by GB/T 2260 code (nine digits for a part, GB/T 10114), and the questions every
page asks of it (a plan's places, a place's parts, this installation's city)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .fields import check

if TYPE_CHECKING:
    from .plan import Plan


class Region(models.Model):
    """An organisation unit of the tree province → city → its places, by GB/T 2260 code.

    A plan belongs to a city (or a province) and its figures are reported by the unit's
    children, its places (``places_of``): the counties and districts, and 市直 (the city's own
    units). A province's places are its cities.

    市直 gathers the figures of city-level units (市直学校, 市属企业, 市级培训机构) that belong
    to no county. It takes part in entry, review, splits and rollups like a county; pages tell
    it apart by its kind. Its code is GB/T 2260's 410601 (鹤壁市市辖区), the code statistics
    systems use for the city's own level: it is no county's and sorts before them.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县")
        CITY = "city", _("市直")
        PREFECTURE = "prefecture", _("市")
        PROVINCE = "province", _("省")
        TOWNSHIP = "township", _("乡镇（责任单位）")

    # The kinds that report figures to a city's plan.
    PLACE_KINDS = (Kind.DISTRICT, Kind.COUNTY, Kind.CITY)

    code = models.CharField(
        _("行政区划代码"),
        max_length=9,
        unique=True,
        help_text=_("GB/T 2260 六位代码；乡镇（责任单位）为九位：所属县区代码加三位"),
        validators=[
            RegexValidator(
                r"^[1-9][0-9]{5}([0-9]{3})?$", _("行政区划代码必须是六位数字（乡镇为九位）。")
            )
        ],
    )
    # Unique among the places and above; a part's name only within its county (many counties
    # have a 城关镇).
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("县区")
        verbose_name_plural = _("县区")
        ordering = ["order", "code"]
        constraints = [
            check(
                (Q(kind="township") & Q(code__regex=r"^[1-9][0-9]{8}$"))
                | (~Q(kind="township") & Q(code__regex=r"^[1-9][0-9]{5}$")),
                "region_code_six_digits",
                _("行政区划代码必须是六位数字（乡镇为九位）。"),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=~Q(kind="township"),
                name="region_name_unique",
                violation_error_message=_("已有同名的单位。"),
            ),
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(kind="township"),
                name="region_township_name_unique",
                violation_error_message=_("该县区已有同名的乡镇（责任单位）。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_city_level(self) -> bool:
        return self.kind == self.Kind.CITY

    @property
    def is_township(self) -> bool:
        return self.kind == self.Kind.TOWNSHIP

    def clean(self) -> None:
        above = {
            self.Kind.PROVINCE: (),
            self.Kind.PREFECTURE: (self.Kind.PROVINCE,),
            self.Kind.TOWNSHIP: self.PLACE_KINDS,
        }.get(self.kind, (self.Kind.PREFECTURE,))
        parent = self.parent
        if self.kind == self.Kind.TOWNSHIP and parent is None:
            raise ValidationError({"parent": _("乡镇（责任单位）必须属于一个县区。")})
        if parent is not None and parent.kind not in above:
            raise ValidationError(
                {"parent": _("上级单位的类型不对：乡镇属于县区，县区属于市，市属于省。")}
            )
        if self.kind == self.Kind.TOWNSHIP and not self.code.startswith(parent.code):
            raise ValidationError({"code": _("乡镇（责任单位）的代码必须以所属县区的代码开头。")})


# The city-level place (市直): see ``Region``.
CITY_LEVEL_CODE = "410601"
# This installation's city and its province: a plan made without a unit is the city's.
HOME_UNIT = ("410600", "鹤壁市")
HOME_PROVINCE = ("410000", "河南省")


def is_province(plan: Plan) -> bool:
    """Is this a province's plan (its places are cities, its figures their plans' rollups)?"""
    return plan.unit.kind == Region.Kind.PROVINCE


def home_unit() -> Region | None:
    """The city whose plans this installation keeps (鹤壁市), once it exists: the migration
    makes it where places or plans existed before, a plan definition's loader otherwise."""
    return Region.objects.filter(code=HOME_UNIT[0]).first()


def local_places() -> models.QuerySet[Region]:
    """The places of this installation's city, whichever year: what a plan definition of the
    city (a workbook, a file) may name."""
    return Region.objects.filter(parent__code=HOME_UNIT[0]).order_by("order", "code")


def places_of(plan: Plan) -> models.QuerySet[Region]:
    """The places a plan's figures are reported by (its counties, districts and 市直), in page
    order: every page, export, rollup and form that lists or looks up "the counties" of a plan
    asks here."""
    return Region.objects.filter(parent_id=plan.unit_id).order_by("order", "code")


def place_of(plan: Plan, code: str) -> Region | None:
    """The plan's place with this code, or None."""
    return places_of(plan).filter(code=code).first()


def place_by_code(code: str) -> Region | None:
    """A place (county, district or 市直) with this code, whichever plan it reports to: for a
    request that names a place before it names a plan. None if there is none."""
    return Region.objects.filter(code=code, kind__in=Region.PLACE_KINDS).first()


def parts_of(place: Region) -> models.QuerySet[Region]:
    """A place's parts (its 乡镇、街道 or 责任单位), in page order; none where the county does
    not split further."""
    return Region.objects.filter(parent=place, kind=Region.Kind.TOWNSHIP).order_by("order", "code")


def with_has_parts(places: models.QuerySet[Region]) -> models.QuerySet[Region]:
    """``places``, each with ``has_parts``: whether it splits further, read in the same query
    (a page linking each place's cells to their breakdown asks no more)."""
    parts = Region.objects.filter(parent=OuterRef("pk"), kind=Region.Kind.TOWNSHIP)
    return places.annotate(has_parts=Exists(parts))
