"""Snapshots: the filtered incidents as a slide-ready matplotlib figure, and its PNG/PDF bytes.

(About 460 lines: the slide is one figure whose parts, basemap clip and hatching, context
overlays, names, legend, scale bar and texts, share its projection and frame; split into
modules they would pass the same axes, extent and options between them. The overlay and
legend drawing would move out first.)

Drawn in a Lambert azimuthal equal-area projection centred on the flank (``geo.METRIC_CRS``:
a true scale bar, a north arrow that points north, vector PDF, no browser needed), with
the web map's colours, shapes and fan-out of shared points (``style``, ``mapping``).
Every text that may hold user or data text is drawn with ``parse_math=False``, so a ``$``
stays a dollar sign and never fails the export as mathtext.

The extent is one rule (``extent_for``): a box given (``--bbox``, the map view on screen),
else the exported incidents with a margin and a minimum size, else the flank; the figure
widens it to the page's aspect. Land is clipped in the projected CRS to a box larger than
the frame, so it always reaches the frame's edge; where the frame shows land that the
country layer was cut from (a layer cut to a lon/lat box), the map says so with a hatched
"No basemap data" area instead of a straight, sea-coloured false coast.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import offset_copy
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import Polygon, box
from shapely.ops import polylabel

from .. import geo, mapping, sources, style
from ..bounds import FLANK, Bounds, selection_extent
from ..overlays import Layer
from ..schema import INCIDENT_TYPES, TYPE_LABELS
from ..style import ATTRIBUTION, DEFAULT_TITLE, TYPE_STYLES

BASE_DPI = 144
#: Page presets: size in inches at BASE_DPI (16:9 is 1920x1080 px; A4 landscape is 297x210 mm).
PAGES: dict[str, tuple[float, float]] = {"16:9": (1920 / BASE_DPI, 1080 / BASE_DPI),
                                         "a4": (297 / 25.4, 210 / 25.4)}
PAGE_LABELS = {"16:9": "16:9 slide (1920×1080)", "a4": "A4 landscape"}
Extent = tuple[float, float, float, float]  # projected x0, x1, y0, y1
#: A stretch of the country layer's edge this long (degrees) lying on land is a cut, not a cape.
CUT_MIN_DEG = 0.5


@dataclass(frozen=True)
class SnapshotOptions:
    """What goes on a snapshot besides the incidents."""

    title: str = DEFAULT_TITLE
    subtitle: str = ""            # the filters, from filters.describe(spec)
    banner: str = ""              # handling banner, top and bottom; none when empty
    page: str = "16:9"            # a key of PAGES
    scale: int = 1                # PNG pixel multiplier (1 or 2)
    bbox: Bounds | tuple[float, float, float, float] | None = None  # lon/lat; None: the flank
    #     (the CLI and the Export tab pass ``extent_for(shown, ...)``, never None)
    data_as_of: dt.date | None = None
    sources: Mapping[str, Any] = field(default_factory=dict)  # the registry, for the footer
    overlays: tuple[Layer, ...] = ()  # context overlays shown (under the incidents, in the legend)
    exported_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def __post_init__(self) -> None:
        if self.page not in PAGES:
            raise ValueError(f"page {self.page!r} is not one of {', '.join(PAGES)}")
        if self.scale not in (1, 2):
            raise ValueError(f"scale must be 1 or 2, got {self.scale!r}")
        if self.bbox is not None and not Bounds.of(self.bbox).valid:
            raise ValueError(f"bbox {self.bbox} is not minlon,minlat,maxlon,maxlat in range")


# --- the extent ----------------------------------------------------------------------------

def extent_for(shown: gpd.GeoDataFrame,
               bbox: Bounds | tuple[float, float, float, float] | None = None) -> Bounds:
    """The lon/lat box a snapshot of ``shown`` frames (before it is widened to the page).

    ``bbox`` when given (``--bbox``, the map view on screen); else the selection framed as on
    the map (``bounds.selection_extent``); the whole flank when ``shown`` is empty.
    """
    if bbox is not None:
        return Bounds.of(bbox)
    return selection_extent(shown) or FLANK


def _extent(bbox: Bounds, aspect: float) -> Extent:
    """Projected (x0, x1, y0, y1) covering ``bbox``, widened to the axes' aspect ratio."""
    outline = gpd.GeoSeries([box(*bbox.as_tuple()).segmentize(0.25)],
                            crs="EPSG:4326").to_crs(geo.METRIC_CRS)
    x0, y0, x1, y1 = outline.total_bounds
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        pad = (h * aspect - w) / 2
        x0, x1 = x0 - pad, x1 + pad
    else:
        pad = (w / aspect - h) / 2
        y0, y1 = y0 - pad, y1 + pad
    return x0, x1, y0, y1


