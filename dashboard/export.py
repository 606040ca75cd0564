"""Exports, all from one filtered incident frame: PNG/PDF snapshots, standalone HTML,
GeoJSON, CSV and GeoPackage, as bytes (the app offers them for download, the CLI writes them).

Snapshots are drawn with matplotlib in a Lambert azimuthal equal-area projection centred on
the flank (a true scale bar, a north arrow that points north, vector PDF, no browser needed);
the same colours, shapes and fan-out of shared points as the on-screen map.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import offset_copy
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import box

from . import geo, paths
from . import mapping as web
from .schema import COUNT_FIELDS, FIELDS, INCIDENT_TYPES, TYPE_LABELS

DEFAULT_TITLE = "Eastern Flank Incident Map"
BASE_DPI = 144
#: Page presets: size in inches at BASE_DPI (16:9 is 1920x1080 px; A4 landscape is 297x210 mm).
PAGES: dict[str, tuple[float, float]] = {"16:9": (1920 / BASE_DPI, 1080 / BASE_DPI),
                                         "a4": (297 / 25.4, 210 / 25.4)}
PAGE_LABELS = {"16:9": "16:9 slide (1920×1080)", "a4": "A4 landscape"}
#: (minlon, minlat, maxlon, maxlat) of the default view.
FLANK_BBOX = (web.EASTERN_FLANK_BOUNDS[0][1], web.EASTERN_FLANK_BOUNDS[0][0],
              web.EASTERN_FLANK_BOUNDS[1][1], web.EASTERN_FLANK_BOUNDS[1][0])
MARKERS = {"airspace_incursion": "^", "airport_closure": "s", "strike": "D",
           "interception": "o", "crash_debris": "X"}
ATTRIBUTION = ("Basemap: Natural Earth (public domain), internationally recognised borders · "
               "Airports: airportsdata (MIT)")
FORMATS = ("png", "pdf", "html", "geojson", "csv", "gpkg")
MEDIA_TYPES = {"png": "image/png", "pdf": "application/pdf", "html": "text/html",
               "geojson": "application/geo+json", "csv": "text/csv",
               "gpkg": "application/geopackage+sqlite3"}


@dataclass(frozen=True)
class SnapshotOptions:
    """What goes on a snapshot besides the incidents."""

    title: str = DEFAULT_TITLE
    subtitle: str = ""            # the filters, from filters.describe(spec)
    banner: str = ""              # handling banner, top and bottom; none when empty
    page: str = "16:9"            # a key of PAGES
    scale: int = 1                # PNG pixel multiplier (1 or 2)
    bbox: tuple[float, float, float, float] | None = None  # lon/lat extent; None: the flank
    data_as_of: dt.date | None = None
    exported_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def __post_init__(self) -> None:
        if self.page not in PAGES:
            raise ValueError(f"page {self.page!r} is not one of {', '.join(PAGES)}")
        if self.scale not in (1, 2):
            raise ValueError(f"scale must be 1 or 2, got {self.scale!r}")
        if self.bbox is not None:
            minx, miny, maxx, maxy = self.bbox
            if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
                raise ValueError(f"bbox {self.bbox} is not minlon,minlat,maxlon,maxlat in range")


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``minlon,minlat,maxlon,maxlat`` -> a tuple; ``ValueError`` naming what is wrong."""
    parts = [p.strip() for p in (text or "").split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"bbox {text!r}: expected four numbers minlon,minlat,maxlon,maxlat") from None
    if len(values) != 4:
        raise ValueError(f"bbox {text!r}: expected four numbers minlon,minlat,maxlon,maxlat")
    minx, miny, maxx, maxy = values
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValueError(f"bbox {text!r}: need min < max, lon within -180..180, lat -90..90")
    return values  # type: ignore[return-value]


# --- snapshots -------------------------------------------------------------------------

