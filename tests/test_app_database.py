"""The app on the PostgreSQL store (a real throwaway cluster): it shows the database's
incidents, and a save made elsewhere (another app server, the CLI) shows on its next run."""

from __future__ import annotations

import copy

import pytest

from dashboard import store
from tests.conftest import loaded_database, open_link


@pytest.fixture(scope="module")
def app_db(pg_cluster):
    return loaded_database(pg_cluster, "efm_app")


def _caption(at) -> str:
    return next(c.value for c in at.caption if " incidents · data as of " in c.value)


def test_the_app_reads_the_database_and_sees_another_servers_save(app_db, monkeypatch):
    monkeypatch.setenv("EFM_DATABASE_URL", app_db)
    monkeypatch.setenv("EFM_READ_ONLY", "0")
    at = open_link()
    assert "of 40 incidents" in _caption(at)

    # Another app server (or the CLI) adds an incident to the same database.
    base = store.open_snapshot(app_db)
    new = copy.deepcopy(base.feature("pl-incursion-2025-09-10"))
    new["id"] = new["properties"]["id"] = "pl-incursion-2025-09-10-replica"
    store.add(base, new, "added from the other server", user="analyst@example.org")

    again = open_link()
    assert "of 41 incidents" in _caption(again)
    assert store.history(app_db, "pl-incursion-2025-09-10-replica")[-1].user == "analyst@example.org"


def test_an_unreachable_database_is_one_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("EFM_DATABASE_URL", "postgresql://efm@/efm?host=/nonexistent-efm-socket")
    at = open_link()
    assert not at.exception
    assert "cannot connect to the database" in at.error[0].value
    assert "Check `EFM_DATABASE_URL`" in at.info[0].value


def _shown(at) -> dict:
    """What a person reads off the page: the caption, the metrics, the table's ids, the
    breakdown and the card's title."""
    return {"caption": _caption(at).split(" · data as of")[0],
            "metrics": [(m.label, m.value) for m in at.metric],
            "table": sorted(at.dataframe[0].value["id"]),
            "breakdown": at.dataframe[1].value.to_dict(),
            "card": [m.value for m in at.markdown if m.value.startswith("#### ")]}


LINKS = {"nothing": {}, "Poland": {"country": "PL"}, "a region": {"region": "PL-PK"},
         "closures in September 2025": {"type": "airport_closure", "from_": "2025-09-01",
                                        "to": "2025-09-30"},
         "search": {"q": "rzeszow"}, "an incident": {"incident": "pl-incursion-2025-09-10"},
         "nothing matches": {"country": "NO", "type": "strike"}}


@pytest.mark.parametrize("params", LINKS.values(), ids=LINKS.keys())
def test_holding_none_the_app_shows_what_holding_all_shows(app_db, monkeypatch, params):
    """``memory_rows = 0``: every figure asked of the database, the page the same."""
    monkeypatch.setenv("EFM_DATABASE_URL", app_db)
    held = _shown(open_link(**params))
    monkeypatch.setenv("EFM_MEMORY_ROWS", "0")
    asked = open_link(**params)
    assert _shown(asked) == held
    assert any("Playback steps through every incident" in c.value for c in asked.caption)


def test_holding_none_the_border_distance_filter_says_it_is_not_applied(app_db, monkeypatch):
    monkeypatch.setenv("EFM_DATABASE_URL", app_db)
    monkeypatch.setenv("EFM_MEMORY_ROWS", "0")
    at = open_link(min_depth_km="50")
    assert "distance-from-border filter (from the link) is not applied" in at.warning[0].value
    assert _caption(at) == _caption(open_link())  # the page of no filter, not a wrong one


def test_holding_none_the_presentation_view_opens_with_the_same_count(app_db, monkeypatch):
    monkeypatch.setenv("EFM_DATABASE_URL", app_db)
    held = [m.value for m in open_link(present="1", theme="dark", country="PL").markdown]
    monkeypatch.setenv("EFM_MEMORY_ROWS", "0")
    asked = [m.value for m in open_link(present="1", theme="dark", country="PL").markdown]
    title = [v for v in held if " incident" in v and "data as of" in v]
    assert title and title == [v for v in asked if " incident" in v and "data as of" in v]
