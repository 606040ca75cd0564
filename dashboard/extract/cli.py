"""``python -m dashboard extract FILE|- [--published YYYY-MM-DD] [--json]``: draft incidents
from an article (HTML, Markdown or plain text).

JSON output is a list of proposals, each a dict with: ``type``, ``date``, ``end_date``,
``date_precision``, ``country`` (ISO alpha-2), ``place``, ``point`` ([lon, lat]),
``location_precision``, ``region``, ``icao``, ``platform``, ``start_time``/``end_time``
(UTC ``YYYY-MM-DDTHH:MM:SSZ`` or null), ``drones``, ``aircraft``, ``missiles``, ``killed``,
``injured`` (int or null), ``quote`` (the first supporting sentence, an exact substring of
the extracted plain text, ≤ 30 words), ``quotes`` (every supporting sentence),
``confidence``, ``background`` (a mention of an earlier event), ``notes`` (how the date,
place and counts were read), ``source_title``, ``publisher``, ``url``.
Text output is one line per proposal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from ..load import read_bytes
from ..schema import iso_date
from .propose import propose
from .text import article_text, plain_text
from .when import published_date


def _run(args: argparse.Namespace) -> int:
    # A missing or unreadable file, or binary bytes, is a one-line DataError (cli.main prints it).
    raw = (sys.stdin.read() if args.file == "-"
           else article_text(read_bytes(Path(args.file)), args.file))
    text = plain_text(raw)
    if args.published:
        try:
            published = dt.date.fromisoformat(iso_date(args.published))
        except ValueError as exc:
            print(f"error: --published: {exc}", file=sys.stderr)
            return 2
    elif found_date := published_date(text, raw):
        published = found_date[0]
        print(f"publication date {published} read from {found_date[1]} "
              "(give --published to set it)", file=sys.stderr)
    else:
        print("error: no publication date found in the text: give --published YYYY-MM-DD "
              "(relative dates such as 'on Tuesday' are read from it)", file=sys.stderr)
        return 2
    found = propose(text, published, source_title=args.source_title,
                    publisher=args.publisher, url=args.url)
    if args.json:
        print(json.dumps([p.as_dict() for p in found], ensure_ascii=False, indent=1))
        return 0
    for p in found:
        dates = p.date + (f"..{p.end_date}" if p.end_date else "")
        flag = " [background]" if p.background else ""
        print(f"{dates}  {p.type:<18} {p.country}  {p.place} ({p.location_precision})  "
              f"{p.platform}  {p.confidence}{flag}  \"{p.quote}\"")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``extract`` on the CLI's subparsers."""
    ex = sub.add_parser("extract", help="draft incidents from a news article (offline)")
    ex.add_argument("file", help="article file (HTML, Markdown, text or PDF), or - for stdin")
    ex.add_argument("--published", metavar="YYYY-MM-DD",
                    help="publication date: relative dates ('on Tuesday') are read from it "
                         "(default: the date the article gives, if it gives one)")
    ex.add_argument("--source-title", help="the source document's title")
    ex.add_argument("--publisher")
    ex.add_argument("--url")
    ex.add_argument("--json", action="store_true", help="a JSON list of proposals")
    ex.set_defaults(run=_run)
