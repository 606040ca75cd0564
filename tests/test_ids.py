"""dashboard.ids: the one slug rule and the one next-free-id rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import ids
from dashboard.importer.csv import _unique_names
from dashboard.importer.rows import Ctx, reserve_id


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


def _naive_unique(header):
    names = []
    for i, raw in enumerate(header):
        base = raw.strip() or f"column_{i + 1}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


@given(st.lists(st.sampled_from(["a", "a_2", "b", "", " ", "a_3", "column_1", "b_2"]), max_size=30))
def test_header_names_are_numbered_as_before_in_linear_time(header):
    assert _unique_names(header) == _naive_unique(header)


@given(st.lists(st.sampled_from([None, "x", "x-2", "y"]), max_size=40),
       st.sets(st.sampled_from(["x", "x-2", "x-3", "b-1", "b-2", "y-5"])))
def test_reserved_ids_are_those_the_naive_rule_gives(wanted_list, existing):
    ctx = Ctx("f", set(existing), None, [])
    used = set(existing)
    for wanted in wanted_list:
        expected = (ids.next_free_id(wanted, used) if wanted
                    else ids.next_free_id("b", used, numbered=True))
        used.add(expected)
        assert reserve_id(wanted, "b", ctx) == expected
