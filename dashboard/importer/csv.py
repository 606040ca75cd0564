"""Delimited text (CSV, and the ACLED export, which is a CSV) read into a ``Table``.

The separator (comma, semicolon, tab or bar) is sniffed from the header line; the stdlib
``csv`` module does the parsing, so quoted line breaks work. Header names are made unique
and blank ones named, and a row with more fields than the header is rejected. A header of
more than ``MAX_COLUMNS`` names is refused before any row is parsed (no incident table is
that wide; a 50 MB line of commas would otherwise cost gigabytes).
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from ..schema import DataError
from .table import Rejected, Table
from .text import show

#: The widest header read; wider files are refused (ACLED exports have 31 columns).
MAX_COLUMNS = 2000


def _header_line(text: str) -> str:
    """The first line with something on it (without splitting the whole text into lines)."""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            return line
    return ""


def _sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _unique_names(header: list[str]) -> list[str]:
    """The header with repeated names numbered (``x``, ``x_2``, ``x_3`` ...) and blank ones
    named ``column_N``; linear in the header's length (a set and a counter per name)."""
    names: list[str] = []
    taken: set[str] = set()
    next_number: dict[str, int] = {}
    for i, raw in enumerate(header):
        base = raw.strip() or f"column_{i + 1}"
        name, n = base, next_number.get(base, 2)
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        next_number[base] = n
        taken.add(name)
        names.append(name)
    return names


def _records(text: str, sep: str, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        return list(reader)
    except csv.Error as exc:
        raise DataError(f"{name}: is not a readable CSV file (line {reader.line_num}: {exc})") from None


def read_csv_header(text: str, name: str) -> list[str]:
    """The column names of delimited text, reading only as far as its header (names made
    unique as ``read_csv_table`` makes them)."""
    header = _header_line(text)
    sep = _sniff_separator(header)
    if header.count(sep) >= MAX_COLUMNS:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        first = next((rec for rec in reader if any(c.strip() for c in rec)), None)
    except csv.Error:
        return []
    return _unique_names(first) if first else []


def read_csv_table(text: str, name: str) -> Table:
    """Parse delimited text with the csv module (quoted line breaks work).

    Row numbers count data records after the header from 1, blank lines included, as
    in a spreadsheet one row below the header. A record with more fields than the
    header (that are not just empty trailing fields) is rejected; short ones are padded.
    """
    header = _header_line(text)
    sep = _sniff_separator(header)
    if header.count(sep) >= MAX_COLUMNS:
        raise DataError(f"{name}: the header has {header.count(sep) + 1:,} columns; at most "
                        f"{MAX_COLUMNS:,} are read (is this an incident table?)")
    records = _records(text, sep, name)
    start = next((i for i, rec in enumerate(records) if any(c.strip() for c in rec)), None)
    if start is None:
        raise DataError(f"{name}: file is empty")
    columns = _unique_names(records[start])
    width = len(columns)
    kept: list[list[str]] = []
    rows: list[int] = []
    rejected: list[Rejected] = []
    for number, rec in enumerate(records[start + 1:], start=1):
        cells = [c.strip() for c in rec]
        if not any(cells):
            continue
        if len(cells) > width:
            if any(cells[width:]):
                rejected.append(Rejected(number, "(row)", show(sep.join(rec)),
                                         f"has {len(cells)} fields but the header has {width}; "
                                         "is a field with the separator in it not quoted?"))
                continue
            cells = cells[:width]
        kept.append(cells + [""] * (width - len(cells)))
        rows.append(number)
    del records  # the kept cells are copies: free the parsed file before the frame is built
    frame = pd.DataFrame(kept, columns=columns, dtype=object) if kept else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in columns})
    origin = [{c: v or None for c, v in zip(columns, cells, strict=True)} for cells in kept]
    table = Table(columns, frame, rows, origin, rejected=rejected)
    if sep != ",":
        table.warnings.append(f"fields separated by {'a tab' if sep == chr(9) else repr(sep)}")
    return table
