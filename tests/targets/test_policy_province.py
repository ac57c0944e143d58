"""A province's leader (省级领导, ``Membership.region`` a province) and the province page's
access policy (``policy.province_of``, ``may_view_province``, ``may_view_provinces``): the
city's readers and administrators, and that province's own leader; nobody else. A province's
leader is none of the city's readers and no county's person."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from targets import policy
from targets.models import Membership, Region
from targets.services import membership_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def henan(plan: Any) -> Region:
    return Region.objects.get(code="410000")


@pytest.fixture
def hebei(plan: Any) -> Region:
    return Region.objects.create(code="130000", name="河北省", kind=Region.Kind.PROVINCE)


# Membership.clean ------------------------------------------------------------------------------


def _membership(make_user: Any, role: str, code: str) -> Membership:
    membership = Membership.objects.get(user=make_user(role))
    membership.region = Region.objects.get(code=code)
    return membership


def test_a_leader_may_belong_to_a_province(plan, make_user) -> None:
    _membership(make_user, "leader", "410000").full_clean()


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_no_other_role_may_belong_to_a_province(plan, make_user, role) -> None:
    with pytest.raises(ValidationError) as refused:
        _membership(make_user, role, "410000").full_clean()
    assert "请选择一个县区或市直" in str(refused.value)


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_nobody_belongs_to_a_city_as_a_unit(plan, make_user, role) -> None:
    with pytest.raises(ValidationError) as refused:
        _membership(make_user, role, "410600").full_clean()
    assert "请选择一个县区或市直" in str(refused.value)


def test_a_clerk_may_not_belong_to_a_province(plan, make_user) -> None:
    with pytest.raises(ValidationError):
        membership_assign(
            user=make_user(None),
            role=Membership.Role.CLERK,
            department=plan.indicators.first().department,
            region=Region.objects.get(code="410000"),
        )


def test_the_service_makes_a_provinces_leader(province_leader, henan) -> None:
    membership = Membership.objects.get(user=province_leader)
    assert (membership.role, membership.region) == ("leader", henan)
    assert not province_leader.is_staff


# The policy, for every role -------------------------------------------------------------------


def test_province_of_is_a_provinces_leaders_province_only(
    people, county_people, province_leader, henan
) -> None:
    assert policy.province_of(province_leader) == henan
    for person in [*people.values(), *county_people.values()]:
        assert policy.province_of(person) is None, person


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor", "administrator", "superuser"])
def test_the_citys_readers_view_every_province(people, henan, hebei, role) -> None:
    assert policy.may_view_provinces(people[role])
    assert policy.may_view_province(people[role], henan)
    assert policy.may_view_province(people[role], hebei)


@pytest.mark.parametrize("role", ["clerk", "county_clerk", "outsider"])
def test_clerks_and_people_without_a_role_view_no_province(people, henan, role) -> None:
    assert not policy.may_view_provinces(people[role])
    assert not policy.may_view_province(people[role], henan)


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_a_countys_people_view_no_province(county_people, henan, role) -> None:
    assert not policy.may_view_provinces(county_people[role])
    assert not policy.may_view_province(county_people[role], henan)


def test_a_provinces_leader_views_their_province_only(province_leader, henan, hebei) -> None:
    assert policy.may_view_provinces(province_leader)
    assert policy.may_view_province(province_leader, henan)
    assert not policy.may_view_province(province_leader, hebei)


def test_another_provinces_leader_does_not_view_this_one(make_user, henan, hebei) -> None:
    other = make_user("leader", region=hebei)
    assert policy.province_of(other) == hebei
    assert not policy.may_view_province(other, henan)


def test_a_provinces_leader_reads_nothing_of_the_city_or_its_counties(
    province_leader, plan
) -> None:
    xun = Region.objects.get(code="410621")
    assert not policy.reads_all(province_leader)
    assert not policy.may_view_dashboard(province_leader)
    assert not policy.may_view_county(province_leader, xun)
    assert not policy.reads_county(province_leader, xun.pk)
    assert not policy.may_read_bulletins(province_leader)
    assert not policy.may_view_projects(province_leader)
    assert not policy.may_open_exports(province_leader)
    assert not policy.may_read_registers(province_leader)
    assert policy.county_home(province_leader) is None
    assert policy.home_url_name(province_leader) == "dashboard"
