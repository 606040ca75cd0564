"""Times of day (``start_time``/``end_time``, UTC): how they read, and the filter by hour."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import detail, filters, formstate, load, stats, urlstate
from tests.conftest import make_feature

TIMES = [  # (id, start_time, end_time)
    ("t-night", "2025-09-10T23:45:00Z", None),
    ("t-overnight", "2025-09-10T22:00:00Z", "2025-09-11T02:30:00Z"),
    ("t-morning", "2025-09-10T07:10:00Z", "2025-09-10T09:00:00Z"),
    ("t-until", None, "2025-09-10T01:45:00Z"),
    ("t-none", None, None),
]


@pytest.fixture(scope="module")
def frame():
    """Five incidents on 10 Sep 2025: at night, overnight, in the morning, "before 01:45", and
    one without a time."""
    feats = [make_feature(id=i, date="2025-09-10", start_time=a, end_time=b) for i, a, b in TIMES]
    return load.incidents_frame({"type": "FeatureCollection", "features": feats})


@pytest.mark.parametrize(("start", "end", "text"), [
    ("2025-09-10T23:45:00Z", None, "23:45"),
    ("2025-09-10T07:10:00Z", "2025-09-10T09:00:00Z", "07:10–09:00"),
    ("2025-09-10T22:00:00Z", "2025-09-11T02:30:00Z", "22:00–02:30 (11 Sep)"),
    (None, "2025-09-10T01:45:00Z", "until 01:45"),
    ("2025-09-09T23:00:00Z", None, "23:00 (9 Sep)"),
    (None, None, None),
])
def test_times_read_as_a_person_writes_them(start, end, text):
    assert detail.time_text(start, end, dt.date(2025, 9, 10)) == text


@pytest.mark.parametrize(("start", "end", "text"), [
    ("2025-09-10T22:00:00Z", "2025-09-11T01:15:00Z", "3 h 15 min"),
    ("2025-09-10T22:00:00Z", "2025-09-10T22:40:00Z", "40 min"),
    ("2025-09-10T00:00:00Z", "2025-09-12T04:30:00Z", "2 d 4 h"),
    ("2025-09-10T22:00:00Z", None, None),
])
def test_a_closures_duration(start, end, text):
    assert detail.duration_text(start, end) == text


def test_the_card_gives_the_time_and_a_closures_duration(frame):
    row = frame.loc["t-overnight"]
    pairs = dict(detail.fields(row))
    assert pairs["Time (UTC)"] == "22:00–02:30 (11 Sep)" and "Closed for" not in pairs
    closure = load.incidents_frame({"type": "FeatureCollection", "features": [make_feature(
        id="c", type="airport_closure", icao="EPRZ", date="2025-09-10",
        start_time="2025-09-10T03:00:00Z", end_time="2025-09-10T06:20:00Z")]}).loc["c"]
    assert dict(detail.fields(closure))["Closed for"] == "3 h 20 min"
    assert "Time (UTC)" not in dict(detail.fields(frame.loc["t-none"]))


def test_the_table_has_a_time_column(frame):
    table = stats.table(frame)
    assert dict(zip(table["id"], table["time"], strict=True)) == {
        "t-night": "23:45", "t-overnight": "22:00–02:30 (11 Sep)", "t-morning": "07:10–09:00",
        "t-until": "until 01:45", "t-none": ""}


@pytest.mark.parametrize(("hours", "kept"), [
    ((22, 4), {"t-night", "t-overnight", "t-until"}),      # the night, past midnight
    ((6, 12), {"t-morning"}),
    ((0, 24), {"t-night", "t-overnight", "t-morning", "t-until"}),  # any time, but known
    ((23, 24), {"t-night"}),
    ((1, 2), {"t-until"}),                                  # only its end is known
    ((12, 18), set()),
])
def test_the_filter_by_hour_keeps_incidents_that_started_then(frame, hours, kept):
    shown = filters.apply(frame, filters.FilterSpec(hours=hours))
    assert set(shown["id"]) == kept


@pytest.mark.parametrize("hours", [(5, 5), (24, 3), (-1, 4), (3, 0), (0, 25), (7, 31)])
def test_an_impossible_hour_window_is_refused(hours):
    with pytest.raises(ValueError, match="hours must be"):
        filters.FilterSpec(hours=hours)


def test_the_caption_says_the_hours_and_that_untimed_incidents_are_out():
    text = filters.describe(filters.FilterSpec(hours=(22, 4)))
    assert "starting 22:00–04:00 UTC (incidents with a time)" in text


KNOWN = urlstate.Known(countries=frozenset({"PL"}), regions=frozenset(), presets=frozenset(),
                       incidents=frozenset())


@pytest.mark.parametrize("hours", [(22, 4), (0, 6), (18, 24)])
def test_the_link_keeps_the_hours(hours):
    spec = filters.FilterSpec(hours=hours)
    params = {k: v if isinstance(v, list) else [v] for k, v in urlstate.encode(spec).items()}
    back, _, notices = urlstate.parse(params, KNOWN)
    assert back == spec and notices == []


@pytest.mark.parametrize("text", ["22", "22-22", "25-3", "x-4", "4-0"])
def test_a_bad_hours_link_gives_a_notice_not_a_crash(text):
    spec, _, notices = urlstate.parse({"hours": [text]}, KNOWN)
    assert spec.hours is None and any("hours" in n for n in notices)


@pytest.mark.parametrize(("hour_from", "hour_to", "hours"), [
    (None, None, None), (22, 4, (22, 4)), (22, None, (22, 24)), (None, 6, (0, 6)),
    (5, 5, None), (0, 24, (0, 24)),
])
def test_the_hour_widgets_make_the_window(hour_from, hour_to, hours):
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    w = formstate.Widgets(hour_from=hour_from, hour_to=hour_to)
    spec = formstate.spec_of(w, first, last)
    assert spec.hours == hours
    if hours is not None:
        assert formstate.spec_of(formstate.widgets_for(spec, first, last), first, last) == spec


def test_counts_by_hour_leave_out_incidents_without_a_time(frame):
    counts = stats.by_hour(frame)
    assert dict(zip(counts["hour"], counts["count"], strict=True)) == {1: 1, 7: 1, 22: 1, 23: 1}
    assert stats.by_hour(frame.loc[["t-none"]]).empty


def test_the_app_filters_by_hour_and_shows_times(tmp_path, monkeypatch):
    """In the app: the hour widgets keep the night's incidents, the table gives their
    times, the link and the caption carry the window, and the timeline counts by hour."""
    import html
    import json
    import re

    from streamlit.testing.v1 import AppTest

    from dashboard import paths
    from dashboard.ui import state as S

    data = tmp_path / "incidents.geojson"
    feats = [make_feature(id=i, date="2025-09-10", start_time=a, end_time=b) for i, a, b in TIMES]
    data.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    monkeypatch.setenv("EFM_DATA", str(data))
    monkeypatch.setattr(paths, "INCIDENTS", data)
    at = AppTest.from_file(str(paths.ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("By hour of day (UTC)**: the 4 of 5 incidents" in m.value for m in at.markdown)
    at.selectbox(key=S.KEY_HOUR_FROM).select(22).run()
    at.selectbox(key=S.KEY_HOUR_TO).select(4).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["id"]) == {"t-night", "t-overnight", "t-until"}
    assert set(table["time"]) == {"23:45", "22:00–02:30 (11 Sep)", "until 01:45"}
    assert at.query_params["hours"] in ("22-4", ["22-4"])
    plain = [re.sub(r"\\(.)", r"\1", html.unescape(c.value)) for c in at.caption]
    assert any("starting 22:00–04:00 UTC" in c for c in plain), plain
