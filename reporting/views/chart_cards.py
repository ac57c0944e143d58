"""The dashboard's chart cards: a figure with its title, note and legend, as
``templates/reporting/_charts.html`` shows it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from reporting import charts, dashboard
from reporting.rows import Progress
from targets.models import Plan


def card(
    chart_id: str,
    title: str,
    figure: dict[str, Any],
    note: str = "",
    legend: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": title,
        "note": note,
        "figure": figure,
        "legend": legend or [],
    }


def city_charts(plan: Plan, progress: Progress, month: int) -> list[dict[str, Any]]:
    """The city dashboard's charts after its goal's: heatmap, county ranking, the veterans'
    rates and the reports' completeness."""
    return [
        card(
            "chart-heatmap",
            _("部门 × 县区：完成率对照序时进度"),
            charts.heatmap_figure(dashboard.heatmap(progress)),
            _(
                "格中数字为各部门在该县区累计量、存量任务完成率的平均值；颜色为其与这些任务平均序时进度之差："
                "绿色超前、红色落后、白色持平。比率类任务不与数量类任务平均，不计入；"
                "未分解到县区的任务不计；标“待报”的格子当月报表未全部审核，不评判。"
            ),
        ),
        card(
            "chart-ranking",
            _("县区排名：培训任务完成率与序时进度"),
            charts.county_ranking_figure(dashboard.county_ranking(progress), month),
            _(
                "与通报相同：各县区已分解任务完成率的平均值，短竖线为这些任务的平均序时进度，虚线为时间进度。"
            ),
            charts.status_legend(),
        ),
        card(
            "chart-veterans",
            _("退役士兵四率与目标"),
            charts.veterans_figure(dashboard.rate_quotas(progress)),
            _("比率按目标比率评判：低于目标不超过预警幅度（百分点）为预警。"),
            charts.status_legend(),
        ),
        card(
            "chart-completeness",
            _("各月报送率与按时报送率"),
            charts.completeness_figure(dashboard.completeness_by_month(plan), month),
        ),
    ]
