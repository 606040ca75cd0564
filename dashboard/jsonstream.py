"""Read a GeoJSON FeatureCollection's features from its file a chunk at a time.

``json.loads`` of a whole file holds the file's text and every parsed feature at once, about
six times the file's size. ``FeatureStream`` holds a window of the text (about a megabyte)
and one chunk of features. Every value (a feature, a key, any other member) is parsed by the
standard library's own decoder, ``json.JSONDecoder.raw_decode``, so it comes out exactly as
``json.loads`` of the whole file would give it; this module walks only the outer object and
the features array between them.

It checks nothing itself: whatever it cannot vouch for (a file that is not a regular file,
too big, not UTF-8, NUL bytes, a syntax error, a number too long, deep nesting, an unpaired
surrogate escape, an outer value that is not an object, ``features`` given twice) raises
``Unsure``, and the caller reads the file whole through ``load.parse_json``, whose checks
and messages are the only ones.
"""

from __future__ import annotations

import codecs
import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Bytes read at a time; the text window is about this size (larger only for a longer value).
WINDOW = 1 << 20

_DECODER = json.JSONDecoder()  # what json.loads uses: same numbers, NaN, strictness
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as the decoder skips it
#: A ``\udXXX`` escape of a UTF-16 surrogate: a lone one is refused (``has_lone_surrogate``).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
#: A value parsed, or a syntax error met, this close to the window's end may only mean that
#: the value goes on after it: the window is then extended and the value parsed again.
_NEAR_END = 16


class Unsure(Exception):
    """The stream cannot vouch for the file: read it whole with ``load.parse_json``."""


def has_lone_surrogate(data: Any) -> bool:
    """Whether any string (key or value) in parsed JSON holds an unpaired UTF-16 surrogate,
    which JSON's ``\\udXXX`` escapes allow but no UTF-8 text, page or export can hold."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class FeatureStream:
    """The features of the FeatureCollection in ``path`` one by one (``features``), and the
    outer object's other members (``members``, complete once ``features`` is exhausted).

    ``members`` keeps the file's order of keys; when the features came as an array,
    ``streamed`` is True and ``members["features"]`` is an empty list standing in for them.
    ``window`` is the number of bytes read at a time. Every method may raise ``Unsure``.
    """

    def __init__(self, path: str | Path, max_bytes: int, window: int = WINDOW):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.window = window
        self.members: dict[str, Any] = {}
        self.streamed = False
        self._text = ""  # the window of decoded text; ``_pos`` is the next character to read
        self._pos = 0
        self._read = 0
        self._file: Any = None
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()  # as parse_json decodes

    def features(self) -> Iterator[Any]:
        """The features, in file order (any JSON values: checking them is the caller's)."""
        try:
            info = self.path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > self.max_bytes:
                raise Unsure  # a pipe cannot be read twice; a big file is refused by read_bytes
            self._file = self.path.open("rb")
        except OSError:
            raise Unsure from None
        with self._file:
            yield from self._collection()

    def _collection(self) -> Iterator[Any]:
        self._expect("{")
        if self._peek() == "}":
            self._pos += 1
        else:
            while True:
                if self._peek() != '"':
                    raise Unsure
                key = self._value()
                self._expect(":")
                if key == "features" and (self.streamed or self._peek() == "["):
                    if self.streamed:  # json.loads keeps the last of repeated keys: not here
                        raise Unsure
                    self.streamed = True
                    self.members["features"] = []
                    yield from self._array()
                else:
                    self.members[key] = self._value()
                following = self._peek()
                self._pos += 1
                if following == "}":
                    break
                if following != ",":
                    raise Unsure
        if self._peek() != "":  # anything after the outer object
            raise Unsure

    def _array(self) -> Iterator[Any]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            yield self._value()
            following = self._peek()
            self._pos += 1
            if following == "]":
                return
            if following != ",":
                raise Unsure

    def _more(self) -> bool:
        """Append the next bytes to the window (dropping what was read); False at the end."""
        if self._file.closed:
            return False
        want = max(self.window, len(self._text) - self._pos)  # a long value doubles the window
        try:
            raw = self._file.read(min(want, self.max_bytes + 1 - self._read))
        except OSError:
            raise Unsure from None
        self._read += len(raw)
        if self._read > self.max_bytes:  # the file grew past the limit
            raise Unsure
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise Unsure from None
        if "\x00" in text:
            raise Unsure
        self._text = self._text[self._pos:] + text
        self._pos = 0
        if not raw:
            self._file.close()
        return True

    def _peek(self) -> str:
        """The next character after whitespace, not consumed; '' at the end of the file."""
        while True:
            self._pos = _WHITESPACE.match(self._text, self._pos).end()
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise Unsure
        self._pos += 1

    def _value(self) -> Any:
        """Parse the JSON value after the current position with the standard decoder."""
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self._text) - _NEAR_END or exc.msg.startswith("Unterminated")
                if cut and self._more():
                    continue
                raise Unsure from None
            except (ValueError, RecursionError):  # a number too long to convert; deep nesting
                raise Unsure from None
            if end > len(self._text) - _NEAR_END and self._more():  # '12|34', '1e|5'
                continue
            break
        if SURROGATE_ESCAPE.search(self._text, self._pos, end) and has_lone_surrogate(value):
            raise Unsure
        self._pos = end
        return value
