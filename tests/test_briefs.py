"""Brief packs: pure edits, safe names, atomic and conflict-checked saves, clear errors for
broken files, the PDF (``export.pack_pdf``) and the ``brief`` CLI. The map extent of a saved
view is ``Bounds.from_view`` (tests/test_bounds.py).

Every test writes to its own ``tmp_path`` folder, never to the real ``briefs/``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from pypdf import PdfReader

from dashboard import briefs, export, filters, geo, load, paths, urlstate
from dashboard.briefs import BriefError, ConflictError, Pack, Slide
from dashboard.cli import main

WARSAW = {"country": ["PL"], "from": ["2025-09-10"], "to": ["2025-09-10"],
          "lat": ["52"], "lon": ["21"], "zoom": ["6"]}
BALTIC = {"preset": ["baltic"], "type": ["airspace_incursion"]}
KNOWN = urlstate.Known(countries=frozenset({"PL", "EE", "RO"}), presets=frozenset({"baltic"}),
                       incidents=frozenset({"pl-incursion-2025-09-10"}))


def pack_of(*titles: str, name: str = "morning-brief") -> Pack:
    """A pack with one slide per title (Warsaw view), not yet saved."""
    pack = briefs.new_pack(name, "Morning brief")
    for title in titles:
        pack = briefs.add_slide(pack, title, f"note for {title}", WARSAW)
    return pack


def titles(pack: Pack) -> list[str]:
    return [s.title for s in pack.slides]


def esc(text: str) -> str:
    return re.escape(text)


# --- round trip and the documented schema -------------------------------------------------

@pytest.mark.parametrize(
    "slides",
    [
        [],
        [("Poland, 10 September", "Nineteen drones.", WARSAW)],
        [("Poland", "", WARSAW), ("Baltic states", "Line one\nline two", BALTIC),
         ("Rzeszów — «quotes» & ünïcode", "ł ø ß", {"q": ["Rzeszów"], "type": ["none"]})],
    ],
)
def test_round_trip_and_version_increments(tmp_path, slides):
    pack = briefs.new_pack("morning-brief", "Morning brief")
    for title, note, params in slides:
        pack = briefs.add_slide(pack, title, note, params)
    assert pack.version == 0
    saved = briefs.save_pack(pack, tmp_path)
    assert saved.version == 1 and saved.slides == pack.slides
    assert briefs.load_pack("morning-brief", tmp_path) == saved
    again = briefs.save_pack(saved, tmp_path, expected_version=1)
    assert again.version == 2
    assert briefs.load_pack(tmp_path / "morning-brief.json") == again
    assert dt.datetime.fromisoformat(again.updated).tzinfo is not None


def test_saved_file_matches_the_documented_shape(tmp_path):
    saved = briefs.save_pack(pack_of("Poland"), tmp_path)
    data = json.loads((tmp_path / "morning-brief.json").read_text(encoding="utf-8"))
    assert list(data) == ["schema", "name", "title", "version", "updated", "last_presented",
                          "seen_ids", "slides"]
    assert data["slides"] == [{"id": saved.slides[0].id, "title": "Poland",
                               "note": "note for Poland", "params": WARSAW}]
    assert re.fullmatch(r"[0-9a-f]{8}", saved.slides[0].id)


def test_readme_example_is_a_valid_pack(tmp_path):
    """briefs/README.md documents the schema with an example; keep the example loadable."""
    readme = (paths.ROOT / "briefs" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "morning-brief.json").write_text(example, encoding="utf-8")
    pack = briefs.load_pack("morning-brief", tmp_path)
    assert (pack.version, len(pack.slides), pack.seen_ids[0]) == (3, 2, "pl-incursion-2025-09-10")
    for field in briefs.to_json(pack):
        assert f"`{field}`" in readme, field
    for field in ("id", "title", "note", "params"):
        assert f"`{field}`" in readme, field


def test_slide_params_from_encode_parse_back():
    spec = filters.FilterSpec(countries=("PL",), date_from=dt.date(2025, 9, 10))
    view = urlstate.View(lat=52.0, lon=21.0, zoom=6.0, incident="pl-incursion-2025-09-10")
    pack = briefs.add_slide(pack_of(), "Poland", "", urlstate.encode(spec, view))  # str values
    assert urlstate.parse(pack.slides[0].params, KNOWN) == (spec, view, [])


# --- edits -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda p, ids: briefs.update_slide(p, ids[1], title="Bee"), ["A", "Bee", "C"]),
        (lambda p, ids: briefs.update_slide(p, ids[0]), ["A", "B", "C"]),
        (lambda p, ids: briefs.delete_slide(p, ids[1]), ["A", "C"]),
        (lambda p, ids: briefs.move_slide(p, ids[0], 1), ["B", "A", "C"]),
        (lambda p, ids: briefs.move_slide(p, ids[2], -1), ["A", "C", "B"]),
        (lambda p, ids: briefs.move_slide(p, ids[0], 99), ["B", "C", "A"]),   # clamped
        (lambda p, ids: briefs.move_slide(p, ids[2], -99), ["C", "A", "B"]),  # clamped
        (lambda p, ids: briefs.move_slide(p, ids[0], -1), ["A", "B", "C"]),   # already first
        (lambda p, ids: briefs.move_slide(p, ids[1], 0), ["A", "B", "C"]),
        (lambda p, ids: briefs.add_slide(p, "D", "", {}), ["A", "B", "C", "D"]),
    ],
)
def test_slide_edits_return_a_new_pack(edit, expected):
    pack = pack_of("A", "B", "C")
    before = briefs.to_json(pack)
    changed = edit(pack, [s.id for s in pack.slides])
    assert titles(changed) == expected
    assert briefs.to_json(pack) == before  # the original is untouched
    assert len({s.id for s in changed.slides}) == len(changed.slides)


def test_update_changes_only_the_given_fields():
    pack = pack_of("A")
    slide_id = pack.slides[0].id
    changed = briefs.update_slide(pack, slide_id, note="new note", params=BALTIC)
    assert changed.slides[0] == Slide(slide_id, "A", "new note", BALTIC)


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: briefs.update_slide(p, "nope", title="x"),
        lambda p: briefs.delete_slide(p, "nope"),
        lambda p: briefs.move_slide(p, "nope", 1),
    ],
)
def test_unknown_slide_id(edit):
    with pytest.raises(BriefError, match="brief pack 'morning-brief' has no slide with id 'nope'"):
        edit(pack_of("A"))


@pytest.mark.parametrize(
    ("title", "note", "params", "message"),
    [
        ("  ", "", {}, "a slide needs a title"),
        (None, "", {}, "slide title must be text, got None"),
        ("T", 5, {}, "speaker note must be text, got 5"),
        ("T", "", ["country", "PL"], "params must be an object of link parameters"),
        ("T", "", {"country": [1]}, "params.country must be a list of strings, got [1]"),
        ("T", "", {"zoom": 6}, "params.zoom must be a list of strings, got 6"),
    ],
)
def test_add_slide_refuses_bad_input(title, note, params, message):
    with pytest.raises(BriefError, match=esc(message)):
        briefs.add_slide(pack_of(), title, note, params)


def test_mark_presented_records_time_and_ids():
    when = dt.datetime(2026, 11, 22, 8, 0, 0, 123, tzinfo=dt.UTC)
    pack = briefs.mark_presented(pack_of("A"), ["b-id", "a-id", "b-id"], when)
    assert pack.last_presented == "2026-11-22T08:00:00+00:00"
    assert pack.seen_ids == ("a-id", "b-id")
    with pytest.raises(BriefError, match="'yesterday' is not an ISO date-time"):
        briefs.mark_presented(pack, [], "yesterday")


# --- names -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "name"),
    [("morning-brief", "morning-brief"), ("a", "a"), ("2026_q4", "2026_q4"),
     ("Morning-Brief", "morning-brief"), ("  daily  ", "daily"), ("x" * 64, "x" * 64)],
)
def test_safe_name_accepts(text, name):
    assert briefs.safe_name(text) == name
    assert briefs.pack_path(text, briefs.BRIEFS_DIR) == briefs.BRIEFS_DIR / f"{name}.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "pack name is empty"),
        ("   ", "pack name is empty"),
        ("x" * 65, "is 65 characters long; at most 64"),
        ("../x", "'../x' contains a path separator"),
        ("../../etc/passwd", "contains a path separator"),
        ("/etc/passwd", "'/etc/passwd' contains a path separator"),
        ("a/b", "'a/b' contains a path separator"),
        ("a\\b", "contains a path separator"),
        ("..", "'..' must start with a letter or a digit"),
        (".hidden", "'.hidden' must start with a letter or a digit"),
        ("-rf", "'-rf' must start with a letter or a digit"),
        ("_x", "must start with a letter or a digit"),
        ("a\x00b", "'a\\x00b' contains a NUL character"),
        ("brief.json", "may only contain a-z, 0-9, - and _ (not '.')"),
        ("morning brief", "(not ' ')"),
        ("kraków", "(not 'ó')"),
        ("a\nb", "(not '\\n')"),
        ("~root", "(not '~')"),
        ("$HOME", "(not '$')"),
        (None, "pack name must be text, got NoneType"),
    ],
)
def test_safe_name_refuses(tmp_path, text, message):
    with pytest.raises(BriefError, match=esc(message)):
        briefs.safe_name(text)
    with pytest.raises(BriefError, match=esc(message)):
        briefs.pack_path(text, tmp_path)
    with pytest.raises(BriefError, match=esc(message)):
        briefs.save_pack(Pack(name=text, title="x"), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_list_packs(tmp_path):
    assert briefs.list_packs(tmp_path / "missing") == []
    for name in ("b", "a"):
        briefs.save_pack(briefs.new_pack(name, name.upper()), tmp_path)
    briefs.save_pack(briefs.load_pack("a", tmp_path), tmp_path, expected_version=1)  # a .bak
    for junk in ("README.md", ".hidden.json", "Bad Name.json", ".a.json.123.tmp"):
        (tmp_path / junk).write_text("{}")
    (tmp_path / "dir.json").mkdir()
    assert briefs.list_packs(tmp_path) == ["a", "b"]


# --- saving: conflicts, locking, atomicity ------------------------------------------------------

def test_second_copy_saved_at_the_same_version_is_refused(tmp_path):
    briefs.save_pack(pack_of("A"), tmp_path)
    mine, theirs = briefs.load_pack("morning-brief", tmp_path), briefs.load_pack("morning-brief", tmp_path)
    first = briefs.save_pack(briefs.add_slide(mine, "Mine", "", {}), tmp_path, expected_version=1)
    on_disk = (tmp_path / "morning-brief.json").read_bytes()
    with pytest.raises(ConflictError) as caught:
        briefs.save_pack(briefs.add_slide(theirs, "Theirs", "", {}), tmp_path, expected_version=1)
    message = str(caught.value)
    for part in ("'morning-brief' was changed elsewhere", "version 2 on disk",
                 "loaded at version 1", "nothing was saved", "reload"):
        assert part in message
    assert (tmp_path / "morning-brief.json").read_bytes() == on_disk
    assert briefs.load_pack("morning-brief", tmp_path) == first


@pytest.mark.parametrize(
    ("exists", "expected_version", "message"),
    [
        (True, None, "brief pack 'morning-brief' already exists (version 1); nothing was saved"),
        (False, 4, "brief pack 'morning-brief' was deleted elsewhere (this copy was version 4); "
                   "nothing was saved"),
        (True, 0, "at version 1 on disk, this copy was loaded at version 0"),
    ],
)
def test_save_conflicts(tmp_path, exists, expected_version, message):
    if exists:
        briefs.save_pack(pack_of("A"), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.json*") if p.suffix != ".lock"}
    with pytest.raises(ConflictError, match=esc(message)):
        briefs.save_pack(pack_of("B"), tmp_path, expected_version=expected_version)
    after = {p.name: p.read_bytes() for p in tmp_path.glob("*.json*") if p.suffix != ".lock"}
    assert after == before  # nothing written, no backup made


def test_save_creates_the_folder_and_keeps_a_backup(tmp_path):
    folder = tmp_path / "new" / "briefs"
    v1 = briefs.save_pack(pack_of("A"), folder)
    assert not (folder / "morning-brief.json.bak").exists()
    v2 = briefs.save_pack(briefs.add_slide(v1, "B", "", {}), folder, expected_version=1)
    assert briefs.load_pack(folder / "morning-brief.json.bak") == v1
    assert briefs.load_pack("morning-brief", folder) == v2
    assert sorted(p.name for p in folder.iterdir()) == [
        "morning-brief.json", "morning-brief.json.bak", "morning-brief.json.lock"]


def test_save_waits_for_the_lock(tmp_path):
    """Another process holding <name>.json.lock keeps a save from reading or writing."""
    briefs.save_pack(pack_of("A"), tmp_path)
    done = threading.Event()
    with open(tmp_path / "morning-brief.json.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        saver = threading.Thread(target=lambda: (
            briefs.save_pack(pack_of("B"), tmp_path, expected_version=1), done.set()))
        saver.start()
        time.sleep(0.4)
        assert not done.is_set()
        fcntl.flock(held, fcntl.LOCK_UN)
    saver.join(10)
    assert done.is_set() and briefs.load_pack("morning-brief", tmp_path).version == 2


def test_failed_write_leaves_the_pack_as_it_was(tmp_path, monkeypatch):
    saved = briefs.save_pack(pack_of("A"), tmp_path)
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("morning-brief.json"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(briefs.os, "replace", failing_replace)
    with pytest.raises(BriefError, match="No space left on device; the previous file is unchanged"):
        briefs.save_pack(pack_of("B"), tmp_path, expected_version=1)
    monkeypatch.undo()
    assert briefs.load_pack("morning-brief", tmp_path) == saved
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


RACER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dashboard import briefs
    folder, title = Path(sys.argv[1]), sys.argv[2]
    pack = briefs.load_pack("morning-brief", folder)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        briefs.save_pack(briefs.add_slide(pack, title, "", {}), folder, expected_version=pack.version)
    except briefs.ConflictError as exc:
        print("conflict", exc, flush=True)
    else:
        print("saved", flush=True)
""")


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_saving_at_once(tmp_path, round_):
    """Both load version 1, then save at the same moment: one wins, the other is refused."""
    briefs.save_pack(pack_of("A"), tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(tmp_path), title],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=paths.ROOT)
             for title in ("One", "Two")]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:  # release both as close together as possible
        p.stdin.write("go\n")
        p.stdin.flush()
    results = {}
    for p, title in zip(procs, ("One", "Two"), strict=True):
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        results[title] = out.strip()
    outcomes = sorted(r.split()[0] for r in results.values())
    assert outcomes == ["conflict", "saved"], results
    winner = next(t for t, r in results.items() if r == "saved")
    loser = next(t for t, r in results.items() if r != "saved")
    assert "changed elsewhere" in results[loser] and "nothing was saved" in results[loser]
    data = json.loads((tmp_path / "morning-brief.json").read_text(encoding="utf-8"))
    on_disk = briefs.load_pack("morning-brief", tmp_path)
    assert data["version"] == on_disk.version == 2
    assert titles(on_disk) == ["A", winner]
    assert titles(briefs.load_pack(tmp_path / "morning-brief.json.bak")) == ["A"]


