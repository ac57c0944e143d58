"""The leaders' dashboard and its drill-downs: rollup tables only (see ``reporting.dashboard``).

Reviewers, leaders, auditors and administrators may open them (``policy.may_view_dashboard``);
clerks get 403. Every page takes ``?as_of=YYYY-MM`` (default: the latest reported month).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from targets import policy
from targets.models import Department, Indicator, Plan, Region
from targets.views import _active_plan, _page, allowed_by

from . import charts, dashboard, selectors
from .filters import QuotaFilter
from .tables import QuotaTable


class _BadAsOf(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _month(request: HttpRequest, plan: Plan) -> int:
    try:
        return selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        raise _BadAsOf(
            _page(
                request, "reporting/dashboard_error.html", {"plan": plan, "message": str(exc)}, 400
            )
        ) from exc


def _common(plan: Plan, month: int) -> dict[str, Any]:
    return {
        "plan": plan,
        "month": month,
        "as_of": f"{plan.year}-{month:02d}",
        "months": dashboard.month_choices(plan),
        "elapsed": month / 12,
    }


def _chart(chart_id: str, title: str, figure: dict[str, Any], note: str = "") -> dict[str, Any]:
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": title,
        "note": note,
        "figure": figure,
    }


def _table(
    request: HttpRequest, rows: list[dict[str, Any]], as_of: str, **kwargs: Any
) -> QuotaTable:
    table = QuotaTable(rows, as_of=as_of, **kwargs)
    RequestConfig(request, paginate=False).configure(table)
    return table


def dashboard_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in, ask the policy, GET only, the active plan, and a 400 page for a bad as-of."""

    @wraps(view)
    @login_required
    @allowed_by(policy.may_view_dashboard)
    @require_GET
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, _active_plan(), *args, **kwargs)
        except _BadAsOf as bad:
            return bad.response

    return wrapped


@dashboard_page
def dashboard_home(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    if plan is None:
        return _page(request, "reporting/dashboard.html", {"plan": None})
    month = _month(request, plan)
    context = _common(plan, month)
    context.update(allocations=dashboard.allocations(plan), milestones=dashboard.milestones(plan))
    document = selectors.progress(plan, month)
    context["document"] = document
    if document is None:
        return _page(request, "reporting/dashboard.html", context)

    quota_filter = QuotaFilter(
        request.GET, queryset=dashboard.quota_rollups(plan, month), plan=plan
    )
    rows = dashboard.quota_rows(quota_filter.qs)
    training = next(
        (goal for goal in document["goals"] if goal.get("unallocated") is not None), None
    )
    goal_charts = []
    if training is not None:
        indicator = Indicator.objects.get(plan=plan, code=training["code"])
        goal_charts.append(
            _chart(
                "chart-goal-progress",
                _("%(goal)s：累计完成与序时进度") % {"goal": indicator.name},
                charts.progress_figure(indicator, dashboard.city_series(plan, indicator), month),
            )
        )
    context.update(
        goals=document["goals"],
        filter=quota_filter,
        table=_table(
            request, rows, context["as_of"], exclude=() if _county(request) else ("place",)
        ),
        counties=list(Region.objects.order_by("order", "code")),
        charts=[
            *goal_charts,
            _chart(
                "chart-heatmap",
                _("部门 × 县区 完成率"),
                charts.heatmap_figure(dashboard.heatmap(document)),
                _("各部门在该县区所有任务完成率的平均值；未分解到县区的任务不计。"),
            ),
            _chart(
                "chart-ranking",
                _("县区排名：培训任务完成率与序时进度"),
                charts.county_ranking_figure(dashboard.county_ranking(document), month),
                _(
                    "与通报相同：各县区已分解任务完成率的平均值，短竖线为这些任务的平均序时进度，虚线为时间进度。"
                ),
            ),
            _chart(
                "chart-veterans",
                _("退役士兵四率与目标"),
                charts.veterans_figure(dashboard.rate_quotas(document)),
            ),
            _chart(
                "chart-completeness",
                _("各月报送率与按时报送率"),
                charts.completeness_figure(dashboard.completeness_by_month(plan), month),
            ),
        ],
    )
    return _page(request, "reporting/dashboard.html", context)


def _county(request: HttpRequest) -> bool:
    return bool(request.GET.get("county"))


def _plan_or_404(plan: Plan | None) -> Plan:
    if plan is None:
        raise Http404(_("目前没有执行中的年度方案。"))
    return plan


@dashboard_page
def dashboard_quota(request: HttpRequest, plan: Plan | None, code: str) -> HttpResponse:
    """One quota by county and by month, its chart, and the figures behind it."""
    plan = _plan_or_404(plan)
    quota = dashboard.quota_by_code(plan, code)
    if quota is None:
        raise Http404(_("没有这项部门任务。"))
    month = _month(request, plan)
    context = _common(plan, month)
    rollups = dashboard.indicator_rollups(plan, quota)
    items = [dashboard.row_item(row) for row in rollups]
    by_month = [item for item in items if item["place"] is None and item["month"] <= month]
    by_county = [item for item in items if item["month"] == month]
    context.update(
        quota=quota,
        has_rollup=bool(rollups),
        by_county=by_county,
        by_month=by_month,
        figures=list(dashboard.figures_behind(request.user, quota, month)),
        charts=[
            _chart(
                "chart-quota-progress",
                _("按月累计完成与序时进度") if quota.kind == "flow" else _("按月完成情况与目标"),
                charts.progress_figure(quota, [r for r in rollups if r.region_id is None], month),
            )
        ]
        if rollups
        else [],
    )
    return _page(request, "reporting/dashboard_quota.html", context)


@dashboard_page
def dashboard_county(request: HttpRequest, plan: Plan | None, code: str) -> HttpResponse:
    """All quotas in one county or district."""
    plan = _plan_or_404(plan)
    if "\x00" in code:  # PostgreSQL refuses a NUL even in a lookup: no such county
        raise Http404(_("没有这个县区。"))
    region = get_object_or_404(Region, code=code)
    month = _month(request, plan)
    context = _common(plan, month)
    rows = dashboard.quota_rows(dashboard.county_rollups(plan, region, month))
    context.update(
        region=region,
        rows=rows,
        table=_table(request, rows, context["as_of"], exclude=("place",)),
    )
    return _page(request, "reporting/dashboard_county.html", context)


@dashboard_page
def dashboard_department(request: HttpRequest, plan: Plan | None, code: str) -> HttpResponse:
    """One department's quotas, city-wide and in each county."""
    plan = _plan_or_404(plan)
    department = get_object_or_404(Department, code=code)
    month = _month(request, plan)
    context = _common(plan, month)
    rows = dashboard.quota_rows(dashboard.department_rollups(plan, department, month))
    context.update(
        department=department,
        rows=rows,
        table=_table(request, rows, context["as_of"], exclude=("department",)),
    )
    return _page(request, "reporting/dashboard_department.html", context)
