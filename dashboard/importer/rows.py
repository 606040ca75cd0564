"""The row pipeline's shared state and last step: ``Ctx`` (the running import), ids that
never collide, and ``finish``, which keeps a feature only if it validates.

Every profile (the generic column mapping, ACLED, our own GeoJSON) builds its features
row by row and hands each one to ``finish``; whatever fails ``schema.validate_feature``
is reported as a rejection of that row, never imported half-right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import ids
from ..schema import validate_feature
from .places import CountryIndex, country_code, default_country_index
from .table import Rejected, Table
from .text import show

#: How many rows between two progress reports.
PROGRESS_EVERY = 1000


@dataclass
class Ctx:
    """One import under way: ids in use, the country index, and what it produced so far."""

    name: str
    used_ids: set[str]
    index: CountryIndex | None
    warnings: list[str]
    rejected: list[Rejected] = field(default_factory=list)
    features: list[dict] = field(default_factory=list)
    renamed: int = 0
    existing: frozenset[str] = frozenset()  # ids already in the data (not this file's)
    next_number: dict[str, int] = field(default_factory=dict)  # id -> next suffix to try
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total)

    def each_row(self, total: int) -> Iterator[int]:
        """``range(total)``, telling ``progress`` how far the rows are every 1,000 rows."""
        for i in range(total):
            if self.progress is not None and i % PROGRESS_EVERY == 0:
                self.progress("Checking rows", i, total)
            yield i

    def countries(self) -> CountryIndex:
        """The country index, the map's own outlines unless the caller gave one."""
        if self.index is None:
            self.index = default_country_index()
        return self.index


def reserve_id(wanted: str | None, base: str, ctx: Ctx) -> str:
    """``wanted`` if free, else ``wanted-2``, ``-3`` ...; without one ``base-1``, ``base-2`` ...

    Remembers the next number per id, so 55,000 rows sharing one country, type and date cost
    55,000 steps, not 55,000² / 2."""
    key = wanted or base
    start = ctx.next_number.get(key)
    if wanted and start is None and wanted not in ctx.used_ids:
        candidate = wanted
    else:
        candidate = ids.next_free_id(key, ctx.used_ids, numbered=not wanted,
                                     start=start or (None if wanted else 1))
        ctx.next_number[key] = int(candidate.rsplit("-", 1)[1]) + 1
    ctx.used_ids.add(candidate)
    return candidate


def countries_given(table: Table, column: str | None) -> list[str | None]:
    """The country code named in ``column`` per row (None when absent or not recognised)."""
    if not column:
        return [None] * len(table)
    codes = {v: country_code(v) for v in pd.unique(table.text[column])}
    return [codes[v] for v in table.text[column]]


def value_at(feature: dict[str, Any], path: str) -> Any:
    """The value a validation problem's field path (``sources.0.quote``) points at."""
    if path == "geometry":
        geom = feature.get("geometry")
        return geom.get("coordinates") if isinstance(geom, dict) else geom
    node: Any = feature.get("properties")
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def finish(feature: dict[str, Any], row: int, ctx: Ctx) -> None:
    """Keep the feature if it validates; otherwise reject it with each problem."""
    problems = validate_feature(feature)
    if not problems:
        ctx.features.append(feature)
        return
    ctx.used_ids.discard(feature["properties"]["id"])
    for p in problems:
        ctx.rejected.append(Rejected(row, p.field, show(value_at(feature, p.field)), p.message))


def make_feature(fid: str, geometry: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature with the id on the feature as well as in its properties."""
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": props}