# --- broken files ------------------------------------------------------------------------

def good_json() -> dict:
    return briefs.to_json(briefs.add_slide(
        briefs.add_slide(pack_of(), "Poland", "", WARSAW), "Baltic states", "", BALTIC))


def broken(change) -> str:
    data = good_json()
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file is empty"),
        (" \n", "file is empty"),
        ('{"schema": 1, "name": "morning-brief", "slides": [',
         "is not valid JSON (line 1, column 51: Expecting value)"),
        ('{"schema": 1,\n "name": }', "is not valid JSON (line 2, column 10: Expecting value)"),
        ("\x89PNG\r\n\x1a\n\x00\xff", "is not UTF-8 text"),
        ("[1, 2]", "expected a JSON object (a brief pack), got a list"),
        (broken(lambda d: d.pop("slides")), "field(s) 'slides' missing"),
        (broken(lambda d: d.update(schema=2)), "field 'schema' is 2; this app reads schema 1"),
        (broken(lambda d: d.update(version="3")), "field 'version' must be a whole number >= 0, got '3'"),
        (broken(lambda d: d.update(version=True)), "field 'version' must be a whole number"),
        (broken(lambda d: d.update(title=7)), "field 'title' must be text, got 7"),
        (broken(lambda d: d.update(updated="monday")), "field 'updated' 'monday' is not an ISO date-time"),
        (broken(lambda d: d.update(seen_ids="pl-x")), "field 'seen_ids' must be a list of incident ids"),
        (broken(lambda d: d.update(slides={"a": 1})), "field 'slides' must be a list"),
        (broken(lambda d: d["slides"].append("x")), "slide 3 must be an object with id, title"),
        (broken(lambda d: d["slides"][1].pop("params")),
         "slide 2 'Baltic states': field 'params' is missing"),
        (broken(lambda d: d["slides"][1].update(title=["x"])),
         "slide 2: slide title must be text, got ['x']"),
        (broken(lambda d: d["slides"][1]["params"].update(country=[5])),
         "slide 2 'Baltic states': field 'params'.country must be a list of strings, got [5]"),
        (broken(lambda d: d["slides"][0].update(note=None)),
         "slide 1 'Poland': field 'note' must be text, got None"),
        (broken(lambda d: d["slides"][1].update(id=d["slides"][0]["id"])),
         "is used by an earlier slide too"),
        (broken(lambda d: d.update(name="../etc")), "contains a path separator"),
    ],
)
def test_broken_file_is_one_clear_line_and_the_backup_survives(tmp_path, content, message):
    v1 = briefs.save_pack(pack_of("A"), tmp_path)
    briefs.save_pack(v1, tmp_path, expected_version=1)
    path = tmp_path / "morning-brief.json"
    path.write_bytes(content.encode("latin-1") if content.startswith("\x89") else content.encode())
    with pytest.raises(BriefError) as caught:
        briefs.load_pack("morning-brief", tmp_path)
    text = str(caught.value)
    assert "\n" not in text and text.startswith(f"{path}: ")
    assert message in text
    assert "(the previous save is in morning-brief.json.bak)" in text
    # A save over the broken file is refused, and the backup is still the good version 1.
    with pytest.raises(BriefError, match="nothing was saved — restore it from morning-brief.json.bak"):
        briefs.save_pack(pack_of("B"), tmp_path, expected_version=2)
    assert briefs.load_pack(tmp_path / "morning-brief.json.bak") == v1


