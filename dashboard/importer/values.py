"""Cell values read the way people write them: coordinates, counts, dates, and the
keywords that give an incident type or a platform.

Coordinates take decimal commas and hemisphere letters (``52,23``, ``21.0 E``); dates take
ISO, written-out months, dotted, slashed (day/month order settled by the column's other
dates), compact and Unix-time forms. A value that cannot be read comes back with the
reason, never a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import INCIDENT_TYPES, PLATFORMS, TYPE_LABELS

# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+)\s*°?\s*([NSEWnsew]?)$")


def parse_coordinate(text: str) -> float | None:
    """``"52.23"``, ``"52,23"``, ``"52.23°N"``, ``"21.0 E"`` -> float; None when not a number."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    sign, digits, hemisphere = match.groups()
    value = float(digits.replace(",", "."))
    return -value if (sign == "-") != (hemisphere.upper() in ("S", "W")) else value


def parse_coordinates(series: pd.Series) -> tuple[np.ndarray, int]:
    """Vectorised ``parse_coordinate``: floats (NaN where not a number) and decimal commas."""
    parts = series.astype(str).str.extract(_NUMBER.pattern)
    digits = parts[1]
    commas = int(digits.str.contains(",", regex=False, na=False).sum())
    values = pd.to_numeric(digits.str.replace(",", ".", regex=False), errors="coerce")
    negative = (parts[0] == "-") != parts[2].fillna("").str.upper().isin(["S", "W"])
    values = values.where(~negative, -values)
    return values.to_numpy(dtype=float), commas


def parse_count(text: str) -> tuple[int | None, str | None]:
    """A whole number of 0 or more (None for an empty cell), or the reason it is not one."""
    text = text.strip()
    if not text:
        return None, None
    match = re.fullmatch(r"\+?(\d+)(?:\.0*)?", text)
    if not match:
        return None, "is not a whole number of 0 or more"
    return int(match.group(1)), None


# --------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS["sept"] = 9

_TIME = r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DMY_TEXT = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{{4}}){_TIME}")
_MDY_TEXT = re.compile(rf"([A-Za-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_TIME}")
_DOTTED = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}")
_SLASH = re.compile(rf"(\d{{1,2}})[/-](\d{{1,2}})[/-](\d{{4}}){_TIME}")
_EPOCH = re.compile(r"(\d{10}|\d{13})(?:\.\d+)?")


def _make_date(value: str, year: int, month: int, day: int) -> tuple[str | None, str | None]:
    try:
        return dt.date(year, month, day).isoformat(), None
    except ValueError as exc:
        return None, f"{value} is not a real calendar date ({exc})"


@dataclass(frozen=True)
class DateParse:
    """One parsed date: the ISO day or the error, and a note on how it was read."""

    iso: str | None = None
    error: str | None = None
    note: str | None = None
    slash: tuple[int, int, int] | None = None    # (a, b, year) of an a/b/yyyy date


def _parse_one_date(value: str) -> DateParse:
    text = value.strip()
    if not text:
        return DateParse(error="is empty; a date is needed")
    if m := _ISO.fullmatch(text):
        return DateParse(*_make_date(text, int(m[1]), int(m[2]), int(m[3])))
    if m := _DOTTED.fullmatch(text):
        return DateParse(*_make_date(text, int(m[3]), int(m[2]), int(m[1])))
    if m := _SLASH.fullmatch(text):
        return DateParse(slash=(int(m[1]), int(m[2]), int(m[3])))
    if (m := _DMY_TEXT.fullmatch(text)) and m[2].lower() in _MONTHS:
        return DateParse(*_make_date(text, int(m[3]), _MONTHS[m[2].lower()], int(m[1])))
    if (m := _MDY_TEXT.fullmatch(text)) and m[1].lower() in _MONTHS:
        return DateParse(*_make_date(text, int(m[3]), _MONTHS[m[1].lower()], int(m[2])))
    if m := _COMPACT.fullmatch(text):
        return DateParse(*_make_date(text, int(m[1]), int(m[2]), int(m[3])))
    if m := _EPOCH.fullmatch(text):
        seconds = int(m[1]) / (1000 if len(m[1]) == 13 else 1)
        day = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date().isoformat()
        return DateParse(day, note=f"date {day} converted from the Unix time {text} (UTC)")
    return DateParse(error=f"{text!r} is not a date format this importer reads "
                           "(YYYY-MM-DD, 15 September 2025, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy)")


