"""Phrase tables the extractor reads: incident-type triggers, platform words, number words
and background cues. Data, not logic: add a phrase here, not an ``if`` elsewhere.

Phrases are matched case-insensitively on accent-folded text at word boundaries. In a
phrase, ``*`` stands for one word (``entered * airspace``) and ``?`` after a word makes an
``s``/``ed``/``d`` ending optional is not supported: list each form you mean.
"""

from __future__ import annotations

import re
from functools import cache

#: Phrases that signal each incident type (schema ``INCIDENT_TYPES``).
TRIGGERS: dict[str, tuple[str, ...]] = {
    "airport_closure": (
        "airport was closed", "airport was shut", "airports were closed", "airports were shut",
        "airport closed", "airports closed", "closed the airport", "shut the airport",
        "closed its airspace", "closed airspace", "airspace was closed", "airspace closure",
        "suspended flights", "suspended air traffic", "flights were suspended",
        "flights suspended", "halted flights", "flights were halted", "grounded flights",
        "flights were diverted", "diverted flights", "suspended operations",
        "temporarily closed", "temporarily shut", "temporarily halted", "closure of the airport",
        "airport closure", "airport closures", "air traffic was halted", "shut down the airport",
        "restricted airspace", "were forced to close", "was forced to close",
    ),
    "airspace_incursion": (
        "violated airspace", "violated * airspace", "violated its airspace", "violation of airspace",
        "airspace violation", "airspace violations", "entered * airspace", "entered its airspace",
        "entered the airspace", "entered airspace", "crossed into", "crossed the border",
        "incursion", "incursions", "intrusion", "intrusions", "breached * airspace",
        "breach * airspace", "drones were spotted over", "drone was spotted over",
        "were spotted over", "was spotted over", "were sighted over", "was sighted over",
        "sightings", "sighting", "flew over", "flew into", "flying over", "hovered over",
        "drifted into", "drifted across", "into * airspace", "into the airspace",
        "over * territory", "strayed into", "spotted near", "spotted above", "observed over",
    ),
    "interception": (
        "shot down", "shoot down", "shooting down", "intercepted", "intercept", "interception",
        "scrambled", "downed", "destroyed", "neutralised", "neutralized", "repelled",
        "air defenses destroyed", "air defences destroyed", "escorted", "were scrambled",
    ),
    "strike": (
        "struck", "hit", "attack on", "attacked", "strike on", "strikes on", "attacks on",
        "damaged", "explosion", "exploded", "impact", "was struck", "were struck",
        "targeted", "targeting", "shelled", "shelling", "bombed", "bombing",
    ),
    "crash_debris": (
        "debris", "wreckage", "crashed", "crash", "fragments", "remains of", "fell on",
        "fell in", "fell near", "was found", "were found", "crash-landed", "crash site",
    ),
}

#: A sentence must name a platform (or, for a closure, an airport or airspace) to propose
#: anything: "attack on Poland's sovereignty" is not an incident. Word -> platform.
PLATFORM_WORDS: dict[str, str] = {
    "drone": "drone", "drones": "drone", "uav": "drone", "uavs": "drone", "shahed": "drone",
    "shaheds": "drone", "geran": "drone", "gerans": "drone", "gerbera": "drone",
    "gerberas": "drone", "quadcopter": "drone", "quadcopters": "drone",
    "unmanned": "drone",
    "balloon": "balloon", "balloons": "balloon",
    "missile": "missile", "missiles": "missile", "cruise missile": "missile",
    "rocket": "missile", "rockets": "missile",
    "artillery": "artillery", "shell": "artillery", "shells": "artillery",
    "aircraft": "aircraft", "jet": "aircraft", "jets": "aircraft", "fighter": "aircraft",
    "fighters": "aircraft", "warplane": "aircraft", "warplanes": "aircraft",
    "plane": "aircraft", "planes": "aircraft", "helicopter": "aircraft",
    "helicopters": "aircraft", "mig-31": "aircraft", "mig-31s": "aircraft",
    "su-24": "aircraft", "su-27": "aircraft", "su-30": "aircraft", "su-35": "aircraft",
    "il-20": "aircraft", "bomber": "aircraft", "bombers": "aircraft",
}
#: Which platform wins when a sentence names several: the interceptors (aircraft) are
#: usually not the incident's platform, so they come last.
PLATFORM_ORDER: tuple[str, ...] = ("balloon", "drone", "missile", "artillery", "aircraft")
#: Words after a number that make it a count of a field. Aircraft types (``MiG-31s``)
#: count as aircraft.
COUNT_NOUNS: dict[str, tuple[str, ...]] = {
    "drones": ("drone", "drones", "uav", "uavs", "shahed", "shaheds", "geran", "gerans",
               "gerberas", "quadcopters", "balloons", "balloon"),
    "aircraft": ("aircraft", "jets", "jet", "fighters", "fighter", "warplanes", "planes",
                 "helicopters", "bombers", "mig-31s", "mig-31", "su-30s", "su-35s", "su-27s"),
    "missiles": ("missile", "missiles", "rockets"),
    "killed": ("killed", "dead", "died"),
    "injured": ("injured", "wounded", "hurt"),
}
#: Number words (cardinal), for counts.
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "a single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a dozen": 12,
    "dozen": 12, "a pair of": 2, "a couple of": 2, "hundred": 100,
}
#: Words between a number and its noun that end the search (``300 kilometres into``).
COUNT_GAP_STOPS: frozenset[str] = frozenset({
    "of", "and", "in", "into", "km", "kilometres", "kilometers", "miles", "minutes", "hours",
    "metres", "meters", "days", "years", "times", "percent", "per", "from", "to", "were",
    "was", "had", "have", "with", "on", "after", "before", "at", "over", "by",
})
#: Phrases that mark a mention of an earlier event (background, not news).
#: (A date well before publication also makes a mention background; see ``propose``.)
BACKGROUND_CUES: tuple[str, ...] = (
    "last month",
    "last year", "earlier this year", "previously", "in the past", "a year ago",
    "months ago", "weeks ago", "had been", "back in", "since then", "what began",
)
#: What else a sentence must say for a type to count: a platform word (``PLATFORM_WORDS``)
#: for every type but a closure, which needs an airport, airspace or flights instead.
CONTEXT: dict[str, tuple[str, ...]] = {
    "airport_closure": ("airport", "airports", "airspace", "flights", "air traffic", "runway"),
}
#: Words after a demonym that make it a place ("Polish airspace"), not an origin or actor.
DEMONYM_PLACES: tuple[str, ...] = ("airspace", "territory", "soil", "skies", "waters", "border",
                                   "side of the border", "village", "villages", "town", "towns",
                                   "city", "cities", "airport", "airports", "air base",
                                   "air bases", "base", "bases", "military", "countryside",
                                   "field", "forest", "farm", "coast", "island", "islands",
                                   "port", "ports", "regions", "region", "installations",
                                   "facilities", "sites")