def test_missing_pack(tmp_path):
    with pytest.raises(BriefError, match=esc(f"brief pack 'nope' not found in {tmp_path}")):
        briefs.load_pack("nope", tmp_path)
    with pytest.raises(BriefError, match="nope.json: file not found"):
        briefs.load_pack(tmp_path / "nope.json")


def test_copied_file_is_the_pack_its_file_name_says(tmp_path):
    briefs.save_pack(pack_of("A"), tmp_path)
    (tmp_path / "evening.json").write_bytes((tmp_path / "morning-brief.json").read_bytes())
    copy = briefs.load_pack("evening", tmp_path)
    assert copy.name == "evening"
    briefs.save_pack(briefs.add_slide(copy, "B", "", {}), tmp_path, expected_version=1)
    assert titles(briefs.load_pack("morning-brief", tmp_path)) == ["A"]


# --- checking a pack's saved views ----------------------------------------------------------

def test_check_pack_names_slide_and_parameter_but_the_pack_loads(tmp_path):
    pack = briefs.add_slide(pack_of("Poland"), "Baltic states", "",
                            {"country": ["EE", "XX"], "zoom": ["40"]})
    pack = briefs.add_slide(pack, "Old", "", {"incident": ["gone-2024"], "colour": ["red"]})
    briefs.save_pack(pack, tmp_path)
    loaded = briefs.load_pack("morning-brief", tmp_path)
    assert briefs.check_pack(loaded, KNOWN) == [
        "slide 2 \"Baltic states\": country: 'XX' is not a known country code; ignored",
        "slide 2 \"Baltic states\": zoom='40' is not a zoom level (1..18); ignored",
        "slide 3 \"Old\": unknown parameter 'colour'; ignored",
        "slide 3 \"Old\": incident='gone-2024' is not a known incident id; ignored",
    ]
    assert briefs.check_pack(pack_of("Poland"), KNOWN) == []


