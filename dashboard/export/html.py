"""The standalone HTML export: the web map with every script, style and image inlined.

The page has the same layers, styles, legend and popups as the app (``mapping``), plus a
title box (styled by ``static/efm/map.css``) and, when given, the handling banner across its
top and bottom; Leaflet, its plugins and the map's own ``static/efm/`` files are inlined, so
the page opens from disk with no network. It opens on the exported extent, and draws the
incidents as the app's map would for that extent (``mapping.standalone_map``): symbols with
popups, clusters or a density grid, with the legend's "shown as" line, so 100,000
incidents make a page of about the base map's size, not one symbol and popup each.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

from .. import mapping, paths
from ..bounds import Bounds
from ..overlays import Layer
from ..style import ATTRIBUTION, DEFAULT_TITLE

#: The static folder's URL while the page is rendered; every link to it is then inlined.
_PLACEHOLDER = "EFM-ASSETS"


def _data_uri(path: Path) -> str:
    kind = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _inline_css(path: Path) -> str:
    css = path.read_text(encoding="utf-8")
    return re.sub(r"url\((['\"]?)(images/[^)'\"]+)\1\)",
                  lambda m: f"url({_data_uri(path.parent / m.group(2))})", css)


def _title_box(title: str, subtitle: str, count: int, data_as_of: dt.date | None) -> str:
    as_of = f"Data as of {data_as_of:%-d %b %Y} · " if data_as_of else ""
    return (f"<div class='ef-title-box'><div class='ef-title'>{html.escape(title)}</div>"
            f"<div>{html.escape(subtitle)}</div>"
            f"<div class='ef-note'>{html.escape(as_of)}{count} incidents · "
            f"{html.escape(ATTRIBUTION)}</div></div>")


#: The handling banner, as on the snapshots: a dark band with white bold text at the top and
#: the bottom, the map between them (not under them). Here rather than in static/efm/map.css
#: because only this page has it; move it there if the app ever shows one.
_BANNER_CSS = """<style>
.ef-banner { position: fixed; left: 0; right: 0; height: 28px; z-index: 2000;
  background: #1f1f1f; color: #fff; font: 700 14px/28px system-ui, sans-serif;
  text-align: center; letter-spacing: .04em; }
.ef-banner.ef-top { top: 0; } .ef-banner.ef-bottom { bottom: 0; }
.folium-map { top: 28px !important; height: calc(100% - 56px) !important; }
.ef-title-box { top: 38px !important; }
</style>"""


def _banners(banner: str) -> str:
    """The handling banner across the top and the bottom of the page; nothing when empty."""
    if not banner:
        return ""
    text = html.escape(banner)
    return _BANNER_CSS + "".join(f"<div class='ef-banner ef-{edge}'>{text}</div>"
                                 for edge in ("top", "bottom"))


def _inline_assets(page: str) -> str:
    """Every ``<script src>`` and stylesheet link under the placeholder, replaced by the file."""
    def script(match: re.Match) -> str:
        code = (paths.STATIC / match.group(1)).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match) -> str:
        return "<style>" + _inline_css(paths.STATIC / match.group(1)) + "</style>"

    page = re.sub(rf'<script src="{_PLACEHOLDER}/([^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="{_PLACEHOLDER}/([^"]+)"\s*/>', style, page)
    if _PLACEHOLDER in page:
        raise RuntimeError("an asset link was not inlined")  # a folium template changed
    return page


def to_html(incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
            airports: gpd.GeoDataFrame | None, *, title: str = DEFAULT_TITLE,
            subtitle: str = "", data_as_of: dt.date | None = None, banner: str = "",
            sources: Mapping[str, Any] | None = None,
            bbox: Bounds | tuple[float, float, float, float] | None = None,
            overlays: Sequence[Layer] = ()) -> str:
    """One self-contained HTML page: the same layers, styles, legend and popups as the app,
    with Leaflet and all data inlined, so it opens from disk with no network; ``banner`` (a
    handling marking) across its top and bottom when given; popups name each source by its
    entry in ``sources`` (the registry) where it has one.

    The page opens on ``bbox`` (lon/lat; the eastern flank when None) and shows the
    incidents as the app's map would there: symbols while at most ``aggregate.SYMBOLS_MAX``
    are inside it, else clusters or a density grid (None counts every incident). Context
    ``overlays`` are drawn under the incidents, each with its legend row and tooltip.
    """
    m = mapping.standalone_map(countries, airports, incidents, static_base=_PLACEHOLDER,
                               registry=sources, extent=bbox, overlays=overlays)
    m.get_root().html.add_child(folium.Element(_title_box(title, subtitle, len(incidents),
                                                          data_as_of) + _banners(banner)))
    m.get_root().title = html.escape(title)  # folium puts it in <title> unescaped
    page = m.get_root().render()
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return _inline_assets(page)
