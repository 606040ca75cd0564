"""Sources people can read: the card names a source by publisher, title and date; the add
form cites a registered source or registers a new one (a title is required)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import paths, sources, store

APP = str(paths.ROOT / "dashboard" / "app.py")
ID = "ee-incursion-2025-09-19"  # cites 001_0fcb98cd4bff29fe.txt


@pytest.fixture
def data(tmp_path, monkeypatch):
    path = tmp_path / "incidents.geojson"
    shutil.copy(paths.INCIDENTS, path)
    shutil.copy(paths.ROOT / "sources.json", tmp_path / "sources.json")
    monkeypatch.setenv("EFM_DATA", str(path))
    monkeypatch.setenv("EFM_BRIEFS_DIR", str(tmp_path / "briefs"))
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    return path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_card_names_the_source_not_its_file(data):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["incident"] = ID
    run(at)
    captions = [c.value for c in at.caption]
    assert any("Russia’s Expanding Drone and Airspace Violations Across NATO \\(6 Oct 2025\\)" in c
               for c in captions), captions
    assert not any("0fcb98cd4bff29fe" in c for c in captions)


def add_form(data, **fields) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    next(b for b in at.button if b.key == "add_incident").click()
    run(at)
    next(n for n in at.number_input if n.label == "Latitude").set_value(54.35)
    next(n for n in at.number_input if n.label == "Longitude").set_value(18.65)
    for label, value in fields.items():
        widget = next(w for w in [*at.text_input, *at.text_area] if w.label.startswith(label))
        widget.input(value)
    next(b for b in at.button if b.label == "Save").click()
    return run(at)


FORM = {"Place": "Gdańsk", "Summary": "A drone was seen over Gdańsk port.",
        "Supporting quote": "a drone was seen over the port", "New document": "reuters-2026-11-30"}


def test_a_new_document_needs_a_title(data):
    at = add_form(data, **FORM)
    shown = [e.value.replace("\\", "").replace("&#58;", ":") for e in at.error]
    assert any("is not in the source registry: give its title" in e for e in shown), shown
    assert len(store.open_snapshot(data).features) == 40


def test_a_new_document_is_registered_once_and_cited(data):
    at = add_form(data, **FORM, **{"Title of the new document": "Drone over Gdańsk port",
                                   "Published": "2026-11-30"})
    assert any("Saved" in m.value for m in at.success), [e.value for e in at.error]
    registry = sources.read(data.with_name("sources.json"))
    assert registry["reuters-2026-11-30"].label() == "Drone over Gdańsk port (30 Nov 2026)"
    new = [f for f in store.open_snapshot(data).features
           if f["properties"]["sources"][0]["document"] == "reuters-2026-11-30"]
    assert len(new) == 1
