"""When a sentence says something happened: dates (explicit, weekday, relative) and local
times converted to UTC. Every inference is written into the returned note.

Explicit dates with a year are read by ``importer.dates.parse_date``; a day and month
without a year take the publication year (the year before when that would put the day
after publication).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ..importer.dates import parse_date

_MONTHS = {calendar.month_name[i].lower(): i for i in range(1, 13)}
_MONTHS.update({calendar.month_abbr[i].lower(): i for i in range(1, 13)})
_MONTHS["sept"] = 9
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
_WD = "|".join(_WEEKDAYS)
_PART = r"(?:the\s+)?(?:(?P<part>morning|afternoon|evening|night|early hours|weekend)\s+of\s+)?"

#: Standard UTC offset (minutes) of each country's local time, and whether EU summer time
#: applies (last Sunday of March to last Sunday of October, 01:00 UTC).
ZONES: dict[str, tuple[int, bool]] = {
    **{c: (60, True) for c in ("PL", "DE", "DK", "NO", "SE", "CZ", "SK", "HU", "NL", "BE",
                               "FR", "IT", "AT")},
    **{c: (120, True) for c in ("EE", "LV", "LT", "FI", "RO", "BG", "MD", "UA", "GR")},
    "BY": (180, False), "RU": (180, False), "TR": (180, False),
}
_NAMED_ZONES = {"utc": 0, "gmt": 0, "cet": 60, "cest": 120, "eet": 120, "eest": 180,
                "msk": 180, "z": 0}


@dataclass(frozen=True)
class When:
    """A resolved date: the first day, the last (None for one day), how it was read."""

    date: dt.date
    end: dt.date | None
    precision: str          # day, approx, range
    note: str
    explicit: bool          # the sentence itself gave the date
    part_of_day: str | None = None


def _year_for(month: int, day: int, published: dt.date) -> int:
    year = published.year
    try:
        if dt.date(year, month, day) > published + dt.timedelta(days=1):
            year -= 1
    except ValueError:
        pass
    return year


def _month_window(month: int, year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


_EXPLICIT = (
    re.compile(rf"{_PART}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*(?:-|–|and|to)\s*(?P<d2>\d{{1,2}}))?"
               rf"(?:\s+of)?\s+(?P<m>{_MON})\.?(?:,?\s+(?P<y>\d{{4}}))?(?![\w])"),
    re.compile(rf"{_PART}(?P<m>{_MON})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
               rf"(?:\s*(?:-|–|and|to)\s*(?P<d2>\d{{1,2}}))?(?:,?\s+(?P<y>\d{{4}}))?(?![\w])"),
)
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WEEKDAY = re.compile(rf"\b(?:on|last|this|early on|late on)?\s*(?P<wd>{_WD})"
                      rf"(?:\s+(?P<part>morning|afternoon|evening|night))?\b")
# Month names capitalised, as written: "may" and "march" in lower case are verbs.
_MONTH_ONLY = re.compile(rf"\b(?P<q>(?i:early|mid|late|end of|the end of|beginning of))?[\s-]*"
                         rf"(?<![\d] )(?P<m>{'|'.join(calendar.month_name[1:])})"
                         rf"(?:\s+(?P<y>\d{{4}}))?\b(?!\s+\d)")
#: Relative phrases: (pattern, (start offset, end offset) in days from the anchor, anchor).
#: The anchor is "pub" (publication) or "prev" (the date of the sentence before).
RELATIVE: tuple[tuple[str, int, int, str], ...] = (
    (r"\byesterday\b", -1, -1, "pub"),
    (r"\blast night\b|\bovernight\b", -1, 0, "pub"),
    (r"\btoday\b|\bthis morning\b|\bthis afternoon\b|\bthis evening\b|\btonight\b", 0, 0, "pub"),
    (r"\bthe day before yesterday\b", -2, -2, "pub"),
    (r"\bin recent days\b|\bthis week\b|\bin the past few days\b|\bdays ago\b", -6, 0, "pub"),
    (r"\bthe next day\b|\bthe following day\b|\ba day later\b", 1, 1, "prev"),
    (r"\b(?:just\s+)?days later\b|\bshortly after(?:wards)?\b|\bsoon after\b", 1, 7, "prev"),
    (r"\blater that week\b|\bthe same week\b", 1, 6, "prev"),
    (r"\bthe same day\b|\bhours later\b|\blater that day\b", 0, 0, "prev"),
    (r"\bweeks later\b", 7, 28, "prev"),
)


def _explicit(sentence: str, published: dt.date) -> When | None:
    low = sentence.lower()
    if m := _ISO.search(low):
        parsed = parse_date(m.group(0))
        if parsed.iso:
            return When(dt.date.fromisoformat(parsed.iso), None, "day",
                        f"date {parsed.iso} written in the sentence", True)
    for pattern in _EXPLICIT:
        for m in pattern.finditer(low):
            month, day = _MONTHS[m["m"]], int(m["d"])
            if day > 31 or (m["y"] is None and day > 31):
                continue
            year = int(m["y"]) if m["y"] else _year_for(month, day, published)
            parsed = parse_date(f"{day} {calendar.month_name[month]} {year}")
            if not parsed.iso:
                continue
            start = dt.date.fromisoformat(parsed.iso)
            end = None
            if m["d2"]:
                try:
                    end = dt.date(year, month, int(m["d2"]))
                except ValueError:
                    end = None
            how = f"'{m.group(0).strip()}'"
            how += "" if m["y"] else f" with the year {year} taken from the publication date"
            return When(start, end if end and end > start else None,
                        "range" if end and end > start else "day",
                        f"date from {how}", True, m["part"])
    return None


def _weekday(sentence: str, published: dt.date) -> When | None:
    m = _WEEKDAY.search(sentence.lower())
    if not m:
        return None
    back = (published.weekday() - _WEEKDAYS[m["wd"]]) % 7
    day = published - dt.timedelta(days=back)
    same = " (the publication day itself)" if back == 0 else ""
    return When(day, None, "day", f"'{m.group(0).strip()}' read as {day:%A} {day.isoformat()}, "
                f"the last {m['wd'].title()} on or before publication ({published}){same}",
                True, m["part"])


def _month_only(sentence: str, published: dt.date) -> When | None:
    m = _MONTH_ONLY.search(sentence)
    if not m:
        return None
    month = _MONTHS[m["m"].lower()]
    year = int(m["y"]) if m["y"] else (published.year if month <= published.month
                                       else published.year - 1)
    start, end = _month_window(month, year)
    q = (m["q"] or "").strip().lower()
    if q == "early" or q.endswith("beginning of"):
        end = start + dt.timedelta(days=9)
    elif q == "mid":
        start, end = start + dt.timedelta(days=10), start + dt.timedelta(days=19)
    elif q in ("late", "end of", "the end of"):
        start = start + dt.timedelta(days=20)
    end = min(end, published)
    if end < start:
        return None
    return When(start, end, "range", f"'{m.group(0).strip()}' read as {start} to {end}", True)


def resolve(sentence: str, published: dt.date, previous: When | None) -> When:
    """The date of a sentence: explicit, relative to publication or to the sentence before,
    a weekday, a month; else the previous sentence's date or the week before publication."""
    if found := _explicit(sentence, published):
        return found
    low = sentence.lower()
    for pattern, a, b, anchor in RELATIVE:
        if m := re.search(pattern, low):
            if anchor == "prev" and previous is None:
                continue
            base = published if anchor == "pub" else (previous.end or previous.date)
            start, end = base + dt.timedelta(days=a), base + dt.timedelta(days=b)
            if anchor == "pub":
                end = min(end, published)
            what = "publication" if anchor == "pub" else f"the date before ({base})"
            return When(start, end if end != start else None, "day" if end == start else "range",
                        f"'{m.group(0)}' read relative to {what}: {start}"
                        + (f" to {end}" if end != start else ""), True)
    if m := re.search(r"\blast week\b", low):
        monday = published - dt.timedelta(days=published.weekday() + 7)
        return When(monday, monday + dt.timedelta(days=6), "range",
                    f"'last week' read as the calendar week {monday} to "
                    f"{monday + dt.timedelta(days=6)}", True)
    if found := _weekday(sentence, published):
        return found
    if found := _month_only(sentence, published):
        return found
    if previous is not None:
        return When(previous.date, previous.end, previous.precision if previous.end else "approx",
                    f"no date in the sentence; taken from the sentence before ({previous.note})",
                    False)
    start = published - dt.timedelta(days=7)
    return When(start, published, "range", f"no date in the text; assumed within the week "
                f"before publication ({start} to {published})", False)


