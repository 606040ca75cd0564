"""Reading files and the ``python -m dashboard validate`` CLI: clear one-line messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard import paths
from dashboard.cli import main
from dashboard.load import read_incidents
from dashboard.schema import DataError
from tests.conftest import collection, make_feature


def write(tmp_path, name, content: bytes | str):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.geojson", "", "file is empty"),
        ("blank.geojson", "  \n ", "file is empty"),
        ("truncated.geojson", '{"type": "FeatureCollection", "features": [',
         "is not valid JSON (line 1, column"),
        ("binary.geojson", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not UTF-8 text"),
        ("list.geojson", "[1, 2]", "1 problem(s) in the data"),
    ],
)
def test_read_incidents_bad_files(tmp_path, name, content, expected):
    with pytest.raises(DataError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_incidents(write(tmp_path, name, content))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="missing.geojson: file not found"):
        read_incidents(tmp_path / "missing.geojson")


def test_read_incidents_with_bom_and_types(tmp_path):
    path = write(tmp_path, "ok.geojson",
                 "\ufeff" + json.dumps(collection(make_feature(), make_feature(
                     id="ro-crash-2025-09-13", type="crash_debris", end_date="2025-09-14",
                     date_precision="range"))))
    frame = read_incidents(path)
    assert list(frame["id"]) == ["pl-incursion-2025-09-10", "ro-crash-2025-09-13"]
    assert frame.crs.to_epsg() == 4326
    assert str(frame["date"].dtype).startswith("datetime64")
    assert frame.loc["ro-crash-2025-09-13", "end_date"].day == 14
    assert frame.loc["pl-incursion-2025-09-10", "sources"][0]["document"] == "doc.txt"


def test_cli_good_file(tmp_path, capsys):
    path = write(tmp_path, "ok.geojson", json.dumps(collection(make_feature())))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"{path}: OK, 1 incidents (1 airspace_incursion)"


def test_cli_bad_data_lists_each_problem(tmp_path, capsys):
    path = write(tmp_path, "bad.geojson", json.dumps(collection(
        make_feature(date="2025-13-01"),
        make_feature(id="ro-x-2025-09-13", type="bombing"),
    )))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "pl-incursion-2025-09-10: date: '2025-13-01' is not a valid ISO date (YYYY-MM-DD)",
        "ro-x-2025-09-13: type: 'bombing' is not allowed; should be 'airspace_incursion', "
        "'airport_closure', 'strike', 'interception' or 'crash_debris'",
    ]
    assert "2 problem(s)" in out.err


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "file not found"), ("", "file is empty"), ("not json", "is not valid JSON")],
)
def test_cli_unreadable_file_one_line_no_traceback(tmp_path, content, expected):
    path = tmp_path / "x.geojson"
    if content is not None:
        path.write_text(content)
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(path)],
                         capture_output=True, text=True, cwd=paths.ROOT)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {expected}"), lines
