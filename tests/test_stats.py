"""Counts and headline figures follow whatever frame they are given."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import FilterSpec, apply
from dashboard.schema import INCIDENT_TYPES
from dashboard.stats import counts_by_type, headline


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