def _extent(bbox: tuple[float, float, float, float], aspect: float) -> tuple[float, ...]:
    """Projected (x0, x1, y0, y1) covering ``bbox``, widened to the axes' aspect ratio."""
    outline = gpd.GeoSeries([box(*bbox).segmentize(0.25)], crs="EPSG:4326").to_crs(geo.METRIC_CRS)
    x0, y0, x1, y1 = outline.total_bounds
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        pad = (h * aspect - w) / 2
        x0, x1 = x0 - pad, x1 + pad
    else:
        pad = (w / aspect - h) / 2
        y0, y1 = y0 - pad, y1 + pad
    return x0, x1, y0, y1


def _north_arrow(ax, bbox: tuple[float, float, float, float]) -> None:
    lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    pts = gpd.GeoSeries(gpd.points_from_xy([lon, lon], [lat, lat + 0.5]), crs="EPSG:4326")
    a, b = pts.to_crs(geo.METRIC_CRS)
    ux, uy = b.x - a.x, b.y - a.y
    ux, uy = ux / np.hypot(ux, uy), uy / np.hypot(ux, uy)
    head = (0.965, 0.9)
    ax.annotate("", xy=head, xycoords="axes fraction", xytext=(-ux * 34, -uy * 34),
                textcoords="offset points",
                arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.8", "lw": 2.2,
                            "color": "#1a1a1a"})
    ax.annotate("N", xy=head, xycoords="axes fraction", xytext=(ux * 10, uy * 10),
                textcoords="offset points", ha="center", va="center", fontsize=14,
                fontweight="bold", color="#1a1a1a")


