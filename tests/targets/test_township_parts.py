"""A county split further (乡镇（责任单位）): its parts' codes and names, their shares of the
county's split (never above it: model validation and the database's triggers) and of its
figures."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from targets.models import (
    Indicator,
    Plan,
    Region,
    RegionTarget,
    TownshipFigure,
    TownshipTarget,
    parts_of,
    places_of,
    with_has_parts,
)
from tests.helpers import figure_enter, parts_for
from tests.targets.test_constraints import full_clean_message, refused_by_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def rural(plan: Plan) -> Indicator:
    return plan.indicators.get(code="rural-transfer")


@pytest.fixture
def parts(plan: Plan) -> list[Region]:
    """浚县's three parts."""
    return parts_for("410621", "城关镇", "善堂镇", "屯子镇")


@pytest.fixture
def split(rural: Indicator, regions: dict[str, Region]) -> RegionTarget:
    """浚县's split of rural-transfer: 1,000."""
    return RegionTarget.objects.create(indicator=rural, region=regions["410621"], target=1_000)


# --- The parts' shares of a county's split (triggers) -----------------------------------------


def test_parts_up_to_the_county_split_are_accepted(
    split: RegionTarget, parts: list[Region]
) -> None:
    for part, target in zip(parts, (500, 300, 200), strict=True):
        TownshipTarget.objects.create(split=split, township=part, target=target)
    assert sum(split.parts.values_list("target", flat=True)) == split.target


def test_a_share_above_the_county_split_is_refused(
    split: RegionTarget, parts: list[Region]
) -> None:
    TownshipTarget.objects.create(split=split, township=parts[0], target=600)
    refused_by_database(
        lambda: TownshipTarget.objects.create(split=split, township=parts[1], target=401)
    )
    share = TownshipTarget.objects.create(split=split, township=parts[1], target=400)
    refused_by_database(lambda: TownshipTarget.objects.filter(pk=share.pk).update(target=401))
    assert sorted(split.parts.values_list("target", flat=True)) == [400, 600]


def test_a_county_split_lowered_below_its_parts_is_refused(
    split: RegionTarget, parts: list[Region]
) -> None:
    TownshipTarget.objects.create(split=split, township=parts[0], target=600)
    TownshipTarget.objects.create(split=split, township=parts[1], target=300)
    refused_by_database(lambda: RegionTarget.objects.filter(pk=split.pk).update(target=899))
    split.target = 500
    refused_by_database(split.save)
    # Down to exactly the parts' total is fine.
    RegionTarget.objects.filter(pk=split.pk).update(target=900)
    assert RegionTarget.objects.get(pk=split.pk).target == 900


def test_full_clean_explains_a_share_above_the_county_split(
    split: RegionTarget, parts: list[Region]
) -> None:
    TownshipTarget.objects.create(split=split, township=parts[0], target=700)
    message = full_clean_message(TownshipTarget(split=split, township=parts[1], target=400))
    assert "超过了县区分解目标" in message
    assert "1100" in message and "1000" in message


def test_full_clean_refuses_another_countys_part(
    split: RegionTarget, regions: dict[str, Region]
) -> None:
    (qibin_part,) = parts_for("410611", "金山街道")
    message = full_clean_message(TownshipTarget(split=split, township=qibin_part, target=1))
    assert "不属于这个县区" in message


# --- Codes, kinds and names -------------------------------------------------------------------


def test_a_township_with_a_six_digit_code_is_refused(regions: dict[str, Region]) -> None:
    refused_by_database(
        lambda: Region.objects.create(
            code="410699", name="某镇", kind=Region.Kind.TOWNSHIP, parent=regions["410621"]
        )
    )
    # The model says so too (a six-digit code cannot start with the county's and be another).
    township = Region(code="410699", name="某镇", kind="township", parent=regions["410621"])
    assert "代码" in full_clean_message(township)


def test_a_county_with_a_nine_digit_code_is_refused(plan: Plan) -> None:
    # PostgreSQL takes nine characters (max_length 9): the check constraint refuses them.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Region.objects.create(
            code="410699001",
            name="某县",
            kind=Region.Kind.COUNTY,
            parent=Region.objects.get(code="410600"),
        )
    assert not Region.objects.filter(code="410699001").exists()


def test_a_townships_code_starts_with_its_countys(regions: dict[str, Region]) -> None:
    township = Region(code="410611001", name="某镇", kind="township", parent=regions["410621"])
    assert "必须以所属县区的代码开头" in full_clean_message(township)
    orphan = Region(code="410621001", name="某镇", kind="township")
    assert "必须属于一个县区" in full_clean_message(orphan)


def test_two_counties_may_each_have_a_chengguan_town(plan: Plan) -> None:
    (xun,) = parts_for("410621", "城关镇")
    (qi,) = parts_for("410622", "城关镇")
    assert {xun.parent.code, qi.parent.code} == {"410621", "410622"}
    # Not twice in one county.
    refused_by_database(
        lambda: Region.objects.create(
            code="410621002", name="城关镇", kind=Region.Kind.TOWNSHIP, parent=xun.parent
        )
    )


def test_a_place_lists_its_parts_in_order(parts: list[Region], regions: dict[str, Region]) -> None:
    assert list(parts_of(regions["410621"])) == parts
    assert not parts_of(regions["410611"]).exists()
    counties = with_has_parts(Region.objects.filter(kind="county"))
    flags = dict(counties.values_list("code", "has_parts"))
    assert flags == {"410621": True, "410622": False}


def test_a_part_is_none_of_the_plans_places(plan: Plan, parts: list[Region]) -> None:
    """Entry, review and rollups see the county only."""
    assert not set(parts) & set(places_of(plan))


# --- The parts' shares of a figure ------------------------------------------------------------


def test_a_negative_share_of_a_figure_is_refused(
    plan: Plan, clerk: object, parts: list[Region]
) -> None:
    figure = figure_enter(plan, clerk, "rural-transfer", "410621", 3, 10)
    refused_by_database(
        lambda: TownshipFigure.objects.create(submission=figure, township=parts[0], value=-1)
    )
    TownshipFigure.objects.create(submission=figure, township=parts[0], value=4)
    refused_by_database(
        lambda: TownshipFigure.objects.create(submission=figure, township=parts[0], value=6)
    )
    with pytest.raises(ValidationError):
        TownshipFigure(submission=figure, township=parts[1], value=-1).full_clean()
