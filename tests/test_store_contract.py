"""One contract for both incident stores: the GeoJSON file and PostgreSQL/PostGIS.

Every test runs against each backend through the same ``dashboard.store`` functions (a path
or a ``postgresql://`` URL as the target): validated writes, merges or refusals of concurrent
saves, retractions kept as a status, the change history (who, what, before -> after, note,
source) and all-or-nothing imports. The database runs in a throwaway cluster (tests/pg.py).
"""

from __future__ import annotations

import json
import multiprocessing

import pytest

from dashboard import paths, store
from dashboard.settings import ReadOnlyError
from tests.conftest import collection, make_feature
from tests.pg import reset

TWO = (make_feature(), make_feature(id="ee-incursion", country="EE", place="Vaindloo"))


@pytest.fixture(params=["file", "postgres"])
def target(request, tmp_path, monkeypatch):
    """A writable store holding two incidents (PL incursion, EE incursion) and no history:
    a file in a temporary folder, or the test database emptied and reloaded."""
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    if request.param == "file":
        path = tmp_path / "incidents.geojson"
        path.write_text(json.dumps(collection(*TWO)))
        return path
    url = request.getfixturevalue("pg_url")
    reset(url, list(TWO))
    return url


def ids(target):
    return [f["properties"]["id"] for f in store.open_snapshot(target).features]


def test_add_is_saved_and_logged(target):
    saved = store.add(store.open_snapshot(target), make_feature(id="ro-crash", country="RO"),
                      note="from the morning report")
    assert ids(target) == ["pl-incursion-2025-09-10", "ee-incursion", "ro-crash"]
    assert saved.version == store.open_snapshot(target).version
    [entry] = store.history(target)
    assert (entry.action, entry.ids, entry.note) == ("add", ("ro-crash",), "from the morning report")
    assert entry.changes["ro-crash"]["country"] == [None, "RO"]
    assert entry.user is None


def test_edit_records_what_changed_and_who(target):
    store.edit(store.open_snapshot(target), make_feature(drones=21, place="Wyryki-Wola"),
               note="count corrected", user="alice")
    [entry] = store.history(target, "pl-incursion-2025-09-10")
    assert entry.changes["pl-incursion-2025-09-10"] == {"drones": [19, 21],
                                                        "place": ["Wyryki", "Wyryki-Wola"]}
    assert (entry.user, entry.note) == ("alice", "count corrected")
    assert entry.at.endswith("+00:00") and entry.before and entry.version != entry.before
    assert store.history(target, "ee-incursion") == []


def test_features_read_back_as_saved(target):
    feature = make_feature(id="lt-new", country="LT", notes="Ä ö — ünïcode", drones=3,
                           geometry={"type": "Point", "coordinates": [25.2797, 54.6872]})
    store.add(store.open_snapshot(target), feature)
    assert store.open_snapshot(target).feature("lt-new") == feature


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: store.add(s, make_feature()), "exists already"),
        (lambda s: store.edit(s, make_feature(id="nope")), "no such incident to edit"),
        (lambda s: store.retract(s, "ee-incursion", "  "), "a retraction needs a reason"),
        (lambda s: store.edit(s, make_feature()), "nothing changed"),
        (lambda s: store.edit(s, make_feature(date="2025-02-30")), "is not a valid ISO date"),
        (lambda s: store.add(s, make_feature(id="x", related_ids=["ghost"])),
         "'ghost' is not an incident id"),
    ],
)
def test_refusals_name_the_problem_and_write_nothing(target, call, message):
    before = store.open_snapshot(target)
    with pytest.raises(store.DataError) as err:
        call(before)
    assert message in str(err.value) + " ".join(map(str, err.value.problems))
    assert store.open_snapshot(target).data == before.data
    assert store.history(target) == []


def test_retract_keeps_the_record_and_restore_undoes_it(target):
    store.retract(store.open_snapshot(target), "ee-incursion", "duplicate of another report")
    props = store.open_snapshot(target).feature("ee-incursion")["properties"]
    assert (props["status"], props["retraction_reason"]) == ("retracted",
                                                            "duplicate of another report")
    store.restore(store.open_snapshot(target), "ee-incursion", "not a duplicate after all")
    props = store.open_snapshot(target).feature("ee-incursion")["properties"]
    assert (props["status"], props["retraction_reason"]) == ("active", None)
    assert [e.action for e in store.history(target, "ee-incursion")] == ["retract", "restore"]
    assert len(ids(target)) == 2


def test_two_sessions_editing_different_records_are_merged(target):
    alice, bob = store.open_snapshot(target), store.open_snapshot(target)
    store.edit(alice, make_feature(drones=20))
    store.edit(bob, make_feature(id="ee-incursion", country="EE", place="Vaindloo island"))
    after = store.open_snapshot(target)
    assert after.feature("pl-incursion-2025-09-10")["properties"]["drones"] == 20
    assert after.feature("ee-incursion")["properties"]["place"] == "Vaindloo island"


def test_two_sessions_editing_the_same_record_second_is_refused(target):
    alice, bob = store.open_snapshot(target), store.open_snapshot(target)
    store.edit(alice, make_feature(drones=20))
    with pytest.raises(store.ConflictError,
                       match="pl-incursion-2025-09-10: changed by someone else"):
        store.edit(bob, make_feature(drones=25))
    assert store.open_snapshot(target).feature("pl-incursion-2025-09-10")["properties"][
        "drones"] == 20
    assert len(store.history(target)) == 1


def test_two_sessions_adding_the_same_id_second_is_refused(target):
    alice, bob = store.open_snapshot(target), store.open_snapshot(target)
    store.add(alice, make_feature(id="lt-new", country="LT"))
    with pytest.raises(store.ConflictError, match="lt-new"):
        store.add(bob, make_feature(id="lt-new", country="LV"))


