"""Plotly figures for the dashboard, built as plain dicts ``{"data": [...], "layout": {...}}``.

The page carries each figure as ``json_script`` data and ``static/js/charts.js`` draws it with
the plotly.js bundle from our static files (no CDN, no inline script). Rates and completions
are shown in percent; everything else in the indicator's unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from targets.models import Indicator

from .models import Rollup
from .rows import IndicatorProgress

Figure = dict[str, Any]

GREEN, AMBER, RED, GREY = "#1e7b34", "#b26b00", "#b3261e", "#9aa5b1"
PENDING_GREY = "#c9ced6"  # not judged: reports missing or not approved (a lighter grey)
ACCENT = "#0b5cad"
EARLIER = "#8e5bb5"  # an earlier year's line: apart from this year's blue and the grey time line
STATUS_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED, "pending": PENDING_GREY, None: GREY}


def status_legend() -> list[dict[str, str]]:
    """The colours of the status charts, for the legend under them."""
    return [
        {"status": "green", "colour": GREEN, "label": _("正常")},
        {"status": "amber", "colour": AMBER, "label": _("预警")},
        {"status": "red", "colour": RED, "label": _("滞后")},
        {"status": "pending", "colour": PENDING_GREY, "label": _("待报/数据不全（不评判）")},
        {"status": "none", "colour": GREY, "label": _("无数据")},
    ]


MONTHS = list(range(1, 13))
FONT = {
    "family": '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif',
    "size": 13,
}


def _layout(**extra: Any) -> dict[str, Any]:
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    layout.update(extra)
    return layout


def _month_axis() -> dict[str, Any]:
    return {
        "tickvals": MONTHS,
        "ticktext": [_("%(month)s月") % {"month": month} for month in MONTHS],
        "range": [0.5, 12.5],
    }


def _percent(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def progress_figure(
    indicator: Indicator,
    rows: list[Rollup],
    month: int,
    earlier: Sequence[tuple[int, list[Rollup]]] = (),
) -> Figure:
    """(a) Year to date by month against the time line, and the projection to December.

    Flows and levels: the cumulative actual against target × expected share (m/12 for flows,
    the whole target for a level). Rates: the rate against the target rate, in percent.
    ``earlier``: (year, city-wide rows) of the same code in earlier plans, a line per year
    over that year's months, so each month sits above the same month of the other year.
    """
    by_month = {row.month: row for row in rows}
    to_date = [m for m in MONTHS if m <= month and m in by_month]
    if indicator.is_rate:
        actual = [_percent(by_month[m].rate) for m in to_date]
        target_line = [_percent(indicator.target_rate)] * 12
        last = by_month.get(month)
        projected = _percent(last.rate) if last else None
        unit = "%"
    else:
        actual = [by_month[m].actual for m in to_date]
        target = indicator.target or 0
        # The time line: target × m/12 for a flow; a level is expected whole in any month.
        target_line = [
            round(target * m / 12, 2) if indicator.kind == Indicator.Kind.FLOW else float(target)
            for m in MONTHS
        ]
        last = by_month.get(month)
        projected = last.projected if last else None
        unit = indicator.unit
    current = actual[-1] if actual else None
    data: list[dict[str, Any]] = [
        _line(
            _("实际完成（累计）") if indicator.kind == "flow" else _("实际完成"),
            to_date,
            actual,
            {"color": ACCENT, "width": 3},
            "lines+markers",
        ),
        _line(
            _("序时进度") if indicator.kind == "flow" else _("目标"),
            MONTHS,
            target_line,
            {"color": GREY, "width": 2},
        ),
    ]
    if current is not None and projected is not None and month < 12:
        line = {"color": ACCENT, "width": 2, "dash": "dash"}
        data.append(_line(_("预计全年"), [month, 12], [current, projected], line))
    for year, earlier_rows in earlier:
        shown = sorted(earlier_rows, key=lambda row: row.month)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": (
                    _("%(year)s年实际完成（累计）")
                    if indicator.kind == "flow"
                    else _("%(year)s年实际完成")
                )
                % {"year": year},
                "x": [row.month for row in shown],
                "y": [_percent(row.rate) if indicator.is_rate else row.actual for row in shown],
                "line": {"color": EARLIER, "width": 2, "dash": "dot"},
                "meta": {"year": year},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            xaxis=_month_axis(),
            yaxis={"title": {"text": unit}, "rangemode": "tozero"},
        ),
    }


def heatmap_figure(cells: dict[str, Any]) -> Figure:
    """(b) Department × county: mean completion of the department's flow and stock quotas, in
    percent; a cell not judged (reports missing) has no value and says 待报."""
    z = [[_percent(value) for value in row] for row in cells["z"]]
    pending = cells.get("pending") or [[False] * len(row) for row in z]
    text = [
        [
            _("待报") if is_pending else ("" if value is None else f"{value:.1f}%")
            for value, is_pending in zip(row, marks, strict=True)
        ]
        for row, marks in zip(z, pending, strict=True)
    ]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": cells["regions"],
                "y": cells["departments"],
                "z": z,
                "zmin": 0,
                "zmax": 100,
                "colorscale": [[0, RED], [0.5, "#e0b400"], [1, GREEN]],
                "text": text,
                "texttemplate": "%{text}",
                "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
                "colorbar": {"ticksuffix": "%"},
                "hoverongaps": False,
            }
        ],
        "layout": _layout(
            margin={"l": 130, "r": 20, "t": 20, "b": 40},
            yaxis={"autorange": "reversed"},
        ),
    }


def county_ranking_figure(ranking: list[dict[str, Any]], month: int) -> Figure:
    """(c) The bulletin's county ranking: mean completion against the expected share (m/12)."""
    elapsed = round(month / 12 * 100, 2)
    names = [item["name"] for item in ranking]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": _("完成率"),
                "x": [_percent(item["completion"]) for item in ranking],
                "y": names,
                "marker": {"color": [STATUS_COLOURS.get(item["status"], GREY) for item in ranking]},
                "texttemplate": "%{x:.1f}%",
                "textposition": "outside",
                "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("序时进度"),
                "x": [_percent(item["expected"]) for item in ranking],
                "y": names,
                "marker": {"symbol": "line-ns-open", "size": 22, "color": "#1f2933"},
                "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
            },
        ],
        "layout": _layout(
            margin={"l": 80, "r": 50, "t": 30, "b": 40},
            xaxis={"ticksuffix": "%", "rangemode": "tozero"},
            yaxis={"autorange": "reversed"},
            shapes=[
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": elapsed,
                    "x1": elapsed,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#5f6b7a", "width": 1, "dash": "dot"},
                }
            ],
            annotations=[
                {
                    "x": elapsed,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "text": _("时间进度 %(share)s%%") % {"share": f"{elapsed:.1f}"},
                }
            ],
        ),
    }


