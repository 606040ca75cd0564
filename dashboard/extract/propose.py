"""Draft incidents from an article's text: ``propose``, ``to_feature`` and ``duplicates``.

``propose`` reads sentence by sentence: a trigger phrase (``triggers.TRIGGERS``) gives the
type, a platform word must be present (``triggers.CONTEXT`` for closures), the gazetteer
gives the place, ``when`` the date and times, and numbers before platform nouns the counts.
Quotes are exact substrings of the text given (for HTML, pass ``plain_text(raw)``: quotes
are then exact substrings of that extracted plain text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..schema import MAX_QUOTE_WORDS, TYPE_LABELS
from . import places, triggers, when
from .gazetteer import Gazetteer, Mention, default
from .text import fold, quote_span, sentences

#: Distance (km) within which two points are the same place, by the coarser precision.
MATCH_KM: dict[str, float] = {"exact": 10.0, "city": 30.0, "region": 150.0}
_COARSENESS = ("exact", "city", "region", "country")
#: Days before publication after which a mention counts as background.
BACKGROUND_DAYS = 14


@dataclass
class Proposal:
    """One draft incident found in an article (fields as in the incident schema)."""

    type: str
    date: str
    end_date: str | None
    date_precision: str
    country: str
    place: str
    point: tuple[float, float]
    location_precision: str
    platform: str
    quote: str
    confidence: str
    background: bool
    notes: str
    region: str | None = None
    icao: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    drones: int | None = None
    aircraft: int | None = None
    missiles: int | None = None
    killed: int | None = None
    injured: int | None = None
    quotes: list[str] = field(default_factory=list)
    source_title: str | None = None
    publisher: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The proposal as JSON-ready values (``point`` as ``[lon, lat]``)."""
        out = asdict(self)
        out["point"] = list(self.point)
        return out


# --------------------------------------------------------------------------- sentences

_BOILERPLATE = re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in triggers.BOILERPLATE_LEADS)
                          + r")\b\s*[:|»>-]")


def headline(sentence: str) -> bool:
    """A title line: no closing punctuation and most longer words capitalised ("Russia's
    Expanding Drone and Airspace Violations Across NATO")."""
    line = sentence.strip()
    if not line or line[-1] in ".!?\"”’)…:;":
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) >= 4]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _cue_before(folded: str, trigger: re.Match[str], cues: tuple[str, ...], words: int) -> bool:
    """One of ``cues`` within ``words`` words before the trigger."""
    alternatives = "|".join(re.escape(w) for w in cues)
    return bool(re.search(rf"\b(?:{alternatives})\b(?:\s+\S+){{0,{words - 1}}}\s*$",
                          folded[:trigger.start()]))


def _negated(folded: str, trigger: re.Match[str]) -> bool:
    """A denial ("no drones entered") or a mere possibility ("could shoot down") before the
    trigger: nothing happened that the sentence reports."""
    return (_cue_before(folded, trigger, triggers.NEGATIONS, triggers.NEGATION_WORDS)
            or _cue_before(folded, trigger, triggers.HYPOTHETICALS, triggers.HYPOTHETICAL_WORDS))


# --------------------------------------------------------------------------- propose

def _confidence(explicit: bool, precision: str, date_precision: str) -> str:
    score = explicit + (precision in ("exact", "city")) + (date_precision == "day")
    return ("low", "low", "medium", "high")[score]


def _overlap(a0: str, a1: str | None, b0: str, b1: str | None) -> bool:
    return a0 <= (b1 or b0) and b0 <= (a1 or a0)


def _merge(props: list[Proposal]) -> list[Proposal]:
    """One event mentioned twice -> one proposal with both quotes."""
    out: list[Proposal] = []
    for p in props:
        twin = next((q for q in out if q.type == p.type and q.country == p.country
                     and (q.icao == p.icao if q.icao or p.icao else q.place == p.place)
                     and _overlap(q.date, q.end_date, p.date, p.end_date)), None)
        if twin is None:
            out.append(p)
            continue
        if p.quote not in twin.quotes:
            twin.quotes.append(p.quote)
        for name in ("drones", "aircraft", "missiles", "killed", "injured",
                     "start_time", "end_time"):
            if getattr(twin, name) is None and getattr(p, name) is not None:
                setattr(twin, name, getattr(p, name))
        if twin.end_date and not p.end_date and twin.date <= p.date <= twin.end_date:
            twin.date, twin.end_date, twin.date_precision = p.date, None, p.date_precision
        twin.background = twin.background and p.background
        twin.notes += f"; mentioned again: {p.notes}"
    return out


