"""The context overlays switched on travel in the link as ``overlay=<slug>`` (repeated), in
the view rather than the filters: they draw, they do not filter."""

from __future__ import annotations

import pytest

from dashboard.filters import FilterSpec
from dashboard.urlstate import Known, View, encode, parse

KNOWN = Known(countries=frozenset({"PL"}), overlays=frozenset({"test-zone", "overlay-9c978533"}))


def params(**kw) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in kw.items()}


@pytest.mark.parametrize("view", [View(overlays=("test-zone",)),
                                  View(overlays=("overlay-9c978533", "test-zone"), zoom=6)])
def test_overlays_round_trip(view):
    encoded = encode(FilterSpec(), view)
    assert encoded["overlay"] == list(view.overlays)
    assert parse(params(**encoded), KNOWN) == (FilterSpec(), view, [])


@pytest.mark.parametrize(
    ("given", "overlays", "notice"),
    [
        (params(overlay="test-zone"), ("test-zone",), None),
        (params(overlay="Test-Zone"), ("test-zone",), None),  # case does not matter
        (params(overlay=["test-zone", "test-zone"]), ("test-zone",), None),
        (params(overlay="gone"), (), "overlay: 'gone' is not a known overlay; ignored"),
        (params(overlay=["gone", "test-zone"]), ("test-zone",),
         "overlay: 'gone' is not a known overlay; ignored"),
        (params(overlay="none"), (), None),
        ({}, (), None),
    ],
)
def test_hand_written_overlay_links(given, overlays, notice):
    spec, view, notices = parse(given, KNOWN)
    assert spec == FilterSpec()
    assert view.overlays == overlays
    assert notices == ([notice] if notice else [])


def test_a_deployment_without_overlays_names_a_linked_one():
    _, view, notices = parse(params(overlay="test-zone", country="PL"), Known(countries=frozenset({"PL"})))
    assert view.overlays == ()
    assert notices == ["overlay: 'test-zone' is not a known overlay; ignored"]
