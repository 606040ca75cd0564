"""The detail card of one incident, as plain (label, text) pairs for any front end."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from .schema import COUNT_FIELDS, TYPE_LABELS


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shorten(value, limit: int = 120) -> str:
    """A stored value as one short line: JSON (so "1" and 1 differ), "—" for none."""
    return "—" if value is None else cut(json.dumps(value, ensure_ascii=False, default=str), limit)


def _text(value) -> str | None:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return None
    return str(value)


def _moment(value) -> dt.datetime | None:
    text = _text(value)
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") if text else None


def time_text(start, end, date=None) -> str | None:
    """An incident's UTC times as read on a card or in a table: "23:45", "before 01:45",
    "23:00–02:00 (+1 day)"; a time on another day than ``date`` carries its day."""
    a, b = _moment(start), _moment(end)
    if a is None and b is None:
        return None
    day = pd.Timestamp(date).date() if date is not None and not pd.isna(date) else None

    def at(m: dt.datetime) -> str:
        return f"{m:%H:%M}" + ("" if day is None or m.date() == day else f" ({m:%-d %b})")
    if a is None:
        return f"until {at(b)}"
    if b is None:
        return at(a)
    if a.date() == b.date():
        return f"{at(a)}–{b:%H:%M}"
    return f"{at(a)}–{at(b)}"


def duration_text(start, end) -> str | None:
    """How long from ``start`` to ``end`` (UTC times): "3 h 15 min", "40 min", "2 d 4 h"."""
    a, b = _moment(start), _moment(end)
    if a is None or b is None:
        return None
    minutes = int((b - a).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{mins} min" if mins and not days else ""]
    return " ".join(p for p in parts if p) or "0 min"


def fields(row: pd.Series) -> list[tuple[str, str]]:
    """Every field of an incident worth reading, in reading order, absent ones left out.

    Sources and related incidents are not here: they are lists the card shows on their own.
    """
    date = f"{row['date']:%Y-%m-%d}"
    if row["end_date"] is not None and not pd.isna(row["end_date"]):
        date += f" to {row['end_date']:%Y-%m-%d}"
    pairs = [
        ("Type", TYPE_LABELS[row["type"]]),
        ("Date", f"{date} (precision: {row['date_precision']})"),
        ("Time (UTC)", time_text(row.get("start_time"), row.get("end_time"), row["date"])),
        ("Closed for", duration_text(row.get("start_time"), row.get("end_time"))
         if row["type"] == "airport_closure" else None),
        ("Place", row["place"]),
        ("Region", _text(row["region"])),
        ("Country", row["country"]),
        ("Location precision", row["location_precision"]),
        ("Airport (ICAO)", _text(row["icao"])),
        ("Platform", row["platform"]),
        *((f.capitalize(), _text(row[f])) for f in COUNT_FIELDS),
        ("Distance from RU/BY/UA border",
         f"{row['depth_km']:g} km" if "depth_km" in row and _text(row["depth_km"]) else None),
        ("Confidence", row["confidence"]),
        ("Summary", row["summary"]),
        ("Notes", _text(row["notes"])),
        ("Id", row["id"]),
    ]
    return [(label, value) for label, value in pairs if value is not None]