# --- PDF and CLI ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    countries = load.read_countries()
    regions, presets = load.read_regions(), load.read_presets()
    names = {**dict(zip(countries["iso_a2"], countries["name"], strict=True)),
             **dict(zip(regions["iso_3166_2"], regions["name"], strict=True)),
             **{k: p.label for k, p in presets.items()}}
    return {"incidents": geo.enrich(load.read_incidents(), countries), "countries": countries,
            "airports": load.read_airports(), "places": filters.Places(regions, presets),
            "names": names}


def pdf_pages(pack: Pack, data, **kw) -> list[str]:
    pdf = export.pack_pdf(pack, data["incidents"], data["countries"], data["airports"],
                          data["places"], data["names"], **kw)
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def three_slides() -> Pack:
    pack = briefs.add_slide(pack_of(), "Poland, 10 September", "Nineteen drones. " * 30, WARSAW)
    pack = briefs.add_slide(pack, "Baltic states", "", BALTIC)
    return briefs.add_slide(pack, "Broken view", "Check this one",
                            {"country": ["XX"], "zoom": ["99"], "from": ["2025-99-01"]})


@pytest.mark.parametrize("notes", [False, True])
def test_pack_pdf_pages(data, notes):
    pages = pdf_pages(three_slides(), data, notes=notes, data_as_of=dt.date(2025, 10, 6))
    # With notes: a notes page after each slide that has a note (slide 2 has none).
    slide_pages = [0, 2, 3] if notes else [0, 1, 2]
    assert len(pages) == (5 if notes else 3)
    for i, title in enumerate(["Poland, 10 September", "Baltic states", "Broken view"]):
        assert title in pages[slide_pages[i]]
        assert "Data as of 6 Oct 2025" in pages[slide_pages[i]]
    assert "All incident types in Poland, on 10 Sep 2025" in pages[0]
    assert "Airspace incursion in Baltic states" in pages[slide_pages[1]]  # the preset's caption
    assert "All incident types in all countries, at any date" in pages[slide_pages[2]]  # bad values dropped
    if notes:
        assert "Poland, 10 September" in pages[1] and "slide 1 of 3" in pages[1]
        assert "Nineteen drones." in pages[1]
        assert "slide 3 of 3" in pages[4] and "Check this one" in pages[4]
        assert "country: 'XX' is not a known country code" in pages[4]
        assert not any("(no speaker note)" in p or "Speaker note" in p for p in pages[2:4])


