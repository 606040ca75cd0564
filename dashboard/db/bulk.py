"""Bulk loading: millions of incidents into the ``incidents`` table with ``COPY … FROM STDIN``.

``copy_features(url, features)`` streams already validated GeoJSON features (new ids only:
a duplicate id fails the whole COPY) in one transaction, filling the same columns as
``pgstore``'s UPSERT; the columns of migration 002 are computed by the database. It writes
no history entry (a load, not an edit). ``without_indexes(url)`` drops the secondary
indexes around a big load and rebuilds them after (several times faster than keeping them
up to date row by row), then ``VACUUM ANALYZE`` so the planner knows the new size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import shapely
from psycopg import sql
from shapely.geometry import shape

from . import check_url
from .connection import connect
from .pgstore import search_text

COLUMNS = ("id", "type", "country", "date_start", "date_end", "status", "geom", "feature",
           "search_text")


def _geometry(geometry: dict[str, Any]) -> str:
    """EWKT for a point (``repr`` keeps every digit), else hex EWKB."""
    if geometry["type"] == "Point":
        x, y = geometry["coordinates"][:2]
        return f"SRID=4326;POINT({float(x)!r} {float(y)!r})"
    return shapely.to_wkb(shapely.set_srid(shape(geometry), 4326), hex=True, include_srid=True)


def row(feature: dict[str, Any]) -> tuple:
    """One COPY row for a feature (the columns ``COLUMNS``)."""
    p = feature["properties"]
    return (p["id"], p["type"], p["country"], p["date"], p.get("end_date") or p["date"],
            p.get("status") or "active", _geometry(feature["geometry"]),
            json.dumps(feature, ensure_ascii=False, separators=(",", ":")), search_text(p))


def copy_features(url: str, features: Iterable[dict[str, Any]]) -> int:
    """COPY ``features`` into the incidents table in one transaction; how many were written."""
    n = 0
    with connect(url) as conn, conn.cursor().copy(
            f"COPY incidents ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for feature in features:
            copy.write_row(row(feature))
            n += 1
    return n


def _secondary_indexes(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'incidents' "
        "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conname = i.indexname)").fetchall()


@contextmanager
def without_indexes(url: str) -> Iterator[None]:
    """Drop the incidents table's secondary indexes for the block, then rebuild them (the
    same definitions) and ``VACUUM ANALYZE`` it."""
    with connect(url) as conn:
        indexes = _secondary_indexes(conn)
        for name, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        with connect(url) as conn:
            for _, definition in indexes:
                conn.execute(definition)
        with psycopg.connect(check_url(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE incidents")
