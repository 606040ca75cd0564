"""Cell values read the way people write them: coordinates, counts, dates, and the
keywords that give an incident type or a platform.

Coordinates take decimal commas and hemisphere letters (``52,23``, ``21.0 E``) and
degrees-minutes-seconds (``50°27'00"N``, ``50 27 00 N``, ``50d27m00s``); dates and
times are read by ``dates.py`` (ISO, written-out months, dotted, slashed with the day/month
order settled by the column's other dates, compact, Unix time, ranges, UCDP's 12-hour times
and tracker free text), to which ``parse_dates`` hands a column. A value that cannot be
read comes back with the reason, never a guess.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..schema import INCIDENT_TYPES, PLATFORMS, TYPE_LABELS
from .dates import DateParse, Order, parse_date_column

# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+)\s*°?\s*([NSEWnsew]?)$")

# Degrees, minutes, seconds: a mark (°, d, ′, ', m, ″, ", s ...) or a space after each part,
# the hemisphere before or after. ``°`` also as the look-alikes º and ˚; primes also as the
# quotes ’ and ´ that word processors put in.
_DMS = re.compile(
    r"^(?P<h1>[NSEWnsew])?\s*(?P<sign>[+-])?\s*"
    r"(?P<d>\d{1,3}(?:[.,]\d+)?)\s*(?:°|º|˚|deg|d|(?=\s))\s*"
    r"(?:(?P<m>\d{1,3}(?:[.,]\d+)?)\s*(?:['′’´]|min|m|(?=\s)|(?=[NSEWnsew]?$))\s*"
    r"(?:(?P<s>\d{1,3}(?:[.,]\d+)?)\s*(?:\"|″|”|''|′′|’’|sec|s)?\s*)?)?"
    r"(?P<h2>[NSEWnsew])?$")
# Without one of these marks ("50 27") a hemisphere letter must say the text is DMS.
_DMS_MARK = re.compile(r"[°º˚'′’´\"″”dms]")


def parse_dms(text: str) -> tuple[float | None, str | None]:
    """A degrees-minutes-seconds coordinate -> (decimal degrees, None).

    ``50°27'00"N``, ``50° 27′ 0″ N``, ``50 27 00 N``, ``N50°27.5'``, ``50d27m00s`` and
    ``-30°15'`` are read. Returns ``(None, reason)`` when the text is written as DMS but cannot
    be right (minutes or seconds of 60 or more, two hemispheres, a sign and a hemisphere,
    a fraction before the last part), and ``(None, None)`` when it is not DMS at all.
    """
    match = _DMS.match(text.strip())
    if not match or match["m"] is None:
        return None, None        # plain degrees are the decimal pattern's business
    h1, sign, d, m, s, h2 = match.group("h1", "sign", "d", "m", "s", "h2")
    parts = [p.replace(",", ".") for p in (d, m, s) if p is not None]
    if h1 and h2:
        return None, f"has two hemisphere letters ({h1} and {h2})"
    hemisphere = (h1 or h2 or "").upper()
    if not hemisphere and not _DMS_MARK.search(text):
        return None, "has its parts separated only by spaces; that needs a hemisphere letter"
    if sign and hemisphere:
        return None, f"has both a sign ({sign}) and a hemisphere letter ({hemisphere})"
    if any("." in p for p in parts[:-1]):
        return None, "has a fraction before its last part (only the last of d, m, s may have one)"
    for label, part in zip(("minutes", "seconds"), parts[1:], strict=False):
        if float(part) >= 60:
            return None, f"{label} {part} are not under 60"
    value = sum(float(p) / 60 ** k for k, p in enumerate(parts))
    return (-value if sign == "-" or hemisphere in ("S", "W") else value), None


def parse_coordinate(text: str) -> float | None:
    """``"52.23"``, ``"52,23"``, ``"52.23°N"``, ``"21.0 E"``, ``50°27'00"N`` -> float; None
    when not a number (``coordinate_problem`` says why for a DMS value that is wrong)."""
    match = _NUMBER.match(text.strip())
    if not match:
        return parse_dms(text)[0]
    sign, digits, hemisphere = match.groups()
    value = float(digits.replace(",", "."))
    return -value if (sign == "-") != (hemisphere.upper() in ("S", "W")) else value


def coordinate_problem(text: str) -> str:
    """Why ``text`` is not a coordinate ``parse_coordinate`` can read (for the rejection)."""
    if not text.strip():
        return "is empty; coordinates are needed to place the incident"
    _, reason = parse_dms(text)
    if reason:
        return f"is not a valid degrees-minutes-seconds coordinate: {reason}"
    return ("is not a number (decimal degrees expected, e.g. 52.23, or degrees-minutes-seconds, "
            "e.g. 52°13'47\"N)")


def parse_coordinates(series: pd.Series) -> tuple[np.ndarray, int]:
    """Vectorised ``parse_coordinate``: floats (NaN where not a number) and decimal commas.

    The decimal pattern runs column-wise; only the (distinct) values it does not match go
    through the DMS parser one by one, so a plain decimal column costs what it did.
    """
    text = series.astype(str)
    parts = text.str.extract(_NUMBER.pattern)
    digits = parts[1]
    commas = int(digits.str.contains(",", regex=False, na=False).sum())
    values = pd.to_numeric(digits.str.replace(",", ".", regex=False), errors="coerce")
    negative = (parts[0] == "-") != parts[2].fillna("").str.upper().isin(["S", "W"])
    values = values.where(~negative, -values)
    rest = text[digits.isna()]
    rest = rest[rest.str.contains(r"\d", regex=True)]
    if len(rest):
        dms = {v: parse_dms(v)[0] for v in pd.unique(rest)}
        values[rest.index] = rest.map(dms).astype(float)
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

def parse_dates(values: pd.Series, column: str, order: Order | None = None) -> list[DateParse]:
    """Parse a date column: one ``DateParse`` per cell (see ``dates.parse_date_column``).

    ``a > 12`` means day/month, ``b > 12`` month/day. When both are 12 or less and differ,
    the order is taken from the column if all of its unambiguous slash dates agree;
    otherwise the date is ambiguous and gets an error, unless ``order`` ("dmy" or "mdy",
    for a source known to write one) is given: then it is assumed and noted. Ranges, UTC
    times and the date precision come in ``end_date``, ``start_time``, ``end_time`` and
    ``precision``.
    """
    return parse_date_column(values.astype(str), column, order)


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
