"""Deployment settings: which data file, and whether this deployment may write at all.

Read from environment variables, which win, then from an optional ``efm.toml`` at the project
root::

    # efm.toml
    data = "incidents.geojson"   # or a .parquet (GeoParquet) file; relative to the project
    read_only = false            # true for a wall screen or shared viewer
    database_url = "postgresql://efm@db.internal/efm"  # the store in PostgreSQL/PostGIS
    memory_rows = 200000         # with the database: above this many incidents the app holds
                                 # none of them and asks the database for what it shows
    # With sign-in (an [auth] section in .streamlit/secrets.toml): where roles come from.
    roles_claim = "roles"        # the ID-token claim holding viewer / editor / admin
    roles_file = "roles.toml"    # email (or subject) = "role"; wins over the claim
    default_role = "viewer"      # for a signed-in user neither of them names

    EFM_DATA=/srv/acled.parquet EFM_READ_ONLY=1 make run
    EFM_DATABASE_URL=postgresql://efm@localhost/efm python -m dashboard db upgrade
    EFM_DATABASE_URL=postgresql://efm@localhost/efm EFM_MEMORY_ROWS=0 make run  # always ask
    EFM_ROLES_CLAIM=roles EFM_ROLES_FILE=/etc/efm/roles.toml EFM_DEFAULT_ROLE=viewer make run
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import auth, db, paths
from .schema import DataError

CONFIG = paths.ROOT / "efm.toml"
KNOWN = ("data", "read_only", "database_url", "memory_rows", "roles_claim", "roles_file",
         "default_role")
#: With the database, the app holds every incident in memory up to this many (every filter
#: and panel works on them, as with the file); above it, it holds only what it shows.
MEMORY_ROWS = 200_000
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    """``data``: the incident file; ``read_only``: refuse every write (edits, imports that
    save, brief-pack changes); ``database_url``: keep the incidents in PostgreSQL instead;
    ``roles_claim``, ``roles_file``, ``default_role``: a signed-in user's role (``auth``)."""

    data: Path = paths.INCIDENTS
    read_only: bool = False
    database_url: str | None = None
    memory_rows: int = MEMORY_ROWS
    roles_claim: str | None = None
    roles_file: Path | None = None
    default_role: str = auth.DEFAULT_ROLE

    @property
    def store(self) -> Path | str:
        """The store target ``dashboard.store`` reads and writes: the database, else the file."""
        return self.database_url or self.data


class ReadOnlyError(PermissionError):
    """A write was attempted on a read-only deployment."""

    def __init__(self, action: str):
        super().__init__(f"This deployment is read-only: {action} is switched off "
                         "(EFM_READ_ONLY / read_only in efm.toml).")


class RoleError(ReadOnlyError):
    """A write was attempted by a signed-in user whose role does not allow it (or by a
    visitor who has not signed in on a deployment with sign-in)."""

    def __init__(self, action: str, user: auth.User):
        PermissionError.__init__(self, auth.refusal(action, user))


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
    return Settings(data=data, read_only=read_only, database_url=url,
                    memory_rows=_memory_rows(environ, file, config),
                    **_roles(environ, file, config))


def _memory_rows(environ: Mapping[str, str], file: Mapping[str, object], config: Path) -> int:
    value, name = ((environ["EFM_MEMORY_ROWS"], "EFM_MEMORY_ROWS") if environ.get("EFM_MEMORY_ROWS")
                   else (file.get("memory_rows", MEMORY_ROWS), f"{config.name}: memory_rows"))
    try:
        rows = int(str(value).replace("_", "").strip())
    except ValueError:
        rows = -1
    if isinstance(value, bool) or rows < 0:
        raise DataError(f"{name}: {value!r} is not a number of incidents (0 or more)")
    return rows


def _roles(environ: Mapping[str, str], file: Mapping[str, object], config: Path) -> dict:
    def pick(key: str) -> tuple[object, str] | None:
        env = f"EFM_{key.upper()}"
        if environ.get(env):
            return environ[env], env
        return (file[key], f"{config.name}: {key}") if file.get(key) else None
    out: dict[str, object] = {}
    if (claim := pick("roles_claim")) is not None:
        if not isinstance(claim[0], str) or not claim[0].strip():
            raise DataError(f"{claim[1]}: {claim[0]!r} is not a claim name")
        out["roles_claim"] = claim[0].strip()
    if (file_ := pick("roles_file")) is not None:
        out["roles_file"] = _path(file_[0], file_[1])
    if (role := pick("default_role")) is not None:
        out["default_role"] = auth.check_role(role[0], role[1])
    return out


def require_writable(settings: Settings, action: str) -> None:
    """Raise ``ReadOnlyError`` when ``settings`` forbid writes, ``RoleError`` (a kind of it)
    when the signed-in user's role does (``auth.current``); called by every write path."""
    if settings.read_only:
        raise ReadOnlyError(action)
    user = auth.current()
    if not auth.may_write(user):
        raise RoleError(action, user)


def writable(settings: Settings) -> bool:
    """Whether this deployment, and the user acting now, may write at all."""
    return not settings.read_only and auth.may_write(auth.current())


def editable(settings: Settings) -> bool:
    """Whether incidents can be added and edited in the app by the user acting now: the
    PostgreSQL store, or a writable GeoJSON data file."""
    return writable(settings) and (settings.database_url is not None
                                   or settings.data.suffix.lower() in (".geojson", ".json"))