def _line(
    name: str, x: list[Any], y: list[Any], line: dict[str, Any], mode: str = "lines"
) -> dict[str, Any]:
    """A line trace; ``lines+markers`` for figures reported month by month."""
    return {"type": "scatter", "mode": mode, "name": name, "x": x, "y": y, "line": line}


def _bar(name: str, x: list[Any], y: list[Any], colour: Any, text: str | None = None) -> dict:
    """A vertical bar trace; with ``text``, each bar's value printed above it."""
    trace = {"type": "bar", "name": name, "x": x, "y": y, "marker": {"color": colour}}
    if text is not None:
        trace |= {"texttemplate": text, "textposition": "outside"}
    return trace


def veterans_figure(rates: list[IndicatorProgress]) -> Figure:
    """(d) The veterans' rates (API fractions) against their target rates, in percent."""
    names = [rate.name for rate in rates]
    return {
        "data": [
            _bar(
                _("实际"),
                names,
                [_percent(rate.actual) for rate in rates],
                [STATUS_COLOURS.get(rate.status, GREY) for rate in rates],
                "%{y:.1f}%",
            ),
            _bar(
                _("目标"), names, [_percent(rate.target) for rate in rates], "#d9dee5", "%{y:.0f}%"
            ),
        ],
        "layout": _layout(
            barmode="group",
            yaxis={"ticksuffix": "%", "range": [0, 110]},
        ),
    }


def completeness_figure(rows: list[dict[str, Any]], month: int) -> Figure:
    """(e) Reports received and received on time, as shares of those expected, by month."""
    shown = [row for row in rows if row["month"] <= month]

    def share(part: str) -> list[float | None]:
        return [
            round(row[part] / row["expected"] * 100, 2) if row["expected"] else None
            for row in shown
        ]

    months = [row["month"] for row in shown]
    return {
        "data": [
            _bar(_("报送率"), months, share("received"), ACCENT),
            _line(
                _("按时报送率"),
                months,
                share("on_time"),
                {"color": GREEN, "width": 3},
                "lines+markers",
            ),
        ],
        "layout": _layout(
            xaxis=_month_axis(),
            yaxis={"ticksuffix": "%", "range": [0, 105]},
        ),
    }
