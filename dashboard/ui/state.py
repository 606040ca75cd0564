"""Every session-state key in one place, the filter widgets' values, flash messages, escaping.

Widget keys are ``f_<field>`` of ``formstate.Widgets``, so that the sidebar's values can be
read and written as one value; the rest is the state that is not a widget (the drawn area,
the selected incident, the map view, presentation and curation state).
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields

import streamlit as st

from dashboard.formstate import Widgets

# --- filter widgets: one key per formstate.Widgets field ------------------------------------
WIDGET_PREFIX = "f_"
KEY_DATES = "f_dates"
KEY_SPAN = "data_span"           # (first, last) day of the data at the last run
KEY_COUNTRIES = "f_countries"
KEY_TYPES = "f_types"
KEY_PRESET = "f_preset"
KEY_REGIONS = "f_regions"
KEY_Q = "f_q"
KEY_CONFIDENCE = "f_confidence"
KEY_PLATFORMS = "f_platforms"
KEY_DEPTH_MIN = "f_depth_min"
KEY_DEPTH_MAX = "f_depth_max"
KEY_HOUR_FROM = "f_hour_from"
KEY_HOUR_TO = "f_hour_to"
KEY_RETRACTED = "f_retracted"

# --- other widgets ----------------------------------------------------------------------------
KEY_ONLY = "only_type"          # "only this type": one click shows one type, again shows all
KEY_TILES = "online_tiles"
KEY_TABLE = "incident_table"
KEY_TIMELINE = "timeline"
KEY_FREQ = "timeline_freq"
KEY_EXPORT_TITLE = "x_title"
KEY_EXPORT_BANNER = "x_banner"
KEY_EXPORT_PAGE = "x_page"
KEY_EXPORT_SCALE = "x_scale"
KEY_EXPORT_EXTENT = "x_extent"
KEY_PLAY_ON = "play_on"
KEY_PLAY_STEP = "play_step"
KEY_PLAY_FREQ = "play_freq"
KEY_PLAY_MODE = "play_mode"
KEY_PLAY_WINDOW = "play_window"
KEY_PLAY_SPEED = "play_speed"
KEY_NEW_PACK = "new_pack_name"
KEY_SLIDE_TITLE = "slide_title"
KEY_SLIDE_NOTE = "slide_note"
KEY_PDF_NOTES = "pdf_notes"
KEY_IMPORT_FORMAT = "import_format"
KEY_IMPORT_PREVIEW = "import_preview"  # show the valid rows on the map, unsaved
KEY_IMPORT_NOTE = "import_note"

# --- state that is not a widget ---------------------------------------------------------------
KEY_READY = "state_ready"        # the link has been read into the state
KEY_NOTICES = "link_notices"     # what the link had that was ignored
KEY_AREA = "area"                # drawn or linked area filter, WKT
KEY_POPUP = "popup_of"  # the selected incident whose popup is open (it was clicked on the map)
KEY_SELECTED = "selected"        # highlighted incident id
KEY_VIEW = "view"                # last map view reported by the browser (lat, lon, zoom)
KEY_GOTO = "goto"                # view to move the map to (lat, lon, zoom)
KEY_MAP_NONCE = "map_nonce"      # bumped to remount the map (clears drawings)
KEY_LAST_CLICK = "last_click"
KEY_LAST_DRAWINGS = "last_drawings"
KEY_TABLE_IDS = "table_ids"      # incident ids in table row order, for the selection callback
KEY_BOUNDS = "bounds"            # lon/lat box the map shows (minlon, minlat, maxlon, maxlat)
KEY_FIT = "fit"                  # Bounds the map is to be fitted to (selection, slide, button)
KEY_FIT_SIZE = "fit_size"        # the map size (px) the current goto was fitted for
KEY_FRAMED = "framed"            # the selection the map was last framed on
KEY_FIT_TARGET = "fit_target"    # Bounds of the current selection, for "Fit to incidents"
KEY_PREVIEW = "snapshot_preview"
KEY_PRESENT = "present"          # presentation view on
KEY_THEME = "theme"              # projector theme: None (screen), "dark" or "light"
KEY_BRIEF = "brief"              # brief pack name being worked on / presented
KEY_SLIDE = "slide"              # 1-based slide number presented
KEY_NEW_IDS = "new_since_brief"  # {pack name: incident ids new since its last presentation}
KEY_PRESENTER = "presenter"      # this window is the presenter's (note, next slide, clock)
KEY_SYNC = "present_sync"        # (pack, stamp): the last change of presenting.current seen
KEY_PRESENTER_SINCE = "presenter_since"  # when the presenter view opened (time.time())
KEY_PLAYING = "playing"
KEY_PLAY_LAST = "play_last_advance"
KEY_MAP_POINT = "map_point"      # (lat, lon) of the last click on the map, for "Add incident"
KEY_EDIT_BASE = "edit_base"      # store.Snapshot the open add/edit form started from
KEY_UPLOAD_NONCE = "upload_nonce"  # bumped to clear the upload widget after a save
KEY_IMPORT = "import_result"     # (cache key, ImportResult, name) of the uploaded file
KEY_IMPORT_JOB = "import_job"     # (cache key, jobs.ImportJob) of a big upload being imported
KEY_DIALOG = "dialog"            # the open curation dialog: ("incident" | "retract", id or None)
KEY_FLASH = "flash"              # {slot: (kind, text)}: a message shown once, after a callback
KEY_OVERLAYS = "overlays_on"     # slugs of the context overlays switched on (in the link)
KEY_OVERLAY_NONCE = "overlay_nonce"  # bumped to clear the overlay upload after an add

#: Where a flash message is shown.
FLASH_STORE = "store"   # above the map: saves, imports, restores
FLASH_BRIEF = "brief"   # in the brief-pack panel
FLASH_OVERLAY = "overlay"  # in the "Add a context overlay" section
FLASH_PROFILE = "profile"  # under the Import tab's mapping: a saved import profile


def write_widgets(w: Widgets) -> None:
    """Put filter values into the widgets' state (before the widgets are drawn)."""
    for name, value in asdict(w).items():
        if isinstance(value, tuple) and name != "dates":
            value = list(value)  # multiselects and pills hold lists
        st.session_state[WIDGET_PREFIX + name] = value


def read_widgets() -> Widgets:
    """The filter widgets' current values."""
    ss = st.session_state
    values = {f.name: ss.get(WIDGET_PREFIX + f.name, f.default) for f in fields(Widgets)}
    return Widgets(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def flash(slot: str, kind: str, text: str) -> None:
    """Keep a message ("success" or "error") to show once on the next run, in ``slot``."""
    st.session_state.setdefault(KEY_FLASH, {})[slot] = (kind, text)


def show_flash(slot: str) -> None:
    """Show and forget the message kept for ``slot``, if any."""
    message = st.session_state.get(KEY_FLASH, {}).pop(slot, None)
    if message:
        (st.error if message[0] == "error" else st.success)(md(message[1]))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


def md(text: object) -> str:
    """Data text shown through st.markdown (and every label Streamlit renders as Markdown):
    every Markdown character backslash-escaped, and every colon written as the entity
    ``&#58;`` so that no ``:material/...:``, ``:red[...]`` or emoji shortcode is drawn (a
    backslash before a colon does not stop them)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace(":", "&#58;")
