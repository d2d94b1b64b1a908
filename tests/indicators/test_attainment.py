"""The attainment engine (DOMAIN.md §3): each rule with a hand-worked case, then the edges."""

import ast
import random
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from indicators import attainment
from indicators.attainment import (
    DEFAULT_THRESHOLDS,
    MIXED_QUALIFIER,
    STATUS_LABELS,
    Observation,
    Status,
    TargetTerms,
    Thresholds,
    evaluate,
    evaluate_series,
    rollup,
)


def terms(comparator="gte", value="35", *, year=2020, value_max=None, direction="higher",
          measure="level"):  # fmt: skip
    return TargetTerms(
        year=year,
        comparator=comparator,
        value=None if value is None else D(value),
        value_max=None if value_max is None else D(value_max),
        direction=direction,
        measure=measure,
    )


def obs(year, value, qualifier=""):
    return Observation(year=year, value=D(value), qualifier=qualifier)


def run(target, year, observations, baseline=None, period_start=2016, **kwargs):
    return evaluate(
        target,
        year=year,
        period_start=period_start,
        observations=observations,
        baseline=None if baseline is None else (baseline[0], D(baseline[1])),
        **kwargs,
    )


# --- 浙江 十三五 表1-1: 2015 baseline, 2020 planned, 2020 actual (period 2016-2020) ---------------


def test_zhejiang_farm_produce_pass_rate_98_or_more_meets_at_least_98():
    # 农产品质量安全监测合格率: b = 96, t ≥ 98, actual "98以上".
    r = run(terms("gte", "98"), 2020, [obs(2020, "98", "gte")], baseline=(2015, "96"))
    assert r.status == Status.ACHIEVED and r.met is True
    assert (r.actual, r.actual_qualifier) == (D("98"), "gte")
    assert (r.baseline_value, r.baseline_year) == (D("96"), 2015)
    assert r.completion == D("1.0000")  # 98 / 98
    assert r.progress == D("1.0000")  # (98 - 96) / (98 - 96)
    assert r.elapsed == D("1.0000")  # (2020 - 2015) / (2020 - 2015)
    assert r.projected_value == D("98.0000")  # the line through (2015, 96) and (2020, 98)
    assert r.projected_met is True
    assert r.note.startswith("rule 3")


def test_zhejiang_new_product_output_rate_37_achieves_35_with_completion_1_0571():
    # 规模以上工业新产品产值率: b = 32, t ≥ 35, a = 37.
    r = run(terms("gte", "35"), 2020, [obs(2020, "37")], baseline=(2015, "32"))
    assert r.status == Status.ACHIEVED
    assert r.completion == D("1.0571")  # 37 / 35 = 1.05714…
    assert r.progress == D("1.6667")  # (37 - 32) / (35 - 32) = 5 / 3
    assert r.projected_value == D("37.0000")


def test_zhejiang_new_national_test_centres_6_of_10_is_not_achieved_at_the_target_year():
    # 创建国家产品质量监督检验中心(新增): t ≥ 10, one 2020 yearly value 6; the printed
    # baseline 4 is for reference only (新增: b = 0 in 2015).
    r = run(terms("gte", "10", measure="new"), 2020, [obs(2020, "6")], baseline=(2015, "4"))
    assert r.status == Status.NOT_ACHIEVED and r.met is False
    assert r.actual == D("6")
    assert (r.baseline_value, r.baseline_year) == (D("0"), 2015)
    assert r.completion == D("0.6000")  # 6 / 10
    assert r.progress == D("0.6000")  # (6 - 0) / (10 - 0)
    assert r.elapsed == D("1.0000")
    assert r.projected_value == D("6.0000")  # the line through (2015, 0) and (2020, 6)
    assert r.projected_met is False
    assert r.note.startswith("rule 4")


# --- one case per status rule (b = 32 in 2015, t ≥ 35 in 2020, unless said otherwise) ---------


def test_rule_1_no_actual_for_the_year_is_no_data():
    r = run(terms(), 2018, [obs(2017, "33"), obs(2019, "34")], baseline=(2015, "32"))
    assert r.status == Status.NO_DATA and r.met is None
    assert r.actual is None and r.completion is None and r.progress is None
    assert r.projected_value is None and r.projected_met is None
    assert (r.baseline_value, r.baseline_year, r.elapsed) == (D("32"), 2015, D("0.6000"))
    assert r.note.startswith("rule 1")


def test_rule_2_a_bound_that_straddles_the_target_is_indeterminate():
    # "98以下" allows 96 (fails ≥ 97) and 97.5 (meets it).
    r = run(terms("gte", "97"), 2020, [obs(2020, "98", "lte")], baseline=(2015, "96"))
    assert r.status == Status.INDETERMINATE and r.met is None
    assert r.note.startswith("rule 2")


