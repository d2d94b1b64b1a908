"""How results are said (DOMAIN.md §5): targets, rates, values, sums, statuses and the reason
for a status, in Chinese and in English, without a code word."""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from indicators.attainment import Status
from indicators.wording import (
    Terms,
    actual_text,
    figure,
    percent,
    precision,
    projection_text,
    quantity,
    reason,
    rule_of,
    say,
    status_text,
    target_text,
)

CODE_WORDS = re.compile(
    r"\b(gte|gt|lte|lt|eq|range|qualitative|mixed|rule \d+)\b|[a-z]+_[a-z_]+|\b[01]\.\d{4}\b"
)
THRESHOLDS = (D("0.95"), D("0.60"))


@pytest.fixture(params=["zh-hans", "en"])
def language(request):
    with translation.override(request.param):
        yield request.param


def gte(value, raw="", *, unit="%", measure="level", year=2025, start=2021, places=None):
    return Terms(
        comparator="gte",
        value=D(value),
        year=year,
        raw=raw,
        unit=unit,
        measure=measure,
        period_start=start,
        places=precision(D(value), given=places),
    )


# --- targets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "said"),
    [
        (gte("96", "96%以上"), "96%以上"),
        (Terms("range", D(1), 2025, value_max=D(3), raw="力争1~3项", unit="项"), "力争1~3项"),
        (Terms("lte", D(10), 2025, raw="稳定在10%以下", unit="%"), "稳定在10%以下"),
        # A table cell prints a bare number: the target is said from its comparator.
        (gte("98", "98"), "不低于 98%"),
        (Terms("gt", D(240), 2025, unit="项"), "超过 240 项"),
        (Terms("lte", D(10), 2025, unit="%"), "不超过 10%"),
        (Terms("lt", D("0.5"), 2025, unit="%", places=1), "低于 0.5%"),
        (Terms("eq", D(100), 2025, unit="%"), "保持 100%"),
        (Terms("range", D(1), 2025, value_max=D(3), unit="项"), "1~3 项"),
        (
            Terms("qualitative", None, 2025, qualitative_text="基本消除重污染天气"),
            "基本消除重污染天气",
        ),
    ],
)
def test_a_target_is_said_as_the_plan_words_it_or_built_from_its_comparator(terms, said):
    assert target_text(terms) == said


def test_a_built_target_is_said_in_english_under_en():
    with translation.override("en"):
        assert target_text(gte("98", "98")) == "at least 98%"
        assert target_text(Terms("gt", D(240), 2025, unit="项")) == "more than 240 项"
        assert target_text(Terms("lte", D(10), 2025, unit="%")) == "at most 10%"
        assert target_text(Terms("eq", D(100), 2025, unit="%")) == "held at 100%"
        # The plan's own wording is quoted as it stands.
        assert target_text(gte("96", "96%以上")) == "96%以上"


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "said"),
    [(D("0.9611"), "96.1%"), (D("0.75"), "75.0%"), (D("-0.1234"), "-12.3%"), (None, "—")],
)
def test_rates_and_ratios_are_percentages_with_one_decimal(ratio, said):
    assert percent(ratio) == said


def test_precision_is_the_most_places_of_the_figures_as_written_unless_given():
    assert precision(D("93.500000"), D("96.490000")) == 2
    assert precision(D("3001.000000")) == 0
    assert precision(D("93.5"), given=3) == 3
    assert precision() == 0


def test_values_are_said_at_the_precision_with_the_unit():
    assert quantity(D("3001.0000"), "件", 0) == "3001 件"
    assert quantity(D("96.1234"), "%", 1) == "96.1%"
    assert quantity(D("-0.01"), "", 1) == "0.0"  # never "-0.0"
    assert quantity(D("2.25"), "万件", 1) == "2.3 万件"  # half up, as the plan would round


def test_a_figure_is_never_rounded_onto_the_target_it_misses():
    assert figure(D("95.9600"), "%", 0, apart_from=D(96)) == "95.96%"
    assert figure(D("97.4000"), "%", 0, apart_from=D(96)) == "97%"
    assert figure(D("96.0000"), "%", 0, apart_from=D(96)) == "96%"


# --- actuals -------------------------------------------------------------------------------


def test_sums_are_said_as_sums_and_each_year_as_its_own():
    new = gte("10", unit="项", measure="new")
    assert actual_text(new, D("7.000000"), year=2024) == "2021年以来累计新增 7 项"
    cumulative = gte("3000", unit="家", measure="cumulative")
    assert actual_text(cumulative, D(2500), year=2024) == "累计 2500 家"
    per_year = gte("400", unit="家", measure="per_year")
    assert actual_text(per_year, D(350), year=2024) == "2024年当年 350 家"


