"""Command line: ``python -m dashboard validate [PATH]``, ``export ...``, ``import FILE ...``,
``brief list|export ...`` and ``db upgrade|import|export`` (``dashboard.db.cli``)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import (
    auth,
    briefs,
    context,
    export,
    files,
    filters,
    importer,
    load,
    overlay_cli,
    paths,
    settings,
    sources,
    stats,
    store,
    style,
)
from .bounds import Bounds
from .db import cli as db_cli
from .extract import cli as extract_cli
from .importer import profiles
from .schema import INCIDENT_TYPES, DataError, iso_date


def _validate(args: argparse.Namespace) -> int:
    try:
        frame = load.read_incidents(args.path)
    except DataError as exc:
        if not exc.problems:
            print(f"error: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(problem)
        if exc.problems:
            print(f"{args.path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    try:
        registry, where = sources.for_data(args.path)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if registry is None:
        print(f"note: no source registry ({where}); cited documents not checked", file=sys.stderr)
    else:
        unregistered = sources.missing(frame["id"], frame["sources"], registry)
        for problem in unregistered:
            print(problem)
        if unregistered:
            print(f"{args.path}: {len(unregistered)} citation(s) of documents not in {where}",
                  file=sys.stderr)
            return 1
    counts = stats.counts_by_type(frame)
    by_type = ", ".join(f"{n} {t}" for t, n in counts.items() if n)
    print(f"{args.path}: OK, {len(frame)} incidents ({by_type or 'none'})"
          + (f"; every cited document is in {where}" if registry is not None else ""))
    return 0


class UsageError(Exception):
    """A bad argument, reported as ``error: ...`` with exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(iso_date(text))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


#: Folders whose files are the kernel's, not the user's: never written to.
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))


