"""The malformed-input corpus (``tests/data/bad/``): every file, through the project's own
readers, gives the project's own error with the message in ``cases.json``; never a traceback,
in the loader, the CLI or the app."""

from __future__ import annotations

import json
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import briefs, importer, load, paths
from dashboard.cli import main
from dashboard.schema import DataError, validate_collection

BAD = Path(__file__).parent / "data" / "bad"
TABLE = json.loads((BAD / "cases.json").read_text(encoding="utf-8"))["cases"]
APP = str(paths.ROOT / "dashboard" / "app.py")

def _upload(path: Path):
    """What the Import tab and the CLI do with a file: the column choice reads its header
    (never raising), then the import runs."""
    raw = path.read_bytes()
    assert isinstance(importer.header_columns(raw, path.name), list)
    return importer.import_bytes(raw, path.name).features


#: reader name in cases.json -> (function reading a path, the error type it must raise)
READERS: dict[str, tuple[Callable[[Path], object], type[Exception]]] = {
    "incidents": (load.read_incidents, DataError),
    "json": (load.read_json, DataError),
    "brief": (briefs.load_pack, briefs.BriefError),
    "upload": (_upload, DataError),
}


def messages(exc: Exception) -> list[str]:
    """What a user is shown: the message, then one line per problem."""
    return [str(exc), *(str(p) for p in getattr(exc, "problems", []))]


def case_id(case: dict) -> str:
    return f"{case['reader']}:{case['file']}"


def test_every_file_is_in_the_table_and_every_case_has_its_file():
    listed = {c["file"] for c in TABLE}
    on_disk = {p.name for p in BAD.iterdir()} - {"README.md", "cases.json"}
    assert on_disk == listed
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert [f for f in sorted(listed) if f"`{f}`" not in readme] == []
    assert {c["reader"] for c in TABLE} <= set(READERS)
    assert all(("error" in c) != ("loads" in c) for c in TABLE)


@pytest.mark.parametrize("case", TABLE, ids=case_id)
def test_bad_file_gives_its_message(case):
    read, error = READERS[case["reader"]]
    path = BAD / case["file"]
    if "loads" in case:
        assert len(read(path)) == case["loads"]
        return
    with pytest.raises(error) as info:
        read(path)
    assert type(info.value) is error  # the project's own error, not something that escaped
    shown = messages(info.value)
    assert any(case["error"] in line for line in shown), shown
    assert all("Traceback" not in line for line in shown)


INCIDENT_ERRORS = [c for c in TABLE if c["reader"] == "incidents" and "error" in c]


@pytest.mark.parametrize("case", INCIDENT_ERRORS, ids=case_id)
def test_validate_cli_prints_the_message_and_exits_1(case, capsys):
    assert main(["validate", str(BAD / case["file"])]) == 1
    out = capsys.readouterr()
    assert case["error"] in out.out + out.err
    assert "Traceback" not in out.out + out.err


PARSED = [c for c in TABLE if c["reader"] == "incidents" and c["file"].endswith(("json", "geojson"))
          and c["file"] not in {"empty.geojson", "whitespace.geojson", "truncated.geojson",
                                "binary.geojson", "nul-bytes.geojson", "windows-1252.geojson",
                                "utf-16.geojson", "lone-surrogate.geojson", "long-integer.geojson",
                                "deep-nesting.geojson"}]


@pytest.mark.parametrize("case", PARSED, ids=case_id)
def test_columnar_validation_reports_the_same_problems(case):
    """Large files are validated column-wise (``load.geojson_incidents``): same messages."""
    fast = getattr(load, "geojson_incidents", None)
    if fast is None:
        pytest.skip("no columnar validation in load.py")
    data = load.read_json(BAD / case["file"])
    expected = sorted(map(str, validate_collection(data)))
    try:
        frame = fast(data)
    except DataError as exc:
        assert sorted(map(str, exc.problems)) == expected
    else:
        assert expected == [] and len(frame) == case["loads"]


