"""Deployment settings: which data file, and whether this deployment may write at all.

Read from environment variables, which win, then from an optional ``efm.toml`` at the project
root::

    # efm.toml
    data = "incidents.geojson"   # or a .parquet (GeoParquet) file; relative to the project
    read_only = false            # true for a wall screen or shared viewer
    database_url = "postgresql://efm@db.internal/efm"  # the store in PostgreSQL/PostGIS

    EFM_DATA=/srv/acled.parquet EFM_READ_ONLY=1 make run
    EFM_DATABASE_URL=postgresql://efm@localhost/efm python -m dashboard db upgrade
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import db, paths
from .schema import DataError

CONFIG = paths.ROOT / "efm.toml"
KNOWN = ("data", "read_only", "database_url")
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    """``data``: the incident file; ``read_only``: refuse every write (edits, imports that
    save, brief-pack changes); ``database_url``: keep the incidents in PostgreSQL instead."""

    data: Path = paths.INCIDENTS
    read_only: bool = False
    database_url: str | None = None

    @property
    def store(self) -> Path | str:
        """The store target ``dashboard.store`` reads and writes: the database, else the file."""
        return self.database_url or self.data


class ReadOnlyError(PermissionError):
    """A write was attempted on a read-only deployment."""

    def __init__(self, action: str):
        super().__init__(f"This deployment is read-only: {action} is switched off "
                         "(EFM_READ_ONLY / read_only in efm.toml).")


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise DataError(f"{name}: {value!r} is not a yes/no value (use true or false)")


def _path(value: object, name: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{name}: {value!r} is not a file path")
    path = Path(value).expanduser()
    return path if path.is_absolute() else paths.ROOT / path


def load_settings(environ: Mapping[str, str] | None = None, config: Path = CONFIG) -> Settings:
    """The settings in force; a bad value raises ``DataError`` naming the setting."""
    environ = os.environ if environ is None else environ
    file: dict[str, object] = {}
    if config.exists():
        try:
            file = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{config}: is not valid TOML ({exc})") from None
        unknown = sorted(set(file) - set(KNOWN))
        if unknown:
            raise DataError(f"{config}: unknown setting(s) {', '.join(unknown)}; "
                            f"known: {', '.join(KNOWN)}")
    data = (_path(environ["EFM_DATA"], "EFM_DATA") if environ.get("EFM_DATA")
            else _path(file["data"], f"{config.name}: data") if "data" in file
            else paths.INCIDENTS)
    read_only = (_flag(environ["EFM_READ_ONLY"], "EFM_READ_ONLY") if "EFM_READ_ONLY" in environ
                 else _flag(file.get("read_only", False), f"{config.name}: read_only"))
    url = (environ["EFM_DATABASE_URL"] if environ.get("EFM_DATABASE_URL")
           else file.get("database_url") or None)
    if url is not None:
        name = "EFM_DATABASE_URL" if environ.get("EFM_DATABASE_URL") else f"{config.name}: database_url"
        if not isinstance(url, str):
            raise DataError(f"{name}: {url!r} is not a PostgreSQL URL")
        db.check_url(url, name)
    return Settings(data=data, read_only=read_only, database_url=url)


def require_writable(settings: Settings, action: str) -> None:
    """Raise ``ReadOnlyError`` when ``settings`` forbid writes; called by every write path."""
    if settings.read_only:
        raise ReadOnlyError(action)


def editable(settings: Settings) -> bool:
    """Whether incidents can be added and edited in the app: the PostgreSQL store, or a
    writable GeoJSON data file."""
    return not settings.read_only and (settings.database_url is not None
                                       or settings.data.suffix.lower() in (".geojson", ".json"))
