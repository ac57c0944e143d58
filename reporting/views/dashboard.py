"""The leaders' dashboard and its drill-downs: rollup tables only (see ``reporting.dashboard``).

The city's reviewers, leaders, auditors and administrators may open them
(``policy.may_view_dashboard``); clerks get 403. A county's own reviewer, leader and auditor
(县区人社局) open their county's dashboard only (``dashboard_county``), a province's leader their
province's (``province.dashboard_province``); ``/dashboard/`` sends them there. Every page takes
``?year=YYYY`` (default: the latest-year active plan, else the latest plan; a draft plan only
for administrators, ``policy.may_view_plan``),
``?as_of=YYYY-MM`` within that year (default: the latest reported month) and
``?compare=YYYY`` (an earlier plan to compare with, same month; default the latest earlier
plan, ``none`` for no comparison). Links between the pages keep all three.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from skills_plan.views import allowed_by
from targets import completeness, policy
from targets.models import Department, Indicator, Plan, Region, parts_of, place_of, places_of
from targets.roster_selectors import is_roster_item, roster_backing, roster_checks
from targets.selectors import province_plans_above
from targets.work_selectors import work_items

from .. import charts, county_parts, dashboard, selectors
from ..filters import QuotaFilter
from ..rows import QuotaRow
from ..tables import QuotaTable
from . import chart_cards, fragments

YEAR = re.compile(r"^\d{4}$")
NO_COMPARISON = "none"


class _Refused(Exception):
    """A query string the page cannot show (a malformed year or month): a Chinese 400 page."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _bad_request(request: HttpRequest, plan: Plan | None, message: str) -> _Refused:
    return _Refused(
        render(
            request,
            "reporting/dashboard_error.html",
            {"plan": plan, "message": message},
            status=400,
        )
    )


@dataclass
class Years:
    """The plan a dashboard page shows, the plans the user may choose, and the comparison."""

    plan: Plan | None
    plans: list[Plan]
    compare: Plan | None = None
    compare_choices: tuple[Plan, ...] = ()
    # ``?year=`` / ``?compare=`` as given (None: defaulted), kept in the pages' links.
    year_param: str | None = None
    compare_param: str | None = None


def _years(request: HttpRequest) -> Years:
    """The plan of ``?year=`` (404 unknown or not readable) or the default plan, and the
    earlier plan of ``?compare=`` (default: the latest earlier one; ``none``: no comparison)."""
    plans = list(policy.viewable_plans(request.user))
    raw_year = request.GET.get("year") or None
    if raw_year is None:
        plan = selectors.default_plan(plans)
    else:
        if not YEAR.match(raw_year):
            raise _bad_request(
                request,
                None,
                _("年度格式应为四位数字（例如 2015），收到：%(raw)s") % {"raw": raw_year[:20]},
            )
        plan = next((p for p in plans if p.year == int(raw_year)), None)
        if plan is None:
            raise Http404(_("没有 %(year)s 年度的方案。") % {"year": raw_year})
    years = Years(plan=plan, plans=plans, year_param=raw_year)
    if plan is None:
        return years
    years.compare_choices = tuple(selectors.earlier_plans(plans, plan))
    raw_compare = request.GET.get("compare")
    years.compare_param = raw_compare
    if raw_compare is None:
        years.compare = years.compare_choices[0] if years.compare_choices else None
    elif raw_compare not in ("", NO_COMPARISON):
        years.compare = next((p for p in years.compare_choices if str(p.year) == raw_compare), None)
        if years.compare is None:
            raise _bad_request(
                request,
                plan,
                _("比较年度必须是早于 %(year)s 年、已启动的年度方案，收到：%(raw)s")
                % {"year": plan.year, "raw": raw_compare[:20]},
            )
    return years


def _month(request: HttpRequest, plan: Plan) -> int:
    try:
        return selectors.parse_as_of(plan, request.GET.get("as_of"))
    except selectors.BadAsOf as exc:
        raise _bad_request(request, plan, str(exc)) from exc


