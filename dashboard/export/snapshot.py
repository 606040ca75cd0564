"""Snapshots: the filtered incidents as a slide-ready matplotlib figure, and its PNG/PDF bytes.

Drawn in a Lambert azimuthal equal-area projection centred on the flank (``geo.METRIC_CRS``:
a true scale bar, a north arrow that points north, vector PDF, no browser needed), with
the web map's colours, shapes and fan-out of shared points (``style``, ``mapping``).
Every text that may hold user or data text is drawn with ``parse_math=False``, so a ``$``
stays a dollar sign and never fails the export as mathtext.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import offset_copy
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import box

from .. import geo, mapping, style
from ..bounds import FLANK, Bounds
from ..schema import INCIDENT_TYPES, TYPE_LABELS
from ..style import ATTRIBUTION, DEFAULT_TITLE, TYPE_STYLES

BASE_DPI = 144
#: Page presets: size in inches at BASE_DPI (16:9 is 1920x1080 px; A4 landscape is 297x210 mm).
PAGES: dict[str, tuple[float, float]] = {"16:9": (1920 / BASE_DPI, 1080 / BASE_DPI),
                                         "a4": (297 / 25.4, 210 / 25.4)}
PAGE_LABELS = {"16:9": "16:9 slide (1920×1080)", "a4": "A4 landscape"}
Extent = tuple[float, float, float, float]  # projected x0, x1, y0, y1


@dataclass(frozen=True)
class SnapshotOptions:
    """What goes on a snapshot besides the incidents."""

    title: str = DEFAULT_TITLE
    subtitle: str = ""            # the filters, from filters.describe(spec)
    banner: str = ""              # handling banner, top and bottom; none when empty
    page: str = "16:9"            # a key of PAGES
    scale: int = 1                # PNG pixel multiplier (1 or 2)
    bbox: Bounds | tuple[float, float, float, float] | None = None  # lon/lat; None: the flank
    data_as_of: dt.date | None = None
    exported_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def __post_init__(self) -> None:
        if self.page not in PAGES:
            raise ValueError(f"page {self.page!r} is not one of {', '.join(PAGES)}")
        if self.scale not in (1, 2):
            raise ValueError(f"scale must be 1 or 2, got {self.scale!r}")
        if self.bbox is not None and not Bounds.of(self.bbox).valid:
            raise ValueError(f"bbox {self.bbox} is not minlon,minlat,maxlon,maxlat in range")


# --- map furniture -------------------------------------------------------------------------

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


def _halo(width: float = 3) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


# --- layers --------------------------------------------------------------------------------

def _draw_land(ax, countries: gpd.GeoDataFrame, view, extent: Extent) -> gpd.GeoDataFrame:
    """Sea, countries filled by group, an empty frame; returns the projected land drawn."""
    land = countries.clip(view).to_crs(geo.METRIC_CRS)
    ax.set_facecolor(style.SEA)
    for group, fill in style.GROUP_FILL.items():
        part = land[land["group"] == group]
        if not part.empty:
            part.plot(ax=ax, color=fill, edgecolor=style.BORDER, linewidth=0.6, zorder=1)
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


def _draw_labels(ax, countries: gpd.GeoDataFrame, land: gpd.GeoDataFrame, extent: Extent) -> None:
    """Names of the countries in a group, at the web map's label points, when well inside."""
    x0, x1, y0, y1 = extent
    inner = box(x0, y0, x1, y1).buffer(-(x1 - x0) * 0.03)
    for row in land[land["group"] != "other"].itertuples():
        lat, lon = mapping.label_point(countries.loc[countries["iso_a2"] == row.iso_a2,
                                                     "geometry"].iloc[0])
        here = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(
            geo.METRIC_CRS).iloc[0]
        if inner.contains(here):
            ax.text(here.x, here.y, row.name, ha="center", va="center", fontsize=12,
                    color=style.LABEL, fontweight="bold", zorder=3, path_effects=_halo(),
                    parse_math=False)


