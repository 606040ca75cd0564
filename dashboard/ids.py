"""Record ids: the one slug rule and the one next-free-id rule of the project.

An id is a lowercase ASCII slug such as ``pl-strike-2025-09-10``: accents are folded to
plain letters and every run of anything else becomes one hyphen. When an id is already
taken a number is appended (``-2``, ``-3`` ...). Whatever makes ids (the importer, the
edit form, the briefing packs) takes both rules from here, so they cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container


def slug(text: str) -> str:
    """Lowercase ASCII slug: letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def next_free_id(base: str, taken: Container[str], *, numbered: bool = False,
                 start: int | None = None) -> str:
    """``base`` if not in ``taken``, else ``base-2``, ``base-3`` ... (``numbered``: ``base-1`` first).

    The importer passes ``numbered=True`` for the ids it builds from a record's fields
    (``pl-strike-2025-09-10-1``); an id given by the source or typed by a user is kept as
    it is when free. ``taken`` is only read, never changed. ``start``: the first number to
    try, when the caller knows every lower one is taken (keeps many calls linear).
    """
    if not numbered and start is None and base not in taken:
        return base
    n = start if start is not None else 1 if numbered else 2
    while (candidate := f"{base}-{n}") in taken:
        n += 1
    return candidate


#: Brief-pack names are file stems: a lowercase slug of letters, digits, "-" and "_".
PACK_NAME_MAX = 64
_PACK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def is_pack_name(text: str) -> bool:
    """Whether ``text`` is a valid brief-pack name as it stands (no rewriting)."""
    return len(text) <= PACK_NAME_MAX and _PACK_NAME.fullmatch(text) is not None


def pack_name_for(title: str) -> str:
    """The pack name a typed title asks for: lower case, runs of spaces as one hyphen
    (still to be checked with ``briefs.safe_name``)."""
    return re.sub(r"\s+", "-", title.strip().lower())
