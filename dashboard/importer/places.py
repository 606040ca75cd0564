"""Countries: codes from names (``country_code``), names from codes, and ``CountryIndex``,
the point-in-country lookup against the map's country outlines.

The outlines are read once (``load.read_countries``) and only when a row needs a country
derived from its coordinates; that read is the only I/O of the package.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import numpy as np
import pycountry
import shapely

#: A point this close (degrees, ~5 km) outside every country outline takes the nearest
#: country: the outlines are simplified, so coastal and border towns can fall just outside.
NEAR_COUNTRY_DEG = 0.05

_COUNTRY_ALIASES: dict[str, str] = {
    "russia": "RU", "rossiya": "RU", "россия": "RU", "turkey": "TR", "turkiye": "TR",
    "kosovo": "XK", "xk": "XK", "xkx": "XK", "uk": "GB", "great britain": "GB",
    "britain": "GB", "england": "GB", "usa": "US", "united states": "US",
    "macedonia": "MK", "holland": "NL", "czech republic": "CZ", "cesko": "CZ",
    "polska": "PL", "lietuva": "LT", "latvija": "LV", "eesti": "EE", "suomi": "FI",
    "slovensko": "SK", "magyarorszag": "HU", "deutschland": "DE", "ukraina": "UA",
    "украина": "UA", "україна": "UA", "беларусь": "BY", "belorussia": "BY",
    "byelorussia": "BY", "moldavia": "MD", "bosnia": "BA", "vatican": "VA",
}


@functools.lru_cache(maxsize=512)
def country_code(name: str) -> str | None:
    """ISO alpha-2 code for a country name, alpha-2/alpha-3/numeric code or common variant."""
    text = name.strip()
    if not text:
        return None
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    folded = re.sub(r"\s+", " ", folded.replace(".", "")).strip()
    for key in (text.casefold(), folded, folded.removeprefix("the ")):
        if key in _COUNTRY_ALIASES:
            return _COUNTRY_ALIASES[key]
    for key in (text, folded.removeprefix("the ")):
        try:
            return pycountry.countries.lookup(key).alpha_2
        except LookupError:
            continue
    return None


#: An emoji flag: two regional indicator letters (🇧🇪 is B E), or a black flag followed by
#: tag letters (🏴 + "gbeng" for England), the form subdivision flags take.
_FLAG = re.compile("[\U0001F1E6-\U0001F1FF]{2}|\U0001F3F4[\U000E0061-\U000E007A]+\U000E007F?")


def flag_country(text: str) -> str | None:
    """The ISO alpha-2 code of the first emoji flag in ``text`` (🇧🇪 -> "BE"), or None.

    A regional indicator pair spells the code itself; a subdivision flag (England's)
    gives its country ("GB"). Pairs that are no country (🇪🇺, 🇺🇳) give None."""
    match = _FLAG.search(text)
    if match is None:
        return None
    flag = match.group()
    base = 0x1F1E6 if flag[0] != "\U0001F3F4" else 0xE0061
    code = "".join(chr(ord(ch) - base + ord("A")) for ch in flag.lstrip("\U0001F3F4")[:2])
    return code if code == "XK" or pycountry.countries.get(alpha_2=code) else None


def strip_flags(text: str) -> str:
    """``text`` without its emoji flags (and the spaces they leave): "Belgium 🇧🇪" -> "Belgium"."""
    return re.sub(r"\s{2,}", " ", _FLAG.sub("", text)).strip(" ,;") if _FLAG.search(text) else text


def country_name(code: str) -> str:
    """The common English name for an ISO alpha-2 code (the code itself when unknown)."""
    if code == "XK":
        return "Kosovo"
    record = pycountry.countries.get(alpha_2=code)
    return getattr(record, "common_name", None) or (record.name if record else code)


class CountryIndex:
    """Point-in-country lookup against the country outlines (``iso_a2``)."""

    def __init__(self, countries: Any):
        keep = countries["iso_a2"].astype(str).str.fullmatch(r"[A-Z]{2}")
        self.codes = countries.loc[keep, "iso_a2"].to_numpy(dtype=object)
        self.tree = shapely.STRtree(countries.loc[keep].geometry.to_numpy())

    def lookup(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Country code per point (None outside all) and whether it was the nearest match."""
        codes = np.full(len(xs), None, dtype=object)
        near = np.zeros(len(xs), dtype=bool)
        ok = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
        if not ok.size:
            return codes, near
        points = shapely.points(xs[ok], ys[ok])
        inputs, hits = self.tree.query(points, predicate="within")
        codes[ok[inputs[::-1]]] = self.codes[hits[::-1]]   # reversed: the first hit wins
        missing = np.array([i for i in range(ok.size) if codes[ok[i]] is None], dtype=int)
        if missing.size:
            inputs, hits = self.tree.query_nearest(points[missing], max_distance=NEAR_COUNTRY_DEG)
            codes[ok[missing[inputs[::-1]]]] = self.codes[hits[::-1]]
            near[ok[missing[inputs]]] = True
        return codes, near


@functools.lru_cache(maxsize=1)
def default_country_index() -> CountryIndex:
    """A ``CountryIndex`` of the map's own country outlines, read once."""
    from .. import load  # here, not at the top: load pulls in filters and geopandas I/O
    return CountryIndex(load.read_countries())