def _north_arrow(ax, bbox: Bounds) -> None:
    lon, lat = (bbox.minlon + bbox.maxlon) / 2, (bbox.minlat + bbox.maxlat) / 2
    pts = gpd.GeoSeries(gpd.points_from_xy([lon, lon], [lat, lat + 0.5]), crs="EPSG:4326")
    a, b = pts.to_crs(geo.METRIC_CRS)
    ux, uy = b.x - a.x, b.y - a.y
    ux, uy = ux / np.hypot(ux, uy), uy / np.hypot(ux, uy)
    head = (0.965, 0.9)
    ax.annotate("", xy=head, xycoords="axes fraction", xytext=(-ux * 34, -uy * 34),
                textcoords="offset points",
                arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.8", "lw": 2.2,
                            "color": style.OUTLINE})
    ax.annotate("N", xy=head, xycoords="axes fraction", xytext=(ux * 10, uy * 10),
                textcoords="offset points", ha="center", va="center", fontsize=14,
                fontweight="bold", color=style.OUTLINE)


def nice_km(km: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^n km) not longer than ``km``."""
    exponent = 10 ** np.floor(np.log10(km))
    return float(max(m for m in (1, 2, 5) if m * exponent <= km) * exponent)


def scale_label(value: float, unit: str) -> str:
    """A scale-bar label as a map prints it: ``1,000 km``, ``50 km``, ``0.5 km`` (never
    ``1000.0 km``); matplotlib-scalebar's ``scale_formatter``."""
    return f"{value:,.0f} {unit}" if float(value).is_integer() else f"{value:,g} {unit}"


def _halo(width: float = 3) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


# --- layers --------------------------------------------------------------------------------

def _window(extent: Extent, margin: float) -> tuple[Polygon, Bounds]:
    """The frame grown on every side by ``margin`` of its width (projected), and a lon/lat
    box holding that with 2 degrees to spare (every longitude up to 90 N when it holds the
    pole), for a quick first cut of the lon/lat layers."""
    x0, x1, y0, y1 = extent
    grow = (x1 - x0) * margin
    frame = box(x0 - grow, y0 - grow, x1 + grow, y1 + grow)
    outline = gpd.GeoSeries([frame.segmentize((x1 - x0) / 50)], crs=geo.METRIC_CRS)
    minlon, minlat, maxlon, maxlat = outline.to_crs("EPSG:4326").total_bounds
    pole = gpd.GeoSeries(gpd.points_from_xy([0], [90]), crs="EPSG:4326").to_crs(geo.METRIC_CRS)
    if frame.contains(pole.iloc[0]):
        minlon, maxlon, maxlat = -180.0, 180.0, 90.0
    return frame, Bounds(minlon, minlat, maxlon, maxlat).pad(0, 2).clamp()


def _project(layer: gpd.GeoDataFrame, window: Bounds, clip_to: Polygon) -> gpd.GeoDataFrame:
    """Polygons cut to the lon/lat ``window``, densified (a cut edge is a long straight line
    in lon/lat, a curve once projected), projected, then cut to ``clip_to`` in the projected
    CRS: whatever the lon/lat cut left straight lies outside ``clip_to``, never in the frame."""
    part = layer.clip(window.as_tuple())
    part = part.set_geometry(shapely.segmentize(part.geometry.values, 0.5)).to_crs(geo.METRIC_CRS)
    part = part.set_geometry(shapely.clip_by_rect(part.geometry.values, *clip_to.bounds))
    return part[~part.geometry.is_empty]


