"""The file store's own behaviour (atomic replace, backups, the history file, crashes). What
both backends share (merges, refusals, retractions, imports) is in test_store_contract.py."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from dashboard import paths, store
from tests.conftest import collection, make_feature


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A writable two-incident file in a temporary folder (never the shipped data)."""
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    path = tmp_path / "incidents.geojson"
    path.write_text(json.dumps(collection(
        make_feature(), make_feature(id="ee-incursion", country="EE", place="Vaindloo"))))
    return path


def ids_on_disk(path):
    return [f["properties"]["id"] for f in json.loads(path.read_text())["features"]]


def test_add_writes_backup_and_history(data):
    before = data.read_bytes()
    saved = store.add(store.open_snapshot(data), make_feature(id="ro-crash", country="RO"),
                      note="from the morning report")
    assert ids_on_disk(data) == ["pl-incursion-2025-09-10", "ee-incursion", "ro-crash"]
    assert data.with_name("incidents.geojson.bak").read_bytes() == before
    assert saved.version == store.open_snapshot(data).version
    [entry] = store.history(data)
    assert (entry.action, entry.ids, entry.note) == ("add", ("ro-crash",), "from the morning report")
    assert entry.changes["ro-crash"]["country"] == [None, "RO"]


def test_edit_records_what_changed(data):
    snap = store.open_snapshot(data)
    edited = make_feature(drones=21, place="Wyryki-Wola")
    store.edit(snap, edited, note="count corrected")
    [entry] = store.history(data, "pl-incursion-2025-09-10")
    assert entry.changes["pl-incursion-2025-09-10"] == {"drones": [19, 21],
                                                        "place": ["Wyryki", "Wyryki-Wola"]}
    assert store.history(data, "ee-incursion") == []


def test_invalid_edit_is_refused_and_nothing_is_written(data):
    before = data.read_bytes()
    with pytest.raises(store.DataError, match="1 problem") as err:
        store.edit(store.open_snapshot(data), make_feature(date="2025-02-30"))
    assert "date: '2025-02-30' is not a valid ISO date" in str(err.value.problems[0])
    assert data.read_bytes() == before
    assert store.history(data) == []


def test_crash_between_write_and_rename_leaves_previous_data(data, monkeypatch):
    before = data.read_bytes()
    real_replace = os.replace

    def crash(src, dst):
        if str(dst) == str(data):
            raise OSError(5, "simulated crash before rename")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        store.add(store.open_snapshot(data), make_feature(id="lv-new", country="LV"))
    assert data.read_bytes() == before
    assert [p.name for p in data.parent.iterdir() if p.suffix == ".tmp"] == []
    assert store.history(data) == []


def test_a_torn_history_line_is_skipped(data):
    store.add(store.open_snapshot(data), make_feature(id="new-one"))
    with open(store.history_path(data), "a") as log:
        log.write('{"at": "2026-')
    assert [e.ids for e in store.history(data)] == [("new-one",)]


def test_saving_the_shipped_file_unchanged_keeps_its_bytes(tmp_path, monkeypatch):
    """Saves re-serialise the file; the shipped file's formatting must survive a round trip."""
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    path = tmp_path / "incidents.geojson"
    shutil.copy(paths.INCIDENTS, path)
    snap = store.open_snapshot(path)
    first = snap.features[0]
    edited = json.loads(json.dumps(first))
    edited["properties"]["notes"] = first["properties"]["notes"] + " Checked."
    store.edit(snap, edited)
    old, new = paths.INCIDENTS.read_text().splitlines(), path.read_text().splitlines()
    assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1


def test_geoparquet_is_not_editable(tmp_path):
    with pytest.raises(store.DataError, match="only a GeoJSON data file can be edited"):
        store.open_snapshot(tmp_path / "x.parquet")
