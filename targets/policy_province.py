"""The access policy of a province's page (省级进度看板): how the province's cities stand.

Part of ``policy``, kept in its own module so that each stays short: ``policy`` re-exports every
question here and callers ask them there (``policy.may_view_province``), like any other.

A leader whose ``Membership.region`` is a province (省级领导) reads that province's page only:
``county_of`` gives their province's id, so they are not ``reads_all`` and every page of the
city and of its counties refuses them, as it refuses another county's people. The city's
readers see the province's page too (how their city ranks); administrators every province's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Region
from .policy import Role, membership_of, reads_all, role_of

if TYPE_CHECKING:
    from .policy import User


def province_of(user: User) -> Region | None:
    """The province a province's leader (省级领导) reads; ``None`` for everyone else."""
    if role_of(user) != Role.LEADER:
        return None
    region = membership_of(user).region
    return region if region is not None and region.kind == Region.Kind.PROVINCE else None


def may_view_province(user: User, unit: Region) -> bool:
    """Open the page of the province ``unit``: administrators and the city's readers
    (``reads_all``), and that province's own leader; nobody else."""
    if reads_all(user):
        return True
    own = province_of(user)
    return own is not None and own.pk == unit.pk


def may_view_provinces(user: User) -> bool:
    """Open a province's page at all (which one: ``may_view_province``): the city's readers
    and a province's leader; a clerk or anyone else is refused before any code is read."""
    return reads_all(user) or province_of(user) is not None