def test_rule_3_met_before_the_target_year_is_achieved():
    r = run(terms(), 2017, [obs(2017, "35")], baseline=(2015, "32"))
    assert r.status == Status.ACHIEVED
    assert r.progress == D("1.0000") and r.elapsed == D("0.4000")


def test_rule_4_not_met_in_the_target_year_is_not_achieved():
    r = run(terms(), 2020, [obs(2020, "34.9")], baseline=(2015, "32"))
    assert r.status == Status.NOT_ACHIEVED
    assert r.progress == D("0.9667")  # 2.9 / 3, on track by the numbers but the time is up


def test_rule_4_not_met_after_the_target_year_is_not_achieved():
    r = run(terms(), 2022, [obs(2022, "34")], baseline=(2015, "32"))
    assert r.status == Status.NOT_ACHIEVED
    assert r.elapsed == D("1.0000")  # (2022 - 2015) / 5 clipped to 1


def test_rule_4_per_year_target_is_judged_on_its_own_year():
    # 金华: 每年新增国家高新技术企业400家以上, period 2023-2027.
    target = terms("gte", "400", year=2027, measure="per_year")
    history = [obs(2023, "380"), obs(2024, "410"), obs(2025, "390")]
    early = run(target, 2023, history, period_start=2023)
    assert early.status == Status.NOT_ACHIEVED  # though 2027 is far away
    assert early.note.startswith("rule 4: 每年")
    assert early.completion == D("0.9500")  # 380 / 400
    assert run(target, 2024, history, period_start=2023).status == Status.ACHIEVED
    assert run(target, 2025, history, period_start=2023).status == Status.NOT_ACHIEVED


def test_rule_5_a_hold_target_whose_baseline_already_met_it_is_off_track_when_missed():
    # 水源地水质达标率保持100%: b = 100 in 2020, a = 98 in 2022.
    target = terms("eq", "100", year=2025, direction="hold")
    r = run(target, 2022, [obs(2022, "98")], baseline=(2020, "100"), period_start=2021)
    assert r.status == Status.OFF_TRACK
    assert r.progress is None  # t = b
    assert r.completion == D("0.9800")
    assert r.note.startswith("rule 5")


def test_rule_5_includes_t_equal_to_b_under_a_strict_comparator():
    # 多于130: the baseline 130 does not itself meet "> 130", but t = b.
    target = terms("gt", "130", year=2025)
    r = run(target, 2023, [obs(2023, "128")], baseline=(2020, "130"), period_start=2021)
    assert r.status == Status.OFF_TRACK and r.progress is None


def test_rule_5_a_floor_the_baseline_already_exceeded_is_off_track_when_missed():
    target = terms("gte", "94", year=2025)
    r = run(target, 2022, [obs(2022, "93")], baseline=(2020, "95"), period_start=2021)
    assert r.status == Status.OFF_TRACK
    assert r.progress == D("2.0000")  # (93 - 95) / (94 - 95): the formula misleads, rule 5 wins


def test_rule_6_no_baseline_is_insufficient_data():
    # Evaluated before the period starts, with no plan baseline: nothing to measure from.
    target = terms("gte", "94", year=2025)
    r = run(target, 2020, [obs(2020, "90")], period_start=2021)
    assert r.status == Status.INSUFFICIENT_DATA
    assert r.baseline_value is None and r.baseline_year is None and r.elapsed is None
    assert r.progress is None and r.projected_value is None
    assert r.completion == D("0.9574")  # 90 / 94
    assert r.note.startswith("rule 6: no baseline")


def test_rule_6_elapsed_zero_is_insufficient_data():
    # No plan baseline: the earliest actual is 2021 itself, so e = (2021 - 2021) / 4 = 0.
    target = terms("gte", "94", year=2025)
    r = run(target, 2021, [obs(2021, "90")], period_start=2021)
    assert r.status == Status.INSUFFICIENT_DATA
    assert (r.baseline_value, r.baseline_year) == (D("90"), 2021)
    assert r.elapsed == D("0.0000") and r.progress == D("0.0000")
    assert r.note.startswith("rule 6: elapsed 0")


def test_rule_7_moving_away_from_the_target_is_regressing():
    r = run(terms(), 2017, [obs(2017, "31")], baseline=(2015, "32"))
    assert r.status == Status.REGRESSING
    assert r.progress == D("-0.3333")  # (31 - 32) / (35 - 32)
    assert r.note.startswith("rule 7")


def test_rule_8_progress_at_least_95_percent_of_elapsed_is_on_track():
    r = run(terms(), 2018, [obs(2018, "34")], baseline=(2015, "32"))
    assert r.progress == D("0.6667")  # 2 / 3
    assert r.elapsed == D("0.6000")  # 3 / 5; bar 0.95 × 0.6 = 0.57
    assert r.status == Status.ON_TRACK
    assert r.note.startswith("rule 8")


