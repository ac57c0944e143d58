"""Plotly figures for the dashboard, built as plain dicts ``{"data": [...], "layout": {...}}``.

The page carries each figure as ``json_script`` data and ``static/js/charts.js`` draws it with
the plotly.js bundle from our static files (no CDN, no inline script). Rates and completions
are shown in percent; everything else in the indicator's unit, in 万 from 10,000 up as Chinese
reports write them. Every number a reader sees (ticks, labels, hover text) is written by
``reporting.formatting``, as on the pages, bulletin and workbook. A status is told by colour
and by a symbol and word. Each figure carries ``summary``: its text alternative, read out by
screen readers (the chart's ``aria-label``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from targets.models import Indicator

from . import chart_scales as scales
from . import formatting
from .models import Rollup
from .rows import IndicatorProgress

Figure = dict[str, Any]

GREEN, AMBER, RED, GREY = "#1e7b34", "#b26b00", "#b3261e", "#9aa5b1"
PENDING_GREY = "#c9ced6"  # not judged: reports missing or not approved (a lighter grey)
ACCENT = "#0b5cad"
EARLIER = "#8e5bb5"  # an earlier year's line: apart from this year's blue and the grey time line
STATUS_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED, "pending": PENDING_GREY, None: GREY}


# A status is never told by colour alone: a symbol beside the word, and a fill pattern on bars.
STATUS_SYMBOLS = {"green": "✓", "amber": "!", "red": "✗", "pending": "…", None: "–"}
STATUS_PATTERNS = {"green": "", "amber": "/", "red": "x", "pending": ".", None: ""}


def status_word(status: str | None) -> str:
    """A status as a symbol and a word (✓ 正常), for labels on and beside the charts."""
    words = {
        "green": _("正常"),
        "amber": _("预警"),
        "red": _("滞后"),
        "pending": _("待报"),
        None: _("无数据"),
    }
    return f"{STATUS_SYMBOLS.get(status, '–')} {words.get(status, words[None])}"


def status_legend() -> list[dict[str, str]]:
    """The colours and symbols of the status charts, for the legend under them."""
    return [
        {"status": "green", "colour": GREEN, "label": status_word("green")},
        {"status": "amber", "colour": AMBER, "label": status_word("amber")},
        {"status": "red", "colour": RED, "label": status_word("red")},
        {
            "status": "pending",
            "colour": PENDING_GREY,
            "label": f"{STATUS_SYMBOLS['pending']} " + _("待报/数据不全（不评判）"),
        },
        {"status": "none", "colour": GREY, "label": status_word(None)},
    ]


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
    the whole target for a level), on an axis in 万 from 10,000 up. Rates: the rate against the
    target rate, in percent, on an axis around the target. ``earlier``: (year, city-wide rows)
    of the same code in earlier plans, a line per year over that year's months, so each month
    sits above the same month of the other year.
    """
    by_month = {row.month: row for row in rows}
    to_date = [m for m in scales.MONTHS if m <= month and m in by_month]
    last = by_month.get(month)
    if indicator.is_rate:

        def value(row: Rollup) -> float | None:
            return _percent(row.rate)

        def written(row: Rollup) -> str:
            return formatting.percent(formatting.rate(row.numerator, row.denominator))

        target_line = [_percent(indicator.target_rate)] * 12
        target_text = [formatting.percent(indicator.target_rate, trim=True)] * 12
        projected = _percent(last.rate) if last else None
        projected_text = written(last) if last else formatting.DASH
    else:

        def value(row: Rollup) -> float | None:
            return row.actual

        def written(row: Rollup) -> str:
            return scales.counted(row.actual, indicator.unit)

        target = indicator.target or 0
        # The time line: target × m/12 for a flow; a level is expected whole in any month.
        target_line = [
            round(target * m / 12, 2) if indicator.kind == Indicator.Kind.FLOW else float(target)
            for m in scales.MONTHS
        ]
        target_text = [scales.counted(value, indicator.unit) for value in target_line]
        projected = last.projected if last else None
        projected_text = scales.counted(projected, indicator.unit)
    actual = [value(by_month[m]) for m in to_date]
    actual_text = [written(by_month[m]) for m in to_date]
    current = actual[-1] if actual else None
    data: list[dict[str, Any]] = [
        _line(
            _("实际完成（累计）") if indicator.kind == "flow" else _("实际完成"),
            to_date,
            actual,
            {"color": ACCENT, "width": 3},
            "lines+markers",
            actual_text,
        ),
        _line(
            _("序时进度") if indicator.kind == "flow" else _("目标"),
            scales.MONTHS,
            target_line,
            {"color": GREY, "width": 2},
            text=target_text,
        ),
    ]
    if current is not None and projected is not None and month < 12:
        line = {"color": ACCENT, "width": 2, "dash": "dash"}
        data.append(
            _line(
                _("预计全年"),
                [month, 12],
                [current, projected],
                line,
                text=[actual_text[-1], projected_text],
            )
        )
    shown_values = [*actual, *target_line, projected]
    for year, earlier_rows in earlier:
        shown = sorted(earlier_rows, key=lambda row: row.month)
        values = [value(row) for row in shown]
        shown_values.extend(values)
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
                "y": values,
                "text": [written(row) for row in shown],
                "hovertemplate": HOVER,
                "line": {"color": EARLIER, "width": 2, "dash": "dot"},
                "meta": {"year": year},
            }
        )
    if indicator.is_rate:
        yaxis = scales.rate_axis(shown_values, [target_line[0]])
    else:
        yaxis = scales.count_axis(shown_values, indicator.unit)
    if actual:
        summary = _(
            "截至%(month)s月：实际%(actual)s，%(line)s%(expected)s；预计全年%(projected)s。"
        ) % {
            "month": to_date[-1],
            "actual": actual_text[-1],
            "line": _("序时进度") if indicator.kind == "flow" else _("目标"),
            "expected": target_text[to_date[-1] - 1],
            "projected": projected_text,
        }
    else:
        summary = _("尚无数据。")
    return {
        "data": data,
        "layout": scales.layout(xaxis=scales.month_axis(), yaxis=yaxis),
        "summary": summary,
    }


