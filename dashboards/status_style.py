"""How each attainment status is drawn: its shape and name, a colour and a pattern, never
colour alone.

The colours are Okabe and Ito's palette for colour-blind readers, with greys for the states
without a verdict; every two statuses stay apart under simulated protanopia, deuteranopia and
tritanopia (a test checks it). 未达标 and 逆向 are hatched as well, so that they differ from
严重滞后 by pattern too.
"""

from indicators.attainment import Status
from indicators.wording import SHAPES, status_label

# colour, pattern (a plotly bar pattern shape; "" solid)
STYLE = {
    Status.ACHIEVED: ("#009E73", ""),
    Status.ON_TRACK: ("#0072B2", ""),
    Status.LAGGING: ("#E69F00", ""),
    Status.OFF_TRACK: ("#D55E00", ""),
    Status.REGRESSING: ("#882255", "/"),
    Status.NOT_ACHIEVED: ("#24292F", "x"),
    Status.INSUFFICIENT_DATA: ("#6E7781", "."),
    Status.INDETERMINATE: ("#C8B6D9", "-"),
    Status.IN_PROGRESS: ("#56B4E9", ""),
    Status.NO_DATA: ("#D0D7DE", ""),
}
# The CSS class that draws each pattern (static/dashboards/dashboard.css).
PATTERN_CLASSES = {"": "", "/": "hatch-up", "x": "hatch-cross", ".": "dots", "-": "dashes"}

# Worst first: what a leader should look at before anything else.
ATTENTION_ORDER = [
    Status.REGRESSING,
    Status.OFF_TRACK,
    Status.NOT_ACHIEVED,
    Status.LAGGING,
    Status.INDETERMINATE,
    Status.INSUFFICIENT_DATA,
    Status.IN_PROGRESS,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.NO_DATA,
]
# The statuses a plan page lists first (issue: 严重滞后, 逆向, 滞后, 未达标).
NEEDS_ATTENTION = {Status.OFF_TRACK, Status.REGRESSING, Status.LAGGING, Status.NOT_ACHIEVED}


def _ink(colour):
    """Text drawn on the colour: white on dark colours, near-black on light ones."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#FFFFFF" if 0.299 * r + 0.587 * g + 0.114 * b < 150 else "#24292F"


def badge(status):
    status = Status(status)
    colour, pattern = STYLE[status]
    return {
        "code": str(status),
        "label": status_label(status),
        "colour": colour,
        "ink": _ink(colour),
        "pattern": pattern,
        "pattern_class": PATTERN_CLASSES[pattern],
        "shape": SHAPES[status],
    }
