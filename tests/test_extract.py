"""dashboard.extract: draft incidents from synthetic article text (never the shared sources)."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

from dashboard import schema
from dashboard.extract import duplicates, plain_text, propose, to_feature, triggers
from dashboard.extract.gazetteer import default
from dashboard.extract.text import sentences

PUB = dt.date(2025, 11, 6)   # a Thursday

#: (article, published, expected fields of the first proposal of the given type)
CASES = [
    ("Vilnius Airport suspended flights from 21:10 to 23:45 on Sunday after balloons were seen.",
     PUB, "airport_closure",
     {"date": "2025-11-02", "country": "LT", "icao": "EYVI", "location_precision": "exact",
      "start_time": "2025-11-02T19:10:00Z", "end_time": "2025-11-02T21:45:00Z",
      "platform": "balloon", "background": False}),
    ("Polish F-16s shot down three drones over the Lublin region on Tuesday.", PUB,
     "interception", {"date": "2025-11-04", "country": "PL", "location_precision": "region",
                      "drones": 3, "platform": "drone"}),
    ("Farmers found debris of a drone in a field near Rzeszów on 3 November.", PUB,
     "crash_debris", {"date": "2025-11-03", "country": "PL", "location_precision": "city",
                      "place": "Rzeszow"}),
    ("Dozens of balloons from Belarus drifted into Lithuanian airspace last week.", PUB,
     "airspace_incursion", {"date": "2025-10-27", "end_date": "2025-11-02", "country": "LT",
                            "location_precision": "country", "platform": "balloon"}),
    ("Three Russian MiG-31 jets entered Estonian airspace on 19 September for 12 minutes.",
     dt.date(2025, 9, 20), "airspace_incursion",
     {"date": "2025-09-19", "country": "EE", "aircraft": 3, "platform": "aircraft",
      "location_precision": "country"}),
    ("In September, Copenhagen Airport was closed for four hours after drones were spotted.",
     PUB, "airport_closure", {"date": "2025-09-01", "end_date": "2025-09-30", "icao": "EKCH",
                              "background": True, "country": "DK"}),
    ("At least 19 drones crossed into Poland on 10 September 2025.", dt.date(2025, 9, 12),
     "airspace_incursion", {"date": "2025-09-10", "drones": 19, "country": "PL"}),
    ("Two or three large drones were spotted over the air base in Kaunas on Monday evening.",
     PUB, "airspace_incursion", {"date": "2025-11-03", "drones": 2, "country": "LT"}),
    ("<html><body><h1>News</h1><p>Gen. Smith said drones were spotted over Riga Airport "
     "on the evening of 4 November.</p><script>var x=1;</script></body></html>", PUB,
     "airspace_incursion", {"date": "2025-11-04", "country": "LV", "icao": "EVRA"}),
    ("A drone crashed in Galati county. Romania said debris was found just days later near "
     "the Danube on 2 October.", dt.date(2025, 10, 5), "crash_debris",
     {"country": "RO"}),
]


def _run(article: str, published: dt.date) -> tuple[str, list]:
    text = plain_text(article)
    return text, propose(text, published, source_title="Synthetic article")


@pytest.mark.parametrize(("article", "published", "kind", "expected"), CASES)
def test_propose_fields(article, published, kind, expected):
    _, found = _run(article, published)
    hit = next((p for p in found if p.type == kind), None)
    assert hit is not None, [p.type for p in found]
    for name, value in expected.items():
        assert getattr(hit, name) == value, (name, hit)


@pytest.mark.parametrize(("article", "published", "kind", "expected"), CASES)
def test_every_quote_is_an_exact_substring(article, published, kind, expected):
    text, found = _run(article, published)
    assert found
    for p in found:
        assert p.quote == p.quotes[0]
        for q in p.quotes:
            assert q in text and len(q.split()) <= schema.MAX_QUOTE_WORDS
        assert p.notes


@pytest.mark.parametrize(("article", "published", "kind", "expected"), CASES)
def test_to_feature_validates(article, published, kind, expected):
    _, found = _run(article, published)
    for i, p in enumerate(found):
        assert schema.validate_feature(to_feature(p, f"draft-{i}")) == []


def test_long_sentence_quote_is_trimmed_at_word_boundaries():
    filler = " ".join(["word"] * 40)
    text = f"Officials said {filler} that drones were spotted over Tallinn Airport on Monday."
    (p,) = [p for p in propose(text, PUB) if p.type == "airspace_incursion"]
    assert p.quote in text and len(p.quote.split()) == 30 and "spotted" in p.quote


def test_one_event_mentioned_twice_is_one_proposal_with_both_quotes():
    text = ("Vilnius Airport was closed on Sunday after balloons were seen. "
            "Officials said the airport closed for two hours on Sunday because of the balloons, "
            "Vilnius Airport added.")
    closures = [p for p in propose(text, PUB) if p.type == "airport_closure"]
    assert len(closures) == 1 and len(closures[0].quotes) == 2


def test_no_platform_no_proposal():
    assert propose("Tusk said the attack on Poland's sovereignty was deliberate.", PUB) == []


@pytest.mark.parametrize(("text", "n"), [
    ("Gen. Smith arrived. The U.S. Army agreed.", 2),
    ("It rose 1.5 percent. Then it fell.", 2),
    ("Title line\nFirst sentence here. Second one.", 3),
])
def test_sentences(text, n):
    assert len(sentences(text)) == n


@pytest.mark.parametrize(("phrase", "kind"), [
    ("the airport was closed", "airport_closure"), ("suspended flights", "airport_closure"),
    ("entered polish airspace", "airspace_incursion"), ("shot down", "interception"),
    ("scrambled", "interception"), ("struck", "strike"), ("wreckage", "crash_debris"),
])
def test_trigger_table(phrase, kind):
    assert kind in triggers.find_types(phrase)


@pytest.mark.parametrize(("text", "name", "kind"), [
    ("Copenhagen Airport", "Copenhagen Kastrup Airport", "airport"),
    ("Copenhagen", "Copenhagen", "city"), ("w Rzeszowie", "Rzeszow", "city"),
    ("the Kursk region", "Kursk", "region"), ("lodz", "Łódź", "city"),
])
def test_gazetteer_longest_folded_match(text, name, kind):
    (m,) = default().find(text)
    assert (m.place.name, m.place.kind) == (name, kind)


def test_duplicates_by_icao_and_distance():
    found = propose("Vilnius Airport suspended flights on Sunday after balloons were seen. "
                    "Polish F-16s shot down three drones over the Lublin region on Tuesday.", PUB)
    frame = gpd.GeoDataFrame({
        "id": ["lt-closure", "pl-intercept", "pl-other"],
        "type": ["airport_closure", "interception", "interception"],
        "date": ["2025-11-02", "2025-11-04", "2025-10-01"], "end_date": [None, None, None],
        "icao": ["EYVI", None, None], "country": ["LT", "PL", "PL"],
        "location_precision": ["exact", "city", "city"]},
        geometry=[Point(25.28, 54.63), Point(22.57, 51.25), Point(22.57, 51.25)], crs=4326)
    dup = duplicates(found, frame)
    kinds = {found[i].type: rid for i, rid in dup.items()}
    assert kinds == {"airport_closure": "lt-closure", "interception": "pl-intercept"}


@pytest.mark.parametrize(("args", "message"), [
    (["extract", "/nonexistent/article.txt", "--published", "2025-10-07"], "file not found"),
    (["extract", "ARTICLE", "--published", "2025-13-07"], "is not a valid ISO date"),
])
def test_the_extract_command_names_bad_input(args, message, tmp_path, capsys):
    from dashboard import cli
    article = tmp_path / "a.txt"
    article.write_text("Polish F-16s shot down three drones over Lublin on Tuesday.\n")
    code = cli.main([str(article) if a == "ARTICLE" else a for a in args])
    assert code != 0 and message in capsys.readouterr().err


@pytest.mark.parametrize(("text", "raw", "expected"), [
    ("Published 4 November 2025\nDrones were seen over Rzeszów.", None, "2025-11-04"),
    ("By A. Writer. Updated: Tuesday, Nov. 4, 2025 10:00 CET\nJets were scrambled.", None,
     "2025-11-04"),
    ("As of October 6, 2025, Russia has sent drones into four NATO states.", None, "2025-10-06"),
    ("WARSAW, 4 Nov 2025 (Wire) - Polish jets were scrambled overnight.", None, "2025-11-04"),
    ("News", '<meta content="2025-11-03T08:00:00+00:00" property="article:published_time">',
     "2025-11-03"),
    ("News", '<script type="application/ld+json">{"datePublished": "2025-11-02T07:00"}</script>',
     "2025-11-02"),
    ("News", '<p>Posted <time datetime="2025-11-01T09:30">Saturday</time></p>', "2025-11-01"),
])
def test_the_publication_date_is_read_from_the_article(text, raw, expected):
    from dashboard.extract.when import published_date
    found = published_date(text, raw)
    assert found is not None and found[0].isoformat() == expected and found[1]


@pytest.mark.parametrize("text", [
    "Drones were seen over Rzeszów on Tuesday.",
    "Drones were seen on Tuesday. " + "More words follow here. " * 20 + "On 3 October 2025 "
    "Vilnius Airport closed.",  # a date deep in the prose is an event's, not the article's
])
def test_no_publication_date_when_the_text_gives_none(text):
    from dashboard.extract.when import published_date
    assert published_date(text) is None


def test_the_extract_command_reads_the_publication_date_or_asks_for_it(tmp_path, capsys):
    from dashboard import cli
    dated = tmp_path / "dated.txt"
    dated.write_text("Published 6 November 2025\n\nPolish F-16s shot down three drones over "
                     "the Lublin region on Tuesday.\n")
    assert cli.main(["extract", str(dated), "--json"]) == 0
    out = capsys.readouterr()
    assert "publication date 2025-11-06" in out.err
    assert json.loads(out.out)[0]["date"] == "2025-11-04"
    undated = tmp_path / "undated.txt"
    undated.write_text("Polish F-16s shot down three drones over the Lublin region on Tuesday.\n")
    assert cli.main(["extract", str(undated)]) == 2
    assert "no publication date found in the text: give --published" in capsys.readouterr().err


def test_a_list_of_regions_is_one_proposal_per_region_with_its_share():
    text = ("Air defences destroyed four drones over the Pskov region, three over Novgorod, "
            "and another two over Tver on Tuesday, the ministry said.")
    found = propose(text, PUB)
    got = [(p.type, p.place, p.drones) for p in found]
    assert got == [("interception", "Pskov", 4), ("interception", "Novgorod", 3),
                   ("interception", "Tver", 2)], got
    for p in found:
        assert p.quote in text and p.place.split()[0].lower() in p.quote.lower()
        assert "one of 3 places listed" in p.notes


def test_a_list_without_figures_per_place_gives_no_counts():
    text = ("Strikes with 60 drones targeted the Lviv, Volyn and Rivne regions "
            "overnight on 3 November.")
    found = propose(text, PUB)
    assert [p.country for p in found] == ["UA", "UA", "UA"]
    assert len({p.place for p in found}) == 3
    assert all(p.drones is None and "no count given for this place" in p.notes
               for p in found[1:])


@pytest.mark.parametrize("text", [
    "No drones entered Latvian airspace on Tuesday, the army said.",
    "The ministry said Russian jets did not violate Estonian airspace on Monday.",
    "Lithuania said the drone sighting over Vilnius on Monday was a false alarm.",
    "Warsaw is weighing a request to intercept Russian missiles over western Ukraine.",
    "Officials said Romanian jets could shoot down drones over the Danube delta next week.",
])
def test_a_denied_or_hypothetical_event_is_not_proposed(text):
    assert propose(text, PUB) == []


def test_where_interceptors_came_from_is_not_where_it_happened():
    found = propose("Polish F-16s from Rzeszów shot down two drones over Lublin on Monday.", PUB)
    assert [(p.type, p.place, p.drones) for p in found] == [("interception", "Lublin", 2)]


def test_places_of_another_clause_are_not_where_the_debris_fell():
    text = ("Airports in Warsaw, Gdansk and Poznan were temporarily closed on Monday, and "
            "debris from downed drones fell near homes.")
    found = {(p.type, p.place, p.icao) for p in propose(text, PUB)}
    assert {("airport_closure", "Warsaw", "EPWA"), ("airport_closure", "Gdańsk", "EPGD"),
            ("crash_debris", "Poland", None)} <= found
    assert not any(kind == "crash_debris" and place != "Poland" for kind, place, _ in found)


def test_a_city_s_main_airport_is_its_largest_and_nearest():
    found = propose("Flights were suspended at the airport in Warsaw on Monday after drones "
                    "were seen.", PUB)
    assert [(p.type, p.icao) for p in found] == [("airport_closure", "EPWA")]


@pytest.mark.parametrize("text", [
    "Also Read: Russian drones breach Polish airspace on Tuesday",
    "Russian President Vladimir Putin said the missile struck its target on Monday.",
    "Russian advisers in Yemen helped the Houthis strike ships with drones on Monday.",
    "Leaders of the Baltic states condemned the drone incursions on Monday.",
])
def test_boilerplate_people_and_places_off_the_map_are_not_incidents(text):
    places = {(p.place, p.country) for p in propose(text, PUB)}
    assert not places & {("Poland", "PL"), ("Vladimir", "RU"), ("Yemen", "YE")}
    assert not any(place.startswith("B\u0103l") for place, _ in places)   # "Baltic" is not Bălți


def _pdf(path, lines):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    fig = plt.figure(figsize=(8.27, 11.69))
    for i, line in enumerate(lines):
        fig.text(0.05, 0.95 - i * 0.03, line, fontsize=10)
    fig.savefig(path, format="pdf")
    plt.close(fig)


def test_an_article_given_as_pdf_is_read_from_its_text_layer(tmp_path, capsys):
    from dashboard import cli
    from dashboard.extract.text import article_text
    article = tmp_path / "report.pdf"
    _pdf(article, ["Published 6 November 2025",
                   "Polish F-16s shot down three drones over the Lublin region on Tuesday."])
    text = article_text(article.read_bytes(), article.name)
    assert "Lublin region on Tuesday" in text
    assert cli.main(["extract", str(article), "--json"]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert (found["type"], found["date"], found["drones"]) == ("interception", "2025-11-04", 3)
    assert found["quote"] in plain_text(text)


def test_a_pdf_without_text_or_broken_is_named(tmp_path):
    from dashboard.extract.text import article_text
    from dashboard.schema import DataError
    _pdf(tmp_path / "empty.pdf", [])
    with pytest.raises(DataError, match="empty.pdf: the PDF has no text layer"):
        article_text((tmp_path / "empty.pdf").read_bytes(), "empty.pdf")
    with pytest.raises(DataError, match="broken.pdf: is not a readable PDF"):
        article_text(b"%PDF-1.7\n garbage", "broken.pdf")


def test_a_title_line_is_not_proposed_again_beside_its_story():
    text = ("Russian Drones Breach Latvian Airspace Again\n\n"
            "Two drones entered Latvian airspace near Rezekne on Tuesday, the army said.")
    found = propose(text, PUB)
    assert [p.quote for p in found] == ["Two drones entered Latvian airspace near Rezekne on "
                                        "Tuesday, the army said."]


def test_demonyms_listed_before_one_place_word_are_each_a_place():
    found = propose("Drones were spotted over Danish and German military sites on Tuesday.", PUB)
    assert sorted((p.type, p.country) for p in found) == [("airspace_incursion", "DE"),
                                                          ("airspace_incursion", "DK")]
