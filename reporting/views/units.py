"""Whose paper a request is for: the city's, or one county's (``?unit=<code>``).

Bulletins and workbooks are the city's or a county's own (县区通报, the county's workbook).
Without ``unit`` a county's own people get their county's, everyone else the city's; ``unit``
naming 市直 (410601, the code of the city's own level) is the city's. A county the user may not
read, or no such county, is not found (404): nobody learns of another county's paper; the
city's paper for someone who may not read it is refused (403).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from targets import policy
from targets.models import Region, place_by_code

CODE = re.compile(r"^[1-9][0-9]{5}$")


def paper_place(
    user: Any,
    unit: str | None,
    *,
    city: Callable[[Any], bool],
    county: Callable[[Any, Region], bool],
) -> Region | None:
    """The county whose paper ``unit`` asks for (None: the city's), once ``city(user)`` or
    ``county(user, region)`` of the access policy lets the user have it."""
    if not unit:
        region = policy.county_home(user)
    else:
        if not CODE.match(unit):
            raise Http404(_("没有这个县区。"))
        region = place_by_code(unit)
        if region is None:
            raise Http404(_("没有这个县区。"))
        if region.is_city_level:
            region = None
    if region is None:
        if not city(user):
            raise PermissionDenied
        return None
    if not county(user, region):
        raise Http404(_("没有这个县区。"))
    return region


def unit_query(region: Region | None) -> str:
    """The query string that asks for ``region``'s paper again ("" for the city's)."""
    return "" if region is None else f"?unit={region.code}"