def heatmap_figure(cells: dict[str, Any]) -> Figure:
    """(b) Department × county against time: the mean completion of the department's flow and
    stock quotas minus their mean expected share (序时进度), in percentage points, on a
    diverging scale centred on 0 (on time): red behind, green ahead. Each cell prints its
    completion; a cell not judged (reports missing) has no value and says 待报."""
    pending = cells.get("pending") or [[False] * len(row) for row in cells["z"]]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for completions, expectations, marks in zip(
        cells["z"], cells["expected"], pending, strict=True
    ):
        z.append([])
        text.append([])
        hover.append([])
        for completion, expected, is_pending in zip(completions, expectations, marks, strict=True):
            if is_pending or completion is None:
                z[-1].append(None)
                text[-1].append(_("待报") if is_pending else "")
                hover[-1].append(_("待报（不评判）") if is_pending else _("无数据"))
                continue
            difference = formatting.points(completion, expected)
            z[-1].append(float(difference))
            text[-1].append(formatting.percent(completion))
            hover[-1].append(
                _("完成率 %(completion)s，序时进度 %(expected)s，%(difference)s 个百分点")
                % {
                    "completion": formatting.percent(completion),
                    "expected": formatting.percent(expected),
                    "difference": f"{difference:+}",
                }
            )
    reach = max([abs(value) for row in z for value in row if value is not None] + [10.0])
    behind = sum(1 for row in z for value in row if value is not None and value < 0)
    judged = sum(1 for row in z for value in row if value is not None)
    waiting = sum(1 for row in pending for mark in row if mark)
    return {
        "data": [
            {
                "type": "heatmap",
                "x": cells["regions"],
                "y": cells["departments"],
                "z": z,
                "zmin": -reach,
                "zmax": reach,
                "zmid": 0,
                "colorscale": [[0, RED], [0.5, "#f4f5f7"], [1, GREEN]],
                "text": text,
                "customdata": hover,
                "texttemplate": "%{text}",
                "hovertemplate": "%{y} · %{x}：%{customdata}<extra></extra>",
                "colorbar": {
                    "title": {"text": _("比序时进度（百分点）"), "side": "top"},
                    "orientation": "h",
                    "thickness": 12,
                    "y": -0.18,
                    "yanchor": "top",
                },
                "hoverongaps": False,
            }
        ],
        "layout": scales.layout(
            height=360,
            margin={"l": 10, "r": 10, "t": 10, "b": 90},
            xaxis={"side": "top"},
            yaxis={"autorange": "reversed"},
        ),
        "summary": _("%(judged)s 格评判，%(behind)s 格落后于序时进度，%(waiting)s 格待报。")
        % {"judged": judged, "behind": behind, "waiting": waiting},
    }


