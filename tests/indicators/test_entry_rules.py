"""The plain rules behind the entry page: the scale check, what a figure would give (through
the attainment engine), when 情况说明 and 下一步措施 are needed, the number read, the years a
page opens for."""

import datetime
from decimal import Decimal

import pytest

from indicators import attainment
from indicators.entry_rules import (
    OpenYear,
    Standing,
    check_entry,
    due_year,
    needs_reasons,
    open_years,
    would_give,
)
from indicators.outliers import is_rate, scale_suspicion
from indicators.values import parse_figure, reading

D = Decimal


# --- the scale check -------------------------------------------------------------------------


def test_ten_times_both_the_target_and_the_latest_figure_is_suspicious():
    why = scale_suspicion(D(35000), target=D(500), latest=D(480), rate=False)
    assert "35000" in why and "目标 500" in why and "最近审核值 480" in why and "10 倍" in why


def test_a_tenth_of_both_is_suspicious():
    why = scale_suspicion(D("3.5"), target=D(500), latest=D(480), rate=False)
    assert "十分之一" in why


@pytest.mark.parametrize(
    ("value", "target", "latest"),
    [
        (D(35000), D(500), D(40000)),  # far above the target, but like last year's figure
        (D(3), D(500), D(4)),  # far below the target, but like last year's figure
        (D(5000), D(500), D(480)),  # exactly ten times is not more than ten times
        (D(50), D(500), None),  # exactly a tenth is not less than a tenth
        (D(35000), None, None),  # nothing to compare with
        (D(35000), D(0), None),  # a target of zero gives no scale
    ],
)
def test_within_the_scale_of_one_reference_or_with_none_is_not(value, target, latest):
    assert scale_suspicion(value, target=target, latest=latest, rate=False) == ""


def test_one_reference_known_is_enough():
    assert scale_suspicion(D(35000), target=None, latest=D(480), rate=False)
    assert scale_suspicion(D(35000), target=D(500), latest=None, rate=False)


def test_a_rate_outside_0_to_100_is_suspicious_whatever_the_references():
    assert "0 到 100" in scale_suspicion(D(150), target=D(120), latest=D(130), rate=True)
    assert scale_suspicion(D(95), target=D(96), latest=D(94), rate=True) == ""
    assert is_rate("顾客满意率", "") and is_rate("合格", "%")
    assert not is_rate("顾客满意率", "分") and not is_rate("企业数", "")


# --- what a figure would give, through the attainment engine --------------------------------

# 到2015年 ≥ 92, baseline 90 in 2010: in 2013 three fifths of the time has passed.
LEVEL = Standing(
    terms=attainment.TargetTerms(
        year=2015,
        comparator="gte",
        value=D(92),
        value_max=None,
        direction="higher",
        measure="level",
    ),
    period_start=2011,
    baseline=(2010, D(90)),
)


def judged(standing, text, year=2013):
    return would_give(standing, year=year, figure=parse_figure(text))


@pytest.mark.parametrize(
    ("text", "status", "asks"),
    [
        ("92.5", attainment.Status.ACHIEVED, False),
        ("91.2", attainment.Status.ON_TRACK, False),  # progress 0.6 = elapsed 0.6
        ("90.9", attainment.Status.LAGGING, True),  # progress 0.45 ≥ 0.6 × 0.6
        ("90.5", attainment.Status.OFF_TRACK, True),  # progress 0.25 < 0.36
        ("89", attainment.Status.REGRESSING, True),  # below the baseline
    ],
)
def test_the_status_a_figure_would_give_is_the_engines(text, status, asks):
    result = judged(LEVEL, text)
    engine = attainment.evaluate(
        LEVEL.terms,
        year=2013,
        period_start=2011,
        observations=[attainment.Observation(2013, parse_figure(text).value)],
        baseline=(2010, D(90)),
    )
    assert result.status == engine.status == status
    assert needs_reasons(result) is asks


def test_the_new_figure_replaces_the_approved_one_of_its_year():
    standing = Standing(
        terms=LEVEL.terms,
        period_start=2011,
        baseline=(2010, D(90)),
        approved=(attainment.Observation(2012, D(91)), attainment.Observation(2013, D(92.5))),
    )
    assert judged(standing, "90.5").status == attainment.Status.OFF_TRACK


def test_a_missed_target_year_and_a_missed_year_of_a_yearly_target_are_not_achieved():
    assert judged(LEVEL, "91", year=2015).status == attainment.Status.NOT_ACHIEVED
    yearly = Standing(
        terms=attainment.TargetTerms(
            year=2027, comparator="gte", value=D(400), value_max=None, direction="higher",
            measure="per_year",
        ),
        period_start=2023,
    )  # fmt: skip
    result = judged(yearly, "380", year=2024)
    assert result.status == attainment.Status.NOT_ACHIEVED and needs_reasons(result)
    assert not needs_reasons(judged(yearly, "410", year=2024))


def test_a_new_target_judges_the_sum_of_the_years():
    new = Standing(
        terms=attainment.TargetTerms(
            year=2015, comparator="gte", value=D(500), value_max=None, direction="higher",
            measure="new",
        ),
        period_start=2011,
        approved=(attainment.Observation(2011, D(100)), attainment.Observation(2012, D(100))),
    )  # fmt: skip
    assert judged(new, "100").status == attainment.Status.ON_TRACK  # 300 of 500 by 3/5
    assert judged(new, "10").status == attainment.Status.LAGGING  # 210 of 500
    assert new.scale() == D(100)  # a fifth of the period's 500, for the scale check


# --- the reasons asked for on submission ----------------------------------------------------


