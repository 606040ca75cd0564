"""Dates and times as imported files write them, read into our date, end date and UTC times.

Machine exports (ISO dates and datetimes, ISO ranges, UCDP's ``1/22/2014 12:00:00 AM``,
dotted, compact and Unix time) are read by whole-value patterns; tracker free text
(``03 Oct 2025, before 01:45``, ``04 / 05 Nov 2025, 23:00 / 02:00``,
``between 21:00 and 23:30 on 3 Oct 2025``) by finding the date and reading what is left
as a time. A column is read as a whole: its other values settle the day/month order of
``a/b/yyyy`` dates, and a column whose every time is midnight carries no times at all.

Nothing here raises or guesses: a value that cannot be read gets a reason naming it, and
everything inferred (an order, a zone taken as UTC, a bound) is said in the note.
Pure standard library.

It is about 560 lines because every shape above is one table of patterns plus the small
rules that read what the pattern leaves (times, bounds, ranges), and the column-level rules
need them all in one place; the precision-code tables at the end would move out first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Order = Literal["dmy", "mdy"]


@dataclass(frozen=True)
class DateParse:
    """One parsed date value: the day (``iso``) or the error, and a note on how it was read.

    ``end_date`` is set for a range of days (never equal to ``iso``); ``start_time`` and
    ``end_time`` are ISO 8601 UTC datetimes (``2025-11-04T23:00:00Z``) when the value
    carries real times; ``precision`` is our ``date_precision`` ("day", "range" or
    "approx"; None with an error). ``slash`` is no longer filled (kept for old callers).
    """

    iso: str | None = None
    error: str | None = None
    note: str | None = None
    slash: tuple[int, int, int] | None = None    # unused since dates.py; kept for callers
    end_date: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    precision: str | None = None

    @property
    def date(self) -> str | None:
        """The (first) day, as ``iso``."""
        return self.iso


# --------------------------------------------------------------------------- raw pieces

class _Day(NamedTuple):
    """A day as written: (year, month, day), or ``slashed`` (year, a, b) awaiting the order."""

    year: int
    first: int
    second: int
    slashed: bool = False


class _Clock(NamedTuple):
    """A time of day as written (24-hour), its UTC offset in minutes (None: no zone)."""

    hour: int
    minute: int
    second: int
    offset: int | None
    text: str
    local: bool = False

    @property
    def midnight(self) -> bool:
        """Whether this is 00:00:00 as written."""
        return self.hour == self.minute == self.second == 0


@dataclass
class _Raw:
    """A value read but not yet settled: days, clocks, qualifiers (the column settles the rest)."""

    text: str
    start: _Day
    end: _Day | None = None
    start_clock: _Clock | None = None
    end_clock: _Clock | None = None
    placed: bool = False            # clocks written on their own days (an ISO interval)
    date_approx: str | None = None  # the word that made the date approximate
    time_word: str | None = None    # "around", "before", "after"... before a single time
    note: str | None = None
    clocks: tuple[_Clock, ...] = field(init=False)      # the clocks given (0, 1 or 2)
    midnight_only: bool = field(init=False)             # every clock a plain 00:00:00

    def __post_init__(self) -> None:
        """Work out ``clocks`` and ``midnight_only`` once (a column asks for them often)."""
        self.clocks = tuple(c for c in (self.start_clock, self.end_clock) if c)
        self.midnight_only = (bool(self.clocks) and self.time_word is None
                              and all(c.midnight for c in self.clocks))


class _Unread(Exception):
    """A value that cannot be read, with the reason (caught inside this module)."""


# --------------------------------------------------------------------------- patterns

_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS["sept"] = 9
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))

_APPROX = r"around|approx\.?|approximately|about|circa|roughly|c\.|ca\.|~"
_BEFORE = ("before", "by", "until", "till")
_AFTER = ("after", "since")
_QUALIFIER = rf"{_APPROX}|before|by|until|till|after|since"

# A clock inside a whole-value machine format: any zone, offsets included.
_M_CLOCK = (r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
            r"(?:\s*(?P<ampm>[ap])\.?m\.?)?\s*(?P<zone>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?")
_ISO_DT = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})"
                     rf"(?:(?:t|\s+){_M_CLOCK})?")
_ISO_HALF = re.compile(rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:(?:t|\s+){_M_CLOCK})?")
_SLASH_DT = re.compile(rf"(?P<a>\d{{1,2}})[/-](?P<b>\d{{1,2}})[/-](?P<y>\d{{4}})"
                       rf"(?:(?:t|,?\s+){_M_CLOCK})?")
_DOTTED_DT = re.compile(rf"(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}})"
                        rf"(?:(?:t|,?\s+){_M_CLOCK})?")
_ZONE = re.compile(r"(?:z|utc|gmt)?(?:([+-])(\d{1,2})(?::?(\d{2}))?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EPOCH = re.compile(r"(\d{10}|\d{13})(?:\.\d+)?")

# A clock in free text: a "-" after it starts a range, so a bare offset is "+hh:mm", or
# "-hh:mm" only straight after seconds (``10:00:00-05:00``, as ISO writes it).
_F_ZONE = (r"(?:\s*(?:z|utc|gmt)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|\+\d{2}:?\d{2}"
           r"|(?<=\d:\d\d:\d\d)-\d{2}:?\d{2})")
_F_CLOCK = (rf"\d{{1,2}}(?::\d{{2}}(?::\d{{2}})?(?:\s*[ap]\.?m\.?)?|\s*[ap]\.?m\.?){_F_ZONE}?"
            r"(?:\s+local(?:\s+time)?)?")
_CLOCK = re.compile(r"(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?\s*(?:(?P<ampm>[ap])\.?m\.?)?"
                    rf"(?P<zone>{_F_ZONE})?(?P<local>\s+local(?:\s+time)?)?")
# One time first, so that ``10:00:00-05:00`` is a time with its offset, not a range.
_TIMES = (rf"(?:(?:(?P<q>{_QUALIFIER})\s*)?(?P<one>{_F_CLOCK})"
          rf"|(?:between|from)\s+(?P<a1>{_F_CLOCK})\s*(?:and|to|-|until|till)\s*(?P<a2>{_F_CLOCK})"
          rf"|(?P<p1>{_F_CLOCK})\s*(?:-|/|to|until|till)\s*(?P<p2>{_F_CLOCK}))")
_BEFORE_DATE = re.compile(
    rf"(?:(?P<approx>{_APPROX})\s*)?(?:(?:the\s+)?(?:weekend|night|evening|morning|afternoon|day)"
    rf"\s+of|on)?|{_TIMES}\s*(?:,|on|of)?")
_AFTER_DATE = re.compile(rf"(?:(?:[,;]|at|t|from)?\s*{_TIMES}(?:\s*\(?(?P<approx>{_APPROX})\)?)?"
                         rf"|[,;]?\s*\(?(?P<approx2>{_APPROX})\)?)?")
_BOUND_DATE = re.compile(r"(?:before|after|by|until|since|no later than|no earlier than)")

_B = r"(?<![\w:./-])"
_D = r"(\d{1,2})(?:st|nd|rd|th)?"
_Y = r"(\d{4})(?!\d)"
_TO = r"\s*(?:-|/|&|and|to|until|till)\s*"
_M = rf"({_MON})\.?"
# (pattern, group order): letters d/m/y for the start, D/M/Y for the end, a/b/A/B slashed.
_FREE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), g) for p, g in (
    (rf"{_B}{_D}[\s-]+{_M}(?:,?\s+{_Y})?{_TO}{_D}[\s-]+{_M},?\s+{_Y}", "dmyDMY"),
    (rf"{_B}{_M}\s+{_D}(?:,?\s+{_Y})?{_TO}{_M}\s+{_D},?\s+{_Y}", "mdyMDY"),
    (rf"{_B}{_D}{_TO}{_D}(?:\s+of)?[\s-]+{_M},?\s+{_Y}", "dDmy"),
    (rf"{_B}{_M}\s+{_D}{_TO}{_D},?\s+{_Y}", "mdDy"),
    (rf"{_B}{_D}(?:\s+of)?[\s-]+{_M},?[\s-]+{_Y}", "dmy"),
    (rf"{_B}{_M}\s+{_D},?\s+{_Y}", "mdy"),
    (rf"{_B}(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TO}(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?!\d)", "ymdYMD"),
    (rf"{_B}(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})(?!\d)", "ymd"),
    (rf"{_B}(\d{{1,2}})[/-](\d{{1,2}})[/-]{_Y}\s*(?:-|to|until|till)\s*"
     rf"(\d{{1,2}})[/-](\d{{1,2}})[/-]{_Y}", "abyABY"),
    (rf"{_B}(\d{{1,2}})[/-](\d{{1,2}})[/-]{_Y}", "aby"),
    (rf"{_B}(\d{{1,2}})\.(\d{{1,2}})\.{_Y}", "dmy"),
))

_UNREAD = ("is not a date format this importer reads (YYYY-MM-DD, 15 September 2025, dd/mm/yyyy, "
           "mm/dd/yyyy, dd.mm.yyyy, 1-2 Nov 2025, 3 Oct 2025 21:30, 2025-10-03T21:30:00Z)")


# --------------------------------------------------------------------------- reading one value

def _clock(text: str, hour: str, minute: str | None, second: str | None, ampm: str | None,
           zone: str | None, local: bool = False) -> _Clock:
    """A checked clock from its parts (12-hour when ``ampm`` is "a" or "p")."""
    h, mi, s = int(hour), int(minute or 0), int(second or 0)
    if ampm:
        if not 0 <= h <= 12 or (h == 0 and ampm == "p"):
            raise _Unread(f"{text.strip()!r} is not a time of day on the 12-hour clock")
        h = h % 12 + (12 if ampm == "p" else 0)
    if h > 23 or mi > 59 or s > 59:
        raise _Unread(f"{text.strip()!r} is not a time of day")
    return _Clock(h, mi, s, _offset(zone), text.strip(), local)


def _offset(zone: str | None) -> int | None:
    """Minutes east of UTC for ``z``, ``utc``, ``utc+2``, ``+02:00``, ``-0500``; None without a zone."""
    if not zone:
        return None
    if zone in ("z", "utc", "gmt"):
        return 0
    m = _ZONE.fullmatch(zone.replace(" ", ""))
    if not m:
        raise _Unread(f"{zone!r} is not a time zone")
    if not m[1]:
        return 0
    minutes = int(m[2]) * 60 + int(m[3] or 0)
    if minutes > 14 * 60:
        raise _Unread(f"{zone!r} is not a UTC offset (at most 14 hours)")
    return minutes if m[1] == "+" else -minutes


def _machine_clock(m: re.Match[str]) -> _Clock | None:
    """The clock of a whole-value machine pattern, when it has one."""
    if m["h"] is None:
        return None
    return _clock(m.group(0)[m.start("h") - m.start():], m["h"], m["mi"], m["s"], m["ampm"],
                  m["zone"])


def _free_clock(text: str | None) -> _Clock | None:
    """A clock written in free text (``21:30``, ``9 pm``, ``23:00 utc``, ``20:00 local``)."""
    if text is None:
        return None
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        raise _Unread(f"{text.strip()!r} is not a time of day")
    return _clock(text, m["h"], m["mi"], m["s"], m["ampm"], m["zone"], bool(m["local"]))


def _machine(text: str, low: str) -> _Raw | None:
    """A whole-value machine format (ISO, ISO interval, slashed, dotted, compact, Unix), or None."""
    if m := _ISO_DT.fullmatch(low):
        return _Raw(text, _Day(int(m["y"]), int(m["m"]), int(m["d"])), start_clock=_machine_clock(m))
    if low.count("/") == 1:
        first, last = low.split("/")
        if (a := _ISO_HALF.fullmatch(first.strip())) and (b := _ISO_HALF.fullmatch(last.strip())):
            return _Raw(text, _Day(int(a["y"]), int(a["m"]), int(a["d"])),
                        _Day(int(b["y"]), int(b["m"]), int(b["d"])),
                        _machine_clock(a), _machine_clock(b), placed=True)
    if m := _SLASH_DT.fullmatch(low):
        return _Raw(text, _Day(int(m["y"]), int(m["a"]), int(m["b"]), slashed=True),
                    start_clock=_machine_clock(m))
    if m := _DOTTED_DT.fullmatch(low):
        return _Raw(text, _Day(int(m["y"]), int(m["m"]), int(m["d"])), start_clock=_machine_clock(m))
    if m := _COMPACT.fullmatch(low):
        return _Raw(text, _Day(int(m[1]), int(m[2]), int(m[3])))
    if m := _EPOCH.fullmatch(low):
        when = dt.datetime.fromtimestamp(int(m[1]) / (1000 if len(m[1]) == 13 else 1), tz=dt.UTC)
        clock = _Clock(when.hour, when.minute, when.second, 0, when.strftime("%H:%M:%S"))
        day = when.date().isoformat()
        return _Raw(text, _Day(when.year, when.month, when.day), start_clock=clock,
                    note=f"date {day} converted from the Unix time {text} (UTC)")
    return None


def _days(m: re.Match[str], groups: str) -> tuple[_Day, _Day | None]:
    """The start and end days of a free-text date match, by its group letters."""
    parts: dict[str, int] = {}
    for letter, value in zip(groups, m.groups(), strict=True):
        if value is not None:
            parts[letter] = _MONTHS[value] if letter in "mM" and not value.isdigit() else int(value)
    slashed = "a" in parts
    if slashed:
        start = _Day(parts["y"], parts["a"], parts["b"], slashed=True)
        end = _Day(parts["Y"], parts["A"], parts["B"], slashed=True) if "A" in parts else None
        return start, end
    year = parts.get("y", parts.get("Y"))
    if year is None:
        raise _Unread("no year")    # unreachable: every pattern has a year
    if not any(k in parts for k in "DMY"):
        return _Day(year, parts["m"], parts["d"]), None
    end_year = parts.get("Y", year)
    # "30 Oct - 2 Nov 2025": the first year is the second's unless written
    start = _Day(parts.get("y", end_year), parts["m"], parts["d"])
    return start, _Day(end_year, parts.get("M", parts["m"]), parts.get("D", parts["d"]))


def _times(m: re.Match[str]) -> tuple[_Clock | None, _Clock | None, str | None]:
    """Start clock, end clock and qualifier word of a matched time expression."""
    if m["a1"]:
        return _free_clock(m["a1"]), _free_clock(m["a2"]), None
    if m["p1"]:
        return _free_clock(m["p1"]), _free_clock(m["p2"]), None
    if m["one"]:
        word = m["q"]
        clock = _free_clock(m["one"])
        return (None, clock, word) if word in _BEFORE else (clock, None, word)
    return None, None, None


def _free(text: str, low: str) -> _Raw:
    """Free text: find the date expression, then read what is before and after it."""
    found = next(((m, letters) for pattern, letters in _FREE if (m := pattern.search(low))), None)
    if found is None:
        raise _Unread(f"{text!r} {_UNREAD}")
    m, letters = found
    start, end = _days(m, letters)
    before, after = low[:m.start()].strip(), low[m.end():].strip()
    lead, tail = _BEFORE_DATE.fullmatch(before), _AFTER_DATE.fullmatch(after)
    if lead is None or tail is None:
        if lead is None and _BOUND_DATE.fullmatch(before):
            raise _Unread(f"{text!r} gives only a bound on the date ({before!r}), not the date")
        rest = " … ".join(repr(x) for x in (before, after) if x)
        raise _Unread(f"{text!r}: the date {m.group(0).strip()!r} was found but not {rest} "
                      "(times are read as 21:30, 9 pm, 21:00-23:00, before/after/around 21:30, "
                      "between 21:00 and 23:00)")
    lead_times = _times(lead) if lead["one"] or lead["p1"] or lead["a1"] else None
    tail_times = _times(tail) if tail["one"] or tail["p1"] or tail["a1"] else None
    if lead_times and tail_times:
        raise _Unread(f"{text!r} gives times both before and after the date")
    start_clock, end_clock, word = lead_times or tail_times or (None, None, None)
    approx = lead["approx"] or tail["approx"] or tail["approx2"]
    return _Raw(text, start, end, start_clock, end_clock, date_approx=approx,
                time_word=word)


def _read(value: str) -> _Raw | str:
    """One value read as far as it can be alone, or the reason it cannot be."""
    text = " ".join(value.replace("\u00a0", " ").split())
    if not text:
        return "is empty; a date is needed"
    low = re.sub(r"[\u2010-\u2015\u2212]", "-", text.lower())
    try:
        raw = _machine(text, low) if low[0].isdigit() else None
        return raw or _free(text, low)
    except _Unread as exc:
        return _naming(text, str(exc))
    except (ValueError, OverflowError, OSError) as exc:
        return f"{text!r} cannot be read as a date ({exc})"


def _naming(text: str, reason: str) -> str:
    """The reason, led by the value when it does not already name it."""
    return reason if text in reason else f"{text!r}: {reason}"


# --------------------------------------------------------------------------- settling a value

@dataclass(frozen=True)
class _Column:
    """What a column says about its values: the slash order and whether its times are filler."""

    name: str
    day_first: bool
    month_first: bool
    order: Order | None
    drop_midnight: bool


def _settle_day(raw: _Raw, day: _Day, col: _Column, notes: list[str]) -> dt.date:
    """A day as a date, an a/b/yyyy order taken from the day itself, else the column."""
    text = raw.text
    if not day.slashed:
        return _real(text, day.year, day.first, day.second)
    a, b = day.first, day.second
    if a > 12 and b > 12:
        raise _Unread(f"{text} is not a real calendar date (neither part can be a month)")
    if a > 12 or a == b:
        order = "dmy"
    elif b > 12:
        order = "mdy"
    elif col.day_first != col.month_first:
        order = "dmy" if col.day_first else "mdy"
        notes.append(f"date {text} read as {_ORDER_WORDS[order]}, like the other dates in "
                     f"column {col.name!r}")
    elif col.order and not col.day_first:
        order = col.order
        notes.append(f"date {text} read as {_ORDER_WORDS[order]}: no date in column {col.name!r} "
                     f"settles the order, so the source's order was assumed")
    else:
        why = ("the column has both orders" if col.day_first else
               "no other date in the column settles the order")
        raise _Unread(f"ambiguous date {text}: day/month or month/day ({why})")
    day_n, month = (a, b) if order == "dmy" else (b, a)
    return _real(text, day.year, month, day_n)


_ORDER_WORDS = {"dmy": "day/month", "mdy": "month/day"}


def _real(text: str, year: int, month: int, day: int) -> dt.date:
    """The calendar date, or the reason it is not one."""
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _Unread(f"{text} is not a real calendar date ({exc})") from None


def _instant(day: dt.date, clock: _Clock) -> dt.datetime:
    """The UTC instant of a clock on a day (a clock without a zone taken as UTC)."""
    local = dt.datetime(day.year, day.month, day.day, clock.hour, clock.minute, clock.second)
    return local - dt.timedelta(minutes=clock.offset or 0)


def _utc(when: dt.datetime) -> str:
    """``2025-11-04T23:00:00Z``."""
    return when.isoformat(timespec="seconds") + "Z"


def _place(raw: _Raw, start: dt.date, end: dt.date | None, col: _Column, notes: list[str]
           ) -> tuple[dt.date | None, dt.datetime | None, dt.datetime | None]:
    """The end day (a midnight-crossing time range may add one) and the UTC start and end."""
    sc, ec = raw.start_clock, raw.end_clock
    if not raw.clocks or (col.drop_midnight and raw.midnight_only):
        return end, None, None
    clocks = raw.clocks
    shown = " / ".join(c.text for c in clocks) if len(clocks) > 1 else clocks[0].text
    if any(c.local for c in clocks):
        notes.append(f"time {shown} is local time in an unknown zone; times left out")
        return end, None, None
    if raw.placed:
        s_day, e_day = start, end or start
    elif end is None:
        s_day = e_day = start
        if sc and ec and _instant(start, ec) < _instant(start, sc):
            e_day = end = start + dt.timedelta(days=1)
            notes.append(f"end time {ec.text} is before start time {sc.text}: taken as "
                         f"{ec.text} on the next day, {end.isoformat()}")
    elif sc and ec and (end - start).days == 1 and _instant(start, ec) < _instant(start, sc):
        s_day, e_day = start, end
    else:
        notes.append(f"time {shown} left out: with a range of days it is unclear which day it is on")
        return end, None, None
    s_at = _instant(s_day, sc) if sc else None
    e_at = _instant(e_day, ec) if ec else None
    if s_at and e_at and e_at < s_at:
        raise _Unread(f"{raw.text}: the end time {_utc(e_at)} is before the start time {_utc(s_at)}")
    if any(c.offset is None for c in clocks):
        notes.append(f"time {shown} has no time zone; taken as UTC")
    first = s_at or e_at
    if first and first.date() != (s_day if s_at else e_day):
        notes.append(f"{_utc(first)} falls on {first.date().isoformat()} in UTC; the date is kept "
                     "as written")
    return end, s_at, e_at


def _settle(raw: _Raw, col: _Column) -> DateParse:
    """A read value made into a DateParse with the column's order and midnight rule."""
    notes = [raw.note] if raw.note else []
    start = _settle_day(raw, raw.start, col, notes)
    end = _settle_day(raw, raw.end, col, notes) if raw.end else None
    if end is not None and end < start:
        raise _Unread(f"{raw.text}: the end date {end.isoformat()} is before the start date "
                      f"{start.isoformat()}")
    end = end if end != start else None
    end, s_at, e_at = _place(raw, start, end, col, notes)
    word = raw.time_word
    if word in _BEFORE and e_at:
        notes.append(f"'{word} {raw.end_clock.text}' gives only an upper bound: end time "
                     f"{_utc(e_at)}, no start time; date precision approx")
    elif word in _AFTER and s_at:
        notes.append(f"'{word} {raw.start_clock.text}' gives only a lower bound: start time "
                     f"{_utc(s_at)}, no end time; date precision approx")
    elif word and raw.clocks and (s_at or e_at):
        notes.append(f"time {raw.clocks[0].text} given as approximate ({word!r}); "
                     "date precision approx")
    if raw.date_approx:
        notes.append(f"date given as approximate ({raw.date_approx!r}); date precision approx")
    approx = raw.date_approx or word
    precision = "approx" if approx else "range" if end else "day"
    return DateParse(start.isoformat(), None, "; ".join(notes) or None,
                     end_date=end.isoformat() if end else None,
                     start_time=_utc(s_at) if s_at else None,
                     end_time=_utc(e_at) if e_at else None, precision=precision)


