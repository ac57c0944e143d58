"""Which county dashboards a person opens: the city's readers every county's, a county's own
people their county's, nobody else any (``may_view_county_dashboards``, ``may_view_county``)."""

from __future__ import annotations

import pytest

from targets import policy

pytestmark = pytest.mark.django_db


def test_county_dashboards(county_people, people, regions) -> None:
    xun, qibin = regions["410621"], regions["410611"]
    for role, person in county_people.items():
        assert policy.may_view_county_dashboards(person), role
        assert policy.may_view_county(person, xun) and not policy.may_view_county(person, qibin)
    for role in ("reviewer", "leader", "auditor", "administrator", "superuser"):
        assert policy.may_view_county_dashboards(people[role]), role
        assert policy.may_view_county(people[role], qibin), role
    for role in ("clerk", "county_clerk", "outsider"):
        assert not policy.may_view_county_dashboards(people[role]), role
        assert not policy.may_view_county(people[role], xun), role