def test_rule_9_progress_at_least_60_percent_of_elapsed_is_lagging():
    r = run(terms(), 2018, [obs(2018, "33.2")], baseline=(2015, "32"))
    assert r.progress == D("0.4000")  # 1.2 / 3; bars 0.57 and 0.36
    assert r.status == Status.LAGGING
    assert r.note.startswith("rule 9")


def test_rule_10_progress_below_60_percent_of_elapsed_is_off_track():
    r = run(terms(), 2018, [obs(2018, "33")], baseline=(2015, "32"))
    assert r.progress == D("0.3333")  # 1 / 3 < 0.36
    assert r.status == Status.OFF_TRACK
    assert r.note.startswith("rule 10")


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        # b = 0 (2020), t ≥ 100 (2025), y = 2022: e = 0.4, bars 0.38 and 0.24.
        ("38", Status.ON_TRACK),
        ("37.99", Status.LAGGING),
        ("24", Status.LAGGING),
        ("23.99", Status.OFF_TRACK),
        ("0", Status.OFF_TRACK),  # p = 0 is not regressing
    ],
)
def test_threshold_boundaries_are_inclusive(actual, status):
    target = terms("gte", "100", year=2025)
    r = run(target, 2022, [obs(2022, actual)], baseline=(2020, "0"), period_start=2021)
    assert r.status == status


def test_thresholds_are_settings():
    # p = 0.4, e = 0.6: lagging by default (0.57 > 0.4 ≥ 0.36), on track with a 0.6 bar.
    target, history = terms(), [obs(2018, "33.2")]
    loose = Thresholds(on_track=D("0.60"), lagging=D("0.30"))
    assert run(target, 2018, history, baseline=(2015, "32"), thresholds=loose).status == (
        Status.ON_TRACK
    )
    with pytest.raises(ValueError):
        Thresholds(on_track=D("0.5"), lagging=D("0.6"))


def test_status_is_decided_on_the_rounded_figures_it_reports():
    # p = 56.996 / 100 = 0.56996 → 0.5700 = 0.95 × 0.6: on track from the numbers shown,
    # though the unrounded p falls just short of the bar.
    target = terms("gte", "100", year=2025)
    r = run(target, 2023, [obs(2023, "56.996")], baseline=(2020, "0"), period_start=2021)
    assert r.progress == D("0.5700") and r.elapsed == D("0.6000")
    assert r.status == Status.ON_TRACK


# --- lower is better: ceilings, completion t / a --------------------------------------------


def test_ceiling_met_reports_completion_as_t_over_a():
    # 消费品监督抽查不合格发现率稳定在10%以下: b = 14 (2020), t ≤ 10 (2025).
    target = terms("lte", "10", year=2025, direction="lower")
    r = run(target, 2023, [obs(2023, "9.5")], baseline=(2020, "14"), period_start=2021)
    assert r.status == Status.ACHIEVED
    assert r.completion == D("1.0526")  # 10 / 9.5


def test_ceiling_falling_towards_the_target_is_on_track():
    target = terms("lte", "10", year=2025, direction="lower")
    r = run(target, 2023, [obs(2023, "11")], baseline=(2020, "14"), period_start=2021)
    assert r.completion == D("0.9091")  # 10 / 11
    assert r.progress == D("0.7500")  # (11 - 14) / (10 - 14)
    assert r.elapsed == D("0.6000")
    assert r.status == Status.ON_TRACK


def test_ceiling_rising_away_from_the_target_is_regressing():
    target = terms("lte", "10", year=2025, direction="lower")
    r = run(target, 2023, [obs(2023, "15")], baseline=(2020, "14"), period_start=2021)
    assert r.progress == D("-0.2500")  # (15 - 14) / (10 - 14)
    assert r.status == Status.REGRESSING


def test_strict_ceiling_is_not_met_at_the_value_itself():
    target = terms("lt", "5", year=2025, direction="lower")
    r = run(target, 2025, [obs(2025, "5")], baseline=(2020, "8"), period_start=2021)
    assert r.status == Status.NOT_ACHIEVED
    assert r.completion == D("1.0000")


def test_eq_target_with_direction_lower_uses_t_over_a():
    target = terms("eq", "2", year=2025, direction="lower")
    r = run(target, 2025, [obs(2025, "4")], baseline=(2020, "5"), period_start=2021)
    assert r.completion == D("0.5000")  # 2 / 4


