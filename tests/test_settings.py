"""Deployment settings: environment beats efm.toml; bad values are named, not tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import paths
from dashboard.schema import DataError
from dashboard.settings import ReadOnlyError, Settings, load_settings, require_writable


@pytest.mark.parametrize(
    ("environ", "toml", "expected"),
    [
        ({}, None, Settings(paths.INCIDENTS, False)),
        ({"EFM_READ_ONLY": "1"}, None, Settings(paths.INCIDENTS, True)),
        ({"EFM_READ_ONLY": "no"}, "read_only = true", Settings(paths.INCIDENTS, False)),
        ({}, "read_only = true", Settings(paths.INCIDENTS, True)),
        ({}, 'data = "other.parquet"', Settings(paths.ROOT / "other.parquet", False)),
        ({"EFM_DATA": "/srv/x.geojson"}, 'data = "other.parquet"',
         Settings(Path("/srv/x.geojson"), False)),
        ({}, "memory_rows = 1_000", Settings(paths.INCIDENTS, memory_rows=1000)),
        ({"EFM_MEMORY_ROWS": "0"}, "memory_rows = 5", Settings(paths.INCIDENTS, memory_rows=0)),
    ],
)
def test_settings(tmp_path, environ, toml, expected):
    config = tmp_path / "efm.toml"
    if toml is not None:
        config.write_text(toml)
    assert load_settings(environ, config) == expected


@pytest.mark.parametrize(
    ("environ", "toml", "message"),
    [
        ({"EFM_READ_ONLY": "maybe"}, None, "EFM_READ_ONLY: 'maybe' is not a yes/no value"),
        ({}, "read_only = 'sometimes'", "efm.toml: read_only: 'sometimes' is not a yes/no value"),
        ({}, "data = 3", "efm.toml: data: 3 is not a file path"),
        ({}, "colour = 'red'", "unknown setting(s) colour"),
        ({}, "read_only = [", "is not valid TOML"),
        ({"EFM_MEMORY_ROWS": "lots"}, None, "EFM_MEMORY_ROWS: 'lots' is not a number of incidents"),
        ({}, "memory_rows = -1", "memory_rows: -1 is not a number of incidents"),
        ({}, "memory_rows = true", "memory_rows: True is not a number of incidents"),
    ],
)
def test_bad_settings_are_named(tmp_path, environ, toml, message):
    config = tmp_path / "efm.toml"
    if toml is not None:
        config.write_text(toml)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ, config)


def test_read_only_refuses_writes():
    require_writable(Settings(read_only=False), "saving")
    with pytest.raises(ReadOnlyError, match="read-only: saving is switched off"):
        require_writable(Settings(read_only=True), "saving")
