"""The access policy of a county's own papers: its bulletin (县区通报), its workbook, and the
split of its targets among its parts (乡镇、街道 or 责任单位).

Part of ``policy``, kept in its own module so that each stays short: ``policy`` re-exports every
question here and callers ask them there (``policy.may_export_county``), like any other.

A county's reviewer, leader and auditor (县区人社局) read their county's bulletin; its reviewer
publishes it, as may the city's publishers; its auditor exports its workbook. The city's own
bulletin and workbook stay the city's people's (``may_view_dashboard``, ``may_export``). The
city's readers read every county's bulletin, the city's exporters export every county's book.
A county's reviewer splits its county's targets among its parts, as may an administrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Region
from .policy import (
    EXPORT_ROLES,
    Role,
    county_home,
    county_of,
    may_administer,
    may_export,
    may_publish_bulletin,
    reads_all,
    reads_county,
    role_of,
)

if TYPE_CHECKING:
    from .policy import User


def may_read_bulletins(user: User) -> bool:
    """Open the bulletin pages at all: the city's readers (every bulletin), and a county's
    own people (their county's, ``may_view_county``); not a province's leader, who has none."""
    return reads_all(user) or county_home(user) is not None


def may_publish_county_bulletin(user: User, region: Region) -> bool:
    """Publish (freeze) a county's bulletin: that county's own reviewer, and those who publish
    the city's (the city's reviewers, administrators)."""
    if may_publish_bulletin(user):
        return True
    return role_of(user) == Role.REVIEWER and county_of(user) == region.pk


def may_export_county(user: User, region: Region) -> bool:
    """Export one county's workbook (that county's rows only): the city's exporters, and
    that county's own auditor."""
    return role_of(user) in EXPORT_ROLES and reads_county(user, region.pk)


def may_open_exports(user: User) -> bool:
    """Open the exports pages at all: the city's exporters, and a county's auditor (who finds
    their county's workbook there)."""
    return may_export(user) or (role_of(user) == Role.AUDITOR and county_of(user) is not None)


def may_split_county(user: User, region: Region) -> bool:
    """Set a county's parts' shares of its targets: that county's own reviewer (县区人社局),
    and administrators."""
    if may_administer(user):
        return True
    return role_of(user) == Role.REVIEWER and county_of(user) == region.pk
