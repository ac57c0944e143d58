from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from targets import policy
from targets.models import Plan

from .. import api, selectors


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def progress_api(request: HttpRequest, year: int) -> JsonResponse:
    """GET /api/progress/<year>/?as_of=YYYY-MM (CONTRACT.md); clerks are refused."""
    if request.method not in ("GET", "HEAD"):
        response = _error(405, _("只支持 GET 请求。"))
        response["Allow"] = "GET, HEAD"
        return response
    if not request.user.is_authenticated:
        return _error(401, _("请先登录。"))
    if not policy.may_view_dashboard(request.user):
        return _error(403, _("您无权查看进度数据。"))
    plan = Plan.objects.filter(year=year).first()
    # A draft plan is not there yet for anyone but administrators (policy.may_view_plan).
    if plan is None or not policy.may_view_plan(request.user, plan):
        return _error(404, _("没有 %(year)s 年度的方案。") % {"year": year})
    try:
        month = selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        return _error(400, str(exc))
    found = selectors.progress(plan, month)
    if found is None:
        return _error(503, _("进度汇总尚未生成，请稍后再试或由管理员运行 rollup。"))
    return JsonResponse(api.document(found), json_dumps_params={"ensure_ascii": False})