# --------------------------------------------------------------------------- public

def parse_date_column(values: Iterable[str], column: str, order: Order | None = None
                      ) -> list[DateParse]:
    """Parse a column of date values, each value read once and settled by the whole column.

    Parameters
    ----------
    values
        The column's cells as text.
    column
        Its name, for notes.
    order
        ``"dmy"`` or ``"mdy"``: the order a source is known to write ``a/b/yyyy`` in, used
        (and noted) only when no value in the column settles it; without it such a column's
        ambiguous dates are rejected.

    Returns
    -------
    One ``DateParse`` per value. ``a > 12`` makes an a/b/yyyy value day-first and
    ``b > 12`` month-first; the other values take the order the column shows, and are
    rejected when it shows both. When every time in the column is a plain midnight
    (``12:00:00 AM``, ``00:00``), the column is a date-only export and carries no times.
    """
    texts = [str(v) for v in values]
    read = {v: _read(v) for v in dict.fromkeys(texts)}
    raws = [r for r in read.values() if isinstance(r, _Raw)]
    day_first = month_first = False
    for raw in raws:
        for day in (raw.start, raw.end):
            if day is not None and day.slashed:
                day_first |= day.first > 12 >= day.second
                month_first |= day.second > 12 >= day.first
    timed = [r for r in raws if r.clocks]
    col = _Column(column, day_first, month_first, order,
                  bool(timed) and all(r.midnight_only for r in timed))
    settled: dict[str, DateParse] = {}
    for value, raw in read.items():
        if isinstance(raw, str):
            settled[value] = DateParse(error=raw)
            continue
        try:
            settled[value] = _settle(raw, col)
        except _Unread as exc:
            settled[value] = DateParse(error=_naming(raw.text, str(exc)))
        except (ValueError, OverflowError) as exc:
            settled[value] = DateParse(error=f"{raw.text!r} cannot be read as a date ({exc})")
    return [settled[v] for v in texts]


