"""GET /api/workitems/<year>/?as_of=YYYY-MM (CONTRACT.md): the same people as the progress API
(``views.api.progress_api``), answered the same way, in Chinese JSON."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from targets import policy
from targets.models import local_plans
from targets.work_selectors import work_items

from .. import selectors, workitems


def _answer(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refused(request: HttpRequest, year: int) -> JsonResponse | None:
    """The progress API's refusals, in its order: method, sign-in, role, plan."""
    user = request.user
    if request.method not in ("GET", "HEAD"):
        refusal = _answer({"error": _("只支持 GET 请求。")}, 405)
        refusal["Allow"] = "GET, HEAD"
        return refusal
    if not user.is_authenticated:
        return _answer({"error": _("请先登录。")}, 401)
    if not policy.may_view_dashboard(user):
        return _answer({"error": _("您无权查看重点工作进展。")}, 403)
    plan = local_plans().filter(year=year).first()
    if plan is None or not policy.may_view_plan(user, plan):
        return _answer({"error": _("没有 %(year)s 年度的方案。") % {"year": year}}, 404)
    return None


def workitems_api(request: HttpRequest, year: int) -> JsonResponse:
    """The plan's work items with their status and their steps' as of the month (``as_of``)."""
    refusal = _refused(request, year)
    if refusal is not None:
        return refusal
    plan = local_plans().get(year=year)
    try:
        month = selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        return _answer({"error": str(exc)}, 400)
    return _answer(workitems.document(plan, month, work_items(plan, month)))