def test_an_actual_keeps_its_qualifier_and_the_places_it_was_entered_with():
    assert actual_text(gte("99"), D(98), "gte", year=2020) == "98%以上"
    assert actual_text(gte("96"), D("95.7"), year=2024) == "95.7%"
    assert actual_text(gte("96"), None, year=2024) == "—"


def test_actuals_in_english():
    with translation.override("en"):
        new = gte("10", unit="项", measure="new")
        assert actual_text(new, D(7), year=2024) == "7 项 added since 2021"
        assert actual_text(gte("99"), D(98), "gte", year=2020) == "98% or more"
        per_year = gte("400", unit="家", measure="per_year")
        assert actual_text(per_year, D(350), year=2024) == "350 家 in 2024 alone"


def test_a_projection_says_the_target_year_and_whether_it_would_meet():
    terms = gte("96", "96%以上")
    assert projection_text(terms, D("95.9600"), False) == "2025年预计 95.96%,难以达标"
    assert projection_text(terms, D("97.0000"), True) == "2025年预计 97%,可达标"
    assert projection_text(terms, None, None) == "—"


# --- statuses ------------------------------------------------------------------------------


def test_each_status_has_its_name_and_its_own_shape(language):
    texts = [status_text(s) for s in Status]
    shapes = [t.split(" ", 1)[0] for t in texts]
    assert len(set(shapes)) == len(Status)
    if language == "zh-hans":
        assert status_text(Status.ON_TRACK) == "▲ 符合序时进度"
        assert status_text(Status.OFF_TRACK) == "✖ 严重滞后"
    assert not any(CODE_WORDS.search(t) for t in texts)


# --- the reason for a status (判定依据), one sentence per rule ---------------------------------


def why(terms, rule, status, **figures):
    return reason(terms, rule=rule, status=status, year=2024, thresholds=THRESHOLDS, **figures)


LEVEL = gte("96", "96%以上")
WITH_BASE = {"baseline_value": D(95), "baseline_year": 2020}


def test_rule_10_names_progress_the_time_elapsed_and_the_bar_it_fell_below():
    said = why(LEVEL, 10, Status.OFF_TRACK, actual=D("95.4"), progress=D("0.4328"),
               elapsed=D("0.7500"), **WITH_BASE)  # fmt: skip
    assert said == "目标进度 43.3%,低于序时进度 75.0% 的六成(45.0%),判为严重滞后"


def test_rule_2_says_the_bound_could_not_be_judged():
    said = why(gte("99", "99%以上"), 2, Status.INDETERMINATE, actual=D(98), actual_qualifier="gte")
    assert said == "实际 98%以上,目标 99%以上,无法判定是否达到"


@pytest.mark.parametrize(
    ("terms", "rule", "status", "figures", "said"),
    [
        (LEVEL, 1, Status.NO_DATA, {}, "2024年尚无审核通过的实际值,判为未填报"),
        (LEVEL, 3, Status.ACHIEVED, {"actual": D("96.2")},
         "实际 96.2%,达到目标 96%以上,判为已达标"),
        (gte("400", "400家以上", unit="家", measure="per_year"), 4, Status.NOT_ACHIEVED,
         {"actual": D(350)},
         "每年目标逐年评价:2024年当年 350 家,未达到当年目标 400家以上,判为未达标"),
        (gte("96", "96%以上", year=2024), 4, Status.NOT_ACHIEVED, {"actual": D("95.5")},
         "已到目标年份 2024 年,实际 95.5%,未达到目标 96%以上,判为未达标"),
        (gte("98", "98以上"), 5, Status.OFF_TRACK,
         {"actual": D("97.5"), "baseline_value": D(98), "baseline_year": 2020},
         "基期(2020年)98% 已达到目标 98以上,2024年实际 97.5% 未能保持,判为严重滞后"),
        (LEVEL, 6, Status.INSUFFICIENT_DATA, {"actual": D(95)},
         "没有基期值,无法计算目标进度,判为数据不足"),
        (gte("96", "96%以上"), 6, Status.INSUFFICIENT_DATA,
         {"actual": D(95), "baseline_value": D(95), "baseline_year": 2024, "elapsed": D(0)},
         "评价年份即基期年份(2024年),序时进度为 0,判为数据不足"),
        (LEVEL, 7, Status.REGRESSING, {"actual": D("94.5"), "progress": D("-0.5"), **WITH_BASE},
         "实际 94.5% 较基期(2020年)95% 反向变化,目标进度 -50.0%,判为逆向"),
        (LEVEL, 8, Status.ON_TRACK,
         {"actual": D("95.8"), "progress": D("0.8"), "elapsed": D("0.8"), **WITH_BASE},
         "目标进度 80.0%,达到序时进度 80.0% 的九成五(76.0%),判为符合序时进度"),
        (LEVEL, 9, Status.LAGGING,
         {"actual": D("95.5"), "progress": D("0.5"), "elapsed": D("0.75"), **WITH_BASE},
         "目标进度 50.0%,低于序时进度 75.0% 的九成五(71.3%),达到其六成(45.0%),判为滞后"),
        (Terms("qualitative", None, 2025, qualitative_text="创建示范城市"), 0, Status.IN_PROGRESS,
         {}, "定性目标,2024年经审核的完成情况为推进中"),
        (Terms("qualitative", None, 2025, qualitative_text="创建示范城市"), 0, Status.NO_DATA,
         {}, "定性目标,2024年尚未填报完成情况"),
    ],
)  # fmt: skip
def test_each_rule_is_one_sentence_with_the_numbers_that_decided(
    terms, rule, status, figures, said
):
    assert why(terms, rule, status, **figures) == said


