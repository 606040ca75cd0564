"""The source registry: entries checked with messages that name the field, labels readers
can read, and every document the shipped data cites is registered."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard import load, paths, sources
from dashboard.schema import DataError
from dashboard.sources import Source

DOC = "001_0fcb98cd4bff29fe.txt"


@pytest.mark.parametrize(("source", "label"), [
    (Source(DOC, "Title", "Carnegie Politika", "2025-10-18"), "Carnegie Politika — Title (18 Oct 2025)"),
    (Source(DOC, "Title", None, "2025-10-06"), "Title (6 Oct 2025)"),
    (Source(DOC, "Title"), "Title")])
def test_labels(source, label):
    assert source.label() == label


@pytest.mark.parametrize(("entry", "message"), [
    ({}, "title must be a non-empty text"),
    ({"title": "  "}, "title must be a non-empty text"),
    ({"title": "T", "published": "18 Oct 2025"}, "published '18 Oct 2025' is not a date"),
    ({"title": "T", "url": "javascript:alert(1)"}, "is not an http\\(s\\) link"),
    ({"title": "T", "author": "X"}, "unknown field\\(s\\) author"),
    ("a title", "must be an object"),
    ({"title": "T" * 301}, "longer than 300")])
def test_bad_entries_name_the_problem(entry, message):
    with pytest.raises(DataError, match=message):
        sources.parse_entry(DOC, entry)


def test_round_trip_and_adding_once(tmp_path):
    path = tmp_path / "sources.json"
    registry = sources.with_source({}, Source(DOC, "Title", "Pub", "2025-10-06", "https://example.org/a"))
    sources.save(path, registry)
    assert sources.read(path) == registry
    assert sources.with_source(registry, registry[DOC]) == registry  # citing again is fine
    with pytest.raises(DataError, match="registered already"):
        sources.with_source(registry, Source(DOC, "Another title"))
    assert sources.read(tmp_path / "none.json") == {}


def test_unregistered_citations_are_named():
    problems = sources.missing(["a"], [[{"document": "x.txt", "quote": "q"}]], {})
    assert [str(p) for p in problems] == ["a: sources: document 'x.txt' has no entry in sources.json"]
    assert sources.label("x.txt", {}, "Reuters") == "Reuters — x.txt"


def test_every_document_the_shipped_data_cites_is_registered():
    registry = sources.read(paths.ROOT / "sources.json")
    incidents = load.read_incidents()
    assert sources.missing(incidents["id"], incidents["sources"], registry) == []
    # ... and the registry names only documents that exist.
    if paths.SOURCES.is_dir():
        assert set(registry) <= {p.name for p in paths.SOURCES.iterdir()}


def test_validate_refuses_a_citation_missing_from_the_registry(tmp_path):
    data = json.loads(paths.INCIDENTS.read_text(encoding="utf-8"))
    (tmp_path / "incidents.geojson").write_text(json.dumps(data), encoding="utf-8")
    registry = sources.read(paths.ROOT / "sources.json")
    sources.save(tmp_path / "sources.json", {k: v for k, v in registry.items() if k != DOC})
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(tmp_path / "incidents.geojson")],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert f"document '{DOC}' has no entry in sources.json" in run.stdout
    sources.save(tmp_path / "sources.json", registry)
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(tmp_path / "incidents.geojson")],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "every cited document is in" in run.stdout


def test_an_import_registers_the_documents_it_cites(tmp_path):
    data = tmp_path / "incidents.geojson"
    data.write_text(paths.INCIDENTS.read_text(encoding="utf-8"), encoding="utf-8")
    sources.save(tmp_path / "sources.json", sources.read(paths.ROOT / "sources.json"))
    feature = json.loads(data.read_text(encoding="utf-8"))["features"][0]
    feature = json.loads(json.dumps(feature))
    feature["properties"]["id"] = "imported-1"
    feature["id"] = "imported-1"
    feature["properties"]["sources"] = [{"document": "ACLED UKR1: Ukrinform", "quote": "q",
                                         "publisher": "ACLED"}]
    sources.save_import(data, [feature], "acled.csv")
    registry = sources.read(tmp_path / "sources.json")
    assert registry["ACLED UKR1: Ukrinform"].label() == "ACLED — ACLED UKR1: Ukrinform"
    assert "acled.csv" in registry["ACLED UKR1: Ukrinform"].note
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(data)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_sources_line_stays_short_whatever_the_number_of_sources():
    registry = sources.read(paths.ROOT / "sources.json")
    many = [[{"document": f"ACLED UKR{i}: Ukrinform", "publisher": "ACLED", "quote": "q"}]
            for i in range(775)]
    many += [[{"document": f"doc-{i}.txt", "quote": "q"}] for i in range(300)]
    line = sources.summary([*many, *load.read_incidents()["sources"]], registry)
    assert len(line) <= 260
    assert line.startswith("ACLED (775 documents)") and line.endswith("more")
    assert "0fcb98cd4bff29fe" not in line


def test_exports_name_sources_as_readers_know_them(tmp_path):
    import io

    import pandas as pd

    from dashboard import context, export
    ctx = context.load_context(paths.INCIDENTS)
    opts = export.SnapshotOptions(sources=ctx.sources)
    frame = pd.read_csv(io.BytesIO(export.render("csv", ctx.incidents, ctx.countries, None, opts)),
                        encoding="utf-8-sig")
    row = frame.set_index("id").loc["ee-incursion-2025-09-19"]
    assert row["sources"].startswith("Russia’s Expanding Drone and Airspace Violations Across NATO "
                                     "(6 Oct 2025): “")
    assert row["documents"] == DOC
    out = tmp_path / "ee.geojson"
    shown = ctx.incidents[ctx.incidents["country"] == "EE"]
    out.write_bytes(export.render("geojson", shown, ctx.countries, None, opts))
    member = json.loads(out.read_text(encoding="utf-8"))["sources"]
    assert list(member["sources"]) == [DOC]
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "its 'sources' member" in run.stdout, run.stdout + run.stderr
