"""The detail card of one incident, as plain (label, text) pairs for any front end."""

from __future__ import annotations

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