_TIME = r"(?P<{n}>\d{{1,2}})[:.h](?P<{n}m>\d{{2}})"
_TIMES = re.compile(
    r"(?:from|between)\s+" + _TIME.format(n="a") + r"\s*(?:to|and|until|till|-|–)\s*"
    + _TIME.format(n="b") + r"|(?<![\d:.])" + _TIME.format(n="c")
    + r"(?:\s*(?:-|–|to|until)\s*" + _TIME.format(n="d") + r")?")
_ZONE_AFTER = re.compile(r"\s*(?:\(?\s*(?P<z>utc|gmt|cet|cest|eet|eest|msk|z)\b\)?|(?P<local>local time))")


def _offset(country: str | None, when: dt.datetime) -> tuple[int, str] | None:
    if country not in ZONES:
        return None
    standard, dst = ZONES[country]
    if dst:
        y = when.year
        start = max(dt.date(y, 3, d) for d in range(25, 32) if dt.date(y, 3, d).weekday() == 6)
        end = max(dt.date(y, 10, d) for d in range(25, 32) if dt.date(y, 10, d).weekday() == 6)
        if start <= when.date() < end:
            return standard + 60, f"summer time UTC+{(standard + 60) // 60}"
    return standard, f"UTC+{standard // 60}"


def times(sentence: str, day: dt.date, country: str | None
          ) -> tuple[str | None, str | None, str | None]:
    """UTC start and end times (``YYYY-MM-DDTHH:MM:SSZ``) named in the sentence on ``day``,
    and a note on the zone assumed; (None, None, None) without a time."""
    m = _TIMES.search(sentence.lower())
    if not m:
        return None, None, None
    h1, m1 = (m["a"], m["am"]) if m["a"] else (m["c"], m["cm"])
    h2, m2 = (m["b"], m["bm"]) if m["a"] else (m["d"], m["dm"])
    if int(h1) > 23 or int(m1) > 59 or (h2 and (int(h2) > 23 or int(m2) > 59)):
        return None, None, None
    zone = _ZONE_AFTER.match(sentence.lower(), m.end())
    start = dt.datetime(day.year, day.month, day.day, int(h1), int(m1))
    end = dt.datetime(day.year, day.month, day.day, int(h2), int(m2)) if h2 else None
    if end is not None and end < start:
        end += dt.timedelta(days=1)
    if zone and zone["z"]:
        offset, how = _NAMED_ZONES[zone["z"]], f"times given in {zone['z'].upper()}"
    elif (local := _offset(country, start)) is not None:
        offset, how = local[0], (f"times taken as local time in {country} ({local[1]})"
                                 + ("" if zone else ": no zone given"))
    else:
        offset, how = 0, "no zone given and the country is unknown: UTC assumed"
    shift = dt.timedelta(minutes=offset)

    def utc(t: dt.datetime) -> str:
        return (t - shift).strftime("%Y-%m-%dT%H:%M:%SZ")
    return utc(start), (utc(end) if end else None), how


