"""The one source of how the product looks: palette, incident symbols, themes, texts, home view.

Plain data (and one small SVG formatter), read by the web map (``mapping``), the static
exports (``export``) and the app; no Streamlit, folium or matplotlib here, so every view
of the data draws a type in the same colour and shape, and opens on the same view.
Coordinates of the home view are named in the order folium wants them: ``(lat, lon)``.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- texts -----------------------------------------------------------------------------------

DEFAULT_TITLE = "Eastern Flank Incident Map"
ATTRIBUTION = ("Basemap: Natural Earth (public domain), internationally recognised borders · "
               "Cities: GeoNames (CC BY 4.0) · Airports: airportsdata (MIT)")

# --- home view -------------------------------------------------------------------------------

#: The view the map opens on, ``((south, west), (north, east))``: Norway/Finland to Bulgaria,
#: Germany to western Russia (``bounds.FLANK`` is the same box as lon/lat ``Bounds``).
EASTERN_FLANK_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((42.0, 6.0), (70.5, 41.0))
EASTERN_FLANK_CENTER = (56.5, 23.5)
#: The opening zoom (fractional: Leaflet snaps to quarter levels here).
HOME_ZOOM = 4.5

# --- palette ---------------------------------------------------------------------------------

SEA = "#b9d3e6"
GROUP_FILL = {
    "nato": "#dce6f2",
    "russia_belarus": "#f0d5cf",
    "ukraine_moldova": "#f5e9bd",
    "other": "#e9e9e6",
}
GROUP_LABELS = {
    "nato": "NATO member",
    "russia_belarus": "Russia / Belarus",
    "ukraine_moldova": "Ukraine / Moldova",
    "other": "Other",
}
BORDER = "#6f7a85"          # country borders (default theme) and the snapshot's frame
LABEL = "#3d4a57"           # country names (default theme)
OUTLINE = "#1a1a1a"         # the edge of every incident symbol
AIRPORT = "#66717d"         # airport dots
AIRPORT_EDGE = "#47525e"
CLOSED = "#b30000"          # the dashed ring of a closed airport
HIGHLIGHT = "#ffd400"       # the selected incident's ring; "new since the last brief"
RIVER = "#6f9ec4"           # rivers and lake shores (default theme); lakes are filled with the sea
ADMIN = "#8a96a3"           # admin-1 boundaries (dashed, from zoom 6)
CITY = "#33404d"            # city dots and names (default theme)


@dataclass(frozen=True)
class Theme:
    """Basemap and text styling. The projector themes use stronger contrast, larger labels
    (>= 16 px) and larger symbols, for a room watching a screen."""

    sea: str
    fills: dict
    border: str
    label: str
    halo: str
    label_px: int
    panel: str          # legend background
    panel_text: str
    panel_px: int
    icon_px: int
    river: str = RIVER
    admin: str = ADMIN
    city: str = CITY
    closed: str = CLOSED         # the closed-airport ring (a bright red on the dark theme)


#: Incident symbol size on the map (default theme), in pixels.
ICON_PX = 22

THEMES: dict[str, Theme] = {
    "default": Theme(SEA, GROUP_FILL, BORDER, LABEL, "#fff", 13,
                     "rgba(255,255,255,.94)", "#111", 13, ICON_PX),
    "light": Theme("#8fbbe0", {"nato": "#ffffff", "russia_belarus": "#f2c4ba",
                               "ukraine_moldova": "#f7e08f", "other": "#dcdcd8"},
                   "#333c46", "#111", "#fff", 18, "rgba(255,255,255,.97)", "#000", 17, 30,
                   river="#4f88bd", admin="#6b7682", city="#111"),
    "dark": Theme("#0d1b2a", {"nato": "#2b3f57", "russia_belarus": "#5b2f2f",
                              "ukraine_moldova": "#5a5230", "other": "#262a2e"},
                  "#8c9bab", "#f2f2f2", "#000", 18, "rgba(15,22,32,.94)", "#f2f2f2", 17, 30,
                  river="#3b6a94", admin="#6f7e8e", city="#dfe6ee", closed="#ff5252"),
}

# --- incident types --------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeStyle:
    """How one incident type is drawn: a colour-blind-safe colour and a distinct shape, as
    an SVG (web map, legend) and as a matplotlib marker (snapshots)."""

    color: str
    svg: str     # inner SVG elements in a 20x20 box, filled with the colour
    marker: str  # the matplotlib marker of the same shape


# Okabe-Ito palette; each type also has its own shape, so colour is never the only cue.
_STROKE = f'stroke="{OUTLINE}" stroke-width="1.4"'
TYPE_STYLES: dict[str, TypeStyle] = {
    "airspace_incursion": TypeStyle(
        "#E69F00", f'<polygon points="10,1.5 19,18 1,18" {_STROKE}/>', "^"),
    "airport_closure": TypeStyle(
        "#0072B2", f'<rect x="2.5" y="2.5" width="15" height="15" {_STROKE}/>', "s"),
    "strike": TypeStyle(
        "#D55E00", f'<polygon points="10,1 19,10 10,19 1,10" {_STROKE}/>', "D"),
    "interception": TypeStyle(
        "#009E73", f'<circle cx="10" cy="10" r="8" {_STROKE}/>', "o"),
    "crash_debris": TypeStyle(
        "#CC79A7",
        f'<polygon points="4,1 10,7 16,1 19,4 13,10 19,16 16,19 10,13 4,19 1,16 7,10 1,4" {_STROKE}/>',
        "X"),
}


def symbol_svg(incident_type: str, size: int = ICON_PX) -> str:
    """The inline SVG symbol of an incident type (used on the map and in the legend)."""
    style = TYPE_STYLES[incident_type]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 20 20" fill="{style.color}">{style.svg}</svg>')