def test_completion_is_none_when_it_would_divide_by_zero():
    # 重大质量安全事故 ≤ 0: met at 0, but t / a has no value.
    ceiling = terms("lte", "0", year=2025, direction="lower")
    r = run(ceiling, 2025, [obs(2025, "0")], baseline=(2020, "1"), period_start=2021)
    assert r.status == Status.ACHIEVED and r.completion is None
    floor = terms("gte", "0", year=2025)
    r = run(floor, 2025, [obs(2025, "3")], baseline=(2020, "1"), period_start=2021)
    assert r.completion is None


# --- ranges ----------------------------------------------------------------------------------


def test_range_is_met_at_its_lower_end_and_the_upper_end_is_a_stretch():
    # 省长质量奖力争1~3项 (新增), period 2016-2020.
    target = terms("range", "1", value_max="3", measure="new")
    r = run(target, 2017, [obs(2016, "0"), obs(2017, "1")])
    assert r.status == Status.ACHIEVED and r.actual == D("1")
    assert r.completion == D("1.0000")  # a / t with t the lower end
    above = run(target, 2018, [obs(2016, "2"), obs(2017, "1"), obs(2018, "1")])
    assert above.status == Status.ACHIEVED and above.actual == D("4")


def test_range_below_its_lower_end_is_judged_on_progress():
    target = terms("range", "1", value_max="3", measure="new")
    r = run(target, 2016, [obs(2016, "0")])
    # b = 0 (2015), p = 0 / 1 = 0, e = 1 / 5 = 0.2: 0 < 0.6 × 0.2.
    assert (r.progress, r.elapsed) == (D("0.0000"), D("0.2000"))
    assert r.status == Status.OFF_TRACK
    assert "range 1~3" in r.note


# --- missing baseline, single data point, projection ----------------------------------------


def test_missing_baseline_uses_the_earliest_actual_in_the_plan_period():
    target = terms("gte", "94", year=2025)
    history = [obs(2023, "92"), obs(2020, "80"), obs(2021, "90"), obs(2024, "99")]
    r = run(target, 2023, history, period_start=2021)
    # 2020 lies before the period and 2024 after the year: b = 90 in 2021.
    assert (r.baseline_value, r.baseline_year) == (D("90"), 2021)
    assert r.elapsed == D("0.5000")  # (2023 - 2021) / (2025 - 2021)
    assert r.progress == D("0.5000")  # (92 - 90) / (94 - 90); bar 0.475
    assert r.status == Status.ON_TRACK
    assert "baseline = earliest actual (2021)" in r.note
    # OLS through (2021, 90) and (2023, 92): slope 1, value at 2025 = 94.
    assert r.projected_value == D("94.0000") and r.projected_met is True


def test_a_single_data_point_gives_no_projection():
    target = terms("gte", "94", year=2025)
    r = run(target, 2021, [obs(2021, "95")], period_start=2021)
    assert r.status == Status.ACHIEVED
    assert r.projected_value is None and r.projected_met is None


def test_projection_is_least_squares_through_baseline_and_actuals():
    # (2015, 32), (2016, 33), (2017, 33), (2018, 35): x̄ = 2016.5, ȳ = 33.25,
    # Sxy = 4.5, Sxx = 5, slope 0.9, value at 2020 = 33.25 + 0.9 × 3.5 = 36.4.
    history = [obs(2018, "35"), obs(2016, "33"), obs(2017, "33")]
    r = run(terms("gte", "37"), 2018, history, baseline=(2015, "32"))
    assert r.projected_value == D("36.4000")
    assert r.projected_met is False


def test_plan_baseline_wins_over_an_actual_of_the_same_year_in_the_projection():
    history = [obs(2015, "50"), obs(2018, "35")]
    r = run(terms(), 2018, history, baseline=(2015, "32"))
    # (2015, 32) and (2018, 35): slope 1, value at 2020 = 37.
    assert r.projected_value == D("37.0000")


# --- 新增: running sums from the period start, b = 0 ------------------------------------------


def test_new_target_sums_the_yearly_values_from_the_period_start():
    # 主导制修订国家标准(新增) 600 in 2020; the printed baseline 420 is ignored.
    target = terms("gte", "600", measure="new")
    history = [obs(2019, "500"), obs(2017, "150"), obs(2016, "100"), obs(2018, "130"),
               obs(2015, "999")]  # fmt: skip
    r = run(target, 2018, history, baseline=(2015, "420"))
    assert r.actual == D("380")  # 100 + 150 + 130: 2015 precedes the period, 2019 follows y
    assert (r.baseline_value, r.baseline_year) == (D("0"), 2015)
    assert r.progress == D("0.6333")  # 380 / 600
    assert r.completion == D("0.6333")
    assert r.elapsed == D("0.6000")
    assert r.status == Status.ON_TRACK
    # OLS through (2015, 0), (2016, 100), (2017, 250), (2018, 380): slope 129,
    # value at 2020 = 182.5 + 129 × 3.5 = 634.
    assert r.projected_value == D("634.0000") and r.projected_met is True