def _resolve_slash(value: str, a: int, b: int, year: int, day_first: bool, month_first: bool,
                   column: str) -> DateParse:
    """An a/b/yyyy date, its order taken from the column when the date itself does not settle it."""
    note = None
    if a > 12 and b > 12:
        return DateParse(error=f"{value} is not a real calendar date (neither part can be a month)")
    if a > 12 or a == b:
        order = "dmy"
    elif b > 12:
        order = "mdy"
    elif day_first != month_first:
        order = "dmy" if day_first else "mdy"
        note = (f"date {value} read as {'day/month' if day_first else 'month/day'}, like the "
                f"other dates in column {column!r}")
    else:
        why = ("the column has both orders" if day_first else
               "no other date in the column settles the order")
        return DateParse(error=f"ambiguous date {value}: day/month or month/day ({why})")
    day, month = (a, b) if order == "dmy" else (b, a)
    iso, error = _make_date(value, year, month, day)
    return DateParse(iso, error, note if iso else None)


def parse_dates(values: pd.Series, column: str) -> list[DateParse]:
    """Parse a date column, resolving a/b/yyyy dates from the column's other dates.

    ``a > 12`` means day/month, ``b > 12`` month/day. When both are 12 or less and differ,
    the order is taken from the column if all of its unambiguous slash dates agree;
    otherwise the date is ambiguous and gets an error.
    """
    parsed = {v: _parse_one_date(v) for v in pd.unique(values.astype(str))}
    day_first = month_first = False
    for p in parsed.values():
        if p.slash:
            a, b, _ = p.slash
            day_first |= a > 12 >= b
            month_first |= b > 12 >= a
    for value, p in parsed.items():
        if p.slash:
            parsed[value] = _resolve_slash(value, *p.slash, day_first, month_first, column)
    return [parsed[v] for v in values.astype(str)]


# --------------------------------------------------------------------------- keywords

_TYPE_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("airport_closure", re.compile(r"closure|closed|clos(ing|es)\b|shut|suspend", re.I)),
    ("interception", re.compile(r"intercept|shot[\s_-]*down|shoot[\s_-]*down|downed|neutrali[sz]",
                                re.I)),
    ("crash_debris", re.compile(r"crash|debris|wreck|fragment", re.I)),
    ("airspace_incursion", re.compile(r"incursion|airspace|violation|intru", re.I)),
    ("strike", re.compile(r"strike|attack|explo|shelling|shelled|bombard|\bhit\b|impact", re.I)),
)
TYPE_KEYWORD_HELP = ("incursion/airspace, closure/airport closed, strike/attack/explosion/shelling, "
                     "interception/shot down/intercepted, crash/debris/wreckage")

_PLATFORM_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("drone", re.compile(r"\b(drones?|uavs?|uas|shaheds?|geran|gerbera|quadcopters?|unmanned)\b",
                         re.I)),
    ("missile", re.compile(r"\b(missiles?|iskander|kalibr|kh-\d+|rockets?)\b", re.I)),
    ("balloon", re.compile(r"\bballoons?\b", re.I)),
    ("artillery", re.compile(r"\b(shell(s|ing|ed)?|artillery|mortars?|mlrs|howitzers?)\b", re.I)),
    ("aircraft", re.compile(r"\b(air ?strikes?|aircraft|airplanes?|planes?|jets?|fighters?|"
                            r"helicopters?|bombers?|mig-?\d+|su-\d+|aerial bombs?|glide bombs?)\b",
                            re.I)),
)


def incident_type(value: str) -> tuple[str | None, bool]:
    """Our incident type for a source value, and whether it was an exact match."""
    key = re.sub(r"[\s/-]+", "_", value.strip().lower())
    if key in INCIDENT_TYPES:
        return key, True
    for code, label in TYPE_LABELS.items():
        if value.strip().lower() == label.lower():
            return code, True
    for code, pattern in _TYPE_KEYWORDS:
        if pattern.search(value):
            return code, False
    return None, False


def platform_from_text(*texts: str) -> str | None:
    """The first platform whose keywords appear in the texts (in order), or None."""
    for text in texts:
        key = text.strip().lower()
        if key in PLATFORMS:
            return key
        for code, pattern in _PLATFORM_KEYWORDS:
            if pattern.search(text):
                return code
    return None


# Source values for the precision fields -> ours (ACLED's 1/2/3 codes included).
LOCATION_PRECISION = {"exact": "exact", "city": "city", "region": "region", "country": "country",
                      "1": "exact", "2": "city", "3": "region", "town": "city",
                      "village": "city", "admin1": "region", "province": "region"}
DATE_PRECISION = {"day": "day", "approx": "approx", "approximate": "approx", "range": "range",
                  "1": "day", "2": "approx", "3": "approx", "exact": "day"}