def _common(years: Years, month: int, region: Region | None = None) -> dict[str, Any]:
    """What every dashboard page shows around its figures; with ``region``, the header counts
    that county's reports only (a county's page shows nothing of the others)."""
    plan = years.plan
    as_of = f"{plan.year}-{month:02d}"
    # How complete the month is: the header says it, the rows are judged by it.
    coverage = completeness.Coverage(plan, month)
    query = {"year": plan.year, "as_of": as_of}
    if years.compare_param is not None:
        query["compare"] = years.compare.year if years.compare else NO_COMPARISON
    return {
        "plan": plan,
        "month": month,
        "as_of": as_of,
        "months": dashboard.month_choices(plan),
        "elapsed": month / 12,
        "coverage": coverage,
        "reported": coverage.totals(region and region.pk),
        "plans": years.plans,
        "compare": years.compare,
        "compare_choices": years.compare_choices,
        "compare_value": years.compare.year if years.compare else NO_COMPARISON,
        "no_comparison": NO_COMPARISON,
        # The query string every link between the dashboard's pages carries.
        "query": urlencode(query),
        "query_fields": query,
    }


def _table(
    request: HttpRequest, rows: list[QuotaRow], context: dict[str, Any], **kwargs: Any
) -> QuotaTable:
    compare = context["compare"]
    table = QuotaTable(
        rows,
        as_of=context["as_of"],
        query=context["query"],
        compare_year=compare.year if compare else None,
        year=context["plan"].year,
        **kwargs,
    )
    RequestConfig(request, paginate=False).configure(table)
    return table


def _rows(
    rollups: Any, years: Years, month: int, coverage: completeness.Coverage
) -> list[QuotaRow]:
    """The table's rows, judged with the month's completeness, with the earlier plan's
    same-month numbers when comparing."""
    rows = dashboard.quota_rows(rollups, coverage)
    if years.compare is not None:
        return dashboard.with_previous(rows, dashboard.same_month(years.compare, month))
    return rows


def _earlier_series(years: Years, code: str) -> list[tuple[int, list[Any]]]:
    if years.compare is None:
        return []
    return [(years.compare.year, dashboard.city_series_of_code(years.compare, code))]


View = Callable[..., HttpResponse]


def _page(check: Callable[[Any], bool]) -> Callable[[View], View]:
    """Log in, ask the policy's ``check``, GET only, the chosen plan, and a 400 page for a bad
    query."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        @allowed_by(check)
        @require_GET
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, _years(request), *args, **kwargs)
            except _Refused as refused:
                return refused.response

        return wrapped

    return decorator


# The city's pages; a county's page (``dashboard_county``) is also its own people's.
dashboard_page = _page(policy.may_view_dashboard)
county_page = _page(policy.may_view_county_dashboards)

# What a county's people keep when sent from the city's dashboard to their county's.
KEPT_PARAMETERS = ("year", "as_of", "compare")


@login_required
@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The city's dashboard; a county's own people are sent to their county's (302), a
    province's leader to their province's, with the year, month and comparison they asked
    for."""
    county = policy.county_home(request.user)
    province = policy.province_of(request.user)
    if province is not None:
        url = reverse("dashboard-province", args=[province.code])
    elif county is not None:
        url = reverse("dashboard-county", args=[county.code])
    else:
        return _city_dashboard(request)
    kept = [(key, request.GET[key]) for key in KEPT_PARAMETERS if key in request.GET]
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)


@dashboard_page
def _city_dashboard(request: HttpRequest, years: Years) -> HttpResponse:
    plan = years.plan
    if plan is None:
        return render(request, "reporting/dashboard.html", {"plan": None})
    month = _month(request, plan)
    context = _common(years, month)

    def figures(runs: dict[int, int]) -> tuple[str, dict[str, Any]]:
        shown = _city_figures(request, years, month, context, runs.get(plan.pk))
        html = render_to_string("reporting/_dashboard_figures.html", shown, request)
        return html, {"charts": bool(shown.get("charts"))}

    fragment = fragments.cached_fragment(request, "city", (plan, years.compare), month, figures)
    context.update(
        work=dashboard.work_panel(plan, month),
        backing=roster_backing(plan, month),  # read live: rosters change without a rollup
        # How the city ranks among the province's cities, where a province's plan stands above.
        provinces=province_plans_above(plan),
        cached_figures=fragment.html,
        charts=fragment.facts["charts"],  # the page loads plotly only for charts
    )
    return render(request, "reporting/dashboard.html", context)


