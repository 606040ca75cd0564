"""Command line: ``python -m dashboard validate [PATH]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import load, paths, stats
from .schema import DataError


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
    counts = stats.counts_by_type(frame)
    by_type = ", ".join(f"{n} {t}" for t, n in counts.items() if n)
    print(f"{args.path}: OK, {len(frame)} incidents ({by_type or 'none'})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m dashboard",
                                     description="Eastern Flank Incident Map tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check an incidents GeoJSON against the schema")
    validate.add_argument("path", nargs="?", default=str(paths.INCIDENTS),
                          help="file to check (default: the shipped incidents.geojson)")
    validate.set_defaults(run=_validate)
    args = parser.parse_args(argv)
    return args.run(args)
