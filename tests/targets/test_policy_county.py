"""``targets.policy_county``: who reads, publishes and exports a county's own papers."""

from __future__ import annotations

from typing import Any

import pytest

from targets import policy
from targets.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(plan: Any) -> dict[str, Region]:
    return {code: Region.objects.get(code=code) for code in ("410621", "410622")}


def test_who_reads_bulletins(people, county_people) -> None:
    readers = {name for name, user in people.items() if policy.may_read_bulletins(user)}
    assert readers == {"reviewer", "leader", "auditor", "administrator", "superuser"}
    for user in county_people.values():
        assert policy.may_read_bulletins(user)
        assert not policy.may_view_dashboard(user)  # the city's bulletin stays the city's


def test_who_publishes_a_countys_bulletin(people, county_people, places) -> None:
    xun, qi = places["410621"], places["410622"]
    publishers = {
        name for name, user in people.items() if policy.may_publish_county_bulletin(user, xun)
    }
    assert publishers == {"reviewer", "administrator", "superuser"}
    assert policy.may_publish_county_bulletin(county_people["reviewer"], xun)
    assert not policy.may_publish_county_bulletin(county_people["reviewer"], qi)
    assert not policy.may_publish_bulletin(county_people["reviewer"])
    for role in ("leader", "auditor"):
        assert not policy.may_publish_county_bulletin(county_people[role], xun)


def test_who_exports_a_countys_workbook(people, county_people, places) -> None:
    xun, qi = places["410621"], places["410622"]
    exporters = {name for name, user in people.items() if policy.may_export_county(user, xun)}
    assert exporters == {"auditor", "administrator", "superuser"}
    auditor = county_people["auditor"]
    assert policy.may_export_county(auditor, xun) and policy.may_open_exports(auditor)
    assert not policy.may_export_county(auditor, qi)
    assert not policy.may_export(auditor)  # the city's workbook
    for role in ("reviewer", "leader"):
        assert not policy.may_open_exports(county_people[role])
        assert not policy.may_export_county(county_people[role], xun)
    openers = {name for name, user in people.items() if policy.may_open_exports(user)}
    assert openers == {"auditor", "administrator", "superuser"}