def _nice_km(km: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^n km) not longer than ``km``."""
    exponent = 10 ** np.floor(np.log10(km))
    return float(max(m for m in (1, 2, 5) if m * exponent <= km) * exponent)


def _halo(width: float = 3) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _draw_incidents(ax, fig, shown: gpd.GeoDataFrame, size: float) -> None:
    offsets = web.spread_offsets(shown)
    projected = shown.to_crs(geo.METRIC_CRS)
    for incident_type in INCIDENT_TYPES:
        rows = projected[projected["type"] == incident_type]
        if rows.empty:
            continue
        color = web.TYPE_STYLES[incident_type].color
        shapes = rows[rows.geometry.geom_type != "Point"]
        if not shapes.empty:
            shapes.plot(ax=ax, color=color, alpha=0.35, edgecolor=color, linewidth=2.5, zorder=4)
        points = rows[rows.geometry.geom_type == "Point"]
        shift = [offsets.get(i, (0, 0)) for i in points["id"]]
        for (dx, dy) in sorted(set(shift)):
            part = points[[s == (dx, dy) for s in shift]]
            # Screen pixels -> points, y flipped (screen y grows downwards).
            transform = offset_copy(ax.transData, fig=fig, x=dx * 0.6, y=-dy * 0.6, units="points")
            ax.scatter(part.geometry.x, part.geometry.y, s=size, marker=MARKERS[incident_type],
                       c=color, edgecolors="#1a1a1a", linewidths=0.9, zorder=6,
                       transform=transform)


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
    bbox = opts.bbox or FLANK_BBOX
    aspect = (map_box[2] * width_in) / (map_box[3] * height_in)
    x0, x1, y0, y1 = _extent(bbox, aspect)

    # Clip lon/lat layers to what the (widened) frame shows, with a margin, before projecting.
    shown_ll = gpd.GeoSeries([box(x0, y0, x1, y1).segmentize((x1 - x0) / 50)],
                             crs=geo.METRIC_CRS).to_crs("EPSG:4326").total_bounds
    view = box(*shown_ll).buffer(3)
    land = countries.clip(view).to_crs(geo.METRIC_CRS)
    ax.set_facecolor(web.SEA)
    for group, fill in web.GROUP_FILL.items():
        part = land[land["group"] == group]
        if not part.empty:
            part.plot(ax=ax, color=fill, edgecolor="#6f7a85", linewidth=0.6, zorder=1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#6f7a85")

    frame = box(x0, y0, x1, y1)
    named = land[land["group"] != "other"]
    for row in named.itertuples():
        lat, lon = web._label_point(countries.loc[countries["iso_a2"] == row.iso_a2,
                                                  "geometry"].iloc[0])
        here = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(
            geo.METRIC_CRS).iloc[0]
        if frame.buffer(-(x1 - x0) * 0.03).contains(here):
            ax.text(here.x, here.y, row.name, ha="center", va="center", fontsize=12,
                    color="#3d4a57", fontweight="bold", zorder=3, path_effects=_halo(),
                    parse_math=False)

    in_view = incidents[incidents.to_crs(geo.METRIC_CRS).intersects(frame)]
    if airports is not None and len(airports):
        near = airports.clip(view).to_crs(geo.METRIC_CRS)
        ax.scatter(near.geometry.x, near.geometry.y, s=5, c="#66717d", alpha=0.55, zorder=2,
                   linewidths=0)
        closed = set(in_view.loc[in_view["type"] == "airport_closure", "icao"].dropna())
        ring = near[near["icao"].isin(closed)]
        ax.scatter(ring.geometry.x, ring.geometry.y, s=650, facecolors="none",
                   edgecolors="#b30000", linewidths=2, linestyles="--", zorder=5)
        for a in ring.itertuples():
            ax.annotate(f"{a.icao} closed", (a.geometry.x, a.geometry.y), xytext=(16, -4),
                        textcoords="offset points", fontsize=11, fontweight="bold",
                        color="#1a1a1a", zorder=7, path_effects=_halo())

    size = 150 if len(in_view) < 500 else 40 if len(in_view) < 10_000 else 8
    _draw_incidents(ax, fig, in_view, size)

    counts = in_view["type"].value_counts()
    handles = [Line2D([], [], marker=MARKERS[t], linestyle="", markersize=11,
                      markerfacecolor=web.TYPE_STYLES[t].color, markeredgecolor="#1a1a1a",
                      label=f"{TYPE_LABELS[t]} ({int(counts.get(t, 0))})")
               for t in INCIDENT_TYPES if counts.get(t, 0)]
    if closed_count := in_view.loc[in_view["type"] == "airport_closure", "icao"].nunique():
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=15,
                              markerfacecolor="none", markeredgecolor="#b30000",
                              label=f"Closed airport ({closed_count})"))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=12, title="Incidents in view",
                  title_fontsize=12, framealpha=0.94, edgecolor="#999")
    else:
        # No path effects here: they turn text into outlines, and this must stay searchable.
        ax.text(0.5, 0.5, "No incidents match these filters", transform=ax.transAxes,
                ha="center", va="center", fontsize=22, fontweight="bold", color="#3d4a57",
                zorder=8, bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "#999"})
    ax.add_artist(ScaleBar(1, "m", fixed_units="km", fixed_value=_nice_km((x1 - x0) / 1000 * 0.18),
                           location="lower right", box_alpha=0.85, font_properties={"size": 11}))
    _north_arrow(ax, bbox)

    # Every text below may hold user or data text: parse_math=False keeps a '$' literal (and
    # stops matplotlib's mathtext from failing the export on it).
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
    if opts.banner:
        for y in (1 - band, 0):
            fig.patches.append(Rectangle(
                (0, y), 1, band, transform=fig.transFigure, color="#1f1f1f", zorder=10))
            fig.text(0.5, y + band / 2, opts.banner, ha="center", va="center", fontsize=14,
                     fontweight="bold", color="white", zorder=11, parse_math=False)
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


# --- standalone HTML ---------------------------------------------------------------------

_PLACEHOLDER = "EFM-ASSETS"


def _data_uri(path) -> str:
    kind = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _inline_css(path) -> str:
    css = path.read_text(encoding="utf-8")
    return re.sub(r"url\((['\"]?)(images/[^)'\"]+)\1\)",
                  lambda m: f"url({_data_uri(path.parent / m.group(2))})", css)


def to_html(incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
            airports: gpd.GeoDataFrame | None, *, title: str = DEFAULT_TITLE,
            subtitle: str = "", data_as_of: dt.date | None = None) -> str:
    """One self-contained HTML page: the same layers, styles, legend and popups as the app,
    with Leaflet and all data inlined, so it opens from disk with no network."""
    import html as htmlmod

    import folium

    m = web.standalone_map(countries, airports, incidents, asset_base=_PLACEHOLDER)
    as_of = f"Data as of {data_as_of:%-d %b %Y} · " if data_as_of else ""
    m.get_root().html.add_child(folium.Element(
        "<div style='position:absolute;z-index:1000;top:10px;left:60px;max-width:60%;"
        "background:rgba(255,255,255,.94);padding:8px 12px;border-radius:6px;"
        "box-shadow:0 1px 4px rgba(0,0,0,.3);font:14px/1.35 system-ui,sans-serif'>"
        f"<div style='font-size:20px;font-weight:700'>{htmlmod.escape(title)}</div>"
        f"<div>{htmlmod.escape(subtitle)}</div>"
        f"<div style='color:#555;font-size:12px'>{htmlmod.escape(as_of)}"
        f"{len(incidents)} incidents · {htmlmod.escape(ATTRIBUTION)}</div></div>"))
    m.get_root().title = htmlmod.escape(title)  # folium puts it in <title> unescaped
    page = m.get_root().render()
    page = page.replace("<head>", f"<head>\n<title>{htmlmod.escape(title)}</title>", 1)
    vendor = paths.STATIC / "vendor"

    def script(match: re.Match) -> str:
        code = (vendor / match.group(1)).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match) -> str:
        return "<style>" + _inline_css(vendor / match.group(1)) + "</style>"

    page = re.sub(rf'<script src="{_PLACEHOLDER}/([^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="{_PLACEHOLDER}/([^"]+)"\s*/>', style, page)
    if _PLACEHOLDER in page:
        raise RuntimeError("an asset link was not inlined")  # a folium template changed
    return page


# --- data --------------------------------------------------------------------------------

def _plain(value):
    """JSON-ready value: NaN/NA -> None, numpy ints -> int, timestamps -> ISO dates."""
    if isinstance(value, list | tuple):
        return list(value)
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.integer):
        return int(value)
    return value


def _records(incidents: gpd.GeoDataFrame) -> list[dict]:
    """Schema properties per incident as plain JSON values (column-wise, not row by row)."""
    columns = {}
    for f in FIELDS:
        column = incidents[f]
        if f in ("date", "end_date"):
            column = column.dt.strftime("%Y-%m-%d")
        column = column.astype(object)
        if f not in ("sources", "related_ids"):
            column = column.where(column.notna(), None)
        columns[f] = column.tolist()
    return [dict(zip(FIELDS, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def to_geojson(incidents: gpd.GeoDataFrame) -> bytes:
    """The incidents as a FeatureCollection in the schema of ``incidents.geojson``."""
    geometries = shapely.to_geojson(incidents.geometry.values)
    features = ",\n".join(
        f'{{"type": "Feature", "id": {json.dumps(props["id"])}, "geometry": {geometry}, '
        f'"properties": {json.dumps(props, ensure_ascii=False, default=int)}}}'
        for props, geometry in zip(_records(incidents), geometries, strict=True))
    return f'{{"type": "FeatureCollection", "features": [\n{features}\n]}}\n'.encode()


CSV_COLUMNS: tuple[str, ...] = (*FIELDS, "depth_km", "lon", "lat", "geometry_type")


def _flat(incidents: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per incident, lists joined, plain columns (shared by CSV and GeoPackage)."""
    point = incidents.geometry.representative_point()
    out = pd.DataFrame({f: incidents[f].map(_plain) for f in FIELDS}, index=incidents.index)
    out["sources"] = [" | ".join(f"{s['document']}: “{s['quote']}”" for s in sources)
                      for sources in incidents["sources"]]
    out["related_ids"] = ["; ".join(ids) for ids in incidents["related_ids"]]
    out["origin"] = [None if o is None else json.dumps(o, ensure_ascii=False)
                     for o in incidents["origin"]]
    for column in COUNT_FIELDS:
        out[column] = incidents[column].astype("Int64")
    out["depth_km"] = incidents.get("depth_km", np.nan)
    out["lon"], out["lat"] = point.x.round(5), point.y.round(5)
    out["geometry_type"] = incidents.geometry.geom_type
    return out[list(CSV_COLUMNS)].reset_index(drop=True)