@pytest.mark.parametrize(
    ("notes", "pages"),
    [(["A note", "Another"], 4), (["", "Another"], 3), (["  \n ", ""], 2), (["", "", "Last"], 4)],
)
def test_notes_pages_only_for_slides_with_a_note(tmp_path, capsys, data, notes, pages):
    pack = briefs.new_pack("morning-brief", "Morning brief")
    for i, note in enumerate(notes):
        pack = briefs.add_slide(pack, f"Slide {i + 1}", note, WARSAW)
    texts = pdf_pages(pack, data, notes=True)
    assert len(texts) == pages
    assert not any("(no speaker note)" in t for t in texts)
    # What the CLI says is what it wrote.
    briefs.save_pack(pack, tmp_path)
    out = tmp_path / "brief.pdf"
    assert main(["brief", "export", "morning-brief", "--folder", str(tmp_path), "--out", str(out),
                 "--notes"]) == 0
    assert f"{len(notes)} slides, {pages} pages" in capsys.readouterr().out
    assert len(PdfReader(out).pages) == pages


def test_pack_pdf_zooms_to_the_saved_view(data):
    far = briefs.add_slide(pack_of(), "Far north", "", {"lat": ["69"], "lon": ["33"], "zoom": ["9"]})
    assert "No incidents match these filters" in pdf_pages(far, data)[0]


