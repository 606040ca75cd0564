"""File names that users supply (brief-pack names, export stems) never leave their folder:
no path parts, no NUL, no device names, bounded length, whatever is typed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import briefs, export
from dashboard.briefs import BriefError, Pack

WHEN = dt.datetime(2025, 10, 6, 14, 30)
HOSTILE = ["../x", "../../etc/passwd", "/etc/passwd", "/tmp/x", "C:\\Windows\\x", "\\\\server\\share",
           "a/../../b", "..", ".", "x\x00y", "\x00", "x" * 300, "con", "NUL", "com1", "Lpt9",
           "aux", "prn", " ", "", "~", "$HOME", "a\nb", "%2e%2e%2fx", "x.json", "*", "?"]


# --- brief packs: a bad name is refused, never rewritten -------------------------------------

@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_pack_names_are_refused_and_nothing_is_written(tmp_path, name):
    folder = tmp_path / "briefs"
    with pytest.raises(BriefError):
        briefs.safe_name(name)
    with pytest.raises(BriefError):
        briefs.save_pack(Pack(name=name, title="x"), folder)
    with pytest.raises(BriefError):
        briefs.load_pack(name, folder)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["briefs"])


@pytest.mark.parametrize(("name", "message"), [
    ("con", "pack name 'con' is a reserved device name on Windows"),
    ("NUL", "pack name 'NUL' is a reserved device name on Windows"),
    ("com1", "is a reserved device name"),
    ("x" * 300, "is 300 characters long; at most 64"),
    ("x\x00y", "contains a NUL character"),
    ("C:\\Windows\\x", "contains a path separator"),
])
def test_refusals_say_why(name, message):
    with pytest.raises(BriefError, match=re.escape(message)):
        briefs.safe_name(name)


@pytest.mark.parametrize("name", ["console", "con-brief", "nul_2", "com10", "lpt"])
def test_names_that_only_look_like_devices_are_fine(tmp_path, name):
    assert briefs.pack_path(name, tmp_path) == tmp_path / f"{name}.json"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_pack_name_is_a_slug_inside_the_folder_or_refused(tmp_path_factory, text):
    folder = tmp_path_factory.getbasetemp() / "packs"
    try:
        path = briefs.pack_path(text, folder)
    except BriefError as exc:
        assert str(exc).strip()
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}\.json", path.name)
    assert path.parent == folder and path.resolve().parent == folder.resolve()
    assert path.stem not in briefs.WINDOWS_RESERVED


def test_a_pack_file_named_in_a_link_cannot_point_elsewhere(tmp_path):
    from dashboard import urlstate
    _, view, notices = urlstate.parse({"brief": ["../../etc/passwd"], "slide": ["1"]},
                                      urlstate.Known())
    assert view.brief is None
    assert any("brief='../../etc/passwd' is not a brief pack name" in n for n in notices)


# --- export file names: any stem becomes a safe slug ---------------------------------------

@pytest.mark.parametrize(("stem", "expected"), [
    ("eastern-flank", "eastern-flank-20251006-1430.png"),
    ("Morning brief: Rzeszów", "morning-brief-rzeszow-20251006-1430.png"),
    ("../../etc/passwd", "etc-passwd-20251006-1430.png"),
    ("/tmp/x", "tmp-x-20251006-1430.png"),
    ("C:\\Windows\\system32", "c-windows-system32-20251006-1430.png"),
    ("x\x00y", "x-y-20251006-1430.png"),
    ("..", "eastern-flank-20251006-1430.png"),
    ("", "eastern-flank-20251006-1430.png"),
    ("con", "con-20251006-1430.png"),  # never the bare device name: a date always follows
    ("x" * 300, "x" * 60 + "-20251006-1430.png"),
])
def test_export_filename_is_a_safe_slug(stem, expected):
    assert export.filename("png", WHEN, stem) == expected


def test_export_filename_default_and_unknown_format():
    assert export.filename("csv", WHEN) == "eastern-flank-20251006-1430.csv"
    with pytest.raises(ValueError, match="format 'exe' is not one of png, pdf"):
        export.filename("exe", WHEN)
    with pytest.raises(ValueError, match="is not one of"):
        export.filename("png/../../x", WHEN)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(export.FORMATS))
def test_any_export_stem_gives_a_plain_file_name(stem, fmt):
    name = export.filename(fmt, WHEN, stem)
    assert re.fullmatch(rf"[a-z0-9]+(-[a-z0-9]+)*-20251006-1430\.{fmt}", name), name
    assert len(name) <= 60 + len("-20251006-1430.") + len(fmt)
