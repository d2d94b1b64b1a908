import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from indicators.values import FigureError, parse_figure


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("98.5", "98.5", ""),
        ("98.5%", "98.5", ""),
        ("98以上", "98", "gte"),
        ("10%以下", "10", "lte"),
        ("９８．５", "98.5", ""),
        ("１０％以下", "10", "lte"),
        ("1,234", "1234", ""),
        ("3.5万", "35000", ""),
        ("不少于400", "400", "gte"),
        ("多于130", "130", "gt"),
        (" 96 ", "96", ""),
    ],
)
def test_figures_are_read_as_people_write_them(text, value, qualifier):
    figure = parse_figure(text)
    assert (figure.value, figure.qualifier, figure.raw) == (Decimal(value), qualifier, text.strip())


@pytest.mark.parametrize("text", ["", "abc", "1,23", "98以上以下", "9 8 . 5x", "--3"])
def test_non_figures_are_refused_in_chinese(text):
    with pytest.raises(FigureError) as error:
        parse_figure(text)
    assert "数值" in str(error.value) or "限定词" in str(error.value)


def test_figures_are_read_and_refused_without_django_settings():
    """The plan extractor parses figures outside Django."""
    code = (
        "from indicators.values import FigureError, parse_figure\n"
        "print(parse_figure('98以上').value)\n"
        "try:\n    parse_figure('abc')\n"
        "except FigureError as error:\n    print(error)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines() == ["98", "“abc”不是有效的数值,请填写如 98.5、98.5%、98以上 或 3.5万。"]
