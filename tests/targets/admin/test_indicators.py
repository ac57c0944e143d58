"""Targets and county splits in the admin: checked on the form, saved through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from targets import services
from targets.models import Indicator, Plan, RegionTarget

from .pages import admin_url, client_for, indicator, indicator_form, region


def _add_qibin_share(user: User, target: int, **extra: str) -> Any:
    """Post the add page: a share of rural-transfer (20,000 city-wide) for 淇滨区."""
    data = {"indicator": indicator("rural-transfer").pk, "region": region("410611").pk}
    return client_for(user).post(
        admin_url(RegionTarget, "add"), {**data, "target": target, **extra}
    )


def test_region_target_over_the_city_target_is_refused_on_the_form(
    superuser: User, split: RegionTarget
) -> None:
    # rural-transfer: 20,000 city-wide, 5,000 already given to 浚县.
    response = _add_qibin_share(superuser, 15001)
    assert response.status_code == 200
    assert "县区分解合计 20001 超过全市目标 20000（其他县区已分解 5000）。" in (
        response.content.decode()
    )
    assert list(RegionTarget.objects.values_list("target", flat=True)) == [5000]


def test_region_target_within_the_city_target_is_saved(
    superuser: User, split: RegionTarget
) -> None:
    response = _add_qibin_share(superuser, 15000, change_reason="测试：淇滨区任务调增")
    assert response.status_code == 302
    assert services.region_targets_total(indicator("rural-transfer")) == 20000


def test_changing_a_region_target_above_the_city_target_is_refused(
    superuser: User, split: RegionTarget
) -> None:
    response = client_for(superuser).post(
        admin_url(RegionTarget, "change", split.pk), {"target": 20001}
    )
    assert response.status_code == 200
    assert "超过全市目标 20000" in response.content.decode()
    split.refresh_from_db()
    assert split.target == 5000


def test_region_target_form_without_an_indicator_shows_an_error(superuser: User) -> None:
    response = client_for(superuser).post(
        admin_url(RegionTarget, "add"), {"region": region("410611").pk, "target": 1}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["indicator"]
    assert not RegionTarget.objects.exists()


def _indicator_form(indicator: Indicator, rows: list[dict[str, Any]], initial: int) -> dict:
    return indicator_form(indicator, rows, initial=initial, change_reason="测试：调整分解")


@pytest.fixture
def two_shares(plan: Plan) -> list[RegionTarget]:
    rural = indicator("rural-transfer")
    return [
        services.region_target_set(
            reason="测试：县区分解", indicator=rural, region=region("410611"), target=5000
        ),
        services.region_target_set(
            reason="测试：县区分解", indicator=rural, region=region("410621"), target=5000
        ),
    ]


def _post_shares(user: User, *rows: dict[str, Any]) -> Any:
    """Post the rural-transfer page with its county-share rows (two of them already saved)."""
    rural = indicator("rural-transfer")
    return client_for(user).post(
        admin_url(Indicator, "change", rural.pk), _indicator_form(rural, list(rows), initial=2)
    )


def _post_three(user: User, two_shares: list[RegionTarget], *targets: int) -> Any:
    """The two saved shares (淇滨区, 浚县) and a new one for 淇县, at ``targets`` in that order."""
    qibin, xunxian = two_shares
    return _post_shares(
        user,
        {"id": qibin.pk, "target": targets[0]},
        {"id": xunxian.pk, "target": targets[1]},
        {"region": region("410622").pk, "target": targets[2]},
    )


def test_inline_shares_over_the_city_target_are_refused(
    superuser: User, two_shares: list[RegionTarget]
) -> None:
    response = _post_three(superuser, two_shares, 12000, 5000, 9000)
    assert response.status_code == 200
    assert "县区分解合计 26000 超过全市目标 20000。" in response.content.decode()
    assert sorted(RegionTarget.objects.values_list("target", flat=True)) == [5000, 5000]


def test_inline_shares_are_rebalanced_in_one_save(
    superuser: User, two_shares: list[RegionTarget]
) -> None:
    # Saved increases-first this would pass 20,000 on the way (9,000 + 5,000 + 8,000).
    response = _post_three(superuser, two_shares, 9000, 2000, 8000)
    assert response.status_code == 302, response.context["errors"]
    assert dict(
        RegionTarget.objects.filter(indicator=indicator("rural-transfer")).values_list(
            "region__code", "target"
        )
    ) == {"410611": 9000, "410621": 2000, "410622": 8000}


def test_inline_share_can_be_deleted(superuser: User, two_shares: list[RegionTarget]) -> None:
    qibin, xunxian = two_shares
    response = _post_shares(
        superuser,
        {"id": qibin.pk, "target": 5000, "DELETE": "on"},
        {"id": xunxian.pk, "target": 5000},
    )
    assert response.status_code == 302
    assert list(RegionTarget.objects.values_list("region__code", flat=True)) == ["410621"]


def test_lowering_a_city_target_below_its_shares_is_refused(
    superuser: User, two_shares: list[RegionTarget]
) -> None:
    rural = indicator("rural-transfer")
    data = _indicator_form(
        rural,
        [{"id": share.pk, "target": share.target} for share in two_shares],
        initial=2,
    )
    data["target"] = 9000
    response = client_for(superuser).post(admin_url(Indicator, "change", rural.pk), data)
    assert response.status_code == 200
    assert "年度目标 9000 低于已分解到县区的合计 10000。" in response.content.decode()
    rural.refresh_from_db()
    assert rural.target == 20000


def test_rates_have_no_county_split_inline(superuser: User, plan: Plan) -> None:
    rate = indicator("veterans-pass")
    response = client_for(superuser).get(admin_url(Indicator, "change", rate.pk))
    assert response.context["inline_admin_formsets"] == []
    assert "90%" in client_for(superuser).get(admin_url(Indicator, "changelist")).content.decode()
