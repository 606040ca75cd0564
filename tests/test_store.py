"""The incident store: validated atomic saves, merges or refusals, retractions, history."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil

import pytest

from dashboard import paths, store
from dashboard.settings import ReadOnlyError
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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: store.add(s, make_feature()), "exists already"),
        (lambda s: store.edit(s, make_feature(id="nope")), "no such incident to edit"),
        (lambda s: store.retract(s, "ee-incursion", "  "), "a retraction needs a reason"),
        (lambda s: store.edit(s, make_feature()), "nothing changed"),
        (lambda s: store.add(s, make_feature(id="x", related_ids=["ghost"])),
         "'ghost' is not an incident id"),
    ],
)
def test_refusals_name_the_problem(data, call, message):
    before = data.read_bytes()
    with pytest.raises(store.DataError) as err:
        call(store.open_snapshot(data))
    assert message in str(err.value) + " ".join(map(str, err.value.problems))
    assert data.read_bytes() == before


def test_retract_keeps_the_record_and_restore_undoes_it(data):
    store.retract(store.open_snapshot(data), "ee-incursion", "duplicate of another report")
    props = store.open_snapshot(data).feature("ee-incursion")["properties"]
    assert (props["status"], props["retraction_reason"]) == ("retracted",
                                                            "duplicate of another report")
    store.restore(store.open_snapshot(data), "ee-incursion", "not a duplicate after all")
    props = store.open_snapshot(data).feature("ee-incursion")["properties"]
    assert (props["status"], props["retraction_reason"]) == ("active", None)
    assert [e.action for e in store.history(data, "ee-incursion")] == ["retract", "restore"]


def test_two_sessions_editing_different_records_are_merged(data):
    alice, bob = store.open_snapshot(data), store.open_snapshot(data)
    store.edit(alice, make_feature(drones=20))
    store.edit(bob, make_feature(id="ee-incursion", country="EE", place="Vaindloo island"))
    after = store.open_snapshot(data)
    assert after.feature("pl-incursion-2025-09-10")["properties"]["drones"] == 20
    assert after.feature("ee-incursion")["properties"]["place"] == "Vaindloo island"


def test_two_sessions_editing_the_same_record_second_is_refused(data):
    alice, bob = store.open_snapshot(data), store.open_snapshot(data)
    store.edit(alice, make_feature(drones=20))
    with pytest.raises(store.ConflictError, match="pl-incursion-2025-09-10: changed by someone else"):
        store.edit(bob, make_feature(drones=25))
    assert store.open_snapshot(data).feature("pl-incursion-2025-09-10")["properties"]["drones"] == 20


def test_two_sessions_adding_the_same_id_second_is_refused(data):
    alice, bob = store.open_snapshot(data), store.open_snapshot(data)
    store.add(alice, make_feature(id="lt-new", country="LT"))
    with pytest.raises(store.ConflictError):
        store.add(bob, make_feature(id="lt-new", country="LV"))


def _add_many(path: str, prefix: str, n: int) -> None:
    for i in range(n):
        while True:  # a session that is refused reloads and redoes its change, as the UI says
            try:
                store.add(store.open_snapshot(path), make_feature(id=f"{prefix}-{i}"))
                break
            except store.ConflictError:
                continue


def test_concurrent_saves_from_two_processes_lose_nothing(data):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_many, args=(str(data), p, 15)) for p in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    ids = ids_on_disk(data)
    assert sorted(i for i in ids if i[:2] in ("a-", "b-")) == sorted(
        [f"a-{i}" for i in range(15)] + [f"b-{i}" for i in range(15)])
    assert len(store.history(data)) == 30


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


def test_read_only_deployment_refuses_every_save(data, monkeypatch):
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    before = data.read_bytes()
    with pytest.raises(ReadOnlyError, match="read-only"):
        store.retract(store.open_snapshot(data), "ee-incursion", "test")
    assert data.read_bytes() == before


def test_import_is_one_logged_change(data):
    features = [make_feature(id=f"acled-pol{i}") for i in range(3)]
    store.import_features(store.open_snapshot(data), features, source="acled.csv")
    [entry] = store.history(data)
    assert (entry.action, entry.source, len(entry.ids)) == ("import", "acled.csv", 3)
    assert store.history(data, "acled-pol1") == [entry]


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