def _city_figures(
    request: HttpRequest,
    years: Years,
    month: int,
    common: dict[str, Any],
    latest_run: int | None,
) -> dict[str, Any]:
    """The city dashboard's figures: goal cards, the quota table and the charts."""
    plan = years.plan
    context = dict(common)
    context["allocations"] = dashboard.allocations(plan)
    progress = selectors.progress(plan, month, context["coverage"], latest_run=latest_run)
    context["progress"] = progress
    context["breakdowns"] = dashboard.goal_breakdown(progress, context["allocations"])
    if progress is None:
        return context

    quota_filter = QuotaFilter(
        request.GET, queryset=dashboard.quota_rollups(plan, month), plan=plan
    )
    rows = dashboard.with_status(
        _rows(quota_filter.qs, years, month, context["coverage"]),
        quota_filter.form.cleaned_data.get("status") if quota_filter.is_valid() else None,
    )
    training = next((goal for goal in progress.goals if goal.unallocated is not None), None)
    goal_charts = []
    if training is not None:
        indicator = Indicator.objects.get(plan=plan, code=training.code)
        goal_charts.append(
            chart_cards.card(
                "chart-goal-progress",
                _("%(goal)s：累计完成与序时进度") % {"goal": indicator.name},
                charts.progress_figure(
                    indicator,
                    dashboard.city_series(plan, indicator),
                    month,
                    earlier=_earlier_series(years, indicator.code),
                ),
                _comparison_note(years),
            )
        )
    context.update(
        goals=dashboard.with_missing(progress.goals, context["coverage"]),
        filter=quota_filter,
        table=_table(request, rows, context, exclude=() if _county(request) else ("place",)),
        counties=list(places_of(plan)),
        charts=[
            *goal_charts,
            *chart_cards.city_charts(plan, progress, month),
        ],
    )
    return context


def _comparison_note(years: Years) -> str:
    if years.compare is None:
        return ""
    return _("点线为 %(year)s 年同一任务（相同代码）各月的实际完成，与本年同月对照。") % {
        "year": years.compare.year
    }


def _county(request: HttpRequest) -> bool:
    return bool(request.GET.get("county"))


def _plan_or_404(plan: Plan | None) -> Plan:
    if plan is None:
        raise Http404(_("目前没有可查看的年度方案。"))
    return plan


@dashboard_page
def dashboard_quota(request: HttpRequest, years: Years, code: str) -> HttpResponse:
    """One quota by county and by month, its chart, and the figures behind it."""
    plan = _plan_or_404(years.plan)
    quota = dashboard.quota_by_code(plan, code)
    if quota is None:
        raise Http404(_("没有这项部门任务。"))
    month = _month(request, plan)
    context = _common(years, month)

    def figures(runs: dict[int, int]) -> tuple[str, dict[str, Any]]:
        shown = {**context, **_quota_figures(years, quota, month)}
        html = render_to_string("reporting/_quota_figures.html", shown, request)
        return html, {"charts": bool(shown["charts"])}

    fragment = fragments.cached_fragment(
        request, f"quota-{quota.pk}", (plan, years.compare), month, figures
    )
    context.update(
        quota=quota,
        cached_figures=fragment.html,
        charts=fragment.facts["charts"],
        # Not rollups: the targets' history and each user's view of the reports behind.
        target_changes=list(dashboard.target_history(quota)),
        figures=list(dashboard.figures_behind(request.user, quota, month)),
        rosters=[c for c in roster_checks(plan, month=month) if c.indicator.pk == quota.pk]
        if is_roster_item(quota)
        else None,
    )
    return render(request, "reporting/dashboard_quota.html", context)


def _quota_figures(years: Years, quota: Indicator, month: int) -> dict[str, Any]:
    """A quota's rollup rows by county and by month, and its chart."""
    plan = years.plan
    rollups = dashboard.indicator_rollups(plan, quota)
    covers = completeness.coverages(plan, range(1, month + 1))
    items = [dashboard.row_item(row, covers[row.month]) for row in rollups if row.month <= month]
    by_county = [item for item in items if item.month == month]
    return {
        "quota": quota,
        "has_rollup": bool(rollups),
        "by_county": by_county,
        "unallocated": dashboard.split_remainder(by_county),
        "by_month": [item for item in items if item.place is None],
        "charts": [
            chart_cards.card(
                "chart-quota-progress",
                _("按月累计完成与序时进度") if quota.kind == "flow" else _("按月完成情况与目标"),
                charts.progress_figure(
                    quota,
                    [r for r in rollups if r.region_id is None],
                    month,
                    earlier=_earlier_series(years, quota.code),
                ),
                _comparison_note(years),
            )
        ]
        if rollups
        else [],
    }


