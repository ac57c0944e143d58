"""A county's parts' shares of its targets (``services.part_targets_set`` and the page
``/review/parts/<code>/``): the county's own reviewer or an administrator sets them, all at
once, never above the county's split; an active plan's change is kept with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets.models import (
    AuditEntry,
    Indicator,
    Region,
    TargetChange,
    TownshipTarget,
)
from targets.services import part_targets_set, region_target_set
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

XUN = "410621"
PARTS = {"410621101": "示例镇一", "410621102": "示例镇二"}
URL = "/review/parts/410621/"


@pytest.fixture
def xun_split(plan) -> dict[str, Any]:
    """浚县 with two (synthetic) parts and rural transfer's 5,000 split to it."""
    xun = Region.objects.get(code=XUN)
    for index, (code, name) in enumerate(PARTS.items()):
        Region.objects.create(
            code=code, name=name, kind=Region.Kind.TOWNSHIP, parent=xun, order=index
        )
    rural = Indicator.objects.get(plan=plan, code="rural-transfer")
    region_target_set(actor=None, indicator=rural, region=xun, target=5000, reason="测试：县区分解")
    return {"place": xun, "rural": rural}


def shares() -> dict[str, int]:
    return dict(TownshipTarget.objects.values_list("township__code", "target"))


def test_the_countys_reviewer_splits_the_countys_target(xun_split, county_people) -> None:
    part_targets_set(
        actor=county_people["reviewer"],
        indicator=xun_split["rural"],
        place=xun_split["place"],
        shares={"410621101": 3000, "410621102": 1500},
        reason="按乡镇常住人口分解",
    )
    assert shares() == {"410621101": 3000, "410621102": 1500}
    changes = TargetChange.objects.filter(region__code__startswith="4106211")
    assert sorted(changes.values_list("region__code", "new_value", "reason")) == [
        ("410621101", 3000, "按乡镇常住人口分解"),
        ("410621102", 1500, "按乡镇常住人口分解"),
    ]


def test_shares_above_the_countys_split_are_refused_and_nothing_saved(xun_split) -> None:
    part_targets_set(
        actor=None,
        indicator=xun_split["rural"],
        place=xun_split["place"],
        shares={"410621101": 1000},
        reason="初次分解",
    )
    with pytest.raises(ValidationError, match="超过了本县区的分解目标"):
        part_targets_set(
            actor=None,
            indicator=xun_split["rural"],
            place=xun_split["place"],
            shares={"410621101": 500, "410621102": 4600},
            reason="调整",
        )
    assert shares() == {"410621101": 1000}


def test_a_lowered_share_makes_room_for_a_raised_one(xun_split) -> None:
    place, rural = xun_split["place"], xun_split["rural"]
    part_targets_set(
        actor=None,
        indicator=rural,
        place=place,
        shares={"410621101": 4000, "410621102": 1000},
        reason="初次",
    )
    part_targets_set(
        actor=None,
        indicator=rural,
        place=place,
        shares={"410621101": 1000, "410621102": 4000},
        reason="对调",
    )
    assert shares() == {"410621101": 1000, "410621102": 4000}


def test_a_part_left_out_loses_its_share(xun_split) -> None:
    place, rural = xun_split["place"], xun_split["rural"]
    part_targets_set(
        actor=None,
        indicator=rural,
        place=place,
        shares={"410621101": 10, "410621102": 20},
        reason="初次",
    )
    part_targets_set(
        actor=None, indicator=rural, place=place, shares={"410621102": 20}, reason="取消"
    )
    assert shares() == {"410621102": 20}
    assert TargetChange.objects.filter(region__code="410621101", new_value=None).exists()


def test_another_countys_part_is_refused(xun_split) -> None:
    qibin = Region.objects.get(code="410611")
    Region.objects.create(
        code="410611101", name="示例街道", kind=Region.Kind.TOWNSHIP, parent=qibin
    )
    with pytest.raises(ValidationError, match="不属于本县区"):
        part_targets_set(
            actor=None,
            indicator=xun_split["rural"],
            place=xun_split["place"],
            shares={"410611101": 10},
            reason="错",
        )
    assert not TownshipTarget.objects.exists()