def test_new_target_leaves_out_a_missing_year_in_between_and_says_so():
    target = terms("gte", "600", measure="new")
    r = run(target, 2018, [obs(2016, "100"), obs(2018, "130")])
    assert r.actual == D("230")
    assert "no value for 2017" in r.note


def test_new_target_without_a_value_for_the_year_itself_is_no_data():
    target = terms("gte", "600", measure="new")
    r = run(target, 2018, [obs(2016, "100"), obs(2017, "150")])
    assert r.status == Status.NO_DATA and r.actual is None


def test_new_target_sum_of_floors_is_a_floor():
    target = terms("gte", "8", measure="new")
    r = run(target, 2017, [obs(2016, "5", "gte"), obs(2017, "3")])
    assert (r.actual, r.actual_qualifier) == (D("8"), "gte")
    assert r.status == Status.ACHIEVED
    strict = run(target, 2017, [obs(2016, "5", "gte"), obs(2017, "3", "gt")])
    assert strict.actual_qualifier == "gt"
    higher = run(terms("gte", "10", measure="new"), 2017, [obs(2016, "5", "gte"), obs(2017, "3")])
    assert higher.status == Status.INDETERMINATE  # at least 8 may or may not reach 10


def test_new_target_sum_of_ceilings_is_a_ceiling():
    target = terms("gte", "10", measure="new")
    r = run(target, 2020, [obs(2016, "5", "lte"), obs(2020, "3", "lt")])
    assert (r.actual, r.actual_qualifier) == (D("8"), "lt")
    assert r.met is False and r.status == Status.NOT_ACHIEVED


def test_new_target_sum_of_bounds_pointing_both_ways_is_indeterminate():
    target = terms("gte", "8", measure="new")
    r = run(target, 2017, [obs(2016, "5", "gte"), obs(2017, "3", "lte")])
    assert (r.actual, r.actual_qualifier) == (D("8"), MIXED_QUALIFIER)
    assert r.met is None and r.status == Status.INDETERMINATE


# --- qualified actuals as bounds ------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "t", "value", "qualifier", "met"),
    [
        ("gte", "98", "98", "gte", True),  # 98以上 vs ≥ 98
        ("gte", "97", "98", "lte", None),  # 98以下 vs ≥ 97
        ("gte", "99", "98", "lte", False),  # 98以下 vs ≥ 99
        ("lte", "10", "10", "lte", True),  # 10%以下 vs ≤ 10
        ("gte", "98", "98", "lte", None),  # 98以下 allows exactly 98
        ("gte", "98", "98", "lt", False),  # 不到98 never reaches 98
        ("gt", "98", "98", "gte", None),  # 98以上 may be exactly 98
        ("gt", "98", "98", "gt", True),  # 超过98 vs > 98
        ("lt", "10", "10", "lte", None),
        ("lte", "10", "11", "gte", False),  # 11以上 vs ≤ 10
        ("eq", "100", "98", "gte", None),
        ("eq", "100", "99", "lt", False),  # below 99 never rounds to 100
        ("range", "1", "2", "gte", True),
    ],
)
def test_qualified_actual_is_a_bound(comparator, t, value, qualifier, met):
    target = terms(comparator, t, value_max="3" if comparator == "range" else None)
    r = run(target, 2020, [obs(2020, value, qualifier)], baseline=(2015, "0"))
    assert r.met is met
    assert r.actual_qualifier == qualifier


# --- eq within the target's precision -------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "actual", "met"),
    [
        ("100", "99.6", True),  # rounds to 100
        ("100", "99.5", True),  # half up
        ("100", "99.4", False),
        ("100", "100.4", True),
        ("100", "100.5", False),  # rounds to 101
        ("100.000000", "99.6", True),  # the database's 6 places are not significant
        ("98.5", "98.54", True),
        ("98.5", "98.55", False),  # rounds to 98.6
        ("98.5", "98.45", True),
    ],
)
def test_eq_is_judged_at_the_target_precision(t, actual, met):
    target = terms("eq", t, direction="hold")
    r = run(target, 2020, [obs(2020, actual)], baseline=(2015, "90"))
    assert r.met is met


# --- elapsed ---------------------------------------------------------------------------------


def test_elapsed_is_clipped_to_zero_before_the_baseline_year():
    r = run(terms(), 2014, [obs(2014, "30")], baseline=(2015, "32"))
    assert r.elapsed == D("0.0000")
    assert r.status == Status.INSUFFICIENT_DATA


