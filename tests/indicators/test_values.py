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


@pytest.mark.parametrize("text", ["123456789012345", "99999999亿", "0.1234567", "1" + "0" * 40])
def test_figures_beyond_what_can_be_stored_are_refused_with_the_limits(text):
    with pytest.raises(FigureError) as error:
        parse_figure(text)
    message = str(error.value)
    assert "整数部分最多 14 位" in message and "小数最多 6 位" in message


@pytest.mark.parametrize("text", ["99999999999999", "99999999999999.999999", "9999亿", "0.000001"])
def test_figures_at_the_limits_are_read(text):
    assert parse_figure(text).value == Decimal(text.replace("亿", "")) * (
        100_000_000 if "亿" in text else 1
    )


def test_a_figure_typed_longer_than_its_column_is_refused():
    with pytest.raises(FigureError, match="200"):
        parse_figure("0" * 300 + "1")


def test_the_limits_are_those_of_the_value_columns():
    from indicators.models import Actual, Baseline, Target
    from indicators.values import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, MAX_RAW_LENGTH

    for model in (Actual, Target, Baseline):
        field = model._meta.get_field("value")
        assert (field.max_digits - field.decimal_places, field.decimal_places) == (
            MAX_INTEGER_DIGITS,
            MAX_DECIMAL_PLACES,
        )
    assert Actual._meta.get_field("raw").max_length == MAX_RAW_LENGTH
