"""plotly figures for the dashboards, built from plain data and returned as JSON text.

The figures are plain {"data", "layout"} dicts that plotly.js draws: building them with
plotly.graph_objects validated every property and embedded the whole default template,
which cost more than reading the data of a page.
"""

import json

from django.utils.translation import gettext as _

from .status_style import ATTENTION_ORDER, badge

FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


# The JSON sits in a <script> element: no "</script>" or "<!--" may come out of a name.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _figure(traces, title, height, **layout):
    layout = {
        "title": {"text": title, "x": 0},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 30},
        "font": {"family": FONT, "size": 13},
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.15},
        **layout,
    }
    # Without plotly's default template the axes would not grow the margins to fit their
    # tick labels (long Chinese indicator names, "95.6"), and the labels would be cut off.
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {"automargin": True, **layout.get(axis, {})}
    return json.dumps({"data": traces, "layout": layout}, ensure_ascii=False).translate(
        _SCRIPT_SAFE
    )


def _bar(**trace):
    return {"type": "bar", **trace}


def _scatter(**trace):
    return {"type": "scatter", **trace}


def _float(value):
    return None if value is None else float(value)


def overview_figure(cards):
    """Stacked bars: indicators per status, one bar per plan."""
    names = [c["slug"] for c in cards]
    traces = []
    for status in ATTENTION_ORDER:
        b = badge(status)
        counts = [
            next((x["count"] for x in c["counts"] if x["code"] == b["code"]), 0) for c in cards
        ]
        if any(counts):
            traces.append(
                _bar(
                    y=names,
                    x=counts,
                    orientation="h",
                    name=f"{b['shape']} {b['label']}",
                    marker={"color": b["colour"]},
                    text=counts,
                    textposition="inside",
                )
            )
    return _figure(
        traces,
        _("各规划指标完成状态"),
        120 + 34 * len(cards),
        barmode="stack",
        yaxis={"autorange": "reversed"},
    )


def plan_figure(rows, elapsed):
    """Progress of each indicator against 序时进度 (the time elapsed)."""
    labels = [f"{r['indicator_code']} {r['name'][:16]}" for r in rows]
    traces = [
        _bar(
            y=labels,
            x=[min(_float(r["progress"]) or 0, 1.5) for r in rows],
            orientation="h",
            name=_("目标进度"),
            marker={"color": [r["badge"]["colour"] for r in rows]},
            text=[f"{r['badge']['shape']} {r['badge']['label']}" for r in rows],
            textposition="outside",
        ),
        _scatter(
            y=labels,
            x=[_float(r["completion"]) for r in rows],
            mode="markers",
            name=_("完成率"),
            marker={"symbol": "diamond", "size": 9, "color": "#24292f"},
        ),
    ]
    shapes, annotations = [], []
    if elapsed is not None:
        x = float(elapsed)
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dash", "color": "#57606a"},
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": x,
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "text": _("序时进度 %(e).0f%%") % {"e": x * 100},
            }
        )
    return _figure(
        traces,
        _("目标进度与序时进度"),
        140 + 28 * max(len(rows), 1),
        yaxis={"autorange": "reversed"},
        xaxis={"tickformat": ".0%"},
        shapes=shapes,
        annotations=annotations,
    )


def indicator_figure(indicator, detail):
    """Actuals over the years, the straight path to each milestone, the projection."""
    approved = [a for a in detail["actuals"] if a.status == "approved" and a.value is not None]
    traces = [
        _scatter(
            x=[a.year for a in approved],
            y=[_float(a.value) for a in approved],
            mode="lines+markers+text",
            name=_("实际值(已审核)"),
            text=[a.raw for a in approved],
            textposition="top center",
            line={"color": "#0969da", "width": 3},
        )
    ]
    baseline = next((b for b in reversed(detail["baselines"]) if b.value is not None), None)
    for t in detail["targets"]:
        if t.value is None:
            continue
        if baseline is not None and indicator.measure != "new":
            traces.append(
                _scatter(
                    x=[baseline.year, t.year],
                    y=[_float(baseline.value), _float(t.value)],
                    mode="lines",
                    line={"dash": "dot", "color": "#8c959f"},
                    name=_("序时路径至%(y)d年") % {"y": t.year},
                )
            )
        traces.append(
            _scatter(
                x=[t.year],
                y=[_float(t.value)],
                mode="markers+text",
                marker={"symbol": "star", "size": 16, "color": "#bf8700"},
                text=[t.raw],
                textposition="bottom center",
                name=_("%(y)d年目标") % {"y": t.year},
            )
        )
        result = detail["results_by_target"].get(t.pk)
        if result is not None and result.projected_value is not None and approved:
            last = approved[-1]
            traces.append(
                _scatter(
                    x=[last.year, t.year],
                    y=[_float(last.value), _float(result.projected_value)],
                    mode="lines+markers",
                    line={"dash": "dash", "color": "#cf222e"},
                    name=_("预测至%(y)d年") % {"y": t.year},
                )
            )
    return _figure(
        traces,
        f"{indicator.code} {indicator.name}",
        420,
        xaxis={"dtick": 1},
        yaxis={"title": {"text": indicator.unit or ""}},
    )


def comparison_figure(canonical, bars):
    """One canonical indicator across regions, each bar with its region's target marked."""
    labels = [b["label"] for b in bars]
    traces = [
        _bar(
            x=labels,
            y=[_float(b["actual"].value) if b["actual"] else None for b in bars],
            name=_("最新审核值"),
            marker={"color": "#0969da"},
            text=[b["actual"].raw if b["actual"] else _("未填报") for b in bars],
        ),
        _scatter(
            x=labels,
            y=[_float(b["target"].value) if b["target"] else None for b in bars],
            mode="markers",
            name=_("目标值"),
            marker={
                "symbol": "line-ew-open",
                "size": 40,
                "line": {"width": 4, "color": "#bf8700"},
            },
            text=[f"{b['target'].year}: {b['target'].raw}" if b["target"] else "" for b in bars],
        ),
    ]
    flagged = [b["label"] for b in bars if b["flags"]]
    if flagged:
        traces.append(
            _scatter(
                x=flagged,
                y=[0] * len(flagged),
                mode="markers+text",
                marker={"symbol": "triangle-up", "size": 14, "color": "#cf222e"},
                text=["⚠"] * len(flagged),
                name=_("上下衔接提示"),
            )
        )
    return _figure(traces, canonical.name, 420)


def department_figure(rows):
    """The department's figures for the year by state of submission."""
    counts = {}
    for row in rows:
        if not row["in_period"]:
            continue
        label = row["actual"].get_status_display() if row["actual"] else _("未填报")
        counts[label] = counts.get(label, 0) + 1
    trace = _bar(
        x=list(counts),
        y=list(counts.values()),
        text=list(counts.values()),
        marker={"color": "#0969da"},
    )
    return _figure([trace], _("本年度填报状态"), 320)