def test_elapsed_is_one_when_the_baseline_year_is_the_target_year():
    r = run(terms(), 2020, [obs(2020, "34")], baseline=(2020, "30"))
    assert r.elapsed == D("1.0000")
    assert r.status == Status.NOT_ACHIEVED


# --- qualitative -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "status", "met"),
    [
        ("achieved", Status.ACHIEVED, True),
        ("in_progress", Status.IN_PROGRESS, None),
        ("not_achieved", Status.NOT_ACHIEVED, False),
        (None, Status.NO_DATA, None),
        ("", Status.NO_DATA, None),
    ],
)
def test_qualitative_target_takes_the_status_a_person_recorded(recorded, status, met):
    target = terms("qualitative", None, year=2025)
    r = run(target, 2023, [obs(2023, "1")], baseline=(2020, "0"), qualitative_status=recorded)
    assert (r.status, r.met) == (status, met)
    assert r.actual is None and r.baseline_value is None and r.completion is None
    assert r.progress is None and r.elapsed is None and r.projected_value is None


def test_unknown_qualitative_status_is_refused():
    with pytest.raises(ValueError):
        run(terms("qualitative", None), 2020, [], qualitative_status="done")


# --- inputs ----------------------------------------------------------------------------------


def test_two_actuals_for_one_year_are_refused():
    with pytest.raises(ValueError):
        run(terms(), 2020, [obs(2020, "1"), obs(2020, "2")], baseline=(2015, "0"))


@pytest.mark.parametrize(
    "target",
    [terms("about"), terms(measure="monthly"), terms("gte", None)],
)
def test_malformed_terms_are_refused(target):
    with pytest.raises(ValueError):
        run(target, 2020, [obs(2020, "1")], baseline=(2015, "0"))


def test_observations_after_the_year_are_not_looked_at():
    history = [obs(2018, "34"), obs(2019, "10")]
    early = run(terms(), 2018, history, baseline=(2015, "32"))
    late = run(terms(), 2018, history[:1], baseline=(2015, "32"))
    assert early == late


# --- labels, rollup, module hygiene ----------------------------------------------------------


def test_every_status_has_a_chinese_label():
    assert set(STATUS_LABELS) == set(Status)
    assert STATUS_LABELS[Status.ON_TRACK] == "符合序时进度"
    assert STATUS_LABELS[Status.OFF_TRACK] == "严重滞后"
    r = run(terms(), 2020, [obs(2020, "37")], baseline=(2015, "32"))
    assert r.label == "已达标"


def test_rollup_counts_statuses_and_rates_achievement_over_numeric_targets_with_data():
    results = [
        (Status.ACHIEVED, True),
        (Status.ACHIEVED, True),
        (Status.NOT_ACHIEVED, True),
        (Status.INDETERMINATE, True),
        (Status.NO_DATA, True),
        (Status.ACHIEVED, False),  # qualitative: counted, not rated
        (Status.IN_PROGRESS, False),
    ]
    summary = rollup(results)
    assert summary["indicators"] == 7
    assert summary["counts"][Status.ACHIEVED] == 3
    assert summary["counts"][Status.NO_DATA] == 1
    assert summary["counts"][Status.LAGGING] == 0  # every status is listed
    assert list(summary["counts"]) == list(Status)
    assert summary["achieved"] == 2
    assert summary["with_data"] == 4
    assert summary["achievement_rate"] == D("0.5000")  # 2 / 4


def test_rollup_without_numeric_data_has_no_achievement_rate():
    summary = rollup([(Status.NO_DATA, True), (Status.ACHIEVED, False)])
    assert summary["achievement_rate"] is None
    assert summary["with_data"] == 0
    assert rollup([])["indicators"] == 0


def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(attainment.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names)


# --- evaluate_series: every year of a series in one pass, identical to evaluate() -----------


def _random_value(rng):
    kind = rng.random()
    if kind < 0.4:
        return D(rng.randint(0, 120))
    if kind < 0.7:
        return D(rng.randint(0, 1200)) / 10
    if kind < 0.9:
        return D(rng.randint(-500000000, 120000000)).scaleb(-6)
    return D(rng.choice(["0", "100", "98.5", "0.000001", "35", "-3"]))


