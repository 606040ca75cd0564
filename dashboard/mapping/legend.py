"""The map's look as data for ``static/efm/map.css`` (one ``:root`` rule per theme) and its
legend: a compact, collapsible panel that ``layers.js`` places as a Leaflet control at the top
right, under the layer control, clear of the scale bar (bottom left)."""

from __future__ import annotations

from .. import style
from ..schema import INCIDENT_TYPES, TYPE_LABELS
from ..style import GROUP_LABELS, Theme, symbol_svg

LEGEND_ID = "ef-legend"
LEGEND_MODE_ID = "ef-legend-mode"
LEGEND_OVERLAYS_ID = "ef-legend-overlays"  # filled by the overlay layers (mapping.overlays)


def root_css(theme: Theme) -> str:
    """The one generated rule: a theme's values as the custom properties ``map.css`` reads."""
    values = {
        "map-background": theme.sea,
        "label-font": f"600 {theme.label_px}px/1.1 system-ui, sans-serif",
        "city-font": f"500 {max(theme.label_px - 2, 11)}px/1.1 system-ui, sans-serif",
        "label-color": theme.label,
        "city-color": theme.city,
        "halo": theme.halo,
        "panel-background": theme.panel,
        "panel-color": theme.panel_text,
        "panel-font": f"{theme.panel_px - 1}px/1.25 system-ui, sans-serif",
        "panel-px": f"{theme.panel_px}px",
        "mode-px": f"{max(theme.panel_px - 3, 11)}px",
        "highlight": style.HIGHLIGHT,
    }
    return "<style>:root { " + " ".join(f"--ef-{k}: {v};" for k, v in values.items()) + " }</style>"


def _row(mark: str, text: str) -> str:
    return f"<div>{mark}<span>{text}</span></div>"


def legend_html(theme: Theme) -> str:
    """The legend: a symbol per incident type, the "shown as" line, the country groups and
    the map's marks (airport, closed airport, city, capital, river), under a toggle."""
    px = 14
    rows = "".join(_row(symbol_svg(t, px), TYPE_LABELS[t]) for t in INCIDENT_TYPES)
    areas = "".join(
        _row(f'<span class="swatch" style="background:{theme.fills[g]}"></span>', GROUP_LABELS[g])
        for g in ("nato", "russia_belarus", "ukraine_moldova"))
    marks = "".join([
        _row(f'<svg width="{px}" height="{px}"><circle cx="7" cy="7" r="2.5" '
             f'fill="{style.AIRPORT}"/></svg>', "Airport"),
        _row(f'<svg width="{px}" height="{px}"><circle cx="7" cy="7" r="5.5" fill="none" '
             f'stroke="{style.CLOSED}" stroke-width="2" stroke-dasharray="3 2"/></svg>',
             "Closed airport"),
        _row(f'<svg width="{px}" height="{px}"><circle cx="7" cy="7" r="3.5" fill="#fff" '
             f'stroke="{theme.city}" stroke-width="1.5"/><circle cx="7" cy="7" r="1.5" '
             f'fill="{theme.city}"/></svg>', "Capital · city"),
        _row(f'<svg width="{px}" height="{px}"><path d="M1 10 C5 4, 9 12, 13 5" fill="none" '
             f'stroke="{theme.river}" stroke-width="1.6"/></svg>', "River, lake"),
    ])
    # The incident layer fills in the "shown as" line (symbols, clusters or density), so
    # the legend changes with the layer while the base map stays mounted.
    return (f'<div class="ef-legend" id="{LEGEND_ID}">'
            '<button type="button" class="ef-legend-toggle" aria-expanded="true" '
            'title="Show or hide the legend">Legend</button>'
            f'<div class="ef-legend-body"><div class="ef-legend-cols">'
            f'<div><h4>Incidents</h4>{rows}</div><div><h4>Map</h4>{areas}{marks}</div></div>'
            f'<div class="ef-legend-overlays" id="{LEGEND_OVERLAYS_ID}"></div>'
            f'<span class="ef-mode" id="{LEGEND_MODE_ID}"></span></div></div>')
