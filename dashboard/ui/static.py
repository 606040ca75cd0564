"""The app's own CSS and JavaScript, kept as files under ``dashboard/static/efm/``."""

from __future__ import annotations

from functools import cache

import streamlit as st
import streamlit.components.v1 as components

from dashboard import paths

EFM_STATIC = paths.STATIC / "efm"


@cache
def text(name: str) -> str:
    """The content of ``static/efm/<name>`` (read once per process)."""
    return (EFM_STATIC / name).read_text(encoding="utf-8")


def css(name: str, variables: dict[str, str] | None = None) -> None:
    """Add the stylesheet ``static/efm/<name>`` to the page, with CSS custom properties."""
    root = "".join(f"--{k}: {v}; " for k, v in (variables or {}).items())
    st.html(f"<style>{':root { ' + root + '}' if root else ''}\n{text(name)}</style>")


def script(name: str) -> None:
    """Run ``static/efm/<name>`` in a zero-height component frame."""
    components.html(f"<script>{text(name)}</script>", height=0)
