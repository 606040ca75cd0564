"""`python -m dashboard import`: report, dry run, write with history, read-only refusal."""

from __future__ import annotations

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
    assert "7 row(s) read as ACLED export (CSV): 4 imported, 3 rejected" in text
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
    assert cli.main(["import", str(ACLED), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "0 imported, 7 rejected" in text
    assert "already in the data as 'acled-ukr90001'; not imported again" in text
    assert len(json.loads(out.read_text())["features"]) == 4
