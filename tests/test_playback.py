"""Playback steps produce the expected incident sets per step."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.playback import frames, steps

D = dt.date
PL, EPWA, EE, RO, KURSK = ("pl-incursion-2025-09-10", "pl-airport-closure-epwa-2025-09-10",
                           "ee-incursion-2025-09-19", "ro-crash-2025-09-13",
                           "ru-interception-kursk-2024-08-06")


def test_steps_by_day_and_week():
    assert steps(D(2025, 9, 10), D(2025, 9, 12)) == [
        (D(2025, 9, 10), D(2025, 9, 10)), (D(2025, 9, 11), D(2025, 9, 11)),
        (D(2025, 9, 12), D(2025, 9, 12))]
    assert steps(D(2025, 9, 1), D(2025, 9, 16), "W") == [
        (D(2025, 9, 1), D(2025, 9, 7)), (D(2025, 9, 8), D(2025, 9, 14)),
        (D(2025, 9, 15), D(2025, 9, 16))]


@pytest.mark.parametrize(("args", "message"), [
    ((D(2025, 9, 2), D(2025, 9, 1)), "playback range is reversed"),
    ((D(2025, 9, 1), D(2025, 9, 2), "M"), "freq must be 'D' or 'W'")])
def test_bad_steps(args, message):
    with pytest.raises(ValueError, match=message):
        steps(*args)


def test_cumulative_daily_frames(tiny):
    play = frames(tiny, D(2025, 9, 10), D(2025, 9, 19))
    by_day = {f.start: (set(f.current), set(f.earlier)) for f in play}
    assert by_day[D(2025, 9, 10)] == ({PL, EPWA}, set())
    assert by_day[D(2025, 9, 11)] == (set(), {PL, EPWA})
    assert by_day[D(2025, 9, 13)] == ({RO}, {PL, EPWA})
    assert by_day[D(2025, 9, 19)] == ({EE}, {PL, EPWA, RO})
    assert play[0].label == "10 Sep 2025"


def test_sliding_window_drops_old_incidents(tiny):
    play = frames(tiny, D(2025, 9, 10), D(2025, 9, 19), window=2)
    by_day = {f.start: (set(f.current), set(f.earlier)) for f in play}
    assert by_day[D(2025, 9, 12)] == (set(), {PL, EPWA})      # ended 2 steps ago: kept
    assert by_day[D(2025, 9, 13)] == ({RO}, set())            # 3 steps ago: dropped
    assert by_day[D(2025, 9, 19)] == ({EE}, set())


def test_a_range_incident_is_current_on_every_day_it_spans(tiny):
    play = frames(tiny, D(2024, 8, 5), D(2024, 8, 9))
    current = [f.start.day for f in play if KURSK in f.current]
    assert current == [6, 7, 8]
    assert KURSK in play[-1].earlier


def test_weekly_frames(tiny):
    play = frames(tiny, D(2025, 9, 8), D(2025, 9, 21), "W")
    assert [set(f.current) for f in play] == [{PL, EPWA, RO}, {EE}]
    assert set(play[1].earlier) == {PL, EPWA, RO}
    assert play[0].label == "8 Sep – 14 Sep 2025"
