"""dashboard.importer.dates: every date and time form imported files use, read as a column.

Each table row is one value (or one column) and what must come back: the day, the end
day of a range, the UTC start and end times, the date precision, and words the note or
the rejection reason must carry.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

from dashboard.importer import acled, dates, values
from dashboard.importer.dates import (
    date_precision_code,
    location_precision_code,
    parse_date,
    parse_date_column,
)
from dashboard.schema import DATE_PRECISIONS, LOCATION_PRECISIONS


def fields(p: dates.DateParse) -> tuple[str | None, ...]:
    """The parts a table row checks: date, end date, start and end time, precision."""
    return p.iso, p.end_date, p.start_time, p.end_time, p.precision


# --------------------------------------------------------------------------- one value

@pytest.mark.parametrize(("value", "expected", "note"), [
    # ISO dates and datetimes; offsets converted to UTC, no zone taken as UTC and said so
    ("2025-10-03", ("2025-10-03", None, None, None, "day"), None),
    ("2025-10-03T23:45:00Z", ("2025-10-03", None, "2025-10-03T23:45:00Z", None, "day"), None),
    ("2025-10-03 23:45", ("2025-10-03", None, "2025-10-03T23:45:00Z", None, "day"),
     "no time zone; taken as UTC"),
    ("2025-10-03T23:45:00+02:00", ("2025-10-03", None, "2025-10-03T21:45:00Z", None, "day"), None),
    ("2025-10-03T01:00+02:00", ("2025-10-03", None, "2025-10-02T23:00:00Z", None, "day"),
     "falls on 2025-10-02 in UTC; the date is kept as written"),
    ("2025-10-03T23:45:10.250Z", ("2025-10-03", None, "2025-10-03T23:45:10Z", None, "day"), None),
    ("2025/09/10", ("2025-09-10", None, None, None, "day"), None),
    # ISO ranges (an interval's times stay on their own days)
    ("2025-10-03/2025-10-05", ("2025-10-03", "2025-10-05", None, None, "range"), None),
    ("2025-10-03T21:00Z/2025-10-04T02:00Z",
     ("2025-10-03", "2025-10-04", "2025-10-03T21:00:00Z", "2025-10-04T02:00:00Z", "range"), None),
    ("2025-10-03 to 2025-10-05", ("2025-10-03", "2025-10-05", None, None, "range"), None),
    # UCDP's 12-hour clock, alone in its column so the time is real
    ("1/22/2014 3:15:00 PM", ("2014-01-22", None, "2014-01-22T15:15:00Z", None, "day"),
     "taken as UTC"),
    ("1/22/2014 12:30:00 AM", ("2014-01-22", None, "2014-01-22T00:30:00Z", None, "day"),
     "taken as UTC"),
    ("1/22/2014 12:00:00 PM", ("2014-01-22", None, "2014-01-22T12:00:00Z", None, "day"),
     "taken as UTC"),
    # tracker free text
    ("03 Oct 2025, before 01:45", ("2025-10-03", None, None, "2025-10-03T01:45:00Z", "approx"),
     "'before 01:45' gives only an upper bound"),
    (" 04 / 05 Nov 2025, 23:00 / 02:00 ",
     ("2025-11-04", "2025-11-05", "2025-11-04T23:00:00Z", "2025-11-05T02:00:00Z", "range"),
     "taken as UTC"),
    ("Weekend of 01-02 Nov 2025", ("2025-11-01", "2025-11-02", None, None, "range"), None),
    ("1–2 Nov 2025", ("2025-11-01", "2025-11-02", None, None, "range"), None),
    ("1—2 Nov 2025", ("2025-11-01", "2025-11-02", None, None, "range"), None),
    ("Nov 3, 2025 at 21:30", ("2025-11-03", None, "2025-11-03T21:30:00Z", None, "day"),
     "taken as UTC"),
    ("3 October 2025 around 20:00", ("2025-10-03", None, "2025-10-03T20:00:00Z", None, "approx"),
     "given as approximate ('around')"),
    ("night of 3/4 October 2025", ("2025-10-03", "2025-10-04", None, None, "range"), None),
    ("between 21:00 and 23:30 on 3 Oct 2025",
     ("2025-10-03", None, "2025-10-03T21:00:00Z", "2025-10-03T23:30:00Z", "day"), "taken as UTC"),
    ("after 22:00 on 3 Oct 2025", ("2025-10-03", None, "2025-10-03T22:00:00Z", None, "approx"),
     "gives only a lower bound"),
    ("3 Oct 2025 23:00-01:00",
     ("2025-10-03", "2025-10-04", "2025-10-03T23:00:00Z", "2025-10-04T01:00:00Z", "range"),
     "taken as 01:00 on the next day"),
    ("3 Oct 2025 21:30 UTC+3", ("2025-10-03", None, "2025-10-03T18:30:00Z", None, "day"), None),
    ("15 September 2025 10:00:00-05:00",        # an offset straight after seconds, not a range
     ("2025-09-15", None, "2025-09-15T15:00:00Z", None, "day"), None),
    ("3 Oct 2025 21:00-23:00",
     ("2025-10-03", None, "2025-10-03T21:00:00Z", "2025-10-03T23:00:00Z", "day"), "taken as UTC"),
    ("3 Oct 2025 21:00:00-23:00:00",
     ("2025-10-03", None, "2025-10-03T21:00:00Z", "2025-10-03T23:00:00Z", "day"), "taken as UTC"),
    ("3 Oct 2025, 9 pm", ("2025-10-03", None, "2025-10-03T21:00:00Z", None, "day"),
     "time 9 pm has no time zone"),
    ("c. 3 Oct 2025", ("2025-10-03", None, None, None, "approx"), "date given as approximate ('c.')"),
    ("approx. 3 Oct 2025", ("2025-10-03", None, None, None, "approx"), "approximate"),
    ("3 Oct 2025 (approx.)", ("2025-10-03", None, None, None, "approx"), "approximate"),
    ("30 Oct - 2 Nov 2025", ("2025-10-30", "2025-11-02", None, None, "range"), None),
    ("Nov 1-2, 2025", ("2025-11-01", "2025-11-02", None, None, "range"), None),
    ("30 Dec 2025 - 2 Jan 2026", ("2025-12-30", "2026-01-02", None, None, "range"), None),
    ("15 September 2025", ("2025-09-15", None, None, None, "day"), None),
    ("3rd of October 2025", ("2025-10-03", None, None, None, "day"), None),
    ("3-3 Oct 2025", ("2025-10-03", None, None, None, "day"), None),      # one day, not a range
    # times that cannot be put on a day, or in a zone, are left out and said so
    ("night of 3/4 October 2025, 23:00", ("2025-10-03", "2025-10-04", None, None, "range"),
     "unclear which day"),
    ("3 Oct 2025 21:30 local", ("2025-10-03", None, None, None, "day"), "local time"),
    # other machine forms
    ("10.09.2025", ("2025-09-10", None, None, None, "day"), None),
    ("20250910", ("2025-09-10", None, None, None, "day"), None),
    ("1757500200", ("2025-09-10", None, "2025-09-10T10:30:00Z", None, "day"), "Unix time"),
])
def test_one_value(value, expected, note):
    p = parse_date(value)
    assert p.error is None, p.error
    assert fields(p) == expected
    assert p.precision in DATE_PRECISIONS and p.date == p.iso
    if note:
        assert note in p.note
    else:
        assert p.note is None


@pytest.mark.parametrize(("value", "reason"), [
    ("", "is empty"),
    ("   ", "is empty"),
    ("2025-02-30", "2025-02-30 is not a real calendar date"),
    ("31/02/2025", "31/02/2025 is not a real calendar date"),
    ("13/13/2025", "neither part can be a month"),
    ("03/04/2025", "ambiguous date 03/04/2025: day/month or month/day (no other date"),
    ("yesterday", "'yesterday' is not a date format this importer reads"),
    ("next week", "'next week' is not a date format"),
    ("3 Oct 2025 blah", "'3 Oct 2025 blah': the date '3 oct 2025' was found but not 'blah'"),
    ("3 Oct 2025 25:00", "'3 Oct 2025 25:00': '25:00' is not a time of day"),
    ("1/22/2014 13:00:00 PM", "is not a time of day on the 12-hour clock"),
    ("2025-10-03T10:00+15:00", "not a UTC offset"),
    ("05-02 Nov 2025", "the end date 2025-11-02 is before the start date 2025-11-05"),
    ("2025-10-05/2025-10-03", "is before the start date"),
    ("2025-10-03T23:00Z/2025-10-03T21:00Z", "end time 2025-10-03T21:00:00Z is before the start"),
    ("before 3 Oct 2025", "gives only a bound on the date"),
    ("21:00 on 3 Oct 2025, 22:00", "gives times both before and after the date"),
    ("0000-01-01", "is not a real calendar date"),
])
def test_rejections_name_the_value(value, reason):
    p = parse_date(value)
    assert fields(p) == (None, None, None, None, None)
    assert reason in p.error


# --------------------------------------------------------------------------- a column

@pytest.mark.parametrize(("column", "expected", "note"), [
    # a day over 12 in the first place makes the column day-first ...
    (["13/01/2025", "02/03/2025"], ["2025-01-13", "2025-03-02"], "read as day/month"),
    # ... and in the second place month-first
    (["01/13/2025", "02/03/2025"], ["2025-01-13", "2025-02-03"], "read as month/day"),
    # both orders: each ambiguous one is rejected, the unambiguous ones stand
    (["13/01/2025", "01/13/2025", "02/03/2025"], ["2025-01-13", "2025-01-13", None], None),
    # all ambiguous: rejected, as before dates.py (no order is guessed)
    (["02/03/2025", "04/05/2025"], [None, None], None),
    (["05/05/2025"], ["2025-05-05"], None),                    # same either way
    # a UCDP date-only export: midnight in both spellings carries no time
    (["1/22/2014 12:00:00 AM", "05/02/2014 00:00"], ["2014-01-22", "2014-05-02"],
     "read as month/day"),
    # ranges settle the order too
    (["13/10/2025 - 14/10/2025", "03/04/2025"], ["2025-10-13", "2025-04-03"], "read as day/month"),
])
def test_column_settles_the_day_month_order(column, expected, note):
    parsed = parse_date_column(column, "date")
    assert [p.iso for p in parsed] == expected
    assert all((p.iso is None) == (p.error is not None) for p in parsed)
    if note:
        assert note in parsed[-1].note
    if None in expected:
        assert "ambiguous date" in parsed[expected.index(None)].error


@pytest.mark.parametrize(("order", "expected", "note"), [
    ("mdy", "2025-02-03", "read as month/day: no date in column 'date' settles the order"),
    ("dmy", "2025-03-02", "read as day/month"),
])
def test_a_known_source_order_is_assumed_and_said(order, expected, note):
    [p] = parse_date_column(["02/03/2025"], "date", order=order)
    assert (p.iso, p.error) == (expected, None) and note in p.note


@pytest.mark.parametrize(("column", "times"), [
    (["1/22/2014 12:00:00 AM", "05/02/2014 00:00"], [None, None]),                 # UCDP
    (["2025-09-10T00:00:00", "2025-09-11T00:00:00", "2025-09-12"], [None] * 3),   # GeoPackage
    (["1/22/2014 12:00:00 AM", "1/23/2014 3:15:00 PM"],                            # real times
     ["2014-01-22T00:00:00Z", "2014-01-23T15:15:00Z"]),
    (["3 Oct 2025, before 00:00", "4 Oct 2025 00:00"],                             # a bound is real
     ["2025-10-03T00:00:00Z", "2025-10-04T00:00:00Z"]),
])
def test_an_all_midnight_column_has_no_times(column, times):
    parsed = parse_date_column(column, "date")
    assert [p.start_time or p.end_time for p in parsed] == times
    if times[0] is None:
        assert not any(p.note and "UTC" in p.note for p in parsed)


def test_values_parse_dates_delegates_and_keeps_its_contract():
    """values.parse_dates: a pandas Series in, a DateParse per cell (repeated values included)."""
    parsed = values.parse_dates(pd.Series(["13/09/2025", "03/04/2025", "03/04/2025", "x"]), "when")
    assert [p.iso for p in parsed] == ["2025-09-13", "2025-04-03", "2025-04-03", None]
    assert "like the other dates in column 'when'" in parsed[1].note
    assert values.DateParse is dates.DateParse
    [p] = values.parse_dates(pd.Series(["02/03/2025"]), "when", order="mdy")
    assert p.iso == "2025-02-03" and "assumed" in p.note


# --------------------------------------------------------------------------- never raises

_PIECES = ("0", "1", "2", "3", "9", "12", "13", "24", "31", "59", "60", "99", "2025", "1999", "0000",
           "-", "/", ".", ":", ",", " ", "T", "Z", "+", "+02:00", "–", "AM", "pm", "Oct", "Nov",
           "September", "sept", "between", "and", "on", "before", "after", "around", "c.",
           "night of", "weekend of", "local", "UTC", "(", ")", "é", "\u00a0", "\n", "x", "1757500200")


def _random_value(rng: random.Random) -> str:
    """Pure junk from the pieces, or a date-shaped template with random parts, maybe mangled."""
    if rng.random() < 0.3:
        return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
    pick = rng.choice

    def d() -> str:
        return pick(("1", "03", "9", "12", "13", "28", "31", "32"))

    def m() -> str:
        return pick(("1", "02", "12", "13"))

    def h() -> str:
        return pick(("0", "09", "12", "23", "24"))

    def mi() -> str:
        return pick(("00", "30", "59", "60"))

    year, mon = pick(("2025", "2024", "0000", "9999", "1969")), pick(_MONTH_WORDS)
    clock = pick(("", f" {h()}:{mi()}", f" {h()}:{mi()}:{mi()} {pick(('AM', 'PM'))}",
                  f"T{h()}:{mi()}Z", f" {h()}:{mi()}+0{d()[-1]}:00", f", before {h()}:{mi()}",
                  f" {h()}:{mi()} / {h()}:{mi()}", f" around {h()}:00"))
    value = pick((
        f"{year}-{m()}-{d()}{clock}", f"{d()}/{m()}/{year}{clock}", f"{m()}/{d()}/{year}{clock}",
        f"{d()}.{m()}.{year}{clock}", f"{d()} {mon} {year}{clock}", f"{mon} {d()}, {year}{clock}",
        f"{d()}{pick(('-', '/', '–', ' / '))}{d()} {mon} {year}{clock}",
        f"{year}-{m()}-{d()}/{year}-{m()}-{d()}",
        f"between {h()}:{mi()} and {h()}:{mi()} on {d()} {mon} {year}",
        f"{pick(('night of', 'weekend of', 'c.', 'before'))} {d()} {mon} {year}{clock}"))
    if rng.random() < 0.3:
        at = rng.randint(0, len(value))
        value = value[:at] + pick(_PIECES) + value[at:]
    return value


_MONTH_WORDS = ("Oct", "October", "nov", "Sept", "Feb", "Month")


def test_never_raises_on_random_strings():
    """2,000 strings of digits, separators, month names and junk: a result each, never a raise."""
    rng = random.Random(17)
    column = [_random_value(rng) for _ in range(2000)]
    parsed = parse_date_column(column, "date")
    assert len(parsed) == len(column)
    assert 200 < sum(p.error is None for p in parsed) < 1800     # both paths are exercised
    for value, p in zip(column, parsed, strict=True):
        assert (p.iso is None) == (p.error is not None) == (p.precision is None), value
        if p.error is None:
            assert p.precision in DATE_PRECISIONS
            assert p.end_date is None or p.end_date > p.iso
            assert p.start_time is None or p.end_time is None or p.start_time <= p.end_time
        elif value.split():     # the reason names the value (its spaces collapsed)
            assert " ".join(value.split())[:8] in p.error, (value, p.error)
        else:
            assert "is empty" in p.error


# --------------------------------------------------------------------------- precision codes

@pytest.mark.parametrize(("source", "code", "expected"), [
    ("ucdp", 1, "day"), ("ucdp", "2", "range"), ("ucdp", 3, "range"), ("ucdp", "4", "approx"),
    ("ucdp", 5.0, "approx"), ("ucdp", 6, None), ("acled", "1", "day"), ("ACLED", 2, "approx"),
    ("acled", " 3 ", "approx"), ("acled", "", None), ("acled", None, None), ("gdelt", 1, None),
])
def test_date_precision_code(source, code, expected):
    assert date_precision_code(source, code) == expected


@pytest.mark.parametrize(("source", "code", "expected"), [
    ("ucdp", 1, "exact"), ("ucdp", 2, "city"), ("ucdp", 3, "region"), ("ucdp", 4, "region"),
    ("ucdp", 5, "country"), ("ucdp", 6, "country"), ("ucdp", "7", "country"), ("ucdp", 8, None),
    ("acled", 1, "exact"), ("acled", "2", "city"), ("acled", "3.0", "region"), ("acled", 4, None),
])
def test_location_precision_code(source, code, expected):
    assert location_precision_code(source, code) == expected


def test_code_tables_hold_only_our_values_and_agree_with_the_acled_profile():
    for table, allowed in ((dates.DATE_PRECISION_CODES, DATE_PRECISIONS),
                           (dates.LOCATION_PRECISION_CODES, LOCATION_PRECISIONS)):
        assert {v for codes in table.values() for v in codes.values()} <= set(allowed)
    assert dates.DATE_PRECISION_CODES["acled"] == acled.ACLED_TIME_PRECISION
    assert dates.LOCATION_PRECISION_CODES["acled"] == acled.ACLED_GEO_PRECISION
