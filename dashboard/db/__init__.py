"""The PostgreSQL/PostGIS incident store (``pgstore``), its migrations and its CLI.

Nothing here imports psycopg at import time: the file store and the app work without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..schema import DataError

SCHEMES = ("postgresql://", "postgres://")


class DatabaseError(DataError):
    """The database cannot be reached or used (one line naming the problem)."""


def is_url(target: Any) -> bool:
    """Whether a store target is a PostgreSQL URL rather than a file path."""
    return isinstance(target, str) and target.startswith(SCHEMES)


def check_url(text: str, name: str = "database URL") -> str:
    """``text`` if it is a PostgreSQL URL, else ``DatabaseError`` naming it."""
    if not is_url(text):
        raise DatabaseError(f"{name}: {text!r} is not a PostgreSQL URL "
                            "(expected postgresql://user@host:port/dbname)")
    return text


def redact(url: str) -> str:
    """The URL with any password replaced by ``***``, for messages."""
    scheme, _, rest = url.partition("://")
    auth, at, host = rest.rpartition("@")
    if at and ":" in auth:
        auth = auth.split(":", 1)[0] + ":***"
    return f"{scheme}://{auth}{at}{host}"


MIGRATIONS = Path(__file__).with_name("migrations")


def backend() -> Any:
    """The ``pgstore`` module, or ``DatabaseError`` when psycopg is not installed."""
    try:
        from . import pgstore
    except ImportError as exc:
        raise DatabaseError(f"the PostgreSQL store needs psycopg ({exc}); "
                            "install it: pip install 'psycopg[binary]'") from None
    return pgstore