def parse_date(value: str, order: Order | None = None) -> DateParse:
    """Parse one value on its own (a column of one: see ``parse_date_column``)."""
    return parse_date_column([value], "value", order)[0]


# --------------------------------------------------------------------------- precision codes

#: Source date-precision codes -> our ``date_precision``.
#: UCDP ``date_prec``: 1 exact day; 2 a 2-6 day range and 3 a week, both given by GED's
#: ``date_start``/``date_end`` (our "range", which needs that end date); 4 a month and
#: 5 longer are not a span the incident filled but an unknown day, so "approx".
#: ACLED ``time_precision``: 1 day; 2 week and 3 month are "approx" (ACLED gives one date,
#: no end, so not a range) — the same as ``acled.ACLED_TIME_PRECISION``.
DATE_PRECISION_CODES: dict[str, dict[str, str]] = {
    "ucdp": {"1": "day", "2": "range", "3": "range", "4": "approx", "5": "approx"},
    "acled": {"1": "day", "2": "approx", "3": "approx"},
}

#: Source location-precision codes -> our ``location_precision``.
#: UCDP ``where_prec``: 1 exact; 2 within 25 km of a known point is "city" (a town's
#: reach, not the spot); 3 second- and 4 first-order admin region are "region"; 5 a
#: linear feature (road, river, border) or a part of a country larger than a province
#: has no region of ours and becomes the coarser "country"; 6 country; 7 international
#: waters or airspace has no value of ours at all and becomes "country", the coarsest.
#: ACLED ``geo_precision``: 1 the named town's coordinates "exact", 2 near a town / part
#: of a region "city", 3 a larger region "region" — as ``acled.ACLED_GEO_PRECISION``.
LOCATION_PRECISION_CODES: dict[str, dict[str, str]] = {
    "ucdp": {"1": "exact", "2": "city", "3": "region", "4": "region", "5": "country",
             "6": "country", "7": "country"},
    "acled": {"1": "exact", "2": "city", "3": "region"},
}


def _code(code: str | int | float | None) -> str:
    """``1``, ``"1"``, ``1.0``, ``" 1.0 "`` -> ``"1"``."""
    text = str(code).strip() if code is not None else ""
    return text[:-2] if text.endswith(".0") else text


def date_precision_code(source: str, code: str | int | float | None) -> str | None:
    """Our ``date_precision`` for a source's code (``"ucdp"`` date_prec, ``"acled"``
    time_precision); None for a code or source the tables do not know."""
    return DATE_PRECISION_CODES.get(source.lower(), {}).get(_code(code))


def location_precision_code(source: str, code: str | int | float | None) -> str | None:
    """Our ``location_precision`` for a source's code (``"ucdp"`` where_prec, ``"acled"``
    geo_precision); None for a code or source the tables do not know."""
    return LOCATION_PRECISION_CODES.get(source.lower(), {}).get(_code(code))