def _random_series_case(rng):
    comparator = rng.choice(["gte", "gt", "lte", "lt", "eq", "range", "qualitative"])
    measure = rng.choice(["level", "cumulative", "new", "per_year"])
    direction = rng.choice(["higher", "lower", "hold"])
    start = rng.randint(2015, 2022)
    target_year = start + rng.randint(-1, 6)
    value = _random_value(rng)
    target = TargetTerms(
        year=target_year,
        comparator=comparator,
        value=None if comparator == "qualitative" else value,
        value_max=value + rng.randint(0, 5) if comparator == "range" else None,
        direction=direction,
        measure=measure,
    )
    # Half the series move from a starting value towards the target, so that rules 7-10 come up.
    trend, origin = rng.random() < 0.5, _random_value(rng)
    span = max(1, target_year - start + 1)
    observations = []
    for year in range(start - 3, target_year + 4):
        if rng.random() < 0.7:
            qualifier = rng.choice(["", "", "", "", "", "", "gte", "gt", "lte", "lt"])
            if trend:
                share = D(year - start + 1) / span * D(rng.randint(20, 130)) / 100
                if measure == "new":
                    close = (value / span * D(rng.randint(20, 130)) / 100).quantize(D("0.01"))
                else:
                    close = (origin + (value - origin) * share).quantize(D("0.01"))
            elif rng.random() < 0.5:
                close = value + rng.randint(-3, 3)
            else:
                close = _random_value(rng)
            observations.append(Observation(year, close, qualifier))
    if observations and rng.random() < 0.03:  # refused input: a duplicate or a bad qualifier
        year = rng.choice(observations).year
        observations.append(Observation(year, D(1), rng.choice(["", "about"])))
    rng.shuffle(observations)
    baseline = None
    if rng.random() < 0.6:
        year = rng.choice([start - 1, start - 1, start, start + 1, target_year, start - 3])
        baseline = (year, origin if trend else rng.choice([value, _random_value(rng), value - 2]))
    thresholds = DEFAULT_THRESHOLDS
    if rng.random() < 0.2:
        lagging = D(rng.randint(0, 80)) / 100
        thresholds = Thresholds(on_track=lagging + D(rng.randint(0, 20)) / 100, lagging=lagging)
    qualitative = {
        year: rng.choice(["achieved", "in_progress", "not_achieved", ""])
        for year in range(start, target_year + 1)
        if rng.random() < 0.5
    }
    first = start - rng.randint(0, 2)
    years = list(range(first, max(first, target_year + rng.randint(0, 2)) + 1))
    if rng.random() < 0.2:
        years = rng.sample(years, k=max(1, len(years) // 2)) + years[:1]  # any order, repeats
    return dict(
        terms=target,
        years=years,
        period_start=start,
        observations=observations,
        baseline=baseline,
        qualitative=qualitative,
        thresholds=thresholds,
    )


def test_evaluate_series_gives_what_evaluate_gives_year_by_year():
    rng = random.Random(20261122)
    compared = refused = 0
    statuses, notes = set(), set()
    for _ in range(2500):
        case = _random_series_case(rng)
        common = dict(
            period_start=case["period_start"],
            observations=case["observations"],
            baseline=case["baseline"],
            thresholds=case["thresholds"],
        )
        try:
            expected = [
                evaluate(
                    case["terms"],
                    year=year,
                    qualitative_status=case["qualitative"].get(year),
                    **common,
                )
                for year in case["years"]
            ]
        except ValueError:
            with pytest.raises(ValueError):
                evaluate_series(
                    case["terms"],
                    years=case["years"],
                    qualitative_statuses=case["qualitative"],
                    **common,
                )
            refused += 1
            continue
        got = evaluate_series(
            case["terms"], years=case["years"], qualitative_statuses=case["qualitative"], **common
        )
        # repr shows each Decimal's exponent too: the same digits, not only equal values.
        assert [repr(r) for r in got] == [repr(r) for r in expected], case
        compared += len(got)
        statuses.update(r.status for r in got)
        notes.update(r.note.split(":")[0] for r in got)
    assert compared > 10000 and refused > 20
    assert statuses == set(Status)  # every rule and status came up
    assert notes >= {f"rule {n}" for n in range(1, 11)}


def test_evaluate_series_takes_the_years_in_any_order():
    target = terms("gte", "600", measure="new")
    history = [obs(2016, "100"), obs(2018, "130"), obs(2019, "400", "gte")]
    years = [2019, 2016, 2018, 2017, 2016]
    got = evaluate_series(target, years=years, period_start=2016, observations=history,
                          baseline=None)  # fmt: skip
    assert got == [run(target, year, history) for year in years]
    assert got[0].note == (
        "rule 3: actual 630以上 meets ≥ 600; 新增 sum 2016-2019; no value for 2017, left out"
    )
    assert got[3].status == Status.NO_DATA
    assert evaluate_series(target, years=[], period_start=2016, observations=[],
                           baseline=None) == []  # fmt: skip


def test_fmt_drops_trailing_zeros_as_normalize_does():
    rng = random.Random(7)
    values = [D(text) for text in ["0", "-0", "0.000", "-0.000000", "100.000000", "1E+2", "1.50",
                                   "0E-7", "-1.2300", "NaN", "Infinity", "0.00001000", "1e-7",
                                   "123456789012345678901234.5678"]]  # fmt: skip
    for _ in range(20000):
        digits = rng.randint(-(10 ** rng.randint(0, 30)), 10 ** rng.randint(0, 30))
        values.append(D(digits).scaleb(-rng.randint(-3, 12)))
    for value in values:
        expected = format(value.normalize(attainment._CTX), "f")
        assert attainment._fmt(value) == expected, value


# --- the stored results: worker processes (PostgreSQL) ---------------------------------------


@pytest.fixture
def forks(monkeypatch):
    """The number of worker processes each recompute forked, in order."""
    from indicators import recompute as recompute_module

    counts = []
    run_in_workers = recompute_module.run_in_workers
    monkeypatch.setattr(
        recompute_module,
        "run_in_workers",
        lambda jobs: counts.append(len(jobs)) or run_in_workers(jobs),
    )
    return counts


@pytest.mark.django_db(transaction=True)
def test_recompute_in_worker_processes_stores_what_one_process_stores(monkeypatch, forks):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    from indicators import recompute as recompute_module
    from indicators.models import Actual, AttainmentResult, Plan
    from indicators.recompute import RESULT_COLUMNS, recompute
    from indicators.synthetic import generate

    generate(regions=5, indicators=7, years=4)
    plans = list(Plan.objects.filter(is_synthetic=True).values_list("pk", flat=True))
    columns = [c for c in RESULT_COLUMNS if c not in ("computed_at", "actual_raw")]
    mine = AttainmentResult.objects.filter(plan_id__in=plans)

    def stored():
        return {row[1:]: row[0] for row in mine.values_list("id", *columns)}

    count = recompute(plan_ids=plans, workers=1)  # into an empty table: every row inserted
    alone = stored()
    assert count == len(alone) == 5 * 7 * 4
    # A row no longer produced (a year after the target year) and a row gone missing.
    extra = mine.order_by("pk").first()
    extra.pk, extra.year = None, 2099
    extra.save()
    missing = mine.order_by("pk").last()
    missing.delete()

    # Raw text goes through COPY as it was typed, tabs, line breaks and backslashes included.
    odd = Actual.objects.filter(indicator__plan_id__in=plans, status="approved").first()
    Actual.objects.filter(pk=odd.pk).update(raw="98\t以上\\n\r\n")
    assert recompute(plan_ids=plans, workers=2) == count
    assert forks == [2]  # two worker processes did it
    after = stored()
    assert set(after) == set(alone)  # the same results, the stale row gone, the missing back
    kept = [key for key in alone if alone[key] != missing.pk]
    assert all(after[key] == alone[key] for key in kept)  # updated in place: the same ids
    assert len(set(mine.values_list("computed_at", flat=True))) == 1
    stored_raw = mine.get(indicator_id=odd.indicator_id, region_id=odd.region_id, year=odd.year)
    assert stored_raw.actual_raw == "98\t以上\\n\r\n"

    def broken(*args, **kwargs):
        raise ValueError("Unknown qualifier 'about' for 2021.")

    monkeypatch.setattr(recompute_module.attainment, "evaluate_series_rows", broken)
    with pytest.raises(ValueError, match="Unknown qualifier"):
        recompute(plan_ids=plans, workers=2)
    assert stored() == after  # nothing replaced: each worker's transaction rolled back


@pytest.mark.django_db(transaction=True)
def test_the_nightly_recompute_is_one_run_shared_among_worker_processes(monkeypatch, forks):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    from indicators import recompute as recompute_module
    from indicators.models import AttainmentResult, AttainmentRun, Plan
    from indicators.synthetic import generate
    from indicators.tasks import recompute_attainment_nightly

    generate(regions=6, indicators=5, years=4)
    monkeypatch.setattr(recompute_module, "PARALLEL_MIN_ROWS", 10)  # the national case, small
    monkeypatch.setattr(recompute_module, "_default_workers", lambda: 2)
    before = AttainmentRun.objects.count()
    count = recompute_attainment_nightly.apply().get()
    assert forks == [2]
    run = AttainmentRun.objects.get(pk__gt=0, scope="all plans (nightly)")
    assert AttainmentRun.objects.count() == before + 1
    assert run.state == "done" and run.results == count
    assert AttainmentResult.objects.count() == count
    judged = set(AttainmentResult.objects.values_list("plan_id", flat=True).distinct())
    assert judged == set(Plan.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_stored_results_leave_room_on_each_page_for_updates_in_place():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    from indicators.models import AttainmentResult

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s",
            [AttainmentResult._meta.db_table],
        )
        (options,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s",
            [AttainmentResult._meta.db_table],
        )
        (indexes,) = cursor.fetchone()
    assert "fillfactor=50" in (options or [])
    # primary key, unique (target, region, year), (plan, year, status), indicator, region
    assert indexes == 5