def _draw_land(ax, countries: gpd.GeoDataFrame, frame: Polygon, window: Bounds,
               extent: Extent) -> gpd.GeoDataFrame:
    """Sea, countries filled by group, "No basemap data" where the frame shows land past the
    country layer's edge, an empty frame; returns the projected land drawn."""
    land = _project(countries, window, frame)
    ax.set_facecolor(style.SEA)
    for group, fill in style.GROUP_FILL.items():
        part = land[land["group"] == group]
        if not part.empty:
            part.plot(ax=ax, color=fill, edgecolor=style.BORDER, linewidth=0.6, zorder=1)
    _draw_unmapped(ax, countries, frame, window, extent)
    x0, x1, y0, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor(style.BORDER)
    return land


def _beyond_the_cut(countries: gpd.GeoDataFrame, window: Bounds) -> list[Polygon]:
    """Lon/lat strips (out to ``window``) beyond each stretch of the country layer's box
    edge that cuts through land: the land goes on there, but the layer does not say whose.

    A layer cut to a lon/lat box (``geodata/README.md``) has land lying along the box's
    edge; past a stretch of the edge where sea meets it, the sea is taken to go on, so open
    ocean is not hatched. A natural extreme (a northernmost cape) touches its edge over less
    than ``CUT_MIN_DEG`` and is not a cut; a whole-world layer has none.
    """
    if countries.empty:
        return []
    minlon, minlat, maxlon, maxlat = countries.total_bounds
    far_w, far_s = min(window.minlon, minlon) - 1, min(window.minlat, minlat) - 1
    far_e, far_n = max(window.maxlon, maxlon) + 1, max(window.maxlat, maxlat) + 1
    sides = [  # (edge of the box, along lon or lat, the strip for a stretch a..b of it)
        (box(maxlon - 1e-3, minlat, maxlon, maxlat), 1, lambda a, b: box(maxlon, a, far_e, b)),
        (box(minlon, minlat, minlon + 1e-3, maxlat), 1, lambda a, b: box(far_w, a, minlon, b)),
        (box(minlon, maxlat - 1e-3, maxlon, maxlat), 0, lambda a, b: box(a, maxlat, b, far_n)),
        (box(minlon, minlat, maxlon, minlat + 1e-3), 0, lambda a, b: box(a, far_s, b, minlat)),
    ]
    strips = []
    for edge, axis, strip in sides:
        cut = shapely.union_all(shapely.intersection(countries.geometry.values, edge))
        for part in getattr(cut, "geoms", [cut]):
            if part.is_empty or part.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            lo, hi = part.bounds[axis], part.bounds[axis + 2]
            if hi - lo >= CUT_MIN_DEG:
                strips.append(strip(lo, hi))
    return strips


def _draw_unmapped(ax, countries: gpd.GeoDataFrame, frame: Polygon, window: Bounds,
                   extent: Extent) -> None:
    """Hatch "No basemap data" where the frame shows land the country layer was cut from,
    rather than leave a straight, sea-coloured false coast along the layer's edge."""
    strips = _beyond_the_cut(countries, window)
    if not strips:
        return
    projected = gpd.GeoSeries(strips, crs="EPSG:4326").clip(
        (-180, -89, 180, 89)).segmentize(0.25).to_crs(geo.METRIC_CRS)
    outside = shapely.union_all(projected.values).intersection(frame)
    for part in getattr(outside, "geoms", [outside]):
        if part.geom_type == "Polygon" and not part.is_empty:
            ax.add_patch(PathPatch(Path.make_compound_path(
                Path(np.asarray(part.exterior.coords)),
                *(Path(np.asarray(ring.coords)) for ring in part.interiors)),
                facecolor=style.GROUP_FILL["other"], edgecolor="none", hatch="//",
                hatchcolor=style.BORDER, hatch_linewidth=0.5, linewidth=0, zorder=1))
    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    # The label goes where the most room is, clear of the north arrow and the scale bar.
    furniture = box(x0 + 0.88 * w, y0 + 0.7 * h, x1, y1).union(box(x0 + 0.8 * w, y0, x1, y0 + 0.15 * h))
    room = outside.intersection(box(x0, y0, x1, y1)).difference(furniture)
    if room.area > 0.03 * w * h:
        largest = max(getattr(room, "geoms", [room]), key=lambda g: g.area)
        if largest.geom_type == "Polygon":
            here = polylabel(largest, tolerance=w / 200)
            ax.text(here.x, here.y, "No basemap data", ha="center", va="center", fontsize=11,
                    style="italic", color=style.LABEL, zorder=3, path_effects=_halo())