def _draw_airports(ax, airports: gpd.GeoDataFrame, view, in_view: gpd.GeoDataFrame) -> None:
    """Airport dots, and a dashed ring with an "ICAO closed" label at each closed one."""
    near = airports.clip(view).to_crs(geo.METRIC_CRS)
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


def _draw_legend(ax, in_view: gpd.GeoDataFrame) -> None:
    """Types in view with their counts (and closed airports), or a "no incidents" note."""
    counts = in_view["type"].value_counts()
    handles = [Line2D([], [], marker=TYPE_STYLES[t].marker, linestyle="", markersize=11,
                      markerfacecolor=TYPE_STYLES[t].color, markeredgecolor=style.OUTLINE,
                      label=f"{TYPE_LABELS[t]} ({int(counts.get(t, 0))})")
               for t in INCIDENT_TYPES if counts.get(t, 0)]
    if closed_count := in_view.loc[in_view["type"] == "airport_closure", "icao"].nunique():
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=15,
                              markerfacecolor="none", markeredgecolor=style.CLOSED,
                              label=f"Closed airport ({closed_count})"))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=12, title="Incidents in view",
                  title_fontsize=12, framealpha=0.94, edgecolor="#999")
    else:
        # No path effects here: they turn text into outlines, and this must stay searchable.
        ax.text(0.5, 0.5, "No incidents match these filters", transform=ax.transAxes,
                ha="center", va="center", fontsize=22, fontweight="bold", color=style.LABEL,
                zorder=8, bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "#999"})


def _draw_texts(fig, opts: SnapshotOptions, in_view: gpd.GeoDataFrame, top: float,
                bottom: float) -> None:
    """Title, filter subtitle, data-as-of and export times, attribution and sources."""
    fig.text(0.015, top - 0.018, opts.title, fontsize=26, fontweight="bold", va="top",
             color="#111", parse_math=False)
    if opts.subtitle:
        fig.text(0.015, top - 0.085, textwrap.fill(opts.subtitle, 150), fontsize=12.5,
                 va="top", color="#333", parse_math=False)
    as_of = f"Data as of {opts.data_as_of:%-d %b %Y}" if opts.data_as_of else "Data as of: n/a"
    docs = sorted({s["document"] for sources in in_view["sources"] for s in sources})
    fig.text(0.015, bottom + 0.05, f"{as_of} · Exported {opts.exported_at:%Y-%m-%d %H:%M} UTC "
             f"· {len(in_view)} incident{'s' if len(in_view) != 1 else ''} in view",
             fontsize=11, va="bottom", color="#111")
    fig.text(0.015, bottom + 0.012, textwrap.fill(
        ATTRIBUTION + (" · Sources: " + ", ".join(docs) if docs else ""), 190),
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

    # Clip lon/lat layers to what the (widened) frame shows, with a margin, before projecting.
    shown_ll = gpd.GeoSeries([box(x0, y0, x1, y1).segmentize((x1 - x0) / 50)],
                             crs=geo.METRIC_CRS).to_crs("EPSG:4326").total_bounds
    view = box(*shown_ll).buffer(3)
    land = _draw_land(ax, countries, view, extent)
    _draw_labels(ax, countries, land, extent)
    in_view = incidents[incidents.to_crs(geo.METRIC_CRS).intersects(box(x0, y0, x1, y1))]
    if airports is not None and len(airports):
        _draw_airports(ax, airports, view, in_view)
    _draw_incidents(ax, fig, in_view, 150 if len(in_view) < 500 else 40 if len(in_view) < 10_000 else 8)
    _draw_legend(ax, in_view)
    ax.add_artist(ScaleBar(1, "m", fixed_units="km", fixed_value=nice_km((x1 - x0) / 1000 * 0.18),
                           location="lower right", box_alpha=0.85, font_properties={"size": 11}))
    _north_arrow(ax, bbox)
    _draw_texts(fig, opts, in_view, top, bottom)
    if opts.banner:
        _draw_banners(fig, opts.banner, band)
    return fig


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
