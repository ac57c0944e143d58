from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from targets import policy
from targets.models import local_plans

from .. import api, selectors
from ..roster_api import roster_document


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


class _Refused(Exception):
    def __init__(self, response: JsonResponse) -> None:
        self.response = response


def _unit(request: HttpRequest) -> selectors.Unit:
    """The unit of ``?unit=`` as this user may read it: without one, a county's own person
    their county, everyone else the city; 400 malformed, 404 no such county, 403 not theirs."""
    user = request.user
    raw = request.GET.get("unit") or None
    if raw is None:
        home = policy.county_home(user)
        unit = selectors.CITY if home is None else selectors.county_unit(home)
    else:
        try:
            unit = selectors.unit_of(raw)
        except selectors.BadUnit as exc:
            raise _Refused(_error(400, str(exc))) from exc
        if unit is None:
            raise _Refused(_error(404, _("没有代码为 %(code)s 的县区。") % {"code": raw}))
    if unit.region is None:
        allowed = policy.may_view_dashboard(user)
    else:
        allowed = policy.may_view_county(user, unit.region)
    if not allowed:
        home = policy.county_home(user)
        message = (
            _("您只能查看%(county)s的进度数据。") % {"county": home.name}
            if home is not None
            else _("您无权查看该单位的进度数据。")
        )
        raise _Refused(_error(403, message))
    return unit


def _plan_and_month(request: HttpRequest, year: int) -> tuple[Any, int]:
    """The plan and as-of month a GET of the APIs asks for, or ``_Refused`` with the answer
    (405, 401, 403 for clerks, 404 no such plan for this user, 400 a bad month)."""
    if request.method not in ("GET", "HEAD"):
        response = _error(405, _("只支持 GET 请求。"))
        response["Allow"] = "GET, HEAD"
        raise _Refused(response)
    if not request.user.is_authenticated:
        raise _Refused(_error(401, _("请先登录。")))
    if not policy.may_view_county_dashboards(request.user):
        raise _Refused(_error(403, _("您无权查看进度数据。")))
    plan = local_plans().filter(year=year).first()
    # A draft plan is not there yet for anyone but administrators (policy.may_view_plan).
    if plan is None or not policy.may_view_plan(request.user, plan):
        raise _Refused(_error(404, _("没有 %(year)s 年度的方案。") % {"year": year}))
    try:
        return plan, selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        raise _Refused(_error(400, str(exc))) from exc


def progress_api(request: HttpRequest, year: int) -> JsonResponse:
    """GET /api/progress/<year>/?as_of=YYYY-MM&unit=<code> (CONTRACT.md); clerks are refused.

    ``unit``: absent or 410600, the city's document (the city's readers); a county's code
    (or 市直's), that county's own document in the same shape (``selectors.progress`` of the
    region): the city's readers, and that county's own people, who get it without ``unit``. A
    county's person asking for the city or another county: 403 (counties' codes are public,
    GB/T 2260: there is no existence to hide); a code no county has: 404; not a six-digit
    code: 400. The document says whose it is (``unit``).
    """
    try:
        plan, month = _plan_and_month(request, year)
        unit = _unit(request)
    except _Refused as refused:
        return refused.response
    found = selectors.progress(plan, month, region=unit.region)
    if found is None:
        return _error(503, _("进度汇总尚未生成，请稍后再试或由管理员运行 rollup。"))
    return JsonResponse(
        api.document(found, unit.as_dict()), json_dumps_params={"ensure_ascii": False}
    )


def rosters_api(request: HttpRequest, year: int) -> JsonResponse:
    """GET /api/rosters/<year>/summary?as_of=YYYY-MM&unit=<code> (CONTRACT.md): counts only,
    never a name or an ID number (``roster_api.roster_document``); who may ask, and for which
    unit, as the progress API."""
    try:
        plan, month = _plan_and_month(request, year)
        unit = _unit(request)
    except _Refused as refused:
        return refused.response
    return JsonResponse(
        roster_document(plan, month, unit.region, unit.as_dict()),
        json_dumps_params={"ensure_ascii": False},
    )
