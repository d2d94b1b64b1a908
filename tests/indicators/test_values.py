from decimal import Decimal

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
