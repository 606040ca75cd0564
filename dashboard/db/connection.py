"""Connections to the incident database, with psycopg's errors turned into one-line messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from . import DatabaseError, check_url, redact

CONNECT_TIMEOUT_S = 5


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection]:
    """A connection in one transaction, committed when the block ends without an error.

    Raises ``DatabaseError`` (one line) when the URL is malformed, the server cannot be
    reached, or the schema is missing (then: run ``python -m dashboard db upgrade``).
    """
    check_url(url)
    try:
        conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.ProgrammingError as exc:  # a URL libpq cannot parse
        raise DatabaseError(f"database URL {redact(url)}: {_first_line(exc)}") from None
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to the database {redact(url)}: "
                            f"{_first_line(exc)}") from None
    try:
        with conn, conn.transaction():
            yield conn
    except psycopg.errors.UndefinedTable as exc:
        raise DatabaseError(f"{redact(url)}: the incident tables are missing ({_first_line(exc)}); "
                            "run `python -m dashboard db upgrade`") from None
    except psycopg.Error as exc:
        raise DatabaseError(f"database {redact(url)}: {_first_line(exc)}") from None
