"""Context overlays in the running app (AppTest): switched on by the link or the sidebar, drawn
as a layer of the map's component, named in the notice when the link names an unknown one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import overlays, paths
from dashboard.ui.state import KEY_OVERLAYS
from tests.conftest import open_link

APP = str(paths.ROOT / "dashboard" / "app.py")
DATA = Path(__file__).parent / "data" / "overlays"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Two dated versions of "Test zone" in a temporary overlays folder the app reads."""
    for file, day in (("zone-2025-09-01.geojson", "2025-09-01"),
                      ("zone-2025-09-15.geojson", "2025-09-15")):
        overlays.add(tmp_path, (DATA / file).read_bytes(), file, "Test zone", valid_from=day)
    monkeypatch.setenv("EFM_OVERLAYS_DIR", str(tmp_path))
    return tmp_path




def map_layers(at: AppTest) -> str:
    return json.loads(at.get("component_instance")[0].proto.json_args)["feature_group"]


def test_linked_overlay_draws_a_layer_and_stays_in_the_link(store):
    at = open_link(overlay="test-zone")
    layers = map_layers(at)
    assert "Test zone (from 2025-09-15)" in layers
    assert '"pane": "overlays"' in layers
    assert at.query_params["overlay"] in ("test-zone", ["test-zone"])
    # The toggle in the sidebar switches it off, and the link follows.
    at.pills(key=KEY_OVERLAYS).set_value([]).run()
    assert '"pane": "overlays"' not in map_layers(at)
    assert "overlay" not in at.query_params


def test_the_version_in_force_follows_the_end_date(store):
    at = open_link(overlay="test-zone", to="2025-09-10")
    layers = map_layers(at)
    assert "Test zone (from 2025-09-01)" in layers and "from 2025-09-15" not in layers


def test_off_by_default_and_switched_on_in_the_sidebar(store):
    at = open_link()
    assert '"pane": "overlays"' not in map_layers(at)
    at.pills(key=KEY_OVERLAYS).set_value(["test-zone"]).run()
    assert "Test zone (from 2025-09-15)" in map_layers(at)


def test_unknown_overlay_in_the_link_is_a_notice(store):
    at = open_link(overlay="no-such-overlay")
    shown = [w.value.replace("\\", "").replace("&#58;", ":") for w in at.warning]  # Markdown-escaped
    assert any("overlay: 'no-such-overlay' is not a known overlay; ignored" in w for w in shown)
    assert '"pane": "overlays"' not in map_layers(at)


def test_import_tab_lists_overlays_and_offers_the_add_section(store):
    at = open_link()
    assert any(e.label == "Add a context overlay" for e in at.expander)
    assert any("Test zone (from 2025-09-15)" in m.value.replace("\\", "") for m in at.markdown)


def test_read_only_shows_overlays_but_no_way_to_change_them(store, monkeypatch):
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    at = open_link(overlay="test-zone")
    assert "Test zone (from 2025-09-15)" in map_layers(at)
    assert not any(e.label == "Add a context overlay" for e in at.expander)
    assert not any(b.label == "Remove" for b in at.button)
