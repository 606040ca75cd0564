"""Regions are findable by their other names: the aliases built into regions.geojson and the
region picker's labels (the picker matches typed letters in order against the label)."""

from __future__ import annotations

import sys

import pytest

from dashboard import formstate, load, paths

sys.path.insert(0, str(paths.ROOT / "tools"))
import geodata_layers as layers  # noqa: E402


def matches(typed: str, label: str) -> bool:
    """Streamlit's fuzzy filter: the typed letters appear in the label in order (any case)."""
    rest = label.lower()
    for ch in typed.lower():
        at = rest.find(ch)
        if at < 0:
            return False
        rest = rest[at + 1:]
    return True


@pytest.fixture(scope="module")
def labels():
    regions = load.read_regions()
    return formstate.region_labels(regions["iso_3166_2"], regions["name"], regions["aliases"])


@pytest.mark.parametrize(("typed", "code"), [
    ("Lubelskie", "PL-LU"), ("Lublin", "PL-LU"), ("Mazowieckie", "PL-MZ"), ("Masovian", "PL-MZ"),
    ("Podkarpackie", "PL-PK"), ("Subcarpathian", "PL-PK"), ("Kyiv", "UA-32"), ("Kiev", "UA-32"),
    ("Odesa", "UA-51"), ("Odessa", "UA-51"), ("Lodz", "PL-LD"), ("Łódź", "PL-LD"),
    ("Brasov", "RO-BV"), ("Midtjylland", "DK-82")])
def test_every_common_spelling_matches_its_region(labels, typed, code):
    assert matches(typed, labels[code]), labels[code]


def test_labels_read_name_other_names_code(labels):
    assert labels["PL-LU"] == "Lublin Voivodeship · Lubelskie (PL-LU)"
    assert labels["LV-RIX"] == "Riga (LV-RIX)"  # no other name: none shown


def test_a_region_file_without_aliases_still_labels():
    assert formstate.region_labels(["PL-LU"], ["Lublin"]) == {"PL-LU": "Lublin (PL-LU)"}
    assert formstate.region_labels(["PL-LU"], ["Lublin"], [float("nan")]) == {
        "PL-LU": "Lublin (PL-LU)"}


@pytest.mark.parametrize(("primary", "names", "expected"), [
    # The unit word goes; a name the primary already holds is skipped.
    ("Lublin Voivodeship", ["Lubelskie", "Lublin", "Lublin Voivodeship", "Wojewodztwo Lubelskie"],
     ["Lubelskie"]),
    # Accents go (the picker cannot match "Lodz" to "Łódź"); the primary's own plain form first.
    ("Łódź Voivodeship", ["Łódzkie", None, ""], ["Lodz", "Lodzkie"]),
    # A longer form of a kept alias adds nothing.
    ("Thuringia", ["Thüringen", "Freistaat Thüringen"], ["Thuringen"]),
    # At most two.
    ("Kyiv Oblast", ["Kiev Oblast", "Kiew", "Kijew", "Kyiv"], ["Kiev", "Kiew"]),
    # Other scripts stay as they are.
    ("Belgorod", ["Белгородская область"], ["Белгородская область"]),
])
def test_region_aliases(primary, names, expected):
    assert layers.region_aliases(primary, names) == expected
