"""``jsonstream.FeatureStream`` reads exactly what ``load.parse_json`` reads, or says it is unsure.

Whatever the window size (down to one byte, so that every value is cut somewhere), a
document the stream accepts is one ``parse_json`` accepts, with the same values in the same
order; a clean FeatureCollection is always accepted, so big files keep the low-memory path.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import load
from dashboard.jsonstream import FeatureStream, Unsure
from dashboard.schema import DataError

PROPERTY = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def streamed(raw: bytes, window: int, max_bytes: int = 10**6):
    """The document as the stream gives it (members, features put back in their place)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.geojson"
        path.write_bytes(raw)
        stream = FeatureStream(path, max_bytes, window)
        features = list(stream.features())
    data = stream.members
    if stream.streamed:
        data["features"] = features
    return data


def same(a, b) -> bool:
    """Equal values, key order, number types and NaN included."""
    return json.dumps(a, allow_nan=True) == json.dumps(b, allow_nan=True)


def check(raw: bytes, window: int) -> bool:
    """The stream's result is parse_json's, or Unsure; True when the stream accepted."""
    try:
        data = streamed(raw, window)
    except Unsure:
        return False
    expected = load.parse_json(raw, "x.geojson")  # must not raise: the stream accepted it
    assert same(data, expected)
    return True


scalars = (st.none() | st.booleans() | st.integers(-(10**30), 10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
documents = st.builds(
    lambda features, before, after: {**before, "features": features, **after},
    st.lists(values, max_size=6),
    st.dictionaries(st.sampled_from(["type", "name", "crs"]), values, max_size=2),
    st.dictionaries(st.sampled_from(["bbox", "x", ""]), values, max_size=2))
formats = st.sampled_from([{}, {"indent": 1}, {"separators": (",", ":")},
                           {"indent": "\t", "separators": (" ,\r\n", " : ")}])


@PROPERTY
@given(documents, formats, st.booleans(), st.booleans(), st.integers(1, 40))
def test_a_clean_collection_streams_exactly_as_json_loads_reads_it(doc, fmt, ascii, bom, window):
    text = json.dumps(doc, ensure_ascii=ascii, allow_nan=True, **fmt)
    raw = ("\ufeff" if bom else "").encode() + text.encode()
    assert check(raw, window), "a clean collection must not fall back to a whole read"


@PROPERTY
@given(documents, st.integers(0, 10**6), st.binary(min_size=0, max_size=3), st.integers(0, 8),
       st.integers(1, 40))
def test_a_damaged_document_is_never_read_otherwise(doc, where, insert, cut, window):
    """Bytes inserted or removed anywhere: the stream accepts only what parse_json accepts."""
    raw = json.dumps(doc, allow_nan=True).encode()
    at = where % (len(raw) + 1)
    check(raw[:at] + insert + raw[at + cut:], window)


@PROPERTY
@given(st.binary(max_size=80), st.integers(1, 8))
def test_any_bytes(raw, window):
    check(raw, window)


@pytest.mark.parametrize("text", [
    '{"features": [1e5, 12345, -0.5E-3, true, null, "x"]}',  # numbers cut at any byte
    '{"features": [{"a": "\\ud83d\\ude00"}], "type": "FeatureCollection"}',  # a surrogate pair
    '{"features": [NaN, -Infinity]}',
    '{"features": []}', '{}', ' {"type": "FeatureCollection"} \n',
    '{"features": 3}', '{"features": {"a": 1}}',
    '{"features": 1, "features": [2]}',  # the array comes last: it is the one json.loads keeps
    '{"a": 1, "a": 2, "features": [{"b": 1, "b": 2}]}',  # repeated keys: the last value wins
    '{"features": ["\u00e9\u20ac\U0001F600"]}',  # multi-byte UTF-8 cut inside a character
])
@pytest.mark.parametrize("window", [1, 2, 3, 5, 1 << 20])
def test_accepted(text, window):
    assert check(text.encode(), window)


@pytest.mark.parametrize("raw", [
    b"", b"   ", b"[]", b'"features"', b'{"features": [1] ',  # empty, not an object, cut
    b'{"features": [1,]}', b'{"features": [1]} x', b'{"features": [1],}', b'{,}',
    b'{"features": ["\\ud800"]}', b'{"\\udc00": 1}',  # lone surrogates, in a value or a key
    b'{"features": [' + b"9" * 5000 + b"]}",  # too many digits for Python's int
    b'{"features": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",  # nested too deeply
    b'{"features": ["a\x00"]}', b'\xff\xfe{\x00}\x00', b'{"features": ["\xe9"]}',  # NUL, UTF-16, Latin-1
    b'{"features": [1], "features": [2]}',  # json.loads keeps the last: the whole read decides
    b'\xef\xbb\xbf\xef\xbb\xbf{}',  # two byte-order marks
])
@pytest.mark.parametrize("window", [1, 7, 1 << 20])
def test_unsure(raw, window):
    with pytest.raises(Unsure):
        streamed(raw, window)


def test_a_file_over_the_limit_or_not_a_regular_file_is_not_streamed(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_bytes(b'{"features": [1, 2, 3]}')
    with pytest.raises(Unsure):
        list(FeatureStream(path, 10).features())
    with pytest.raises(Unsure):
        list(FeatureStream(tmp_path, 10**6).features())  # a folder
    with pytest.raises(Unsure):
        list(FeatureStream(tmp_path / "missing.geojson", 10**6).features())
    assert list(FeatureStream(path, path.stat().st_size).features()) == [1, 2, 3]


def test_what_the_stream_refuses_gets_parse_json_s_message(tmp_path):
    """read_incidents falls back to the whole read: its message, its checks."""
    path = tmp_path / "x.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [{"a": "\\ud800"}]}')
    with pytest.raises(DataError, match="unpaired UTF-16 surrogate"):
        load.read_incidents(path)
