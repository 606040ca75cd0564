"""Imports into a database too big to hold: the Import tab imports against no saved record,
then again against the records the file's ids name (``updates.against_store``), so a newer
export updates what the database holds, without the app reading the database whole."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from dashboard import importer, paths, sources, store
from dashboard.db import query
from dashboard.filters import FilterSpec
from dashboard.importer.updates import against_store
from tests.conftest import loaded_database

ACLED = paths.ROOT / "tests" / "data" / "import" / "acled.csv"


@pytest.fixture
def url(pg_cluster, monkeypatch, request, tmp_path):
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    # the source registry lives beside the deployment's data file: a copy, not the shipped one
    shutil.copy(paths.ROOT / "sources.json", tmp_path / "sources.json")
    monkeypatch.setenv("EFM_DATA", str(tmp_path / "incidents.geojson"))
    return loaded_database(pg_cluster, f"efm_imp_{request.node.name[-20:].lower()}")


def _import(url: str, raw: bytes) -> importer.ImportResult:
    """As the Import tab does it with a database it does not hold."""
    def held(ids: set[str]) -> dict:
        snapshot = store.open_snapshot(url, ids=sorted(ids))
        return {"existing_ids": snapshot.ids,
                "existing": [f for f in snapshot.features if f["properties"].get("origin")]}
    first = importer.import_bytes(raw, "acled.csv", **held(set()))
    return against_store(first, lambda ids: query.existing(url, ids),
                         lambda ids: importer.import_bytes(raw, "acled.csv", **held(ids)))


def _save(url: str, result: importer.ImportResult) -> None:
    sources.save_import(url, result.features, "acled.csv", updated=result.updated)


def test_the_same_export_twice_adds_nothing_the_second_time(url):
    raw = ACLED.read_bytes()
    _save(url, _import(url, raw))
    count = query.count(url, FilterSpec(retracted=True))
    again = _import(url, raw)
    assert again.features == [] and again.updated == [] and len(again.unchanged) == 4
    assert query.count(url, FilterSpec(retracted=True)) == count


def test_a_newer_export_updates_what_the_database_holds(url):
    _save(url, _import(url, ACLED.read_bytes()))
    store.retract(store.open_snapshot(url, ids=["acled-ukr90001"]), "acled-ukr90001",
                  "duplicate of a national report")
    rows = list(csv.DictReader(io.StringIO(ACLED.read_text(encoding="utf-8"))))
    for row in rows:
        if row["event_id_cnty"] == "UKR90001":
            row["fatalities"] = "7"
    rows.append({**rows[0], "event_id_cnty": "UKR90009", "fatalities": "0"})
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    newer = _import(url, text.getvalue().encode("utf-8"))
    assert [f["id"] for f in newer.features] == ["acled-ukr90009"]
    assert [f["id"] for f in newer.updated] == ["acled-ukr90001"] and len(newer.unchanged) == 3
    _save(url, newer)
    saved = store.open_snapshot(url, ids=["acled-ukr90001"]).feature("acled-ukr90001")
    assert saved["properties"]["killed"] == 7 and saved["properties"]["status"] == "retracted"
    last = store.history(url)[-1]
    assert last.action == "import" and last.changes["acled-ukr90001"]["killed"][1] == 7
    assert "ACLED UKR90009: Synthetic Source" in sources.read(sources.path_for(url))  # beside the data