def propose(text: str, published: dt.date, *, source_title: str | None = None,
            publisher: str | None = None, url: str | None = None,
            gazetteer: Gazetteer | None = None) -> list[Proposal]:
    """Draft incidents found in an article's plain text, published on ``published``.

    Each proposal's ``quote`` (and every entry of ``quotes``) is an exact substring of
    ``text``, at most 30 words; ``notes`` says how its date, place and counts were read.
    """
    gaz = gazetteer or default()
    found: list[Proposal] = []
    previous: when.When | None = None
    last_places: list[tuple[Mention, str]] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        if headline(sentence) or _BOILERPLATE.match(fold(sentence)):
            continue  # "Drones Close Vilnius Airport" (the story says it again), "Also Read: ..."
        folded = fold(sentence)
        resolved = when.resolve(sentence, published, previous)
        if resolved.explicit:
            previous = resolved
        usable = places.usable(gaz.find(sentence), folded)
        kinds = triggers.find_types(folded)
        platform = triggers.find_platform(folded)
        place_note = ""
        if not usable and kinds and last_places:
            usable = last_places
            place_note = " (place carried over from an earlier sentence)"
        if usable:
            last_places = usable
        if triggers.compiled(triggers.RETRACTIONS).search(folded):
            continue  # "it was a false alarm": nothing happened
        for kind, trigger in kinds.items():
            if _negated(folded, trigger):
                continue
            context = triggers.CONTEXT.get(kind)
            if context and not triggers.compiled(context).search(folded):
                continue
            if not context and platform is None:
                continue
            here = places.in_clause(usable, folded, trigger.start()) if usable else None
            if here is None or here:
                chosen = places.chosen(here or usable, kind, folded)
            else:
                chosen = (places.country_of(gaz, usable) if len(usable) > 1
                          else places.chosen(usable, kind, folded))
            listed = len(chosen) > 1 and kind != "airport_closure"
            shares = places.list_counts(folded, chosen) if listed else None
            for i, (mention, how) in enumerate(chosen):
                found.append(_proposal(kind, gaz, text, (start, end), sentence, folded, trigger,
                                       resolved, mention, how + place_note, platform, published,
                                       shares[i] if shares else None))
    for p in found:
        p.source_title, p.publisher, p.url = source_title, publisher, url
    # The map covers the eastern flank and its context: "Russian personnel in Yemen" is not
    # an incident for it.
    return [p for p in _merge(found) if not gaz.in_scope or p.country in gaz.in_scope]


def _proposal(kind: str, gaz: Gazetteer, text: str, span: tuple[int, int], sentence: str,
              folded: str, trigger: re.Match[str], resolved: when.When, mention: Mention,
              how: str, platform: str | None, published: dt.date,
              share: tuple[dict[str, int], list[str]] | None = None) -> Proposal:
    place = mention.place
    notes = [f"type {kind} from '{trigger.group(0)}'", resolved.note, how]
    icao, precision, point, name = place.icao, place.precision, place.point, place.name
    if kind == "airport_closure" and place.kind == "city":
        airport = places.airport_for(gaz, place)
        if airport is not None:
            icao, point = airport.icao, airport.point
            notes.append(f"the airport is not named; {airport.name} ({airport.icao}), the "
                         f"city's main airport, assumed")
        else:
            precision = "region"
            notes.append("no airport found for the city: location given as region-level")
    if place.kind == "country":
        notes.append(f"located only to country level, at the capital of {place.name}")
    elif place.kind == "region":
        notes.append("placed at a point inside the region")
    values, count_notes = share if share is not None else places.counts(folded)
    notes += count_notes
    day = resolved.date
    start_time, end_time, zone_note = when.times(sentence, day, place.country)
    if zone_note:
        notes.append(zone_note)
    if resolved.part_of_day:
        notes.append(f"time of day: {resolved.part_of_day}")
    background = ((resolved.end or resolved.date) < published - dt.timedelta(days=BACKGROUND_DAYS)
                  or bool(triggers.compiled(triggers.BACKGROUND_CUES).search(folded)))
    if background:
        notes.append("a mention of an earlier event (background)")
    focus = mention.start if share is not None else trigger.start()  # a listed place: its own words
    q0, q1 = quote_span(text, span, span[0] + focus, MAX_QUOTE_WORDS)
    quote = text[q0:q1]
    date_precision = resolved.precision
    end_date = resolved.end.isoformat() if resolved.end else None
    if date_precision == "range" and end_date is None:
        date_precision = "approx"
    return Proposal(
        type=kind, date=resolved.date.isoformat(), end_date=end_date,
        date_precision=date_precision, country=place.country, place=name, point=point,
        location_precision=precision, platform=platform or "unknown", quote=quote,
        quotes=[quote], confidence=_confidence(resolved.explicit, precision, date_precision),
        background=background, notes="; ".join(n for n in notes if n),
        region=place.region if place.kind == "region" else None, icao=icao,
        start_time=start_time, end_time=end_time, **values)