def _out_path(text: str, option: str = "--out") -> Path:
    """A file to write: its folder must exist, it must not be a folder itself nor a system file."""
    out = Path(text)
    resolved = out.resolve()
    if any(resolved == f or f in resolved.parents for f in SYSTEM_FOLDERS):
        raise UsageError(f"{option} {out}: is a system file ({resolved}); give a file in your own folder")
    if not out.parent.is_dir():
        raise UsageError(f"{option} {out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise UsageError(f"{option} {out}: is a folder; give a file name")
    return out


def _export(args: argparse.Namespace) -> int:
    out = _out_path(args.out)
    bbox = None
    if args.bbox:
        try:
            bbox = Bounds.parse(args.bbox)
        except ValueError as exc:
            raise UsageError(f"--bbox: {exc}") from None
    ctx = context.load_context(args.data)
    known = set(ctx.countries["iso_a2"])
    codes = [c.upper() for c in args.country or []]
    if unknown := [c for c in codes if c not in known]:
        raise UsageError(f"--country: unknown code(s) {', '.join(unknown)} "
                         "(use ISO 3166-1 alpha-2, e.g. PL EE RO)")
    try:
        spec = filters.FilterSpec(
            date_from=_date(args.date_from) if args.date_from else None,
            date_to=_date(args.date_to) if args.date_to else None,
            countries=tuple(codes) or None, types=tuple(args.type) if args.type else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    shown = filters.apply(ctx.incidents, spec, ctx.places)
    shown = bbox.filter(shown) if bbox is not None else shown
    caption = filters.describe(spec, ctx.names) + (" · inside the map extent" if bbox else "")
    if shown.empty and not args.allow_empty:
        print(f"error: no incidents match ({caption}); nothing written. "
              "Use --allow-empty to export an explicit 'no incidents match' file.",
              file=sys.stderr)
        return 1
    opts = export.SnapshotOptions(
        title=args.title, subtitle=caption, banner=args.banner, page=args.page,
        scale=args.scale, bbox=export.extent_for(shown, bbox), data_as_of=ctx.last,
        sources=ctx.sources, overlays=overlay_cli.export_layers(args.overlay, spec.date_to))
    data = export.render(args.format, shown, ctx.countries, ctx.airports, opts)
    files.replace_with(out, data)
    print(f"wrote {out} ({args.format}, {len(shown)} incidents, {len(data):,} bytes)")
    return 0


def _read_pack(text: str, folder: Path) -> briefs.Pack:
    """The pack an argument names: a file (``briefs/x.json``) or a bare pack name in ``folder``."""
    if "/" in text or os.sep in text or text.endswith((".json", ".bak")):
        return briefs.load_pack(Path(text))
    try:
        briefs.safe_name(text)
    except briefs.BriefError as exc:
        raise UsageError(f"pack {text!r}: {exc}") from None
    return briefs.load_pack(text, folder)


def _brief_list(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    names = briefs.list_packs(folder)
    if not names:
        print(f"no brief packs in {folder}")
        return 0
    broken = 0
    for name in names:
        try:
            pack = briefs.load_pack(name, folder)
        except briefs.BriefError as exc:
            broken += 1
            print(f"{name}\tunreadable: {exc}")
            continue
        slides = f"{len(pack.slides)} slide{'s' if len(pack.slides) != 1 else ''}"
        print(f"{name}\t{slides}\t{pack.title}\t(version {pack.version}, updated {pack.updated})")
    if broken:
        print(f"{broken} of {len(names)} pack(s) could not be read", file=sys.stderr)
    return 1 if broken else 0


def _brief_export(args: argparse.Namespace) -> int:
    out = _out_path(args.out)
    pack = _read_pack(args.pack, Path(args.folder))
    if not pack.slides:
        raise briefs.BriefError(f"brief pack {pack.name!r} has no slides; nothing written")
    ctx = context.load_context(args.data)
    for problem in briefs.check_pack(pack, ctx.known()):
        print(f"warning: {problem}", file=sys.stderr)
    as_of = ctx.last if len(ctx.incidents) else None
    data = export.pack_pdf(pack, ctx.incidents, ctx.countries, ctx.airports, ctx.places, ctx.names,
                           notes=args.notes, data_as_of=as_of, banner=args.banner, page=args.page,
                           registry=ctx.sources)
    files.replace_with(out, data)
    pages = export.page_count(pack, notes=args.notes)
    print(f"wrote {out} (pdf, {len(pack.slides)} slides, {pages} pages, {len(data):,} bytes)")
    return 0


def _columns(pairs: list[str] | None) -> dict[str, str]:
    """``--column FIELD=COLUMN`` pairs: the fields chosen, over the profile's and the guess."""
    chosen: dict[str, str] = {}
    for pair in pairs or []:
        ours, _, theirs = pair.partition("=")
        if ours not in importer.COLUMN_FIELDS or not theirs:
            raise UsageError(f"--column {pair!r}: expected FIELD=COLUMN with FIELD one of "
                             f"{', '.join(importer.COLUMN_FIELDS)}")
        chosen[ours] = theirs
    return chosen


def _profile(name: str | None, data: Path) -> importer.Profile | None:
    """``--profile NAME`` (shipped or beside the data) or ``--profile FILE.json``."""
    if not name:
        return None
    known = importer.available_profiles(data)
    if name in known:
        return known[name]
    if name.endswith(".json") or Path(name).exists():
        return profiles.read_profile(Path(name))
    raise UsageError(f"--profile {name!r}: no such profile; known: {', '.join(sorted(known))} "
                     "(or give a profile .json file)")


def _import(args: argparse.Namespace) -> int:
    source = Path(args.file)
    out = _out_path(args.out) if args.out else settings.load_settings().data
    report = _out_path(args.report, "--report") if args.report else None
    if not args.dry_run:  # refuse before anything is written, the report included
        settings.require_writable(settings.load_settings(), "saving an import")
    raw = load.read_bytes(source)
    taken = store.open_snapshot(out).ids if out.exists() else set()
    lookups = {k: v for f in args.lookup or []
               for k, v in importer.lookup_titles(load.read_bytes(Path(f)), Path(f).name).items()}
    mapping = dict(profiles.parse_map_option(m) for m in args.map or [])
    constants = dict(profiles.parse_set_option(c) for c in args.set or [])
    with importer.collector_paused():
        result = importer.import_bytes(
            raw, source.name, args.format, None, taken, lookups=lookups,
            profile=_profile(args.profile, out), mapping=mapping, constants=constants,
            profiles=importer.available_profiles(out), column_overrides=_columns(args.column),
            existing=store.open_snapshot(out).features if out.exists() else None)
    print(result.summary())
    for warning in result.warnings:
        print(f"note: {warning}")
    for r in result.rejected[:args.show]:
        print(f"rejected row {r.row}: {r.field}: {r.value!r}: {r.reason}")
    if len(result.rejected) > args.show:
        print(f"… and {len(result.rejected) - args.show} more (--report FILE writes them all)")
    if report:
        files.replace_with(report,
                           importer.rejected_frame(result).to_csv(index=False).encode("utf-8-sig"))
        print(f"wrote {args.report} (the rejected rows, with reasons)")
    if args.dry_run or not (result.features or result.updated):
        print("nothing written" + (" (--dry-run)" if args.dry_run else ""))
        return 0
    if not out.exists():
        settings.require_writable(settings.load_settings(), "saving an import")
        files.write_atomic(out, b'{"type": "FeatureCollection", "features": []}\n')
    saved = sources.save_import(out, result.features, source.name, args.note or "",
                                updated=result.updated, user=auth.command_line_user())
    updated = f", updated {len(result.updated)}" if result.updated else ""
    print(f"wrote {len(result.features)} incident(s){updated} to {out} "
          f"({len(saved.features)} in all); logged in {store.history_path(out).name}")
    return 0


def _add_import_parser(sub) -> None:
    im = sub.add_parser(
        "import", help="import incidents from GeoJSON, CSV, an ACLED export, GeoPackage or KML",
        description="Read FILE, report every rejected row with its reason, and add the valid "
                    "rows to the data (validated, atomic, logged in the change history).")
    im.add_argument("file")
    im.add_argument("--format", choices=importer.FORMATS, help="default: detected from the file")
    im.add_argument("--out", help="incidents GeoJSON to add to (default: the app's data file; "
                                  "created when missing)")
    im.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    im.add_argument("--column", action="append", metavar="FIELD=COLUMN",
                    help="which column feeds a field, e.g. --column lat=Y --column date=Day")
    im.add_argument("--profile", metavar="NAME|FILE",
                    help="an import profile (acled, ucdp-ged, timemap, one saved beside the data, "
                         "or a .json file); default: recognised from the columns")
    im.add_argument("--map", action="append", metavar="FIELD=COLUMN:VALUE=OURS,...",
                    help="map a column's values to ours, e.g. --map type=event_group:Shelling="
                         "strike,Drone=incursion,Protest=skip")
    im.add_argument("--set", action="append", metavar="FIELD=VALUE",
                    help="one value for a field in every row, e.g. --set type=strike")
    im.add_argument("--lookup", action="append", metavar="JSON",
                    help="for a JSON event list: a TimeMap associations/categories file, so the "
                         "ids in the events are read as its titles")
    im.add_argument("--note", help="note for the change history")
    im.add_argument("--report", metavar="CSV", help="write every rejected row to this CSV")
    im.add_argument("--show", type=int, default=50, help="rejected rows to print (default 50)")
    im.set_defaults(run=_import)


def _add_brief_parser(sub) -> None:
    brief = sub.add_parser("brief", help="brief packs: list them, export one as a PDF")
    actions = brief.add_subparsers(dest="action", required=True)
    folder = {"default": str(briefs.BRIEFS_DIR), "help": "folder of packs (default: briefs/)"}
    ls = actions.add_parser("list", help="the packs in the briefs folder, with slide counts")
    ls.add_argument("--folder", **folder)
    ls.set_defaults(run=_brief_list)
    ex = actions.add_parser("export", help="one PDF page per slide (--notes: a notes page after "
                                           "each slide that has a speaker note)")
    ex.add_argument("pack", help="pack file (briefs/NAME.json) or pack name")
    ex.add_argument("--out", required=True, help="PDF to write (its folder must exist)")
    ex.add_argument("--notes", action="store_true",
                    help="add a speaker-note page after each slide that has a note")
    ex.add_argument("--data", default=str(paths.INCIDENTS), help="incidents GeoJSON to read")
    ex.add_argument("--banner", default=os.environ.get("EFM_BANNER", ""),
                    help="handling banner, top and bottom (default: $EFM_BANNER, else none)")
    ex.add_argument("--page", choices=list(export.PAGES), default="16:9")
    ex.add_argument("--folder", **folder)
    ex.set_defaults(run=_brief_export)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m dashboard",
                                     description="Eastern Flank Incident Map tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check an incidents GeoJSON against the schema")
    validate.add_argument("path", nargs="?", default=str(paths.INCIDENTS),
                          help="file to check (default: the shipped incidents.geojson)")
    validate.set_defaults(run=_validate)

    ex = sub.add_parser(
        "export", help="write a snapshot (PNG/PDF), standalone HTML or the filtered data",
        description="Export the incidents matching the filters. A PNG/PDF snapshot frames the "
                    "exported incidents (with a margin; the whole flank when there are none). "
                    "--bbox sets the snapshot extent instead and keeps only incidents inside it "
                    "(all formats).")
    ex.add_argument("--format", required=True, choices=export.FORMATS)
    ex.add_argument("--out", required=True, help="file to write (its folder must exist)")
    ex.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    ex.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    ex.add_argument("--country", nargs="+", metavar="CC", help="ISO 3166-1 alpha-2 codes")
    ex.add_argument("--type", nargs="+", choices=INCIDENT_TYPES, metavar="TYPE",
                    help=f"one or more of: {', '.join(INCIDENT_TYPES)}")
    ex.add_argument("--title", default=style.DEFAULT_TITLE)
    ex.add_argument("--banner", default=os.environ.get("EFM_BANNER", ""),
                    help="handling banner, top and bottom (default: $EFM_BANNER, else none)")
    ex.add_argument("--bbox", metavar="minlon,minlat,maxlon,maxlat",
                    help="snapshot extent, and keep only incidents inside it "
                         "(default: fit the exported incidents)")
    ex.add_argument("--page", choices=list(export.PAGES), default="16:9")
    ex.add_argument("--scale", type=int, choices=(1, 2), default=1, help="PNG pixel scale")
    ex.add_argument("--data", default=str(paths.INCIDENTS), help="incidents GeoJSON to read")
    ex.add_argument("--allow-empty", action="store_true",
                    help="export even when nothing matches (a 'no incidents match' snapshot)")
    overlay_cli.add_export_option(ex)
    ex.set_defaults(run=_export)
    _add_brief_parser(sub)
    overlay_cli.add_parser(sub)
    extract_cli.add_parser(sub)
    _add_import_parser(sub)
    db_cli.add_parser(sub)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (briefs.BriefError, settings.ReadOnlyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for problem in exc.problems[:50]:
            print(problem, file=sys.stderr)
        return 1
    except OSError as exc:  # a file that cannot be read or written: one line, not a traceback
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}".replace(": : ", ": "),
              file=sys.stderr)
        return 2
