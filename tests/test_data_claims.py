"""What the shipped records claim is what their sources say: counts in a summary appear in
its quotes or are explained in its notes; the corrections of December 2026 are in the data
and in the change history, each with its reason."""

from __future__ import annotations

import re

import pytest

from dashboard import load, paths, store

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "hundreds": "hundreds",
         "dozens": "dozens", "thousands": "thousands"}
#: A count: digits or a number word, not part of a name such as "MiG-31" or "F-16s".
NUMBER = re.compile(r"(?<![\w-])(\d[\d,.]*|" + "|".join(WORDS) + r")\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def incidents():
    return load.read_incidents()


def numbers(text: str) -> set[str]:
    """Every count-like token, digits and number words alike (``six`` and ``6`` are one)."""
    out = set()
    for token in NUMBER.findall(text or ""):
        token = token.lower().rstrip(".,")
        out.add(str(WORDS.get(token, token)).replace(",", ""))
    return out


def test_every_number_in_a_summary_is_in_its_quotes_or_explained(incidents):
    unexplained = {}
    for row in incidents.itertuples():
        backed = numbers(" ".join(s["quote"] for s in row.sources)) | numbers(row.notes or "")
        missing = numbers(row.summary) - backed
        if missing:
            unexplained[row.id] = sorted(missing)
    assert not unexplained, unexplained


@pytest.mark.parametrize(("summary", "expected"), [
    ("at least six people were killed and 16 wounded", {"6", "16"}),
    ("At least 19 Russian kamikaze drones, some 300 km inside", {"19", "300"}),
    ("three MiG-31s and two F-16s", {"3", "2"}),
    ("no numbers here", set())])
def test_numbers_reads_digits_and_words(summary, expected):
    assert numbers(summary) == expected


def test_words_a_summary_may_only_use_when_the_quote_does(incidents):
    """'killed' needs a quote that says killed/dead/died, or a note saying why."""
    for row in incidents.itertuples():
        quotes = " ".join(s["quote"] for s in row.sources).lower()
        if "killed" in row.summary.lower():
            assert re.search(r"kill|dead|died|death", quotes) or "killed" in (row.notes or ""), row.id


def test_the_december_corrections(incidents):
    rows = incidents.set_index("id")
    closure = rows.loc["de-airport-closure-2025-09-20"]
    assert closure["status"] == "retracted" and "names no German airport" in closure["retraction_reason"]
    merged = rows.loc["de-incursion-2025-09-20"]
    assert merged["status"] == "retracted" and "de-incursion-schleswig-holstein-2025-09-10" in merged[
        "retraction_reason"]
    survivor = rows.loc["de-incursion-schleswig-holstein-2025-09-10"]
    assert len(survivor["sources"]) == 2 and survivor["status"] == "active"
    danube = rows.loc["ro-crash-debris-danube-2025-09-20"]
    assert (danube["end_date"].date().isoformat(), danube["location_precision"], danube["region"]) == (
        "2025-10-06", "country", None)
    assert rows.loc["ua-strike-dnipro-2024-11-21", "date_precision"] == "approx"
    assert "eastern" not in rows.loc["pl-incursion-2025-09-10", "place"].lower()
    assert "killed" not in rows.loc["ua-strike-zaporizhzhia-2024-11-05", "summary"]
    assert "Waltz" not in rows.loc["ru-strike-bryansk-2024-11-19", "summary"]
    assert "inferred" in rows.loc["dk-airport-closure-2025-09-20", "notes"]


def test_each_correction_is_in_the_history_with_its_reason():
    touched = {}
    for entry in store.history(paths.INCIDENTS):
        for incident_id in entry.changes:
            touched.setdefault(incident_id, []).append((entry.action, entry.note))
    for incident_id in ("de-airport-closure-2025-09-20", "de-incursion-2025-09-20",
                        "de-incursion-schleswig-holstein-2025-09-10",
                        "ro-crash-debris-danube-2025-09-20", "ru-strike-bryansk-2024-11-19",
                        "ua-strike-zaporizhzhia-2024-11-05", "pl-incursion-2025-09-10",
                        "dk-airport-closure-2025-09-20", "ua-strike-dnipro-2024-11-21"):
        assert incident_id in touched and all(note for _, note in touched[incident_id]), incident_id