#: A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value):
    """A text cell a spreadsheet shows as text: a leading ``'`` defuses a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv(incidents: gpd.GeoDataFrame) -> bytes:
    """One row per incident: every schema field, lon/lat of a representative point, lists
    joined (sources as ``document: “quote”`` separated by `` | ``, related ids by ``; ``).
    UTF-8 with a byte-order mark, so spreadsheet programs read accents right; a text cell
    that would start a formula (``=``, ``+``, ``-``, ``@``) gets a leading ``'``."""
    flat = _flat(incidents)
    for column in flat.columns:
        if not pd.api.types.is_numeric_dtype(flat[column]):
            flat[column] = flat[column].map(_as_text)
    return flat.to_csv(index=False).encode("utf-8-sig")


def to_gpkg(incidents: gpd.GeoDataFrame) -> bytes:
    """A GeoPackage with one layer ``incidents``: the CSV's columns plus the geometry."""
    frame = gpd.GeoDataFrame(_flat(incidents).drop(columns=["lon", "lat"]),
                             geometry=incidents.geometry.reset_index(drop=True), crs="EPSG:4326")
    out = io.BytesIO()
    frame.to_file(out, driver="GPKG", layer="incidents", engine="pyogrio")
    return out.getvalue()


def in_bbox(incidents: gpd.GeoDataFrame, bbox: Iterable[float] | None) -> gpd.GeoDataFrame:
    """Incidents intersecting a lon/lat box (all of them when ``bbox`` is None)."""
    return incidents if bbox is None else incidents[incidents.intersects(box(*bbox))]