def test_empty_pack_cannot_be_exported(data):
    with pytest.raises(BriefError, match="brief pack 'morning-brief' has no slides; nothing to export"):
        pdf_pages(pack_of(), data)


def test_cli_brief_export(tmp_path, capsys):
    folder = tmp_path / "briefs"
    briefs.save_pack(three_slides(), folder)
    out = tmp_path / "brief.pdf"
    assert main(["brief", "export", str(folder / "morning-brief.json"), "--out", str(out),
                 "--notes"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"wrote {out} (pdf, 3 slides, 5 pages")  # slide 2 has no note
    assert "warning: slide 3 \"Broken view\": country: 'XX'" in captured.err
    assert len(PdfReader(out).pages) == 5
    # A bare name is looked up in --folder.
    assert main(["brief", "export", "morning-brief", "--folder", str(folder), "--out", str(out)]) == 0
    assert len(PdfReader(out).pages) == 3


@pytest.mark.parametrize(
    ("setup", "argv", "code", "message"),
    [
        (None, ["{folder}/missing.json"], 1, "missing.json: file not found"),
        (None, ["missing"], 1, "brief pack 'missing' not found in"),
        ("truncated", ["{folder}/morning-brief.json"], 1, "is not valid JSON (line 1, column"),
        ("empty-pack", ["{folder}/morning-brief.json"], 1,
         "brief pack 'morning-brief' has no slides; nothing written"),
        ("good", ["{folder}/morning-brief.json", "--out", "/nonexistent/dir/x.pdf"], 2,
         "--out /nonexistent/dir/x.pdf: folder /nonexistent/dir does not exist"),
        ("good", ["{folder}/morning-brief.json", "--out", "{tmp}"], 2, "is a folder; give a file name"),
        ("good", ["Bad Name"], 2, "pack 'Bad Name': pack name 'Bad Name' may only contain"),
        ("good", ["{folder}/morning-brief.json", "--data", "/nonexistent/x.geojson"], 1,
         "/nonexistent/x.geojson: file not found"),
    ],
)
def test_cli_brief_export_errors(tmp_path, capsys, setup, argv, code, message):
    folder = tmp_path / "briefs"
    if setup == "good":
        briefs.save_pack(pack_of("A"), folder)
    elif setup == "empty-pack":
        briefs.save_pack(pack_of(), folder)
    elif setup == "truncated":
        folder.mkdir()
        (folder / "morning-brief.json").write_text('{"schema": 1, "slides": [')
    out = tmp_path / "out.pdf"
    argv = [a.format(folder=folder, tmp=tmp_path) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(out)]
    assert main(["brief", "export", *argv, "--folder", str(folder)]) == code
    err = capsys.readouterr().err
    assert message in err and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_brief_list(tmp_path, capsys):
    assert main(["brief", "list", "--folder", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"no brief packs in {tmp_path}\n"
    briefs.save_pack(pack_of("A", "B"), tmp_path)
    briefs.save_pack(briefs.new_pack("empty", "Nothing yet"), tmp_path)
    assert main(["brief", "list", "--folder", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [["empty", "0 slides", "Nothing yet"],
                                                       ["morning-brief", "2 slides", "Morning brief"]]
    (tmp_path / "empty.json").write_text("{")
    assert main(["brief", "list", "--folder", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("empty\tunreadable: ") and "morning-brief\t2 slides" in captured.out
    assert "1 of 2 pack(s) could not be read" in captured.err


def test_cli_brief_needs_an_action():
    run = subprocess.run([sys.executable, "-m", "dashboard", "brief"], capture_output=True,
                         text=True, cwd=paths.ROOT)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "list" in run.stderr and "export" in run.stderr


def test_read_only_deployment_refuses_pack_changes(tmp_path, monkeypatch):
    from dashboard.settings import ReadOnlyError
    monkeypatch.setenv("EFM_READ_ONLY", "true")
    with pytest.raises(ReadOnlyError, match="changing brief packs is switched off"):
        briefs.save_pack(briefs.new_pack("wall", "Wall screen"), tmp_path)
    assert list(tmp_path.iterdir()) == []