@county_page
def dashboard_county(request: HttpRequest, years: Years, code: str) -> HttpResponse:
    """One county's (or 市直's) dashboard: its goals' and quotas' rows (its split targets, its
    figures, completion, status judged as the city's are, time progress) and its reports.

    The city's readers open every county's; a county's own reviewer, leader and auditor their
    county's only: another county's (or 市直's) is 403, like the progress API's ``unit``. The
    counties' codes are public (GB/T 2260, on every entry form), so there is no existence to
    hide; a code no county has is 404 for everyone, a clerk is refused (403) before any code is
    looked up. A county's people see no link to the city's pages (they would be refused).
    """
    plan = _plan_or_404(years.plan)
    if "\x00" in code:  # PostgreSQL refuses a NUL even in a lookup: no such county
        raise Http404(_("没有这个县区。"))
    region = place_of(plan, code)
    if region is None:
        raise Http404(_("没有这个县区。"))
    if not policy.may_view_county(request.user, region):
        raise PermissionDenied
    month = _month(request, plan)
    context = _common(years, month, region)
    city_pages = policy.may_view_dashboard(request.user)
    may_split = policy.may_split_county(request.user, region) and parts_of(region).exists()

    def figures(runs: dict[int, int]) -> tuple[str, dict[str, Any]]:
        progress = selectors.progress(
            plan, month, context["coverage"], region=region, latest_run=runs.get(plan.pk)
        )
        rows = _rows(
            dashboard.county_rollups(plan, region, month), years, month, context["coverage"]
        )
        shown = {
            **context,
            "region": region,
            "city_pages": city_pages,
            "progress": progress,
            "goals": dashboard.with_missing(progress.goals, context["coverage"], region.pk)
            if progress is not None
            else [],
            "rows": rows,
            "table": _table(request, rows, context, exclude=("place",), link_quotas=city_pages),
            "parts": county_parts.rankings(progress),
            "may_split": may_split,
        }
        return render_to_string("reporting/_county_figures.html", shown, request), {}

    fragment = fragments.cached_fragment(
        request,
        f"county-{region.pk}",
        (plan, years.compare),
        month,
        figures,
        # The user's rights that change the figures: links to the city's pages, the button.
        variant=f"city_pages={city_pages:d},may_split={may_split:d}",
    )
    context.update(region=region, city_pages=city_pages, cached_figures=fragment.html)
    return render(request, "reporting/dashboard_county.html", context)


@dashboard_page
def dashboard_department(request: HttpRequest, years: Years, code: str) -> HttpResponse:
    """One department's quotas, city-wide and in each county."""
    plan = _plan_or_404(years.plan)
    department = get_object_or_404(Department, code=code)
    month = _month(request, plan)
    context = _common(years, month)

    def figures(runs: dict[int, int]) -> tuple[str, dict[str, Any]]:
        rows = _rows(
            dashboard.department_rollups(plan, department, month),
            years,
            month,
            context["coverage"],
        )
        shown = {
            **context,
            "department": department,
            "rows": rows,
            "table": _table(request, rows, context, exclude=("department",)),
        }
        return render_to_string("reporting/_department_figures.html", shown, request), {}

    fragment = fragments.cached_fragment(
        request, f"department-{department.pk}", (plan, years.compare), month, figures
    )
    context.update(department=department, cached_figures=fragment.html)
    return render(request, "reporting/dashboard_department.html", context)


@dashboard_page
def dashboard_workitem(request: HttpRequest, years: Years, code: str) -> HttpResponse:
    """One work item as of the month: its units, requirement, due date and status, and each
    step with its unit, due date, status, 逾期, latest approved report and evidence count."""
    plan = _plan_or_404(years.plan)
    month = _month(request, plan)
    found = work_items(plan, month, code)
    if not found:
        raise Http404(_("没有这项重点工作。"))
    context = _common(years, month)
    context.update(work=found[0], units=dashboard.cooperating_units(found[0].item))
    return render(request, "reporting/dashboard_workitem.html", context)
