"""Which changes of status warn (no database)."""

from alerts.transitions import standings, turns

KEY = (1, 10, 2013)


def test_an_indicator_stands_at_its_worst_warning_target():
    rows = [(1, 10, 2013, "on_track"), (1, 10, 2013, "off_track"), (1, 10, 2013, "lagging")]
    assert standings(rows) == {KEY: "off_track"}
    assert standings([(1, 10, 2013, "achieved"), (1, 10, 2013, "on_track")]) == {KEY: "achieved"}


def test_entering_a_warning_status_or_a_worse_one_warns():
    assert turns({KEY: "on_track"}, {KEY: "lagging"}) == [(KEY, "on_track", "lagging")]
    assert turns({KEY: "no_data"}, {KEY: "not_achieved"}) == [(KEY, "no_data", "not_achieved")]
    assert turns({KEY: "lagging"}, {KEY: "off_track"}) == [(KEY, "lagging", "off_track")]


def test_staying_improving_or_leaving_the_warnings_is_quiet():
    assert turns({KEY: "lagging"}, {KEY: "lagging"}) == []
    assert turns({KEY: "off_track"}, {KEY: "lagging"}) == []
    assert turns({KEY: "lagging"}, {KEY: "on_track"}) == []


def test_a_first_result_warns_no_one_unless_only_warnings_were_compared():
    assert turns({}, {KEY: "lagging"}) == []
    # A full recompute compares the warning standings only: missing means another status.
    assert turns({}, {KEY: "lagging"}, before_complete=False) == [(KEY, "", "lagging")]
