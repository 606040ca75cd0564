"""Schema upgrades: the numbered ``migrations/NNN_name.sql`` files not yet applied, in order.

Each file runs in its own transaction and is recorded in ``schema_migrations``; an advisory
lock keeps two upgrades from running at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import MIGRATIONS, DatabaseError, redact
from .connection import _first_line, connect

LOCK_KEY = 0x45464D  # "EFM": the advisory lock taken while upgrading
NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    number: int
    path: Path


def migrations(folder: Path = MIGRATIONS) -> list[Migration]:
    """The migration files, by number (a gap or a duplicate number is a packaging error)."""
    found = sorted((Migration(int(m.group(1)), p) for p in folder.iterdir()
                    if (m := NAME.match(p.name))), key=lambda m: (m.number, m.path.name))
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise DatabaseError(f"{folder}: migrations are not numbered 001, 002, …: {numbers}")
    return found


def applied(url: str) -> list[int]:
    """The migration numbers the database has (none for an empty database)."""
    with connect(url) as conn:
        if conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None:
            return []
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


def upgrade(url: str, folder: Path = MIGRATIONS) -> list[str]:
    """Apply the missing migrations; return the names of those applied (empty: up to date)."""
    done: list[str] = []
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                     "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        have = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        for m in migrations(folder):
            if m.number in have:
                continue
            try:
                with conn.transaction():
                    conn.execute(m.path.read_text(encoding="utf-8"))
                    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                                 (m.number, m.path.name))
            except psycopg.errors.FeatureNotSupported as exc:
                raise DatabaseError(_postgis_missing(url, exc)) from None
            except psycopg.errors.UndefinedFile as exc:
                raise DatabaseError(_postgis_missing(url, exc)) from None
            except psycopg.Error as exc:
                raise DatabaseError(f"{redact(url)}: migration {m.path.name} failed: "
                                    f"{_first_line(exc)}") from None
            done.append(m.path.name)
    return done


def _postgis_missing(url: str, exc: BaseException) -> str:
    return (f"{redact(url)}: PostGIS is not available on the database server "
            f"({_first_line(exc)}); install it there (Debian: postgresql-15-postgis-3)")
