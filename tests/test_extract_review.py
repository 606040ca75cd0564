"""dashboard.extract.review: drafts from proposals, decisions, and the save as one change
citing the article (on a temporary copy of the data)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from dashboard import load, paths, sources, store
from dashboard.extract import plain_text, propose, review
from dashboard.schema import DataError, validate_feature

ARTICLE = (paths.ROOT / "tests" / "data" / "articles" / "vilnius_lublin.txt").read_text()
PUB = dt.date(2025, 11, 6)


@pytest.fixture
def data(tmp_path):
    shutil.copy(paths.INCIDENTS, tmp_path / "incidents.geojson")
    return tmp_path / "incidents.geojson"


def _review(data, registry=None):
    text = plain_text(ARTICLE)
    article = review.article_source(text, PUB, "as given", registry or {}, publisher="Wire")
    held = load.read_incidents(data)
    drafts = review.make_drafts(propose(text, PUB), held, article.source.document,
                                set(held["id"]))
    return article, drafts


def test_drafts_are_valid_new_incidents_citing_the_article(data):
    article, drafts = _review(data)
    assert [d.duplicate_of for d in drafts] == [None, None, "pl-incursion-2025-09-10"]
    held = set(load.read_incidents(data)["id"])
    assert len({d.id for d in drafts}) == 3 and not {d.id for d in drafts} & held
    for d in drafts:
        assert validate_feature(d.feature) == []
        cites = d.feature["properties"]["sources"]
        assert {c["document"] for c in cites} == {article.source.document}
        assert all(c["quote"] in ARTICLE for c in cites)


def test_the_title_is_the_first_line_when_none_is_given():
    article = review.article_source("Drones over Riga\n\nMore text.", PUB, "as given", {})
    assert article.source.title == "Drones over Riga"
    assert "first line" in article.source.note
    assert article.source.document == "article-2025-11-06-drones-over-riga"
    again = review.article_source("Drones over Riga\n\nMore.", PUB, "as given",
                                  {article.source.document: article.source})
    assert again.source.document == "article-2025-11-06-drones-over-riga-2"
    with pytest.raises(DataError, match="the article is empty"):
        review.article_source("  \n ", PUB, "as given", {})
    with pytest.raises(DataError, match="is not an http"):
        review.article_source("T", PUB, "as given", {}, url="ftp://x")


def test_save_writes_the_accepted_drafts_as_one_change_and_registers_the_article(data):
    article, drafts = _review(data)
    drafts[0].decision, drafts[1].decision = review.ACCEPT, review.REJECT
    drafts[2].decision = review.ACCEPT  # held already: never saved again
    before = len(store.history(data))
    saved = review.save(data, drafts, article, "checked against the wire")
    assert len(saved.features) == 41 and saved.feature(drafts[0].id) is not None
    assert saved.feature(drafts[1].id) is None
    entries = store.history(data)
    assert len(entries) == before + 1
    assert (entries[-1].action, entries[-1].ids, entries[-1].source, entries[-1].note) == (
        "import", (drafts[0].id,), article.source.document, "checked against the wire")
    registry = sources.read(sources.path_for(data))
    assert registry[article.source.document].publisher == "Wire"
    assert registry[article.source.document].published == "2025-11-06"


def test_an_edit_that_does_not_validate_leaves_the_draft_as_it_was(data):
    _, drafts = _review(data)
    bad = json.loads(json.dumps(drafts[1].feature))
    bad["properties"]["sources"][0]["quote"] = ""
    assert review.replace_feature(drafts[1], bad)
    assert drafts[1].decision is None and not drafts[1].edited
    good = json.loads(json.dumps(drafts[1].feature))
    good["properties"]["place"] = "Lublin Voivodeship (sites not named)"
    assert review.replace_feature(drafts[1], good) == []
    assert drafts[1].decision == review.ACCEPT and drafts[1].edited


def test_nothing_accepted_or_saved_twice_is_refused_and_nothing_is_lost(data):
    article, drafts = _review(data)
    with pytest.raises(DataError, match="no proposal is accepted"):
        review.save(data, drafts, article)
    drafts[0].decision = review.ACCEPT
    review.save(data, drafts, article)
    kept = data.read_bytes()
    with pytest.raises(DataError, match="exist already"):
        review.save(data, drafts, article)  # the same review saved again (a second window)
    assert data.read_bytes() == kept
