"""`python -m dashboard import`: report, dry run, write with history, read-only refusal."""

from __future__ import annotations

import csv
import getpass
import io
import json

import pytest

from dashboard import cli, paths, store

ACLED = paths.ROOT / "tests" / "data" / "import" / "acled.csv"


@pytest.fixture(autouse=True)
def writable(monkeypatch):
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "incidents.geojson"
    assert cli.main(["import", str(ACLED), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "7 row(s) read as ACLED export (CSV) with the ACLED profile: 4 imported, 3 rejected" in text
    assert "rejected row 5: event_type: 'Battles / Armed clash'" in text
    assert "nothing written (--dry-run)" in text
    assert not out.exists()


def test_import_adds_to_the_data_and_logs_it(tmp_path, capsys):
    out = tmp_path / "incidents.geojson"
    out.write_bytes(paths.INCIDENTS.read_bytes())
    report = tmp_path / "rejected.csv"
    assert cli.main(["import", str(ACLED), "--out", str(out), "--note", "weekly ACLED",
                     "--report", str(report)]) == 0
    assert "wrote 4 incident(s)" in capsys.readouterr().out
    features = json.loads(out.read_text())["features"]
    assert len(features) == 44
    assert cli.main(["validate", str(out)]) == 0
    [entry] = store.history(out)
    assert (entry.action, entry.note, entry.source, len(entry.ids)) == (
        "import", "weekly ACLED", "acled.csv", 4)
    assert entry.user == f"cli:{getpass.getuser()}"  # the history says who ran it
    assert report.read_text(encoding="utf-8-sig").splitlines()[0] == "Row,Field,Value,Reason"


def test_read_only_refuses_and_keeps_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    out = tmp_path / "incidents.geojson"
    out.write_bytes(paths.INCIDENTS.read_bytes())
    assert cli.main(["import", str(ACLED), "--out", str(out)]) == 1
    assert "read-only" in capsys.readouterr().err
    assert out.read_bytes() == paths.INCIDENTS.read_bytes()


def test_bad_column_mapping_is_a_usage_error(tmp_path, capsys):
    code = cli.main(["import", str(ACLED), "--dry-run", "--column", "colour=x"])
    assert code == 2
    assert "--column 'colour=x': expected FIELD=COLUMN" in capsys.readouterr().err


def test_missing_file_is_one_line(tmp_path, capsys):
    assert cli.main(["import", str(tmp_path / "nope.csv"), "--dry-run"]) == 1
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.csv'}: file not found"


def test_the_same_acled_export_imported_twice_adds_nothing_twice(tmp_path, capsys):
    """ACLED event ids are stable: a re-export of the same events is not new incidents."""
    out = tmp_path / "incidents.geojson"
    assert cli.main(["import", str(ACLED), "--out", str(out)]) == 0
    capsys.readouterr()
    before = out.read_bytes()
    assert cli.main(["import", str(ACLED), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "0 added, 0 updated, 4 unchanged, 3 rejected" in text
    assert "suffix" not in text and "nothing written" in text
    assert out.read_bytes() == before


def test_a_newer_export_updates_what_it_holds_keeping_the_curators_fields(tmp_path, capsys):
    """A re-export with one event's fatalities revised and one new event: one update (same
    id, the retraction kept, the change logged field by field), one addition, the rest
    unchanged."""
    out = tmp_path / "incidents.geojson"
    assert cli.main(["import", str(ACLED), "--out", str(out)]) == 0
    snap = store.open_snapshot(out)
    store.retract(snap, "acled-ukr90001", "duplicate of a national report")
    rows = list(csv.DictReader(io.StringIO(ACLED.read_text(encoding="utf-8"))))
    for row in rows:
        if row["event_id_cnty"] == "UKR90001":
            row["fatalities"] = "7"
    rows.append({**rows[0], "event_id_cnty": "UKR90009", "fatalities": "0"})
    newer_path = tmp_path / "acled-newer.csv"
    with newer_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert cli.main(["import", str(newer_path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1 added, 1 updated, 3 unchanged, 3 rejected" in text, text
    saved = store.open_snapshot(out)
    record = saved.feature("acled-ukr90001")["properties"]
    assert record["killed"] == 7 and record["status"] == "retracted"
    assert saved.feature("acled-ukr90009") is not None and len(saved.features) == 5
    last = store.history(out)[-1]
    assert last.action == "import" and last.changes["acled-ukr90001"]["killed"][1] == 7
    assert "acled-ukr90009" not in last.changes