#: A country name or demonym right after these words is where something came from, not
#: where it happened ("balloons from Belarus", "launched from Russia").
ORIGIN_LEADS: tuple[str, ...] = ("from", "launched from", "back into", "returned to",
                                 "turned back into", "flew back to", "coming from")


def _phrase_pattern(phrase: str) -> str:
    words = [r"[\w'-]+" if w == "*" else re.escape(w) for w in phrase.split()]
    return r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])"


@cache
def compiled(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a tuple of phrases, longest first (so the longest phrase wins)."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile("|".join(f"(?:{_phrase_pattern(p)})" for p in ordered))


def find_types(folded: str) -> dict[str, re.Match[str]]:
    """Incident type -> first trigger match in an accent-folded, lower-case sentence."""
    found: dict[str, re.Match[str]] = {}
    for kind, phrases in TRIGGERS.items():
        if m := compiled(phrases).search(folded):
            found[kind] = m
    return found


def find_platform(folded: str) -> str | None:
    """The sentence's platform by ``PLATFORM_ORDER``, or None when it names none."""
    named = {PLATFORM_WORDS[m.group(0)] for m in compiled(tuple(PLATFORM_WORDS)).finditer(folded)}
    return next((p for p in PLATFORM_ORDER if p in named), None)
#: Lines a web page adds around an article (links to other stories): never an incident.
BOILERPLATE_LEADS: tuple[str, ...] = ("also read", "read more", "read also", "related",
                                      "see also", "recommended", "editor's pick", "more on",
                                      "watch", "listen", "subscribe", "advertisement",
                                      "sign up", "top stories", "most read", "trending")
#: Words just before a place that make it part of a person's name ("President Vladimir Putin").
TITLES: tuple[str, ...] = ("president", "governor", "minister", "mayor", "general", "gen.",
                           "spokesperson", "spokesman", "spokeswoman", "mr", "mr.", "ms",
                           "ms.", "sen.", "senator", "ambassador", "commander", "chief")
#: Words that, just before a trigger, deny it ("no drones entered", "did not violate").
NEGATIONS: tuple[str, ...] = ("no", "not", "never", "denied", "denies", "deny", "without",
                              "didn't", "did not", "neither", "nor", "rather than")
#: How many words before a trigger a negation still denies it.
NEGATION_WORDS = 4
#: Words that, shortly before a trigger, make it something that might happen, not something
#: that did ("a request to intercept missiles", "could shoot down", "threatened to strike").
HYPOTHETICALS: tuple[str, ...] = ("could", "would", "might", "should", "potential",
                                  "possible", "request to", "proposal to", "plans to",
                                  "plan to", "threatened to", "threatens to", "ready to",
                                  "prepared to", "in case of", "if", "whether to", "willing to",
                                  "consider", "considering", "option of", "able to")
#: How many words before a trigger a hypothetical cue still governs it.
HYPOTHETICAL_WORDS = 6
#: Phrases that withdraw a whole sentence ("it was a false alarm").
RETRACTIONS: tuple[str, ...] = ("false alarm", "turned out to be birds", "no evidence of",
                                "denied that", "no violation")
#: What may stand between two places for them to be one list ("Belgorod region, two over
#: Voronezh, and another two over Rostov"; "Cherkasy, Chernihiv and Kyiv"): a region word,
#: separators, a count (``{num}``), "another", a preposition and an article; nothing else.
LIST_GAP = (r"(?:\s+(?:region|regions|oblast|oblasts|province|county|voivodeship))?"
            r"\s*(?:,|;|\band\b|\bas well as\b)\s*(?:and\s+)?(?:another\s+|a further\s+)?"
            r"(?:{num}\s+)?(?:(?:over|in|near|above|across|at|on)\s+)?(?:the\s+)?")
#: A count standing for the list's noun just before a listed place ("two over Voronezh").
LIST_COUNT = r"(?:another\s+|a further\s+)?(?P<n>{num})\s+(?:over|in|near|above|across|at|on)\s+(?:the\s+)?$"
#: Where one clause of a sentence ends and the next begins (", and debris fell ..."); not
#: where the words between two places are a list's (", and another two over Rostov").
CLAUSE_BREAK = r"(?:,|;)\s+(?:and|but|while|whereas|although|though|as|after|when)\s+|;\s+"
