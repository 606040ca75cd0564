"""dashboard.ids: the one slug rule and the one next-free-id rule."""

from __future__ import annotations

import pytest

from dashboard import ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UKR90001", "ukr90001"),
        ("PL/Test 7", "pl-test-7"),
        ("pl-strike-2025-09-10", "pl-strike-2025-09-10"),
        ("  --Drone__Sighting--  ", "drone-sighting"),
        ("Café  Noir", "cafe-noir"),              # accents folded to plain letters
        ("Łódź 7", "odz-7"),                      # letters with no ASCII form are dropped
        ("Київ", ""),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_slug(text, expected):
    assert ids.slug(text) == expected


@pytest.mark.parametrize(
    ("base", "taken", "numbered", "expected"),
    [
        ("a", set(), False, "a"),
        ("a", {"a"}, False, "a-2"),
        ("a", {"a", "a-2"}, False, "a-3"),
        ("a", {"a", "a-3"}, False, "a-2"),       # the first free number, not one past the highest
        ("a", {"a-2"}, False, "a"),
        ("a", set(), True, "a-1"),
        ("a", {"a"}, True, "a-1"),
        ("a", {"a-1"}, True, "a-2"),
        ("a", {"a-1", "a-2"}, True, "a-3"),
        ("a", ["a", "a-2"], False, "a-3"),       # any container will do
    ],
)
def test_next_free_id(base, taken, numbered, expected):
    assert ids.next_free_id(base, taken, numbered=numbered) == expected


def test_next_free_id_leaves_taken_alone():
    taken = {"a"}
    assert ids.next_free_id("a", taken) == "a-2"
    assert taken == {"a"}


@pytest.mark.parametrize("numbered", [False, True])
def test_next_free_id_is_never_taken(numbered):
    taken = {"a", *(f"a-{n}" for n in range(1, 50))}
    fid = ids.next_free_id("a", taken, numbered=numbered)
    assert fid == "a-50" and fid not in taken


@pytest.mark.parametrize(("text", "valid"), [
    ("morning-brief", True), ("a", True), ("x_1", True), ("a" * 64, True),
    ("a" * 65, False), ("-a", False), ("Morning", False), ("a b", False), ("", False),
    ("../x", False)])
def test_is_pack_name(text, valid):
    assert ids.is_pack_name(text) is valid


@pytest.mark.parametrize(("title", "name"), [
    ("Morning brief", "morning-brief"), ("  Baltic   update ", "baltic-update"),
    ("Sept\tweek 2", "sept-week-2")])
def test_pack_name_for_a_typed_title(title, name):
    assert ids.pack_name_for(title) == name