def _draw_labels(ax, countries: gpd.GeoDataFrame, land: gpd.GeoDataFrame, extent: Extent) -> None:
    """Names of the countries in a group, at the web map's label points, when the whole name
    fits well inside the frame (never cut by its edge)."""
    x0, x1, y0, y1 = extent
    inner = box(x0, y0, x1, y1).buffer(-(x1 - x0) * 0.03)
    # Map units per typographic point across the axes; a bold 12 pt letter is ~7.5 pt wide.
    per_pt = (x1 - x0) / (ax.get_position().width * ax.figure.get_figwidth() * 72)
    for row in land[land["group"] != "other"].itertuples():
        lat, lon = mapping.label_point(countries.loc[countries["iso_a2"] == row.iso_a2,
                                                     "geometry"].iloc[0])
        here = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(
            geo.METRIC_CRS).iloc[0]
        half = len(row.name) * 7.5 / 2 * per_pt
        if inner.contains(here) and x0 + half < here.x < x1 - half:
            ax.text(here.x, here.y, row.name, ha="center", va="center", fontsize=12,
                    color=style.LABEL, fontweight="bold", zorder=3, path_effects=_halo(),
                    parse_math=False)


def _draw_airports(ax, airports: gpd.GeoDataFrame, window: Bounds,
                   in_view: gpd.GeoDataFrame) -> None:
    """Airport dots, and a dashed ring with an "ICAO closed" label at each closed one."""
    near = airports.clip(window.as_tuple()).to_crs(geo.METRIC_CRS)
    ax.scatter(near.geometry.x, near.geometry.y, s=5, c=style.AIRPORT, alpha=0.55, zorder=2,
               linewidths=0)
    closed = set(in_view.loc[in_view["type"] == "airport_closure", "icao"].dropna())
    ring = near[near["icao"].isin(closed)]
    ax.scatter(ring.geometry.x, ring.geometry.y, s=650, facecolors="none",
               edgecolors=style.CLOSED, linewidths=2, linestyles="--", zorder=5)
    for a in ring.itertuples():
        ax.annotate(f"{a.icao} closed", (a.geometry.x, a.geometry.y), xytext=(16, -4),
                    textcoords="offset points", fontsize=11, fontweight="bold",
                    color=style.OUTLINE, zorder=7, path_effects=_halo())


def _draw_incidents(ax, fig, shown: gpd.GeoDataFrame, size: float) -> None:
    offsets = mapping.spread_offsets(shown)
    projected = shown.to_crs(geo.METRIC_CRS)
    for incident_type in INCIDENT_TYPES:
        rows = projected[projected["type"] == incident_type]
        if rows.empty:
            continue
        look = TYPE_STYLES[incident_type]
        shapes = rows[rows.geometry.geom_type != "Point"]
        if not shapes.empty:
            shapes.plot(ax=ax, color=look.color, alpha=0.35, edgecolor=look.color, linewidth=2.5,
                        zorder=4)
        points = rows[rows.geometry.geom_type == "Point"]
        shift = [offsets.get(i, (0, 0)) for i in points["id"]]
        for (dx, dy) in sorted(set(shift)):
            part = points[[s == (dx, dy) for s in shift]]
            # Screen pixels -> points, y flipped (screen y grows downwards).
            transform = offset_copy(ax.transData, fig=fig, x=dx * 0.6, y=-dy * 0.6, units="points")
            ax.scatter(part.geometry.x, part.geometry.y, s=size, marker=look.marker,
                       c=look.color, edgecolors=style.OUTLINE, linewidths=0.9, zorder=6,
                       transform=transform)


