"""The column-wise screen of the incident rules, for big files.

Checking a million features one by one through pydantic takes minutes; ``screen`` checks the
same rules a column at a time and flags every record that may break one. Only the flagged
records go through ``schema.validate_feature``, which writes the messages, so a big file gets
exactly the problems a small one would (``collection_problems``). Every limit and allowed
value comes from ``schema``; this module restates none of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .schema import (
    AIRPORT_PRECISIONS,
    CONFIDENCES,
    COUNT_FIELDS,
    COUNTRY_PATTERN,
    DATE_PRECISIONS,
    ICAO_PATTERN,
    ID_PATTERN,
    INCIDENT_TYPES,
    LOCATION_PRECISIONS,
    MAX_COUNT,
    MAX_QUOTE_WORDS,
    NULLABLE_TEXT_FIELDS,
    PLATFORMS,
    SOURCE_FIELDS,
    STATUSES,
    TEXT_FIELDS,
    TIME_SLACK_DAYS,
    UTC_TIME_PATTERN,
    Problem,
    feature_label,
    validate_feature,
)

_ENUMS: dict[str, tuple[str, ...]] = {
    "type": INCIDENT_TYPES, "date_precision": DATE_PRECISIONS,
    "location_precision": LOCATION_PRECISIONS, "platform": PLATFORMS,
    "confidence": CONFIDENCES, "status": STATUSES}
# Stricter than ``schema.iso_date`` (ASCII digits only): a date it refuses is re-checked there.
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# A quick shape of ``schema.http_url``; a link it refuses is re-checked there.
_URL_RE = re.compile(r"https?://[^/?#\[\]\s]+(?:[/?#][^\[\]\s]*)?", re.IGNORECASE)
_SOURCE_KEYS = frozenset(SOURCE_FIELDS)


def _bare(pattern: str) -> str:
    """A schema pattern without its anchors, for ``str.fullmatch``."""
    return pattern.removeprefix("^").removesuffix("$")


def _strict_strings(series: pd.Series, nullable: bool) -> np.ndarray:
    """True where a value is a str (or None when ``nullable``); JSON numbers, booleans,
    lists are not text (pydantic does not coerce them either)."""
    if series.dtype != object:  # a str/arrow column only holds text and nulls
        return np.ones(len(series), bool) if nullable else series.notna().to_numpy()
    return np.fromiter(((type(v) is str) or (nullable and v is None) for v in series),
                       bool, len(series))


def _non_blank(series: pd.Series) -> np.ndarray:
    text = series.where(_strict_strings(series, False), None).astype("str")
    return (text.str.strip().str.len() > 0).fillna(False).to_numpy(bool)


def _matches(series: pd.Series, pattern: str) -> np.ndarray:
    text = series.where(_strict_strings(series, False), None).astype("str")
    return text.str.fullmatch(pattern).fillna(False).to_numpy(bool)


def _dates(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(valid, datetimes) for ISO date text; date or timestamp columns are valid as they are."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.notna().to_numpy(), series
    ok = _matches(series, _DATE_RE)
    when = pd.to_datetime(series.where(ok, None), format="%Y-%m-%d", errors="coerce")
    return ok & when.notna().to_numpy(), when


def _times_ok(columns: pd.DataFrame, start: pd.Series, end: pd.Series) -> np.ndarray:
    """The UTC times (``schema.utc_time`` and the consistency rules on them): each absent or
    a real moment on the incident's dates (a day's slack), the end not before the start."""
    ok = np.ones(len(columns), bool)
    first = start - pd.Timedelta(days=TIME_SLACK_DAYS)
    last = end.fillna(start) + pd.Timedelta(days=TIME_SLACK_DAYS + 1)
    moments = {}
    for name in ("start_time", "end_time"):
        if name not in columns:
            continue
        values = columns[name]
        absent = values.isna().to_numpy()
        good = _matches(values, _bare(UTC_TIME_PATTERN)).copy()
        when = pd.to_datetime(values.where(good, None), format="%Y-%m-%dT%H:%M:%SZ",
                              errors="coerce")
        good &= when.notna().to_numpy()
        good &= ((when >= first) & (when < last)).fillna(False).to_numpy(bool)
        ok &= absent | good
        moments[name] = when
    if len(moments) == 2:
        ok &= ~(moments["end_time"] < moments["start_time"]).fillna(False).to_numpy(bool)
    return ok


def _equals(series: pd.Series, value: str) -> np.ndarray:
    return series.isin([value]).to_numpy(bool)


def _count_ok(series: pd.Series) -> np.ndarray:
    if series.dtype == object:
        return np.fromiter((v is None or (type(v) is int and 0 <= v <= MAX_COUNT) for v in series),
                           bool, len(series))
    values = series.astype("Float64")
    return (values.isna() | ((values >= 0) & (values <= MAX_COUNT) & (values % 1 == 0))
            ).fillna(False).to_numpy(bool)


def _source_ok(sources: Any) -> bool:
    if type(sources) is not list or not sources:
        return False
    for s in sources:
        if type(s) is not dict or not s.keys() <= _SOURCE_KEYS:
            return False
        doc, quote = s.get("document"), s.get("quote")
        if type(doc) is not str or type(quote) is not str or not doc.strip():
            return False
        words = len(quote.split())
        if not 0 < words <= MAX_QUOTE_WORDS:
            return False
        publisher, url = s.get("publisher"), s.get("url")
        if publisher is not None and type(publisher) is not str:
            return False
        if url is not None and (type(url) is not str or not _URL_RE.fullmatch(url)
                                or any(ord(c) < 32 or ord(c) == 127 for c in url)):
            return False
    return True


def _origin_ok(origin: Any) -> bool:
    if origin is None:
        return True
    if type(origin) is not dict:
        return False
    return all(type(k) is str and (v is None or type(v) in (str, int, bool)
                                   or (type(v) is float and math.isfinite(v)))
               for k, v in origin.items())


def _geometry_ok(geoms: np.ndarray) -> np.ndarray:
    """Vectorised geometry rules: Point/LineString/Polygon, not empty, 2-D, in range, valid."""
    present = ~shapely.is_missing(geoms)
    kind = shapely.get_type_id(geoms)
    ok = present & np.isin(kind, (0, 1, 3)) & ~shapely.is_empty(geoms) & ~shapely.has_z(geoms)
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        ok &= ((bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)
               & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90))
    ok &= np.isfinite(bounds).all(axis=1)
    ok[ok] &= shapely.is_valid(geoms[ok])
    return ok


def _fields_ok(columns: pd.DataFrame) -> np.ndarray:
    """The rules on one field at a time: types, allowed values, patterns, counts."""
    ok = np.ones(len(columns), bool)
    for field in TEXT_FIELDS:
        ok &= _strict_strings(columns[field], nullable=False)
    for field in NULLABLE_TEXT_FIELDS:
        ok &= _strict_strings(columns[field], nullable=True)
    for field, allowed in _ENUMS.items():
        ok &= columns[field].isin(allowed).to_numpy(bool)
    ok &= _matches(columns["id"], _bare(ID_PATTERN))
    ok &= _matches(columns["country"], _bare(COUNTRY_PATTERN))
    icao = columns["icao"]
    ok &= icao.isna().to_numpy() | _matches(icao, _bare(ICAO_PATTERN))
    ok &= _non_blank(columns["place"]) & _non_blank(columns["summary"])
    for field in COUNT_FIELDS:
        ok &= _count_ok(columns[field])
    ok &= np.fromiter((_source_ok(s) for s in columns["sources"]), bool, len(columns))
    ok &= np.fromiter((_origin_ok(o) for o in columns["origin"]), bool, len(columns))
    return ok


def _consistent(columns: pd.DataFrame) -> np.ndarray:
    """The rules that tie fields together (``schema._check_consistency``), and dates."""
    start_ok, start = _dates(columns["date"])
    end = columns["end_date"]
    end_ok, end_when = _dates(end)
    no_end = end.isna().to_numpy()
    ok = start_ok & (no_end | (end_ok & (end_when >= start).fillna(False).to_numpy(bool)))
    ok &= ~(_equals(columns["date_precision"], "range") & no_end)
    ok &= ~(_equals(columns["type"], "airport_closure") & columns["icao"].isna().to_numpy()
            & columns["location_precision"].isin(AIRPORT_PRECISIONS).to_numpy(bool))
    ok &= ~_equals(columns["status"], "retracted") | _non_blank(columns["retraction_reason"])
    ok &= _times_ok(columns, start, end_when)
    ok &= np.fromiter((type(r) is list and all(type(x) is str for x in r) and i not in r
                       for i, r in zip(columns["id"].tolist(), columns["related_ids"].tolist(),
                                       strict=True)),
                      bool, len(columns))
    return ok


def screen(columns: pd.DataFrame, geoms: np.ndarray) -> np.ndarray:
    """Columnar screen of the incident rules: False for every record that may break one.

    ``columns`` holds the raw property values (``None`` where absent; optional fields filled
    with their defaults), ``geoms`` the shapely geometries (``None`` where unusable). A
    record that passes the screen passes ``schema.validate_feature``; a flagged one is
    re-checked there, which writes the messages.
    """
    return _geometry_ok(geoms) & _fields_ok(columns) & _consistent(columns)


def labels(ids: pd.Series, start: int = 0) -> list[str]:
    """Feature labels as ``schema.feature_label`` writes them (long ids are cut); ``start``
    is the index of the first record (a chunk of a larger collection)."""
    return [feature_label({"properties": {"id": v}}, start + i) if type(v) is not str or not v
            or len(v) > 80 else v for i, v in enumerate(ids.tolist())]


def record_problems(columns: pd.DataFrame, geoms: np.ndarray, feature_at: Callable[[int], Any],
                    start: int = 0) -> list[Problem]:
    """The problems of each record, in order: the screen, then ``schema.validate_feature``
    on the records it flags. ``feature_at(i)`` rebuilds record ``i`` (counted in this
    frame) as a GeoJSON dict; ``start`` is the index of the first record in the collection.
    """
    problems: list[Problem] = []
    for i in np.flatnonzero(~screen(columns, geoms)):
        problems += validate_feature(feature_at(int(i)), start + int(i))
    return problems


def cross_problems(labels: list[str], related_ids: Iterable[Any]) -> list[Problem]:
    """The rules across records: ids used twice, related ids that name no incident."""
    problems: list[Problem] = []
    series = pd.Series(labels, dtype=object)
    for label in series[series.duplicated()]:
        problems.append(Problem(label, "id", "is used by more than one feature"))
    seen = set(labels)
    for label, related in zip(labels, related_ids, strict=True):
        for rid in related if isinstance(related, list) else []:
            if isinstance(rid, str) and rid not in seen:
                problems.append(Problem(label, "related_ids", f"{rid!r} is not an incident id"))
    return problems


def collection_problems(columns: pd.DataFrame, geoms: np.ndarray,
                        feature_at: Callable[[int], Any]) -> list[Problem]:
    """Every problem of a collection given as columns, in ``validate_collection``'s order.

    ``feature_at(i)`` rebuilds feature ``i`` as a GeoJSON dict, for the flagged records.
    """
    return (record_problems(columns, geoms, feature_at)
            + cross_problems(labels(columns["id"]), columns["related_ids"]))