def render(fmt: str, shown: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
           airports: gpd.GeoDataFrame | None, opts: SnapshotOptions) -> bytes:
    """The bytes of one export format for the filtered incidents ``shown``."""
    if fmt in ("png", "pdf"):
        fig = snapshot_figure(shown, countries, airports, opts)
        return to_png(fig, opts.scale) if fmt == "png" else to_pdf(fig, opts.title)
    if fmt == "html":
        return to_html(shown, countries, airports, title=opts.title, subtitle=opts.subtitle,
                       data_as_of=opts.data_as_of).encode("utf-8")
    if fmt == "geojson":
        return to_geojson(shown)
    if fmt == "csv":
        return to_csv(shown)
    if fmt == "gpkg":
        return to_gpkg(shown)
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


DEFAULT_STEM = "eastern-flank"


def filename(fmt: str, when: dt.datetime, stem: str = DEFAULT_STEM) -> str:
    """A download name like ``eastern-flank-20251006-1430.png``.

    ``stem`` may come from a user (a title): it is reduced to a slug of a-z, 0-9 and ``-``
    (accents folded, at most 60 characters; the default when nothing is left), so the name
    can never hold a path, a NUL or a device name, whatever the user typed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    slug = re.sub(r"[^a-z0-9]+", "-", geo.fold(str(stem)))[:60].strip("-")
    return f"{slug or DEFAULT_STEM}-{when:%Y%m%d-%H%M}.{fmt}"