def _draw_overlays(ax, overlays: tuple[Layer, ...], window: Bounds, clip_to: Polygon) -> None:
    """Context overlays over the land and under the incidents: areas hatched and translucent
    with a dashed edge, lines dashed, in each overlay's colour."""
    for layer in overlays:
        shapes = _project(layer.frame, window, clip_to)
        if shapes.empty:
            continue
        colour = layer.version.colour
        if layer.version.kind == "area":
            shapes.plot(ax=ax, facecolor=colour, alpha=0.12, edgecolor="none", zorder=3)
            shapes.plot(ax=ax, facecolor="none", edgecolor=colour, hatch="///", linewidth=1.6,
                        linestyle="--", zorder=3.1)
        else:
            shapes.plot(ax=ax, color=colour, linewidth=2.5, linestyle="--", zorder=3.1)
    ax.set_xlabel("")  # geopandas names the projected axes; the slide shows no axes
    ax.set_ylabel("")


def _overlay_handles(overlays: tuple[Layer, ...]) -> list:
    return [Patch(facecolor="none", edgecolor=layer.version.colour, hatch="///",
                  linestyle="--", label=layer.version.label)
            if layer.version.kind == "area" else
            Line2D([], [], color=layer.version.colour, linewidth=2.5, linestyle="--",
                   label=layer.version.label)
            for layer in overlays]


def _draw_legend(ax, in_view: gpd.GeoDataFrame, overlays: tuple[Layer, ...] = ()) -> None:
    """Types in view with their counts (and closed airports), then the context overlays;
    a "no incidents" note when no incident is in view."""
    counts = in_view["type"].value_counts()
    handles = [Line2D([], [], marker=TYPE_STYLES[t].marker, linestyle="", markersize=11,
                      markerfacecolor=TYPE_STYLES[t].color, markeredgecolor=style.OUTLINE,
                      label=f"{TYPE_LABELS[t]} ({int(counts.get(t, 0))})")
               for t in INCIDENT_TYPES if counts.get(t, 0)]
    if closed_count := in_view.loc[in_view["type"] == "airport_closure", "icao"].nunique():
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=15,
                              markerfacecolor="none", markeredgecolor=style.CLOSED,
                              label=f"Closed airport ({closed_count})"))
    extra = _overlay_handles(overlays)
    if handles or extra:
        legend = ax.legend(handles=handles + extra, loc="lower left", fontsize=12,
                           title="Incidents in view" if handles else "Context overlays",
                           title_fontsize=12, framealpha=0.94, edgecolor="#999")
        for text in legend.get_texts():
            text.set_parse_math(False)  # overlay names are user text
    if not handles:
        # No path effects here: they turn text into outlines, and this must stay searchable.
        ax.text(0.5, 0.5, "No incidents match these filters", transform=ax.transAxes,
                ha="center", va="center", fontsize=22, fontweight="bold", color=style.LABEL,
                zorder=8, bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "#999"})


def _overlay_credits(overlays: tuple[Layer, ...]) -> str:
    """`` · Overlays: name (source); ...`` in one short line, or nothing."""
    if not overlays:
        return ""
    credits = "; ".join(f"{o.version.name} ({o.version.source})" if o.version.source
                        else o.version.name for o in overlays)
    return " · " + textwrap.shorten("Overlays: " + credits, 150, placeholder=" …")


