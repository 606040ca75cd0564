"""Curating in the app (AppTest, on a temporary copy of the shipped data): edit, retract,
history; a read-only deployment shows no write control."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import paths, store
from dashboard.ui.state import KEY_RETRACTED, KEY_SELECTED

APP = str(paths.ROOT / "dashboard" / "app.py")
ID = "pl-incursion-2025-09-10"


@pytest.fixture
def data(tmp_path, monkeypatch):
    path = tmp_path / "incidents.geojson"
    shutil.copy(paths.INCIDENTS, path)
    monkeypatch.setenv("EFM_DATA", str(path))
    monkeypatch.setenv("EFM_BRIEFS_DIR", str(tmp_path / "briefs"))
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    return path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def selected(data) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["incident"] = ID
    return run(at)


def click(at: AppTest, widget) -> AppTest:
    widget.click()
    return run(at)


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_retract_from_the_card_hides_the_record_and_logs_it(data):
    at = selected(data)
    count = int(next(m for m in at.metric if m.label == "Incidents").value)
    click(at, button(at, "retract-incident"))
    reason = next(t for t in at.text_area if t.label == "Reason (required)")
    reason.input("Duplicate of another report")
    click(at, next(b for b in at.button if b.label == "Retract" and b.key != "retract-incident"))
    props = store.open_snapshot(data).feature(ID)["properties"]
    assert (props["status"], props["retraction_reason"]) == ("retracted",
                                                            "Duplicate of another report")
    assert [e.action for e in store.history(data, ID)] == ["retract"]
    assert int(next(m for m in at.metric if m.label == "Incidents").value) == count - 1
    at.session_state[KEY_RETRACTED] = True
    run(at)
    # With retracted records shown, every record in the file counts (this one included).
    assert int(next(m for m in at.metric if m.label == "Incidents").value) == len(
        store.open_snapshot(data).features)
    assert any("Retracted: Duplicate of another report" in w.value for w in at.warning)


def test_retract_without_a_reason_is_refused_in_the_dialog(data):
    at = selected(data)
    before = data.read_bytes()
    click(at, button(at, "retract-incident"))
    click(at, next(b for b in at.button if b.label == "Retract" and b.key != "retract-incident"))
    assert any("a retraction needs a reason" in e.value for e in at.error)
    assert data.read_bytes() == before


def test_edit_saves_and_the_card_shows_history(data):
    before = store.open_snapshot(data).feature(ID)["properties"]["place"]
    at = selected(data)
    click(at, button(at, "edit-incident"))
    place = next(t for t in at.text_input if t.label == "Place")
    place.input("Wyryki-Wola")
    next(t for t in at.text_input if t.label.startswith("Change note")).input("village name")
    click(at, next(b for b in at.button if b.label == "Save"))
    assert store.open_snapshot(data).feature(ID)["properties"]["place"] == "Wyryki-Wola"
    [entry] = store.history(data, ID)
    assert entry.changes[ID] == {"place": [before, "Wyryki-Wola"]} and entry.note == "village name"
    assert any("Saved" in s.value for s in at.success)
    assert at.session_state[KEY_SELECTED] == ID


def test_read_only_deployment_shows_no_write_controls(data, monkeypatch):
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    at = selected(data)
    keys = {b.key for b in at.button}
    assert not keys & {"edit-incident", "retract-incident", "add_incident"}
    assert not any(b.label == "Create" for b in at.button)
    assert any("Read-only deployment" in c.value for c in at.caption)
    assert json.loads(data.read_text()) == json.loads(paths.INCIDENTS.read_text())
