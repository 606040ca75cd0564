"""Counting honestly: a record located only to country level (its point is the country's
centre) is never counted inside an admin region by where its point falls."""

from __future__ import annotations

import pytest

from dashboard import context, filters, geo, paths
from dashboard.filters import FilterSpec


@pytest.fixture(scope="module")
def ctx():
    return context.load_context(paths.INCIDENTS)


@pytest.mark.parametrize("region", ["PL-LD", "DE-TH", "RO-BV", "EE-67", "UA-35", "DK-82"])
def test_country_level_records_are_not_in_the_region_at_the_country_centre(ctx, region):
    shown = filters.apply(ctx.incidents, FilterSpec(regions=(region,)), ctx.places)
    assert not (shown["location_precision"] == "country").any(), list(shown["id"])


def test_a_coarse_record_matches_the_region_it_names(ctx):
    """A country-level record whose own region field names Lublin is in Lublin, wherever
    its point is; finer records still match by geometry."""
    frame = ctx.incidents.copy()
    some = frame.index[frame["location_precision"] == "country"][0]
    frame.loc[some, ["country", "region"]] = ["PL", "Lublin Voivodeship"]
    shown = filters.apply(frame, FilterSpec(regions=("PL-LU",)), ctx.places)
    assert some in shown.index
    assert "pl-airport-closure-eplb-2025-09-10" in shown.index  # exact: by geometry


@pytest.mark.parametrize(("a", "b"), [("Lublin Voivodeship", "lublin"), ("Odesa Oblast", "Odesa"),
                                      ("Łódź Voivodeship", "Lodz"), ("Central Denmark", "central denmark")])
def test_region_names_compare_without_their_kind(a, b):
    assert geo.region_key(a) == geo.region_key(b)


def test_presets_follow_the_same_rule(ctx):
    preset = next(k for k, p in ctx.places.presets.items() if p.regions)
    shown = filters.apply(ctx.incidents, FilterSpec(preset=preset), ctx.places)
    countries = set(ctx.places.presets[preset].countries)
    coarse = shown[shown["location_precision"] == "country"]
    assert coarse["country"].isin(countries).all(), list(coarse["id"])