def _draw_texts(fig, opts: SnapshotOptions, in_view: gpd.GeoDataFrame, top: float,
                bottom: float) -> None:
    """Title, filter subtitle, data-as-of and export times, attribution and sources."""
    fig.text(0.015, top - 0.018, opts.title, fontsize=26, fontweight="bold", va="top",
             color="#111", parse_math=False)
    if opts.subtitle:
        fig.text(0.015, top - 0.085, textwrap.fill(opts.subtitle, 150), fontsize=12.5,
                 va="top", color="#333", parse_math=False)
    as_of = f"Data as of {opts.data_as_of:%-d %b %Y}" if opts.data_as_of else "Data as of: n/a"
    fig.text(0.015, bottom + 0.05, f"{as_of} · Exported {opts.exported_at:%Y-%m-%d %H:%M} UTC "
             f"· {len(in_view)} incident{'s' if len(in_view) != 1 else ''} in view"
             + _overlay_credits(opts.overlays), fontsize=11, va="bottom", color="#111",
             parse_math=False)
    cited = sources.summary(in_view["sources"], opts.sources) if len(in_view) else ""
    # Two lines at most, however many sources: summary() keeps to a fixed length.
    fig.text(0.015, bottom + 0.012, textwrap.fill(
        ATTRIBUTION + (" · Sources: " + cited if cited else ""), 190),
        fontsize=9, va="bottom", color="#444", parse_math=False)


def _draw_banners(fig, banner: str, band: float) -> None:
    for y in (1 - band, 0):
        fig.patches.append(Rectangle(
            (0, y), 1, band, transform=fig.transFigure, color="#1f1f1f", zorder=10))
        fig.text(0.5, y + band / 2, banner, ha="center", va="center", fontsize=14,
                 fontweight="bold", color="white", zorder=11, parse_math=False)


# --- the figure and its bytes --------------------------------------------------------------

def snapshot_figure(incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
                    airports: gpd.GeoDataFrame | None, opts: SnapshotOptions) -> Figure:
    """Draw a slide-ready map: title, filter subtitle, legend with counts, scale bar, north
    arrow, data-as-of and export times, attribution, optional handling banners."""
    width_in, height_in = PAGES[opts.page]
    fig = Figure(figsize=(width_in, height_in), dpi=BASE_DPI)
    band = 0.045 if opts.banner else 0.0
    top, bottom = 1 - band, band
    header, footer = 0.14, 0.085
    map_box = [0.015, bottom + footer, 0.97, top - bottom - header - footer]
    ax = fig.add_axes(map_box)
    bbox = Bounds.of(opts.bbox) if opts.bbox is not None else FLANK
    extent = _extent(bbox, (map_box[2] * width_in) / (map_box[3] * height_in))
    x0, x1, y0, y1 = extent

    frame, window = _window(extent, 0.05)
    land = _draw_land(ax, countries, frame, window, extent)
    _draw_overlays(ax, opts.overlays, window, frame)
    _draw_labels(ax, countries, land, extent)
    in_view = incidents[incidents.to_crs(geo.METRIC_CRS).intersects(box(x0, y0, x1, y1))]
    if airports is not None and len(airports):
        _draw_airports(ax, airports, window, in_view)
    _draw_incidents(ax, fig, in_view, 150 if len(in_view) < 500 else 40 if len(in_view) < 10_000 else 8)
    _draw_legend(ax, in_view, opts.overlays)
    ax.add_artist(ScaleBar(1, "m", fixed_units="km", fixed_value=nice_km((x1 - x0) / 1000 * 0.18),
                           location="lower right", box_alpha=0.85, font_properties={"size": 11},
                           scale_formatter=scale_label))
    _north_arrow(ax, bbox)
    _draw_texts(fig, opts, in_view, top, bottom)
    if opts.banner:
        _draw_banners(fig, opts.banner, band)
    return fig


def frame_bounds(fig: Figure) -> Bounds:
    """The lon/lat box round what a snapshot's map frame shows (its axes limits, unprojected)."""
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    outline = gpd.GeoSeries([box(x0, y0, x1, y1).segmentize((x1 - x0) / 50)], crs=geo.METRIC_CRS)
    return Bounds.of(outline.to_crs("EPSG:4326").total_bounds)


def to_png(fig: Figure, scale: int = 1) -> bytes:
    """The figure as PNG bytes; 16:9 at scale 1 is 1920x1080 px."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=BASE_DPI * scale)
    return out.getvalue()


def to_pdf(fig: Figure, title: str = DEFAULT_TITLE) -> bytes:
    """The figure as a one-page vector PDF with embedded TrueType text (searchable)."""
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(out, format="pdf", metadata={"Title": title, "Creator": DEFAULT_TITLE})
    return out.getvalue()
