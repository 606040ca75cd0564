"""A brief pack as one PDF: a snapshot page per slide and, on request, a speaker-note page
after each slide that has a note (``page_count`` says how many pages that makes).

Each slide's saved view (``urlstate.parse`` of its link parameters) gives the filters and
the extent (``Bounds.from_view`` of its centre and zoom); the snapshot is the same figure
as a single export (``snapshot``). Packs themselves (files, edits, checks) live in
``briefs``; nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from .. import filters, urlstate
from ..bounds import Bounds
from ..briefs import BriefError, Pack, Slide
from ..style import DEFAULT_TITLE
from .snapshot import BASE_DPI, PAGES, SnapshotOptions, snapshot_figure


def _notes_figure(slide: Slide, number: int, total: int, pack: Pack, caption: str,
                  ignored: list[str], page: str) -> Figure:
    """A page with the slide's title and its speaker note, wrapped to the page."""
    width_in, height_in = PAGES[page]
    fig = Figure(figsize=(width_in, height_in), dpi=BASE_DPI)
    # parse_math=False: a '$' in a title or note is text, never matplotlib mathtext.
    fig.text(0.04, 0.95, slide.title, fontsize=26, fontweight="bold", va="top", color="#111",
             parse_math=False)
    fig.text(0.04, 0.875, f"Speaker note · slide {number} of {total} · {pack.title}",
             fontsize=13, va="top", color="#555", parse_math=False)
    chars = 95
    paragraphs = slide.note.strip().splitlines()
    lines = [line for para in paragraphs for line in (textwrap.wrap(para, chars) or [""])]
    # Shrink long notes to fit (down to 9 pt), then cut with a marker rather than run off the page.
    size = max(9.0, min(17.0, 17.0 * 26 / max(len(lines), 1)))
    room = int(26 * 17.0 / size)
    if len(lines) > room:
        lines = [*lines[:room - 1], f"… ({len(lines) - room + 1} more lines in the pack file)"]
    fig.text(0.04, 0.81, "\n".join(lines), fontsize=size, va="top", color="#111", linespacing=1.35,
             parse_math=False)
    footer = caption if not ignored else caption + " · ignored in the saved view: " + "; ".join(ignored)
    fig.text(0.04, 0.03, textwrap.fill(footer, 180), fontsize=10, va="bottom", color="#444",
             parse_math=False)
    return fig


def has_note(slide: Slide) -> bool:
    """Whether a slide gets a notes page: its speaker note is more than white space."""
    return bool(slide.note.strip())


def page_count(pack: Pack, notes: bool = False) -> int:
    """Pages in ``pack_pdf(pack, ..., notes=notes)``: one per slide, one per note with ``notes``."""
    return len(pack.slides) + (sum(has_note(s) for s in pack.slides) if notes else 0)


def pack_pdf(pack: Pack, incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
             airports: gpd.GeoDataFrame | None, places: filters.Places, names: Mapping[str, str],
             *, notes: bool = False, data_as_of: dt.date | None = None, banner: str = "",
             page: str = "16:9", registry: Mapping[str, Any] | None = None) -> bytes:
    """One PDF for the whole pack: a snapshot page per slide (and, with ``notes``, a page
    with its speaker note after each slide that has one; ``page_count``), searchable text,
    vector graphics.

    ``incidents`` is the enriched frame (``geo.enrich``); ``names`` maps country, region and
    preset codes to names for the captions. A slide's bad parameters are skipped as
    ``urlstate.parse`` skips them (``briefs.check_pack`` lists them); they never fail the
    export. ``BriefError`` when the pack has no slides.
    """
    if not pack.slides:
        raise BriefError(f"brief pack {pack.name!r} has no slides; nothing to export")
    known = urlstate.Known(
        countries=frozenset(countries["iso_a2"]) | frozenset(incidents["country"]),
        regions=frozenset(places.regions["iso_3166_2"]), presets=frozenset(places.presets),
        incidents=frozenset(incidents["id"]))
    exported_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = io.BytesIO()
    with (matplotlib.rc_context({"pdf.fonttype": 42}),
          PdfPages(out, metadata={"Title": pack.title, "Creator": DEFAULT_TITLE}) as pdf):
        for number, slide in enumerate(pack.slides, 1):
            spec, view, ignored = urlstate.parse(slide.params, known)
            bbox = (Bounds.from_view(view.lat, view.lon, view.zoom)
                    if None not in (view.lat, view.lon, view.zoom) else None)
            caption = filters.describe(spec, names)
            opts = SnapshotOptions(title=slide.title, subtitle=caption, banner=banner,
                                   page=page, bbox=bbox, data_as_of=data_as_of,
                                   exported_at=exported_at, sources=registry or {})
            shown = filters.apply(incidents, spec, places)
            pdf.savefig(snapshot_figure(shown, countries, airports, opts))
            if notes and has_note(slide):
                pdf.savefig(_notes_figure(slide, number, len(pack.slides), pack, caption,
                                          ignored, page))
    return out.getvalue()
