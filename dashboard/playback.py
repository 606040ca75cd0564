"""Time playback: the selected date range cut into day or week steps, and for each step
which incidents are current (emphasised) and which came earlier (shown faded)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Frame:
    """One step of the playback."""

    start: dt.date
    end: dt.date                  # inclusive
    current: tuple[str, ...]      # incidents whose date span overlaps this step
    earlier: tuple[str, ...]      # shown faded: before this step (all, or within the window)

    @property
    def label(self) -> str:
        return (f"{self.start:%-d %b %Y}" if self.start == self.end
                else f"{self.start:%-d %b} – {self.end:%-d %b %Y}")


def steps(start: dt.date, end: dt.date, freq: str = "D") -> list[tuple[dt.date, dt.date]]:
    """Consecutive (first, last) days covering ``start``..``end`` by day or by 7-day week."""
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    if end < start:
        raise ValueError(f"playback range is reversed: {start} is after {end}")
    length = dt.timedelta(days=1 if freq == "D" else 7)
    out, day = [], start
    while day <= end:
        out.append((day, min(day + length - dt.timedelta(days=1), end)))
        day += length
    return out


def frames(incidents: pd.DataFrame, start: dt.date, end: dt.date, freq: str = "D",
           window: int | None = None) -> list[Frame]:
    """The playback of ``incidents`` over ``start``..``end``.

    ``window=None`` is cumulative (every earlier incident stays, faded); ``window=k`` keeps
    only those that ended within the ``k`` steps before the current one.
    """
    if window is not None and window < 1:
        raise ValueError(f"window must be at least 1 step, got {window}")
    first = incidents["date"].dt.date
    last = incidents["end_date"].fillna(incidents["date"]).dt.date
    ids = incidents["id"]
    out = []
    spans = steps(start, end, freq)
    for i, (lo, hi) in enumerate(spans):
        current = (first <= hi) & (last >= lo)
        since = start if window is None else spans[max(0, i - window)][0]
        earlier = ~current & (last < lo) & (last >= since)
        out.append(Frame(lo, hi, tuple(ids[current]), tuple(ids[earlier])))
    return out


@dataclass(frozen=True)
class Clock:
    """Where the playback is: the step shown, whether it plays, when it last moved on."""

    step: int = 0
    playing: bool = False
    last: float = 0.0  # time.monotonic() of the last step


def tick(clock: Clock, count: int, now: float, seconds: float) -> Clock:
    """The clock at ``now`` for ``count`` steps of ``seconds`` each: one step on when its time
    is up; at the last step it stops."""
    step = min(max(clock.step, 0), max(count - 1, 0))
    # 0.9: the timer that reruns the map fires every ``seconds``; allow for its jitter.
    if not clock.playing or now - clock.last < seconds * 0.9:
        return Clock(step, clock.playing, clock.last)
    if step >= count - 1:
        return Clock(step, False, clock.last)
    return Clock(step + 1, True, now)


def toggle(clock: Clock, count: int, now: float) -> Clock:
    """Play or pause; playing again from the last step starts over."""
    playing = not clock.playing
    step = 0 if playing and clock.step >= count - 1 else clock.step
    return Clock(step, playing, now)


def nudge(clock: Clock, count: int, delta: int) -> Clock:
    """One step back or on (``delta`` -1 or 1), pausing."""
    return Clock(min(max(clock.step + delta, 0), max(count - 1, 0)), False, clock.last)