def test_progress_that_reads_like_its_bar_gets_a_second_decimal():
    said = why(LEVEL, 8, Status.ON_TRACK, actual=D("95.7"), progress=D("0.7128"),
               elapsed=D("0.7500"), **WITH_BASE)  # fmt: skip
    assert said.startswith("目标进度 71.28%,达到序时进度 75.0% 的九成五(71.25%)")


def test_the_shares_come_from_the_settings(settings):
    settings.ATTAINMENT_ON_TRACK_SHARE, settings.ATTAINMENT_LAGGING_SHARE = 0.9, 0.875
    said = reason(LEVEL, rule=9, status=Status.LAGGING, year=2024, actual=D("95.6"),
                  progress=D("0.8"), elapsed=D("1"), **WITH_BASE)  # fmt: skip
    assert said == "目标进度 80.0%,低于序时进度 100.0% 的九成(90.0%),达到其87.5%(87.5%),判为滞后"


def test_without_a_recorded_rule_the_status_tells_it_where_only_one_rule_gives_it():
    assert rule_of(Status.LAGGING, "gte") == 9
    assert rule_of(Status.ACHIEVED, "qualitative") == 0
    assert rule_of(Status.OFF_TRACK, "gte") is None  # rule 5 or rule 10
    said = why(LEVEL, None, Status.LAGGING, actual=D("95.5"), progress=D("0.5"),
               elapsed=D("0.75"), **WITH_BASE)  # fmt: skip
    assert said.endswith("达到其六成(45.0%),判为滞后")
    said = why(LEVEL, None, Status.OFF_TRACK, actual=D("95.2"), progress=D("0.2"),
               elapsed=D("0.75"), **WITH_BASE)  # fmt: skip
    assert said == "实际 95.2%,目标 96%以上,目标进度 20.0%,序时进度 75.0%,判为严重滞后"


def test_reasons_in_english():
    with translation.override("en"):
        said = why(LEVEL, 10, Status.OFF_TRACK, actual=D("95.4"), progress=D("0.4328"),
                   elapsed=D("0.7500"), **WITH_BASE)  # fmt: skip
        assert said == "Progress 43.3%, below 60% of the time elapsed 75.0% (45.0%): Off track"
        said = why(gte("99", "99%以上"), 2, Status.INDETERMINATE, actual=D(98),
                   actual_qualifier="gte")  # fmt: skip
        assert said == "Actual 98% or more, target 99%以上: cannot tell whether it is met"


@pytest.mark.parametrize("rule", [None, *range(11)])
@pytest.mark.parametrize("status", list(Status))
def test_no_sentence_holds_a_code_word(language, rule, status):
    for terms in (LEVEL, gte("10", unit="项", measure="new"), Terms("range", D(1), 2025, D(3))):
        said = say(
            terms,
            status=status,
            rule=rule,
            year=2024,
            actual=D("95.5"),
            actual_qualifier="gte",
            completion=D("0.9948"),
            progress=D("0.5"),
            elapsed=D("0.75"),
            projected_value=D("95.9"),
            projected_met=False,
            thresholds=THRESHOLDS,
            **WITH_BASE,
        )
        for text in said:
            assert not CODE_WORDS.search(text), text
