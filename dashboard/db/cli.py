"""``python -m dashboard db upgrade|import FILE|export [FILE]``: the PostgreSQL store.

The database is ``--url``, else ``EFM_DATABASE_URL``, else ``database_url`` in efm.toml.
Every failure (no URL, a malformed one, an unreachable server, missing PostGIS or schema)
is a ``DatabaseError``: one line from the main CLI, exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import auth, files, settings, store
from . import DatabaseError, backend, check_url, redact


def _url(args: argparse.Namespace) -> str:
    url = args.url or settings.load_settings().database_url
    if not url:
        raise DatabaseError("no database given: pass --url postgresql://… or set "
                            "EFM_DATABASE_URL (or database_url in efm.toml)")
    return check_url(url, "--url" if args.url else "database URL")


def _upgrade(args: argparse.Namespace) -> int:
    url = _url(args)
    backend()  # psycopg present, or a one-line error
    from . import migrate
    done = migrate.upgrade(url)
    print(f"{redact(url)}: applied {', '.join(done)}" if done
          else f"{redact(url)}: the schema is up to date")
    return 0


def _import(args: argparse.Namespace) -> int:
    url, source = _url(args), Path(args.file)
    incoming = store.open_snapshot(source).features
    base = store.open_snapshot(url)
    new = [f for f in incoming if store._id(f) not in base.ids]
    updated = [f for f in incoming if store._id(f) in base.ids and f != base.feature(store._id(f))]
    if not (new or updated):
        print(f"{source}: nothing to import ({len(incoming)} incident(s), all in the database "
              "unchanged)")
        return 0
    saved = store.import_features(base, new, source.name, args.note or "", updated=updated,
                                  user=auth.command_line_user())
    print(f"imported {len(new)} incident(s), updated {len(updated)} from {source} into "
          f"{redact(url)} ({len(saved.features)} in all); logged in its history")
    return 0


def _export(args: argparse.Namespace) -> int:
    url = _url(args)
    data = store._encode(store.open_snapshot(url).data)
    if not args.file or args.file == "-":
        sys.stdout.write(data.decode("utf-8"))
        return 0
    out = Path(args.file)
    if not out.parent.is_dir() or out.is_dir():
        raise DatabaseError(f"{out}: give a file in an existing folder")
    files.replace_with(out, data)
    print(f"wrote {out} ({len(store.open_snapshot(out).features)} incidents from {redact(url)})")
    return 0


def add_parser(sub) -> None:
    """Register ``db`` and its actions on the main CLI's subparsers."""
    db = sub.add_parser("db", help="the PostgreSQL/PostGIS store: upgrade its schema, import "
                                   "and export incidents")
    actions = db.add_subparsers(dest="action", required=True)
    url = {"help": "postgresql://user@host:port/dbname (default: EFM_DATABASE_URL, else "
                   "database_url in efm.toml)"}
    up = actions.add_parser("upgrade", help="create or upgrade the schema (numbered SQL "
                                            "migrations in dashboard/db/migrations)")
    up.add_argument("--url", **url)
    up.set_defaults(run=_upgrade)
    im = actions.add_parser("import", help="add an incidents GeoJSON's records to the database "
                                           "(new ids added, changed ones updated; one logged, "
                                           "all-or-nothing change)")
    im.add_argument("file")
    im.add_argument("--url", **url)
    im.add_argument("--note", help="note for the change history")
    im.set_defaults(run=_import)
    ex = actions.add_parser("export", help="write the database's incidents as GeoJSON")
    ex.add_argument("file", nargs="?", help="file to write (default: standard output)")
    ex.add_argument("--url", **url)
    ex.set_defaults(run=_export)
