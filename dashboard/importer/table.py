"""What every reader hands to the row pipeline: a ``Table`` of rows, and ``Rejected``.

A ``Table`` holds every cell as stripped text (what the mapping reads), the original
values per row (kept in the record's ``origin``), the row number a user sees and, for
formats that have them, the raw GeoJSON geometries. ``Rejected`` is one problem with one
row; readers, the pipeline and the result all report with it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import OriginValue


@dataclass(frozen=True)
class Rejected:
    """One problem with one row that kept it out of the import."""

    row: int
    field: str
    value: str
    reason: str


@dataclass
class Table:
    """Rows read from a file: text cells, original values and (optionally) geometries."""

    columns: list[str]
    text: pd.DataFrame                       # every cell as stripped text, "" when missing
    rows: list[int]                          # the row number a user sees, per record
    origin: list[dict[str, OriginValue]]
    geometries: list[Any] | None = None      # raw GeoJSON geometry per record
    rejected: list[Rejected] = field(default_factory=list)   # rows that could not be read
    warnings: list[str] = field(default_factory=list)
    notes: list[list[str]] | None = None     # per record, what a reader says in its notes

    def __len__(self) -> int:
        return len(self.rows)


def _cell_text(value: Any) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value).strip()


def _origin_value(value: Any) -> OriginValue:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if np.isnan(value) else value if np.isfinite(value) else str(value)
    if isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def table_from_records(records: list[dict[str, Any]], rows: list[int],
                       geometries: list[Any] | None) -> Table:
    """A ``Table`` from property dicts (GeoJSON, GeoPackage, KML); columns in first-seen order."""
    columns: list[str] = []
    seen: set[str] = set()
    for rec in records:
        for key in rec:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    text = pd.DataFrame([[_cell_text(rec.get(c)) for c in columns] for rec in records],
                        columns=columns, dtype=object)
    origin = [{str(k): _origin_value(v) for k, v in rec.items()} for rec in records]
    return Table([str(c) for c in columns], text, rows, origin, geometries)
