"""Counts and headline figures follow whatever frame they are given."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.filters import FilterSpec, apply
from dashboard.schema import INCIDENT_TYPES
from dashboard.stats import brush_span, by_country_and_type, counts_by_type, headline, table, timeline


def test_counts_by_type_lists_every_type_in_schema_order(tiny):
    counts = counts_by_type(tiny)
    assert list(counts.index) == list(INCIDENT_TYPES)
    assert counts.to_dict() == {"airspace_incursion": 2, "airport_closure": 1, "strike": 0,
                                "interception": 1, "crash_debris": 1}


def test_headline(tiny):
    head = headline(tiny)
    assert (head.incidents, head.countries, head.airports_closed, head.drones_reported) == (
        5, 4, 1, 19 + 1 + 4)
    assert head.first == pd.Timestamp("2024-08-06")
    assert head.last == pd.Timestamp("2025-09-19")


def test_headline_of_nothing(tiny):
    head = headline(apply(tiny, FilterSpec(types=())))
    assert (head.incidents, head.countries, head.airports_closed, head.drones_reported) == (
        0, 0, 0, 0)
    assert head.first is None and head.last is None
    assert counts_by_type(tiny.iloc[:0]).sum() == 0


@pytest.mark.parametrize(
    ("values", "weekly", "expected"),
    [
        ([1757462400000, 1757980800000], False, (dt.date(2025, 9, 10), dt.date(2025, 9, 16))),
        (["2025-09-16T00:00:00", "2025-09-10"], False, (dt.date(2025, 9, 10), dt.date(2025, 9, 16))),
        (["2025-09-08", "2025-09-15"], True, (dt.date(2025, 9, 8), dt.date(2025, 9, 21))),
        (None, False, None),
        ([1757462400000], False, None),
    ],
)
def test_brush_span(values, weekly, expected):
    assert brush_span(values, weekly) == expected


def test_timeline_by_day_and_week(tiny):
    daily = timeline(tiny, "D")
    assert daily["count"].sum() == len(tiny)
    weekly = timeline(tiny, "W")
    # 10 and 13 Sep 2025 fall in the week starting Monday 8 Sep.
    sep8 = weekly[weekly["period"] == pd.Timestamp("2025-09-08")]
    assert dict(zip(sep8["type"], sep8["count"], strict=True)) == {
        "airspace_incursion": 1, "airport_closure": 1, "crash_debris": 1}
    assert timeline(tiny.iloc[:0]).empty
    with pytest.raises(ValueError, match="freq must be 'D' or 'W'"):
        timeline(tiny, "M")


def test_breakdown_and_table(tiny):
    table_ = by_country_and_type(tiny, {"PL": "Poland"})
    assert table_.loc["Poland", "total"] == 2 and table_.index[0] == "Poland"
    rows = table(tiny)
    assert list(rows["id"])[0] == "ee-incursion-2025-09-19"  # newest first
    assert "search_text" not in rows.columns


def test_the_table_reads_like_a_finished_table(tiny):
    """Blanks, not None; countries by name with the code; types by label; counts as whole
    numbers that sort as numbers; dates as dates."""
    rows = table(tiny, names={"PL": "Poland", "EE": "Estonia"})
    assert "Poland (PL)" in set(rows["country"]) and "Estonia (EE)" in set(rows["country"])
    assert "Airspace incursion" in set(rows["type"])
    for column in ("region", "place", "platform", "confidence", "id"):
        assert rows[column].map(lambda v: isinstance(v, str)).all(), column
    assert str(rows["drones"].dtype) == "Int64"
    assert rows["drones"].isna().any() and rows["drones"].notna().any()
    import datetime as dt
    assert all(isinstance(d, dt.date) for d in rows["date"])