# --- size limit ----------------------------------------------------------------------

def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (and would be invalid JSON)."""
    with path.open("wb") as f:
        f.truncate(size)
    return path


def no_reading(*args, **kwargs):
    raise AssertionError("the file was opened or parsed")


def test_50_mb_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = sparse(tmp_path / "big.geojson", 52_400_000)
    monkeypatch.setattr(load, "parse_json", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(DataError, match=r"big\.geojson: file is 52\.4 MB; the limit is 50 MB"):
        load.read_json(big)


#: The incident file may have a limit of its own (large ACLED-style data sets).
INCIDENTS_LIMIT = getattr(load, "INCIDENTS_MAX_BYTES", load.MAX_BYTES)


def test_incident_file_over_its_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = sparse(tmp_path / "big.geojson", INCIDENTS_LIMIT + 1)
    monkeypatch.setattr(load, "parse_json", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(DataError, match=rf"big\.geojson: file is {INCIDENTS_LIMIT + 1:,} bytes; "
                                        rf"the limit is {INCIDENTS_LIMIT:,} bytes"):
        load.read_incidents(big)


def test_size_limit_boundary(tmp_path):
    assert load.MAX_BYTES == 50_000_000
    path = tmp_path / "x.json"
    path.write_bytes(b"[1, 2, 3]")  # 9 bytes
    assert load.read_bytes(path, max_bytes=9) == b"[1, 2, 3]"
    with pytest.raises(DataError, match="file is 9 bytes; the limit is 8 bytes"):
        load.read_bytes(path, max_bytes=8)


def test_a_small_file_is_read_without_asking_for_the_whole_limit(tmp_path):
    """A read allocates all it asks for: asking a 9-byte file for the 2 GB incident limit
    raised MemoryError under a 1.5 GB address-space limit (``ulimit -v``)."""
    path = tmp_path / "x.geojson"
    path.write_bytes(b"[1, 2, 3]")
    tracemalloc.start()
    try:
        assert load.read_bytes(path, max_bytes=2_000_000_000) == b"[1, 2, 3]"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_a_file_whose_size_is_unknown_is_read_only_up_to_the_limit():
    # /dev/zero reports size 0 and never ends: the read must stop at the limit.
    with pytest.raises(DataError, match="/dev/zero: file is larger than 1,000 bytes, the limit"):
        load.read_bytes("/dev/zero", max_bytes=1000)


def test_brief_packs_share_the_size_limit(tmp_path):
    big = sparse(tmp_path / "huge.json", 60_000_000)
    with pytest.raises(briefs.BriefError, match="huge.json: file is 60 MB; the limit is 50 MB"):
        briefs.load_pack(big)


# --- the app shows the message, not a traceback -----------------------------------------

def unescape(markdown: str) -> str:
    """The text a Markdown body shows: backslash escapes and the colon entity (the app
    escapes data) undone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("&#58;", ":")


@pytest.mark.parametrize("name", ["binary.geojson", "windows-1252.geojson", "truncated.geojson",
                                  "null-geometry.geojson", "lone-surrogate.geojson"])
def test_app_shows_the_message_instead_of_a_traceback(name, monkeypatch):
    expected = next(c["error"] for c in INCIDENT_ERRORS if c["file"] == name)
    monkeypatch.setenv("EFM_DATA", str(BAD / name))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
    body = "\n".join([e.value for e in at.error] + [c.value for c in at.code])
    assert "could not be loaded" in body
    assert expected in body or expected in unescape(body)


def test_app_refuses_a_file_over_the_limit_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("EFM_DATA", str(sparse(tmp_path / "big.geojson", INCIDENTS_LIMIT * 2)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "big.geojson: file is " in unescape(at.error[0].value)
    assert "; the limit is " in unescape(at.error[0].value)


def test_app_opens_an_empty_collection(monkeypatch):
    monkeypatch.setenv("EFM_DATA", str(BAD / "empty-collection.geojson"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception[0].value if at.exception else ""