def entry(text, **kwargs):
    defaults = dict(
        unit="%",
        measure="level",
        name="产品质量合格率",
        year=2013,
        period_start=2011,
        period_end=2015,
        locked=False,
        note="",
        standing=LEVEL,
    )
    return check_entry(text, **{**defaults, **kwargs})


def test_a_lagging_figure_is_submitted_only_with_its_explanation_and_next_steps():
    assert entry("90.5").errors == []  # a draft may lag
    refused = entry("90.5", submit=True)
    assert refused.reason_errors == [
        "按此数值,该指标将判为“严重滞后”;提交审核前请填写情况说明和下一步措施。"
    ]
    half = entry("90.5", submit=True, explanation="两家企业停产")
    assert half.reason_errors == ["按此数值,该指标将判为“严重滞后”;提交审核前请填写下一步措施。"]
    full = entry("90.5", submit=True, explanation="两家企业停产", next_steps="督促复产")
    assert full.errors == [] and full.judged.status == attainment.Status.OFF_TRACK
    assert entry("91.5", submit=True).errors == []  # on track: nothing asked


def test_a_qualitative_figure_not_achieved_asks_for_reasons_too():
    standing = Standing(
        terms=attainment.TargetTerms(
            year=2015, comparator="qualitative", value=None, value_max=None, direction="higher",
            measure="level",
        ),
        period_start=2011,
    )  # fmt: skip
    check = entry("", qualitative=True, qualitative_status="not_achieved", standing=standing)
    assert check.errors == []
    check = entry(
        "", qualitative=True, qualitative_status="not_achieved", standing=standing, submit=True
    )
    assert "未达标" in check.reason_errors[0]


def test_the_base_year_takes_a_figure_that_is_not_judged():
    base = entry("89", year=2010, submit=True)
    assert base.errors == [] and base.judged is None
    assert "不在规划期" in entry("89", year=2009).errors[0]


def test_a_figure_off_the_indicators_scale_needs_a_note():
    counted = Standing(
        terms=attainment.TargetTerms(
            year=2015, comparator="gte", value=D(500), value_max=None, direction="higher",
            measure="cumulative",
        ),
        period_start=2011,
    )  # fmt: skip
    check = entry("3.5万", unit="家", name="企业数", standing=counted)
    assert check.figure.value == D(35000)
    assert "数值可能有误" in check.value_errors[0] and "10 倍" in check.value_errors[0]
    noted = entry("3.5万", unit="家", name="企业数", standing=counted, note="含全市分支机构")
    assert noted.errors == [] and "10 倍" in noted.suspicion


# --- the number read --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [("3.5万", "35000"), ("98以上", "≥98"), ("1,234", "1234"), ("93", ""), (" 93 ", "")],
)
def test_the_number_read_is_said_where_it_differs_from_the_text(typed, read):
    figure = parse_figure(typed)
    assert reading(typed, figure.value, figure.qualifier) == read


# --- the years a page opens for ---------------------------------------------------------------

TODAY = datetime.date(2026, 12, 2)


def test_open_years_run_from_the_base_year_to_this_year_less_the_locked():
    years = open_years(
        {1: (2023, 2027), 2: (2021, 2025)},
        locked={(2, 2021), (2, 2022)},
        due={(1, 2026): datetime.date(2027, 3, 31)},
        today=TODAY,
    )
    assert [(y.year, y.is_base) for y in years] == [
        (2020, True),
        (2022, True),  # the base year of plan 1 (plan 2 has 2022 locked)
        (2023, False),
        (2024, False),
        (2025, False),
        (2026, False),
    ]
    assert years[-1].due == datetime.date(2027, 3, 31)


def test_the_page_opens_on_the_next_deadline_else_the_last_year_over():
    years = [OpenYear(2010, True), OpenYear(2024), OpenYear(2025), OpenYear(2026)]
    assert due_year(years, today=TODAY) == 2025
    with_deadline = [*years[:3], OpenYear(2026, due=datetime.date(2027, 3, 31))]
    assert due_year(with_deadline, today=TODAY) == 2026
    assert due_year([OpenYear(2026)], today=TODAY) == 2026  # a plan's first year
    assert due_year([OpenYear(2010, True)], today=TODAY) == 2010
    assert due_year([], today=TODAY) is None


def test_a_suspicious_figure_is_explained_by_a_note_or_its_explanation():
    history = Standing(
        terms=LEVEL.terms,
        period_start=2011,
        approved=(attainment.Observation(2011, D(90)), attainment.Observation(2012, D(91))),
    )
    assert "数值可能有误" in entry("40", standing=history).errors[0]
    assert entry("40", standing=history, note="口径调整").errors == []
    explained = entry("40", standing=history, explanation="口径调整,含新纳入企业")
    assert explained.errors == [] and "超出历史数据范围" in explained.suspicion


def test_a_figure_continuing_a_steady_history_is_no_outlier():
    from indicators.outliers import suspicion

    steady = [D("95.1"), D("95.3"), D("95.6"), D("95.8")]  # z of 96.5 against them: 4.2
    assert suspicion(D("96.5"), steady, measure="level", unit="%") == ""
    assert "偏离过大" in suspicion(D("80"), steady, measure="level", unit="%")
    volatile = [D(100), D(300), D(120), D(280)]
    assert suspicion(D(200), volatile, measure="level", unit="项") == ""
    assert "偏离过大" in suspicion(D(2000), volatile, measure="level", unit="项")


@pytest.mark.parametrize("typed", ["98.0", "９８", "98"])
def test_a_plain_number_however_written_reads_as_typed(typed):
    assert reading(typed, D(98), "") == ""
