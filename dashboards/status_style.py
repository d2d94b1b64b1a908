"""How each attainment status is drawn: a colour, a shape and a word, never colour alone."""

from indicators.attainment import Status
from indicators.models import AttainmentStatus

STYLE = {
    Status.ACHIEVED: ("#1a7f37", "✔"),
    Status.ON_TRACK: ("#0969da", "▲"),
    Status.LAGGING: ("#bf8700", "◆"),
    Status.OFF_TRACK: ("#cf222e", "✖"),
    Status.REGRESSING: ("#82071e", "▼"),
    Status.NOT_ACHIEVED: ("#a40e26", "■"),
    Status.INSUFFICIENT_DATA: ("#6e7781", "?"),
    Status.INDETERMINATE: ("#8c959f", "≈"),
    Status.IN_PROGRESS: ("#1b7c83", "◐"),
    Status.NO_DATA: ("#d0d7de", "○"),
}
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


def badge(status):
    status = Status(status)
    colour, shape = STYLE[status]
    return {
        "code": str(status),
        "label": AttainmentStatus(str(status)).label,
        "colour": colour,
        "shape": shape,
    }