def county_ranking_figure(ranking: list[dict[str, Any]], month: int) -> Figure:
    """(c) The bulletin's county ranking: mean completion against the expected share (m/12).
    Each bar says its completion and its status in words (✓ 正常), and a status other than
    正常 fills its bar with a pattern, so no one needs to tell the colours apart."""
    elapsed = round(month / 12 * 100, 2)
    names = [item["name"] for item in ranking]
    statuses = [item["status"] for item in ranking]
    labels = [
        f"{formatting.percent(item['completion'])} {status_word(item['status'])}"
        for item in ranking
    ]
    expected_text = [formatting.percent(item["expected"]) for item in ranking]
    shown = [_percent(item["completion"]) for item in ranking]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": _("完成率"),
                "x": shown,
                "y": names,
                "text": labels,
                "marker": {
                    "color": [STATUS_COLOURS.get(status, GREY) for status in statuses],
                    "pattern": {
                        "shape": [STATUS_PATTERNS.get(status, "") for status in statuses],
                        "fgcolor": "#ffffff",
                    },
                },
                "texttemplate": "%{text}",
                "textposition": "auto",
                "insidetextanchor": "end",
                "hovertemplate": "%{y}：%{text}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("序时进度"),
                "x": [_percent(item["expected"]) for item in ranking],
                "y": names,
                "text": expected_text,
                "marker": {"symbol": "line-ns-open", "size": 22, "color": "#1f2933"},
                "hovertemplate": "%{y}：" + _("序时进度") + " %{text}<extra></extra>",
            },
        ],
        "layout": scales.layout(
            margin={"l": 10, "r": 10, "t": 30, "b": 10},
            xaxis={
                "ticksuffix": "%",
                "range": [0, max([value or 0 for value in shown] + [elapsed, 50]) * 1.1],
            },
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
                    "text": _("时间进度 %(share)s") % {"share": formatting.percent(month / 12)},
                }
            ],
        ),
        "summary": "；".join(
            f"{index}. {item['name']} {label}"
            for index, (item, label) in enumerate(zip(ranking, labels, strict=True), start=1)
        )
        or _("尚无已分解到县区的任务。"),
    }


HOVER = "%{text}"  # the trace's name is shown beside it; the text is the formatter's


def _line(
    name: str,
    x: list[Any],
    y: list[Any],
    line: dict[str, Any],
    mode: str = "lines",
    text: list[str] | None = None,
) -> dict[str, Any]:
    """A line trace; ``lines+markers`` for figures reported month by month; ``text``: each
    point as the formatter writes it, shown on hover."""
    trace = {"type": "scatter", "mode": mode, "name": name, "x": x, "y": y, "line": line}
    if text is not None:
        trace |= {"text": text, "hovertemplate": HOVER}
    return trace


def _bar(name: str, x: list[Any], y: list[Any], colour: Any, text: str | None = None) -> dict:
    """A vertical bar trace; with ``text``, each bar's value printed above it."""
    trace = {"type": "bar", "name": name, "x": x, "y": y, "marker": {"color": colour}}
    if text is not None:
        trace |= {"texttemplate": text, "textposition": "outside"}
    return trace


def veterans_figure(rates: list[IndicatorProgress]) -> Figure:
    """(d) The veterans' rates against their target rates, in percent: a dot per rate (its
    status by colour, symbol and word) and a mark at its target, on an axis around the
    targets, so 88 % against 92 % shows."""
    names = [rate.name for rate in rates]
    actual = [_percent(rate.actual) for rate in rates]
    targets = [_percent(rate.target) for rate in rates]
    written = [formatting.percent(formatting.rate_of(rate)) for rate in rates]
    labels = [
        f"{text} {status_word(rate.status)}" for text, rate in zip(written, rates, strict=True)
    ]
    target_text = [formatting.percent(rate.target, trim=True) for rate in rates]
    # Each rate's name, and under it what it stands at, on the axis: nothing to read beside
    # the dots, where a phone has no room.
    rows = [
        f"{name}<br>{label} · {_('目标')} {goal}"
        for name, label, goal in zip(names, labels, target_text, strict=True)
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("目标"),
                "x": targets,
                "y": rows,
                "text": target_text,
                "marker": {"symbol": "line-ns-open", "size": 24, "color": "#1f2933"},
                "hovertemplate": _("目标") + " %{text}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("实际"),
                "x": actual,
                "y": rows,
                "text": labels,
                "marker": {
                    "size": 14,
                    "color": [STATUS_COLOURS.get(rate.status, GREY) for rate in rates],
                    "symbol": [
                        {"green": "circle", "amber": "diamond", "red": "x"}.get(
                            rate.status, "circle-open"
                        )
                        for rate in rates
                    ],
                    "line": {"width": 2, "color": "#1f2933"},
                },
                "hovertemplate": "%{text}<extra></extra>",
            },
        ],
        "layout": scales.layout(
            height=360,
            xaxis=scales.rate_axis(actual, targets),
            yaxis={"autorange": "reversed"},
        ),
        "summary": "；".join(
            _("%(name)s %(actual)s，目标 %(target)s")
            % {"name": name, "actual": label, "target": goal}
            for name, label, goal in zip(names, labels, target_text, strict=True)
        )
        or _("尚无数据。"),
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
    last = shown[-1] if shown else None
    return {
        "summary": _(
            "%(month)s月：应报 %(expected)s 份，已报 %(received)s 份，按时 %(on_time)s 份。"
        )
        % {
            "month": last["month"],
            "expected": formatting.count(last["expected"]),
            "received": formatting.count(last["received"]),
            "on_time": formatting.count(last["on_time"]),
        }
        if last
        else _("尚无数据。"),
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
        "layout": scales.layout(
            xaxis=scales.month_axis(),
            yaxis={"ticksuffix": "%", "range": [0, 105]},
        ),
    }
