"""History always in step with the data: a writer stopped at any step of a save leaves the
data as it was or as saved, the history saying exactly that; orphaned temporary files are
removed by the next save; a file edited by hand keeps its history."""

from __future__ import annotations

import copy
import json
import os
import shutil

import pytest

from dashboard import files, paths, store

ID = "pl-incursion-2025-09-10"


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "incidents.geojson"
    shutil.copy(paths.INCIDENTS, path)
    return path


def edited(path, place):
    base = store.open_snapshot(path)
    feature = copy.deepcopy(base.feature(ID))
    feature["properties"]["place"] = place
    return base, feature


class Killed(BaseException):
    """Stands for the process dying (kill -9) at that point."""


@pytest.mark.parametrize("step", ["after logging", "tmp written, not renamed", "after the rename"])
def test_a_writer_stopped_at_each_step(data, monkeypatch, step):
    before = data.read_bytes()
    real_write, real_replace = files.write_atomic, os.replace

    def stop_before_write(path, out):
        raise Killed

    def stop_before_rename(src, dst):
        if str(dst).endswith("incidents.geojson"):
            raise Killed  # the temporary file is left behind, as after kill -9
        return real_replace(src, dst)

    def stop_after_write(path, out):
        real_write(path, out)
        raise Killed

    monkeypatch.setattr(store.files, "write_atomic", {"after logging": stop_before_write,
                                                     "after the rename": stop_after_write}.get(
        step, real_write))
    if step == "tmp written, not renamed":
        monkeypatch.setattr(files.os, "replace", stop_before_rename)
        monkeypatch.setattr(files.os, "unlink", lambda p: None)  # dying cleans up nothing
    with pytest.raises(Killed):
        store.edit(*edited(data, "Killed mid-save"), "first")
    monkeypatch.undo()

    landed = data.read_bytes() != before
    assert landed == (step == "after the rename")
    notes = [e.note for e in store.history(data)]
    assert notes == (["first"] if landed else []), notes

    # The next save reconciles: stray temporary files go, the history matches the data.
    store.edit(*edited(data, "Second try"), "second")
    assert not list(data.parent.glob(".incidents.geojson.*tmp"))
    assert [e.note for e in store.history(data)] == (["first", "second"] if landed else ["second"])
    lines = [json.loads(x) for x in store.history_path(data).read_text().splitlines()]
    assert (lines[1]["action"] == store.VOID) == (not landed)


def test_a_hand_edit_after_a_save_keeps_the_history(data):
    store.edit(*edited(data, "Saved in the app"), "app")
    text = data.read_text(encoding="utf-8").replace("Saved in the app", "Edited by hand")
    data.write_text(text, encoding="utf-8")
    assert [e.note for e in store.history(data)] == ["app"]
    store.edit(*edited(data, "Saved again"), "again")
    assert [e.note for e in store.history(data)] == ["app", "again"]
