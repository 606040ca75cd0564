"""The CLI never shows a traceback for a path: a missing folder, a folder, /proc or /sys as
--out or --report, a number too long to read: one line, exit 2 (or 1 for bad data); a
read-only deployment refuses an import before it writes anything."""

from __future__ import annotations

import pytest

from dashboard import cli, paths

BAD = paths.ROOT / "tests" / "data" / "bad"
SAMPLE = paths.ROOT / "tests" / "data" / "import" / "acled.csv"


@pytest.mark.parametrize("target", ["{tmp}/missing/r.csv", "{tmp}", "/proc/self/status",
                                    "/proc", "/sys/kernel/r.csv"])
@pytest.mark.parametrize("option", ["--report", "--out"])
def test_bad_output_paths_are_one_line_errors(target, option, tmp_path, capsys):
    args = ["import", str(SAMPLE), "--dry-run", option, target.format(tmp=tmp_path)]
    if option == "--out":
        args.remove("--dry-run")
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {option} ") and err.count("\n") == 1, err


def test_a_number_too_long_to_read_under_dry_run(capsys):
    assert cli.main(["import", str(BAD / "upload-long-number.geojson"), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "a number has too many digits" in err and "Traceback" not in err


def test_read_only_refuses_before_writing_the_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    report = tmp_path / "rejected.csv"
    assert cli.main(["import", str(SAMPLE), "--report", str(report)]) == 1
    assert not report.exists()
    assert "read-only" in capsys.readouterr().err
