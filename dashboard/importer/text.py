"""Text helpers of the importer: decoding a file's bytes, values cut short for the report,
the verbatim quote prefix, HTML stripping (KML descriptions), column-name normalising
and the one-line text of a reader's error.

Nothing here knows about formats or records; every other module of the package may use it.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..detail import cut
from ..schema import DataError

MAX_VALUE_CHARS = 80
QUOTE_WORDS = 30


def show(value: Any) -> str:
    """A value as text for the report, cut to about 80 characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return cut(text, MAX_VALUE_CHARS)


_QUOTE_RE = re.compile(r"\S+(?:\s+\S+){0," + str(QUOTE_WORDS - 1) + "}")


def quote_prefix(text: str) -> str:
    """The first 30 words of ``text``, exactly as written (a verbatim prefix)."""
    match = _QUOTE_RE.search(text)
    return match.group(0) if match else ""


_HTML_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def strip_html(text: str) -> str:
    """``text`` without HTML tags and entities, whitespace tidied; unchanged when it has none."""
    if not _HTML_TAG.search(text) and "&" not in text:
        return text
    plain = html.unescape(_HTML_TAG.sub(" ", text))
    return re.sub(r"[ \t]+", " ", re.sub(r"\s*\n\s*", "\n", plain)).strip()


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, for a one-line ``DataError``."""
    # GDAL names the in-memory copy of the upload (/vsimem/pyogrio_<hex>); that helps no one.
    text = re.sub(r"\s*/vsimem/\S+\s*", " ", str(exc)).strip().splitlines()
    return text[0].strip() if text else type(exc).__name__


_NORM = re.compile(r"[^a-z0-9]+")


def norm(column: str) -> str:
    """A column name compared loosely: lowercase, runs of other characters as one ``_``."""
    return _NORM.sub("_", str(column).strip().lower()).strip("_")


def decode_text(raw: bytes, name: str) -> tuple[str, list[str]]:
    """Decode UTF-8 (BOM allowed), UTF-16 with BOM, or Windows-1252; binary -> ``DataError``."""
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{name}: starts like UTF-16 text but cannot be decoded") from None
        notes.append("decoded as UTF-16")
    elif b"\x00" in raw:
        raise DataError(f"{name}: is a binary file, not text (it contains NUL bytes)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise DataError(f"{name}: is neither UTF-8 nor Windows-1252 text; "
                                "is it a binary file?") from None
            notes.append("decoded as Windows-1252")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r" or ch == "\x7f")
    if controls > len(sample) // 100:
        raise DataError(f"{name}: looks like binary data, not text "
                        f"({controls} control characters in the first {len(sample)})")
    return text, notes
