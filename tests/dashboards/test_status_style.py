"""Each status is drawn with its own shape, and colours that stay apart for colour-blind
readers; 未达标 and 严重滞后 differ by hue and by pattern."""

from itertools import combinations

import pytest

from dashboards.status_style import STYLE, badge
from indicators.attainment import Status

# Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
SIMULATIONS = {
    "typical vision": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
MINIMUM_DIFFERENCE = 12  # CIE76 ΔE: two colours that one tells apart at a glance


def _linear(channel):
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(rgb):
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def seen(colour, matrix):
    rgb = [_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5)]
    return _lab(
        [min(1, max(0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix]
    )


@pytest.mark.parametrize("simulation", list(SIMULATIONS))
def test_every_two_statuses_stay_apart_for_colour_blind_readers(simulation):
    matrix = SIMULATIONS[simulation]
    close = []
    for a, b in combinations(Status, 2):
        la, lb = seen(STYLE[a][0], matrix), seen(STYLE[b][0], matrix)
        difference = sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5
        if difference < MINIMUM_DIFFERENCE:
            close.append((str(a), str(b), round(difference, 1)))
    assert close == []


def test_not_achieved_and_off_track_differ_by_hue_and_pattern():
    missed, off_track = badge(Status.NOT_ACHIEVED), badge(Status.OFF_TRACK)
    assert missed["colour"] != off_track["colour"]
    assert missed["pattern"] and missed["pattern"] != off_track["pattern"]
    assert missed["shape"] != off_track["shape"]


def test_every_status_has_its_own_shape_and_name():
    badges = [badge(s) for s in Status]
    assert len({b["shape"] for b in badges}) == len({b["label"] for b in badges}) == len(Status)
