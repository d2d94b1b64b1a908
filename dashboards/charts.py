"""plotly figures for the dashboards, built from plain data and returned as JSON text.

The figures are plain {"data", "layout"} dicts that plotly.js draws: building them with
plotly.graph_objects validated every property and embedded the whole default template,
which cost more than reading the data of a page. Every label is said in words (plan names,
not slugs; figures with their units); every status bar carries its shape and pattern.
"""

import json

from django.utils.translation import gettext as _

from indicators import wording

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


def _wrap(text, width=14, lines=2):
    """A long name on at most `lines` lines of about even length, at most `width` characters
    each, cut with "…"."""
    if len(text) <= width:
        return text
    if len(text) > width * lines:
        text = text[: width * lines - 1] + "…"
    size = -(-len(text) // -(-len(text) // width))  # even lines, as few as fit
    return "<br>".join(text[i : i + size] for i in range(0, len(text), size))


def _status_trace(status, orientation, categories, counts, hover):
    """One status's stacked bar: its colour and pattern, and its shape beside each count."""
    b = badge(status)
    axis = {"y": categories, "x": counts} if orientation == "h" else {"x": categories, "y": counts}
    return _bar(
        **axis,
        orientation=orientation,
        name=f"{b['shape']} {b['label']}",
        marker={
            "color": b["colour"],
            "line": {"color": "white", "width": 1},
            "pattern": {
                "shape": b["pattern"],
                "fillmode": "overlay",
                "fgcolor": b["ink"],
                "fgopacity": 0.6,
                "size": 7,
                "solidity": 0.25,
            },
        },
        text=[f"{b['shape']} {n}" if n else "" for n in counts],
        textposition="inside",
        insidetextanchor="middle",
        textfont={"color": b["ink"]},
        hovertext=[f"{h} · {b['label']} {n}" for h, n in zip(hover, counts, strict=True)],
        hoverinfo="text",
    )


def overview_figure(cards):
    """Stacked bars: indicators per status, one bar per plan, named by the plan's title."""
    # A title that does not name its region ("“十三五”时期主要指标完成表") gets it in front.
    titles = [
        c["title"] if c["region"] in c["title"] else f"{c['region']} {c['title']}" for c in cards
    ]
    names = [_wrap(t, 16) for t in titles]
    hover = titles
    traces = []
    for status in ATTENTION_ORDER:
        code = str(status)
        counts = [
            next((x["count"] for x in c["all_counts"] if x["code"] == code), 0) for c in cards
        ]
        if any(counts):
            traces.append(_status_trace(status, "h", names, counts, hover))
    return _figure(
        traces,
        _("各规划指标完成状态(含定性指标)"),
        130 + 40 * len(cards),
        barmode="stack",
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.12, "traceorder": "normal"},
    )


