"""Filters: each returns a new frame, never mutates, and an empty frame keeps its columns."""

from __future__ import annotations

import datetime as dt

import pytest
from geopandas.testing import assert_geodataframe_equal

from dashboard.filters import FilterSpec, apply, describe

D = dt.date


@pytest.mark.parametrize(
    ("spec", "expected_ids"),
    [
        (FilterSpec(), {"pl-incursion-2025-09-10", "pl-airport-closure-epwa-2025-09-10",
                        "ee-incursion-2025-09-19", "ro-crash-2025-09-13",
                        "ru-interception-kursk-2024-08-06"}),
        (FilterSpec(date_from=D(2025, 9, 10), date_to=D(2025, 9, 10)),
         {"pl-incursion-2025-09-10", "pl-airport-closure-epwa-2025-09-10"}),
        (FilterSpec(date_from=D(2025, 9, 13)), {"ro-crash-2025-09-13", "ee-incursion-2025-09-19"}),
        (FilterSpec(date_to=D(2025, 9, 12)),
         {"pl-incursion-2025-09-10", "pl-airport-closure-epwa-2025-09-10",
          "ru-interception-kursk-2024-08-06"}),
        # A range incident (6–8 Aug 2024) matches any overlapping window.
        (FilterSpec(date_from=D(2024, 8, 8), date_to=D(2024, 8, 31)),
         {"ru-interception-kursk-2024-08-06"}),
        (FilterSpec(date_from=D(2024, 8, 9), date_to=D(2024, 8, 31)), set()),
        (FilterSpec(countries=("EE", "RO")), {"ee-incursion-2025-09-19", "ro-crash-2025-09-13"}),
        (FilterSpec(countries=()), set()),
        (FilterSpec(types=("airport_closure",)), {"pl-airport-closure-epwa-2025-09-10"}),
        (FilterSpec(types=()), set()),
        (FilterSpec(countries=("PL",), types=("airspace_incursion", "strike")),
         {"pl-incursion-2025-09-10"}),
        (FilterSpec(countries=("DE",)), set()),
    ],
)
def test_apply(tiny, spec, expected_ids):
    assert set(apply(tiny, spec)["id"]) == expected_ids


def test_apply_does_not_mutate(tiny):
    before = tiny.copy()
    out = apply(tiny, FilterSpec(countries=("PL",)))
    out.loc[out.index[0], "place"] = "changed"
    assert_geodataframe_equal(tiny, before)


def test_empty_result_keeps_columns_and_crs(tiny):
    out = apply(tiny, FilterSpec(countries=("DE",)))
    assert out.empty
    assert list(out.columns) == list(tiny.columns)
    assert out.crs == tiny.crs


def test_reversed_range_is_refused():
    with pytest.raises(ValueError, match="date range is reversed: from 2025-09-20 is after"):
        FilterSpec(date_from=D(2025, 9, 20), date_to=D(2025, 9, 1))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (FilterSpec(), "All incident types in all countries, at any date"),
        (FilterSpec(types=("strike",), countries=("PL",)), "Strike in Poland, at any date"),
        (FilterSpec(types=("strike", "interception", "crash_debris")),
         "Strike, Interception and Crash / debris in all countries, at any date"),
        (FilterSpec(types=()), "No incident types in all countries, at any date"),
        (FilterSpec(types=("strike", "interception", "crash_debris", "airport_closure",
                           "airspace_incursion")), "All incident types in all countries, at any date"),
        (FilterSpec(countries=("PL", "XX")), "All incident types in Poland and XX, at any date"),
        (FilterSpec(date_from=D(2025, 9, 10), date_to=D(2025, 9, 10)),
         "All incident types in all countries, on 10 Sep 2025"),
        (FilterSpec(date_from=D(2025, 9, 1), date_to=D(2025, 9, 30)),
         "All incident types in all countries, from 1 Sep 2025 to 30 Sep 2025"),
        (FilterSpec(date_from=D(2025, 9, 1)), "All incident types in all countries, from 1 Sep 2025"),
        (FilterSpec(date_to=D(2025, 9, 1)), "All incident types in all countries, up to 1 Sep 2025"),
    ],
)
def test_describe(spec, expected):
    assert describe(spec, {"PL": "Poland"}) == expected


def test_retracted_records_are_hidden_unless_asked_for():
    """A retraction keeps the record; the default view leaves it out."""
    from dashboard.load import incidents_frame
    from tests.conftest import collection, make_feature
    frame = incidents_frame(collection(
        make_feature(),
        make_feature(id="pl-retracted", status="retracted", retraction_reason="duplicate report")))
    assert list(frame["status"]) == ["active", "retracted"]
    assert list(apply(frame, FilterSpec())["id"]) == ["pl-incursion-2025-09-10"]
    assert list(apply(frame, FilterSpec(retracted=True))["id"]) == ["pl-incursion-2025-09-10",
                                                                     "pl-retracted"]
    assert describe(FilterSpec(retracted=True)).endswith("retracted records included")


@pytest.mark.parametrize(("spec", "caption"), [
    # The caption never says "all countries" while a preset or a region narrows the places.
    (FilterSpec(preset="baltic"), "All incident types in Baltic states, at any date"),
    (FilterSpec(regions=("PL-LU",)), "All incident types in Lublin Voivodeship, at any date"),
    (FilterSpec(countries=("PL",), regions=("PL-LU",)),
     "All incident types in Poland, within Lublin Voivodeship, at any date"),
    (FilterSpec(regions=()), "All incident types in no regions, at any date"),
])
def test_the_caption_names_the_places_without_contradiction(spec, caption):
    names = {"PL": "Poland", "baltic": "Baltic states", "PL-LU": "Lublin Voivodeship"}
    assert describe(spec, names) == caption


@pytest.mark.parametrize(("spec", "title"), [
    (FilterSpec(), "Eastern flank"),
    (FilterSpec(countries=("PL",), types=("airport_closure",), date_from=D(2025, 9, 10),
                date_to=D(2025, 9, 10)), "Poland · Airport closure · 10 Sep 2025"),
    (FilterSpec(preset="baltic", date_from=D(2025, 9, 1), date_to=D(2025, 9, 30)),
     "Baltic states · 1 Sep 2025 – 30 Sep 2025"),
])
def test_default_slide_titles_are_short(spec, title):
    from dashboard.filters import short_title
    names = {"PL": "Poland", "baltic": "Baltic states"}
    assert short_title(spec, names) == title
    long = FilterSpec(countries=tuple(["PL", "EE", "LV", "LT", "RO", "BG", "DE", "DK", "FI", "NO", "SE"]))
    assert len(short_title(long, names)) <= 60