# --------------------------------------------------------------------------- output

def to_feature(p: Proposal, id: str) -> dict[str, Any]:
    """A GeoJSON Feature for a proposal, in the incident schema (``schema.validate_feature``)."""
    bits = [f"{n} {name}" for name in ("drones", "aircraft", "missiles", "killed", "injured")
            if (n := getattr(p, name)) is not None]
    summary = (f"{TYPE_LABELS[p.type]}: {p.place} ({p.country})"
               + (f", {', '.join(bits)}" if bits else "") + ". Draft from an article.")
    document = p.source_title or p.url or "article"
    sources = [{"document": document, "quote": q, "publisher": p.publisher, "url": p.url}
               for q in (p.quotes or [p.quote])]
    props: dict[str, Any] = {
        "id": id, "type": p.type, "date": p.date, "end_date": p.end_date,
        "date_precision": p.date_precision, "country": p.country, "region": p.region,
        "place": p.place, "location_precision": p.location_precision, "platform": p.platform,
        "icao": p.icao, "drones": p.drones, "aircraft": p.aircraft, "missiles": p.missiles,
        "killed": p.killed, "injured": p.injured, "summary": summary, "sources": sources,
        "confidence": p.confidence, "related_ids": [], "notes": p.notes or None,
    }
    if p.start_time:
        props["start_time"] = p.start_time
    if p.end_time:
        props["end_time"] = p.end_time
    return {"type": "Feature", "id": id,
            "geometry": {"type": "Point", "coordinates": [p.point[0], p.point[1]]},
            "properties": props}


# --------------------------------------------------------------------------- matching

def same_incident(p: Proposal, rec: dict[str, Any]) -> bool:
    """Same type, overlapping dates, and the same ICAO or a point close enough for the
    coarser of the two location precisions (country level: the same country)."""
    if p.type != rec["type"] or not _overlap(p.date, p.end_date, rec["date"], rec.get("end_date")):
        return False
    if p.icao and p.icao == rec.get("icao"):
        return True
    coarser = max(p.location_precision, rec.get("location_precision") or "exact",
                  key=_COARSENESS.index)
    if coarser == "country":
        return p.country == rec.get("country")
    point = rec.get("point")
    return point is not None and places.km(p.point, point) <= MATCH_KM[coarser]


def records(frame: Any) -> list[dict[str, Any]]:
    """Incident rows of a (Geo)DataFrame as plain dicts with ISO dates and a (lon, lat) point."""
    out = []
    for _, row in frame.iterrows():
        geom = row.get("geometry")
        point = None
        if geom is not None and not getattr(geom, "is_empty", True):
            rp = geom if geom.geom_type == "Point" else geom.representative_point()
            point = (rp.x, rp.y)

        def iso(v: Any) -> str | None:
            if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("NaT", "None"):
                return None
            return str(v)[:10]
        icao = row.get("icao")
        out.append({"id": row.get("id"), "type": row.get("type"), "date": iso(row.get("date")),
                    "end_date": iso(row.get("end_date")),
                    "icao": icao if isinstance(icao, str) else None,
                    "country": row.get("country"),
                    "location_precision": row.get("location_precision"), "point": point})
    return [r for r in out if r["date"]]


def duplicates(proposals: Sequence[Proposal], incidents_frame: Any) -> dict[int, str]:
    """Proposal index -> id of an incident already in the data that is the same event."""
    recs = records(incidents_frame)
    out: dict[int, str] = {}
    for i, p in enumerate(proposals):
        if hit := next((r for r in recs if same_incident(p, r)), None):
            out[i] = str(hit["id"])
    return out
