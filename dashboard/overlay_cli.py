"""``python -m dashboard overlay add|list|remove``, and the export's ``--overlay`` option (kept
apart from ``cli.py``, which only registers them)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from . import load, overlays, settings
from .overlays import KINDS, Layer, OverlayError


def _folder() -> Path:
    return overlays.folder_for(settings.load_settings().data)


def _add(args: argparse.Namespace) -> int:
    cfg = settings.load_settings()
    settings.require_writable(cfg, "adding an overlay")  # before the file is even read
    source = Path(args.file)
    raw = load.read_bytes(source, overlays.MAX_BYTES)
    version, notes = overlays.add(_folder(), raw, source.name, args.name, valid_from=args.date,
                                  kind=args.kind, colour=args.colour, source=args.source or "",
                                  cfg=cfg)
    for note in notes:
        print(f"note: {note}")
    shown = "" if version.display == version.file else ", simplified for the map"
    print(f"added overlay {version.label} ({version.kind}, {version.features} feature(s), "
          f"{version.vertices:,} vertices{shown}) as {_folder() / version.file}")
    return 0


def _list(args: argparse.Namespace) -> int:
    folder = _folder()
    versions = overlays.read_index(folder)
    if not versions:
        print(f"no overlays in {folder}")
        return 0
    for v in versions:
        print(f"{v.name}\t{v.valid_from.isoformat() if v.valid_from else 'undated'}\t{v.kind}\t"
              f"{v.colour}\t{v.features} feature(s)\tlink: overlay={v.slug}"
              + (f"\tsource: {v.source}" if v.source else ""))
    return 0


def _remove(args: argparse.Namespace) -> int:
    gone = overlays.remove(_folder(), args.name, args.date, cfg=settings.load_settings())
    for v in gone:
        print(f"removed overlay {v.label}")
    return 0


def add_parser(sub) -> None:
    """Register ``overlay add|list|remove`` on the CLI's subparsers."""
    ov = sub.add_parser("overlay", help="context overlays (areas, lines): add, list, remove",
                        description="Context overlays are area and line layers that are not "
                                    "incidents, drawn under them on the map and in exports. "
                                    "They live in overlays/ beside the data ($EFM_OVERLAYS_DIR).")
    actions = ov.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add an overlay (or a dated version of one)")
    add.add_argument("file", help="GeoJSON, GeoPackage, KML or zipped shapefile")
    add.add_argument("--name", required=True, help="the overlay's name (shown in the legend)")
    add.add_argument("--date", metavar="YYYY-MM-DD",
                     help="valid from this day (default: undated, always in force)")
    add.add_argument("--kind", choices=KINDS, help="default: found from the geometry")
    add.add_argument("--colour", metavar="#RRGGBB", help="default: the next of a fixed palette")
    add.add_argument("--source", help="source / attribution text")
    add.set_defaults(run=_add)
    ls = actions.add_parser("list", help="every stored overlay version")
    ls.set_defaults(run=_list)
    rm = actions.add_parser("remove", help="remove an overlay (every version, or one --date)")
    rm.add_argument("name", help="the overlay's name (or its link name)")
    rm.add_argument("--date", metavar="YYYY-MM-DD|undated", help="only this version")
    rm.set_defaults(run=_remove)


def add_export_option(parser: argparse.ArgumentParser) -> None:
    """``export --overlay NAME`` (repeatable)."""
    parser.add_argument("--overlay", action="append", metavar="NAME",
                        help="draw this context overlay (its version in force at --to), "
                             "repeatable; a layer of its own in gpkg, not in geojson/csv")


def export_layers(names: list[str] | None, end: dt.date | None) -> tuple[Layer, ...]:
    """The overlays an export's ``--overlay`` options name, in force at ``end``."""
    if not names:
        return ()
    folder = _folder()
    versions = overlays.read_index(folder)
    slugs = []
    for name in names:
        found = overlays.find(versions, name)
        if not found:
            known = ", ".join(sorted(overlays.names(versions).values())) or "none"
            raise OverlayError(f"--overlay: no overlay called {name!r} (overlays: {known})")
        slugs.append(found[0].slug)
    return tuple(overlays.layers(folder, slugs, end))