def test_an_active_plans_change_needs_a_reason(xun_split) -> None:
    with pytest.raises(ValidationError, match="调整理由"):
        part_targets_set(
            actor=None,
            indicator=xun_split["rural"],
            place=xun_split["place"],
            shares={"410621101": 10},
        )


def test_a_quota_not_split_to_the_county_cannot_be_split_further(xun_split, plan) -> None:
    in_service = Indicator.objects.get(plan=plan, code="in-service")
    with pytest.raises(ValidationError, match="没有分解到本县区"):
        part_targets_set(
            actor=None,
            indicator=in_service,
            place=xun_split["place"],
            shares={"410621101": 10},
            reason="错",
        )


def test_a_draft_plans_split_is_an_audit_entry(xun_split, plan) -> None:
    plan.status = plan.Status.DRAFT
    plan.save(update_fields=["status"])
    part_targets_set(
        actor=None, indicator=xun_split["rural"], place=xun_split["place"], shares={"410621101": 10}
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SPLIT_SET).latest("pk")
    assert entry.detail["region"] == "410621101" and entry.detail["new"] == 10


@pytest.mark.parametrize("who", ["clerk", "city_reviewer", "leader", "other_reviewer"])
def test_only_the_countys_reviewer_and_administrators_split(
    who, xun_split, make_user, reviewer, clerk_of
) -> None:
    actor = {
        "clerk": lambda: clerk_of("hrss"),
        "city_reviewer": lambda: reviewer,
        "leader": lambda: make_user("leader", region=XUN, username="leader-410621"),
        "other_reviewer": lambda: make_user(
            "reviewer", region="410611", username="reviewer-410611"
        ),
    }[who]()
    with pytest.raises(PermissionDenied):
        part_targets_set(
            actor=actor,
            indicator=xun_split["rural"],
            place=xun_split["place"],
            shares={"410621101": 10},
            reason="越权",
        )
    assert not TownshipTarget.objects.exists()
    assert client_for(actor).get(URL).status_code == 403


# The page -----------------------------------------------------------------------------------


def test_the_page_saves_every_quotas_shares(xun_split, county_people) -> None:
    client = client_for(county_people["reviewer"])
    rural = xun_split["rural"]
    page = client.get(URL)
    assert page.status_code == 200
    assert f'name="share-{rural.pk}-410621101"' in page.content.decode()
    response = client.post(
        URL,
        {
            f"share-{rural.pk}-410621101": "2000",
            f"share-{rural.pk}-410621102": "",
            "reason": "分解",
        },
    )
    assert response.status_code == 302
    assert shares() == {"410621101": 2000}


def test_the_page_refuses_too_much_and_keeps_what_was_typed(xun_split, county_people) -> None:
    client = client_for(county_people["reviewer"])
    rural = xun_split["rural"]
    response = client.post(
        URL,
        {
            f"share-{rural.pk}-410621101": "4000",
            f"share-{rural.pk}-410621102": "4000",
            "reason": "分解",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "超过了本县区的分解目标" in page and 'value="4000"' in page
    assert not TownshipTarget.objects.exists()


def test_a_county_without_parts_or_a_code_without_a_county_is_404(xun_split, administrator) -> None:
    client = client_for(administrator)
    assert client.get("/review/parts/410611/").status_code == 404  # no parts
    assert client.get("/review/parts/999999/").status_code == 404


def test_the_county_page_links_to_the_split_for_its_reviewer_only(xun_split, county_people) -> None:
    link = "/review/parts/410621/"
    own = client_for(county_people["reviewer"]).get("/dashboard/county/410621/")
    assert link in own.content.decode()
    leader = client_for(county_people["leader"]).get("/dashboard/county/410621/")
    assert link not in leader.content.decode()