# --------------------------------------------------------------------------- publication date

_META_DATE = re.compile(
    r"""(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|datePublished|date|"""
    r"""dc\.date|dcterms\.date|pubdate|publish[-_]?date|og:published_time)["'][^>]*?"""
    r"""content\s*=\s*["'](?P<a>\d{4}-\d{2}-\d{2})"""
    r"""|content\s*=\s*["'](?P<b>\d{4}-\d{2}-\d{2})[^"']*["'][^>]*?"""
    r"""(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|datePublished|date)["']"""
    r"""|"datePublished"\s*:\s*"(?P<c>\d{4}-\d{2}-\d{2})"""
    r"""|<time\b[^>]*\bdatetime\s*=\s*["'](?P<d>\d{4}-\d{2}-\d{2})""", re.I)
_LABELLED = re.compile(r"\b(?:published|posted|updated|first published|as of|dated?)\b[\s:,-]*"
                       r"(?:on\s+)?(?:[a-z]+day,?\s+)?(?P<rest>.{6,40})", re.I)
#: How far into the text a bare date still reads as the article's dateline, and a labelled
#: one ("Updated ...") as its masthead rather than prose.
DATELINE_CHARS = 300
LABELLED_CHARS = 1500


def _full_date(text: str) -> tuple[dt.date, str] | None:
    """The first date with day, month and year at the start of ``text``'s window."""
    low = text.lower()
    if m := _ISO.search(low):
        parsed = parse_date(m.group(0))
        if parsed.iso:
            return dt.date.fromisoformat(parsed.iso), m.group(0)
    for pattern in _EXPLICIT:
        for m in pattern.finditer(low):
            if m["y"] is None:
                continue
            parsed = parse_date(f"{int(m['d'])} {calendar.month_name[_MONTHS[m['m']]]} {m['y']}")
            if parsed.iso:
                return dt.date.fromisoformat(parsed.iso), text[m.start():m.end()].strip()
    return None


def published_date(text: str, raw: str | None = None) -> tuple[dt.date, str] | None:
    """The article's publication date and how it was found: a page's metadata
    (``article:published_time``, ``datePublished``, ``<time datetime>``) in ``raw`` (HTML),
    a labelled date in the text ("Published 4 November 2025", "As of October 6, 2025"), or
    a full date in the first lines (a dateline); None when the text does not give one."""
    if raw and (m := _META_DATE.search(raw)):
        iso = next(g for g in m.groups() if g)
        parsed = parse_date(iso)
        if parsed.iso:
            return dt.date.fromisoformat(parsed.iso), f"the page's metadata ({iso})"
    for m in _LABELLED.finditer(text[:LABELLED_CHARS]):
        if found := _full_date(m["rest"]):
            return found[0], f"'{m.group(0)[:m.start('rest') - m.start()].strip()} {found[1]}'"
    if found := _full_date(text[:DATELINE_CHARS]):
        return found[0], f"the date '{found[1]}' at the top of the text"
    return None
