"""plotly figures for the dashboards, built from plain data and returned as JSON text."""

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from .status_style import ATTENTION_ORDER, badge

FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


def _layout(fig, title, height):
    fig.update_layout(
        title={"text": title, "x": 0},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 30},
        font={"family": FONT, "size": 13},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig.to_json()


def _float(value):
    return None if value is None else float(value)


def overview_figure(cards):
    """Stacked bars: indicators per status, one bar per plan."""
    fig = go.Figure()
    names = [c["slug"] for c in cards]
    for status in ATTENTION_ORDER:
        b = badge(status)
        counts = [
            next((x["count"] for x in c["counts"] if x["code"] == b["code"]), 0) for c in cards
        ]
        if any(counts):
            fig.add_bar(
                y=names,
                x=counts,
                orientation="h",
                name=f"{b['shape']} {b['label']}",
                marker_color=b["colour"],
                text=counts,
                textposition="inside",
            )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    return _layout(fig, _("各规划指标完成状态"), 120 + 34 * len(cards))


def plan_figure(rows, elapsed):
    """Progress of each indicator against 序时进度 (the time elapsed)."""
    fig = go.Figure()
    labels = [f"{r['indicator_code']} {r['name'][:16]}" for r in rows]
    progress = [min(_float(r["progress"]) or 0, 1.5) for r in rows]
    colours = [r["badge"]["colour"] for r in rows]
    fig.add_bar(
        y=labels,
        x=progress,
        orientation="h",
        name=_("目标进度"),
        marker_color=colours,
        text=[f"{r['badge']['shape']} {r['badge']['label']}" for r in rows],
        textposition="outside",
    )
    completion = [_float(r["completion"]) for r in rows]
    fig.add_scatter(
        y=labels,
        x=completion,
        mode="markers",
        name=_("完成率"),
        marker={"symbol": "diamond", "size": 9, "color": "#24292f"},
    )
    if elapsed is not None:
        fig.add_vline(
            x=float(elapsed),
            line_dash="dash",
            line_color="#57606a",
            annotation_text=_("序时进度 %(e).0f%%") % {"e": float(elapsed) * 100},
        )
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis={"tickformat": ".0%"})
    return _layout(fig, _("目标进度与序时进度"), 140 + 28 * max(len(rows), 1))


def indicator_figure(indicator, detail):
    """Actuals over the years, the straight path to each milestone, the projection."""
    fig = go.Figure()
    approved = [a for a in detail["actuals"] if a.status == "approved" and a.value is not None]
    fig.add_scatter(
        x=[a.year for a in approved],
        y=[_float(a.value) for a in approved],
        mode="lines+markers+text",
        name=_("实际值(已审核)"),
        text=[a.raw for a in approved],
        textposition="top center",
        line={"color": "#0969da", "width": 3},
    )
    baseline = next((b for b in reversed(detail["baselines"]) if b.value is not None), None)
    for t in detail["targets"]:
        if t.value is None:
            continue
        if baseline is not None and indicator.measure != "new":
            fig.add_scatter(
                x=[baseline.year, t.year],
                y=[_float(baseline.value), _float(t.value)],
                mode="lines",
                line={"dash": "dot", "color": "#8c959f"},
                name=_("序时路径至%(y)d年") % {"y": t.year},
            )
        fig.add_scatter(
            x=[t.year],
            y=[_float(t.value)],
            mode="markers+text",
            marker={"symbol": "star", "size": 16, "color": "#bf8700"},
            text=[t.raw],
            textposition="bottom center",
            name=_("%(y)d年目标") % {"y": t.year},
        )
        result = detail["results_by_target"].get(t.pk)
        if result is not None and result.projected_value is not None and approved:
            last = approved[-1]
            fig.add_scatter(
                x=[last.year, t.year],
                y=[_float(last.value), _float(result.projected_value)],
                mode="lines+markers",
                line={"dash": "dash", "color": "#cf222e"},
                name=_("预测至%(y)d年") % {"y": t.year},
            )
    fig.update_layout(xaxis={"dtick": 1}, yaxis={"title": indicator.unit or ""})
    return _layout(fig, f"{indicator.code} {indicator.name}", 420)


def comparison_figure(canonical, bars):
    """One canonical indicator across regions, each bar with its region's target marked."""
    fig = go.Figure()
    labels = [b["label"] for b in bars]
    fig.add_bar(
        x=labels,
        y=[_float(b["actual"].value) if b["actual"] else None for b in bars],
        name=_("最新审核值"),
        marker_color="#0969da",
        text=[b["actual"].raw if b["actual"] else _("未填报") for b in bars],
    )
    fig.add_scatter(
        x=labels,
        y=[_float(b["target"].value) if b["target"] else None for b in bars],
        mode="markers",
        name=_("目标值"),
        marker={"symbol": "line-ew-open", "size": 40, "line": {"width": 4, "color": "#bf8700"}},
        text=[f"{b['target'].year}: {b['target'].raw}" if b["target"] else "" for b in bars],
    )
    flagged = [b["label"] for b in bars if b["flags"]]
    if flagged:
        fig.add_scatter(
            x=flagged,
            y=[0] * len(flagged),
            mode="markers+text",
            marker={"symbol": "triangle-up", "size": 14, "color": "#cf222e"},
            text=["⚠"] * len(flagged),
            name=_("上下衔接提示"),
        )
    return _layout(fig, canonical.name, 420)


def department_figure(rows):
    """The department's figures for the year by state of submission."""
    counts = {}
    for row in rows:
        if not row["in_period"]:
            continue
        label = row["actual"].get_status_display() if row["actual"] else _("未填报")
        counts[label] = counts.get(label, 0) + 1
    fig = go.Figure()
    fig.add_bar(
        x=list(counts), y=list(counts.values()), text=list(counts.values()), marker_color="#0969da"
    )
    return _layout(fig, _("本年度填报状态"), 320)
