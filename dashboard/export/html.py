"""The standalone HTML export: the web map with every script, style and image inlined.

The page has the same layers, styles, legend and popups as the app (``mapping``), plus a
title box (styled by ``static/efm/map.css``); Leaflet, its plugins and the map's own
``static/efm/`` files are inlined, so the page opens from disk with no network.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from pathlib import Path

import folium
import geopandas as gpd

from .. import mapping, paths
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
            subtitle: str = "", data_as_of: dt.date | None = None) -> str:
    """One self-contained HTML page: the same layers, styles, legend and popups as the app,
    with Leaflet and all data inlined, so it opens from disk with no network."""
    m = mapping.standalone_map(countries, airports, incidents, static_base=_PLACEHOLDER)
    m.get_root().html.add_child(folium.Element(_title_box(title, subtitle, len(incidents),
                                                          data_as_of)))
    m.get_root().title = html.escape(title)  # folium puts it in <title> unescaped
    page = m.get_root().render()
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return _inline_assets(page)
