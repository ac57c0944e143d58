"""County splits through region_target_set: created, updated, refused above the city target."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from targets.models import Indicator, Plan, Region
from targets.services import region_target_set
from tests.targets.services_flow import message, written

pytestmark = pytest.mark.django_db

# --- County splits --------------------------------------------------------------------------


def test_region_target_set_creates_and_updates(rural: Indicator, qibin: Region, xun: Region):
    region_target_set(reason="测试：县区分解", indicator=rural, region=qibin, target=12_000)
    region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=6_000)
    region_target_set(
        reason="测试：县区分解", indicator=rural, region=xun, target=8_000
    )  # up to exactly 20,000
    assert dict(rural.region_targets.values_list("region__code", "target")) == {
        "410611": 12_000,
        "410621": 8_000,
    }


def test_region_target_set_refuses_a_split_above_the_city_target(
    rural: Indicator, qibin: Region, xun: Region
) -> None:
    region_target_set(reason="测试：县区分解", indicator=rural, region=qibin, target=12_000)
    region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=6_000)
    before = written()

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        region_target_set(reason="测试：县区分解", indicator=rural, region=xun, target=8_001)
    text = message(caught.value)
    assert "超过全市目标" in text
    assert "20001" in text or "20,001" in text  # the new total
    assert "20000" in text or "20,000" in text  # the city target

    assert written() == before


def test_region_target_set_refuses_a_new_county_over_the_city_target(
    rural: Indicator, regions: dict[str, Region]
) -> None:
    region_target_set(
        reason="测试：县区分解", indicator=rural, region=regions["410611"], target=12_000
    )
    before = written()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        region_target_set(
            reason="测试：县区分解", indicator=rural, region=regions["410622"], target=9_000
        )
    text = message(caught.value)
    assert "21000" in text and "20000" in text and "12000" in text
    assert written() == before


@pytest.mark.parametrize(("code", "target"), [("rural-transfer", -1), ("veterans-pass", 10)])
def test_region_target_set_refuses_negative_splits_and_rates(
    plan: Plan, qibin: Region, code: str, target: int
) -> None:
    before = written()
    with pytest.raises(ValidationError):
        region_target_set(
            reason="测试：县区分解",
            indicator=plan.indicators.get(code=code),
            region=qibin,
            target=target,
        )
    assert written() == before