def _add_many(target, prefix: str, n: int) -> None:
    for i in range(n):
        while True:  # a session that is refused reloads and redoes its change, as the UI says
            try:
                store.add(store.open_snapshot(target), make_feature(id=f"{prefix}-{i}"))
                break
            except store.ConflictError:
                continue


def test_concurrent_saves_from_two_processes_lose_nothing(target):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_many, args=(target, p, 10)) for p in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert sorted(i for i in ids(target) if i[:2] in ("a-", "b-")) == sorted(
        [f"a-{i}" for i in range(10)] + [f"b-{i}" for i in range(10)])
    assert len(store.history(target)) == 20


def test_read_only_deployment_refuses_every_save(target, monkeypatch):
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    before = store.open_snapshot(target)
    with pytest.raises(ReadOnlyError, match="read-only"):
        store.retract(before, "ee-incursion", "test")
    assert store.open_snapshot(target).data == before.data


def test_import_is_one_logged_change(target):
    features = [make_feature(id=f"acled-pol{i}") for i in range(3)]
    store.import_features(store.open_snapshot(target), features, source="acled.csv", user="bob")
    [entry] = store.history(target)
    assert (entry.action, entry.source, len(entry.ids), entry.user) == ("import", "acled.csv", 3,
                                                                        "bob")
    assert store.history(target, "acled-pol1") == [entry]


def test_import_updates_are_logged_field_by_field(target):
    store.import_features(store.open_snapshot(target), [make_feature(id="new-one")],
                          source="again.csv", updated=[make_feature(drones=7)])
    [entry] = store.history(target)
    assert entry.changes == {"pl-incursion-2025-09-10": {"drones": [19, 7]}}


def test_import_is_all_or_nothing(target):
    before = store.open_snapshot(target)
    features = [make_feature(id="good-1"), make_feature(id="bad-1", date="2025-13-01"),
                make_feature(id="good-2")]
    with pytest.raises(store.DataError, match="nothing was saved"):
        store.import_features(before, features, source="mixed.csv")
    assert store.open_snapshot(target).data == before.data
    assert store.history(target) == []


def test_the_shipped_data_round_trips(target):
    shipped = json.loads(paths.INCIDENTS.read_text(encoding="utf-8"))["features"]
    base = store.open_snapshot(target)
    store.import_features(base, [f for f in shipped if f["properties"]["id"] not in base.ids],
                          source="incidents.geojson")
    back = {f["properties"]["id"]: f for f in store.open_snapshot(target).features}
    assert all(back[f["properties"]["id"]] == f for f in shipped
               if f["properties"]["id"] not in base.ids)


# --- snapshots of a few records: what an edit of a few records needs of millions -------------
# (a file is always read whole; the same calls give the same results on both backends)

def test_a_snapshot_of_some_records_edits_them_and_knows_the_others(target):
    base = store.open_snapshot(target, ids=["ee-incursion", "nope"])
    assert base.feature("ee-incursion") is not None
    assert base.taken(["pl-incursion-2025-09-10", "ee-incursion", "nope"]) == \
        {"pl-incursion-2025-09-10", "ee-incursion"}
    assert "pl-incursion-2025-09-10" in base.known_ids and "nope" not in base.known_ids
    store.edit(base, make_feature(id="ee-incursion", country="EE", place="Vaindloo",
                                  related_ids=["pl-incursion-2025-09-10"]), user="bob")
    [entry] = store.history(target)
    assert entry.changes["ee-incursion"]["related_ids"] == [[], ["pl-incursion-2025-09-10"]]
    assert ids(target) == ["pl-incursion-2025-09-10", "ee-incursion"]  # the order kept


def test_a_snapshot_of_no_record_adds_and_refuses_a_taken_id(target):
    store.add(store.open_snapshot(target, ids=[]), make_feature(id="ro-crash", country="RO"))
    with pytest.raises(store.DataError, match="exists already"):
        store.add(store.open_snapshot(target, ids=[]), make_feature())
    with pytest.raises(store.DataError) as err:
        store.add(store.open_snapshot(target, ids=[]),
                  make_feature(id="x", related_ids=["ghost", "ee-incursion"]))
    assert "'ghost' is not an incident id" in " ".join(map(str, err.value.problems))
    assert ids(target) == ["pl-incursion-2025-09-10", "ee-incursion", "ro-crash"]
    with pytest.raises(store.DataError, match="2 imported id"):
        store.import_features(store.open_snapshot(target, ids=[]),
                              [make_feature(id="new-1"), make_feature(), make_feature(id="ro-crash")],
                              "batch.csv")
    assert len(ids(target)) == 3  # all or nothing


def test_snapshots_of_some_records_merge_other_records_and_refuse_the_same_one(target):
    first = store.open_snapshot(target, ids=["pl-incursion-2025-09-10"])
    second = store.open_snapshot(target, ids=["ee-incursion"])
    third = store.open_snapshot(target, ids=["pl-incursion-2025-09-10"])
    store.edit(first, make_feature(drones=30))
    store.retract(second, "ee-incursion", "duplicate of a Latvian report")
    with pytest.raises(store.ConflictError, match="pl-incursion-2025-09-10: changed by someone"):
        store.edit(third, make_feature(drones=40))
    now = store.open_snapshot(target)
    assert now.feature("pl-incursion-2025-09-10")["properties"]["drones"] == 30
    assert now.feature("ee-incursion")["properties"]["status"] == "retracted"
    store.restore(store.open_snapshot(target, ids=["ee-incursion"]), "ee-incursion")
    assert store.open_snapshot(target).feature("ee-incursion")["properties"]["status"] == "active"