def plan_figure(history):
    """Stacked bars: the plan's indicators per status in each year judged so far."""
    years = [str(y) for y in history]
    traces = []
    for status in ATTENTION_ORDER:
        code = str(status)
        counts = [sum(1 for s in statuses.values() if s == code) for statuses in history.values()]
        if any(counts):
            traces.append(_status_trace(status, "v", years, counts, years))
    return _figure(
        traces,
        _("各年度指标状态"),
        300,
        barmode="stack",
        bargap=0.35,
        xaxis={"type": "category", "title": {"text": _("评价年份")}},
        yaxis={"title": {"text": _("指标数")}},
        legend={"orientation": "v", "x": 1.02, "y": 1, "traceorder": "normal"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )


def indicator_figure(indicator, detail):
    """Actuals over the years (for 新增, the running sum since the period began), the straight
    path to each milestone, the projection, and the year judged."""
    plan, unit, places = indicator.plan, indicator.unit, detail["places"]
    approved = [a for a in detail["actuals"] if a.status == "approved" and a.value is not None]
    if indicator.measure == "new":
        points, running = [], 0
        for a in approved:
            if a.year >= plan.period_start:
                running += a.value
                points.append((a.year, running, wording.number(running, places)))
        name = _("%(start)d年以来累计新增(已审核)") % {"start": plan.period_start}
    else:
        points = [(a.year, a.value, a.raw) for a in approved]
        name = _("实际值(已审核)")
    traces = [
        _scatter(
            x=[p[0] for p in points],
            y=[_float(p[1]) for p in points],
            mode="lines+markers+text",
            name=name,
            text=[p[2] for p in points],
            textposition="top center",
            line={"color": "#0072B2", "width": 3},
        )
    ]
    if indicator.measure == "new":
        start = (plan.period_start - 1, 0)
    else:
        baseline = next(
            (b for b, _said in reversed(detail["baselines"]) if b.value is not None), None
        )
        start = (baseline.year, baseline.value) if baseline else None
    per_year = indicator.measure == "per_year"
    for row in detail["results"]:
        t = row["target"]
        if t.value is None:
            continue
        if per_year:
            # The same floor every year, each year judged alone: no path, no projection.
            traces.append(
                _scatter(
                    x=[plan.period_start, t.year],
                    y=[_float(t.value)] * 2,
                    mode="lines",
                    line={"dash": "dash", "color": "#E69F00", "width": 2},
                    name=_("每年目标 %(t)s") % {"t": row["said"].target},
                )
            )
            continue
        if start is not None:
            traces.append(
                _scatter(
                    x=[start[0], t.year],
                    y=[_float(start[1]), _float(t.value)],
                    mode="lines",
                    line={"dash": "dot", "color": "#8c959f"},
                    name=_("序时路径至%(y)d年") % {"y": t.year},
                    hoverinfo="skip",
                )
            )
        target = row["said"].target
        traces.append(
            _scatter(
                x=[t.year],
                y=[_float(t.value)],
                mode="markers+text",
                marker={"symbol": "star", "size": 16, "color": "#E69F00"},
                text=[target if len(target) <= 12 else target[:11] + "…"],
                hovertext=[target],
                hoverinfo="text",
                textposition="bottom center",
                name=_("%(y)d年目标") % {"y": t.year},
            )
        )
        judged = [p for p in points if p[0] <= row["year"]]
        if row["projected_value"] is not None and judged:
            # The projection made at the year judged, from that year's figure.
            last = judged[-1]
            traces.append(
                _scatter(
                    x=[last[0], t.year],
                    y=[_float(last[1]), _float(row["projected_value"])],
                    mode="lines+markers",
                    line={"dash": "dash", "color": "#D55E00"},
                    name=_("预测至%(y)d年") % {"y": t.year},
                    hovertext=["", row["said"].projection],
                    hoverinfo="text",
                )
            )
    year = detail["year"]
    return _figure(
        traces,
        f"{indicator.code} {indicator.name}",
        400,
        xaxis={"dtick": 1},
        yaxis={"title": {"text": unit}},
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": year,
                "x1": year,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dot", "color": "#57606a", "width": 1},
            }
        ],
        annotations=[
            {
                "xref": "x",
                "yref": "paper",
                "x": year,
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "text": _("评价年份 %(y)d") % {"y": year},
                "font": {"size": 11, "color": "#57606a"},
            }
        ],
    )


def _actual_said(bar):
    if bar["actual_text"]:
        return bar["actual_text"]
    return _("未填报") if bar["in_period"] else _("不在规划期内")


def comparison_figure(canonical, bars):
    """One canonical indicator across regions, each bar with its region's target marked."""
    labels = [b["label"] for b in bars]
    traces = [
        _bar(
            x=labels,
            y=[_float(b["actual"].value) if b["actual"] else None for b in bars],
            name=_("审核值"),
            marker={"color": "#0072B2"},
            text=[_actual_said(b) for b in bars],
            hovertext=[f"{b['indicator'].plan.title}: {_actual_said(b)}" for b in bars],
            hoverinfo="text",
        ),
        _scatter(
            x=labels,
            y=[_float(b["target"].value) if b["target"] else None for b in bars],
            mode="markers",
            name=_("目标"),
            marker={
                "symbol": "line-ew-open",
                "size": 40,
                "line": {"width": 4, "color": "#E69F00"},
            },
            hovertext=[
                _("%(y)d年目标 %(t)s") % {"y": b["target"].year, "t": b["target_text"]}
                if b["target"]
                else ""
                for b in bars
            ],
            hoverinfo="text",
        ),
    ]
    flagged = [b["label"] for b in bars if b["flags"]]
    if flagged:
        traces.append(
            _scatter(
                x=flagged,
                y=[0] * len(flagged),
                mode="markers+text",
                marker={"symbol": "triangle-up", "size": 14, "color": "#D55E00"},
                text=["⚠"] * len(flagged),
                name=_("上下衔接提示"),
            )
        )
    return _figure(traces, canonical.name, 420, yaxis={"title": {"text": canonical.unit}})


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
        marker={"color": "#0072B2"},
    )
    step = max(1, -(-max(counts.values(), default=1) // 5))  # whole indicators on the axis
    return _figure(
        [trace], _("本年度填报状态"), 300, yaxis={"title": {"text": _("指标数")}, "dtick": step}
    )
