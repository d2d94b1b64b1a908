"""Charts for the documents people take away, drawn as PNG images with the dashboards' colours,
shapes and words (dashboards.status_style), so that a status reads the same on paper.

Drawn with matplotlib's Agg canvas (no display). Chinese is set in Noto Sans CJK (the
fonts-noto-cjk package), with DejaVu Sans for the shapes it lacks.
"""

import io

from matplotlib.figure import Figure

from dashboards.status_style import ATTENTION_ORDER, badge

FONTS = ["Noto Sans CJK SC", "DejaVu Sans"]
DPI = 200


def status_mix_png(counts, *, title):
    """A horizontal bar per status with indicators (counts: {status: n}), worst first, each
    labelled with its shape and name and its number, in its dashboard colour (and pattern,
    where the dashboards hatch it)."""
    shown = [(badge(s), counts.get(s, 0)) for s in ATTENTION_ORDER if counts.get(s, 0)]
    height = 1.0 + 0.42 * max(len(shown), 1)
    figure = Figure(figsize=(6.3, height), dpi=DPI)
    figure.set_layout_engine("constrained")
    axes = figure.add_subplot()
    labels = [f"{b['shape']} {b['label']}" for b, _ in shown]
    values = [n for _, n in shown]
    bars = axes.barh(
        range(len(shown)),
        values,
        color=[b["colour"] for b, _ in shown],
        edgecolor="#24292F",
        linewidth=0.6,
    )
    for bar, (b, _) in zip(bars, shown, strict=True):
        pattern = b.get("pattern")
        if pattern:
            bar.set_hatch(pattern * 3)
    axes.bar_label(bars, labels=[str(n) for n in values], padding=4, fontfamily=FONTS)
    axes.set_yticks(range(len(shown)), labels, fontfamily=FONTS, fontsize=10)
    axes.tick_params(axis="y", length=0)
    axes.invert_yaxis()  # worst on top, as on the dashboards
    axes.set_xlim(0, max(values, default=1) * 1.15 + 0.5)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, loc="left", fontfamily=FONTS, fontsize=11)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
