"""Which slide each brief pack is showing now, shared by every window that presents it.

The presenter's window and the audience's (and any other screen presenting the same pack on
this server) follow one another: whichever moves publishes its slide with ``set_slide``, and
each window polls ``current`` and follows when the stamp is not the one it last saw.

The registry lives in this process: good for one server (``streamlit run``). Several server
processes behind a load balancer would need a shared backend (a database table) behind the
same two functions.
"""

from __future__ import annotations

import itertools
import threading
from typing import NamedTuple


class Current(NamedTuple):
    """The slide a pack shows (1-based) and the stamp of that change (increasing)."""

    slide: int
    stamp: int


_lock = threading.Lock()
_stamps = itertools.count(1)
_slides: dict[str, Current] = {}


def set_slide(pack: str, slide: int) -> Current:
    """Publish that ``pack`` now shows ``slide``; returns it with a new stamp."""
    if slide < 1:
        raise ValueError(f"slide {slide!r} is not a slide number (1, 2, ...)")
    with _lock:
        current = _slides[pack] = Current(slide, next(_stamps))
    return current


def current(pack: str) -> Current | None:
    """The slide ``pack`` shows and its stamp, or None when no window has published one."""
    with _lock:
        return _slides.get(pack)


def news(pack: str, seen: int | None) -> Current | None:
    """What changed since stamp ``seen``: the pack's current slide when its stamp differs,
    else None (nothing to follow)."""
    now = current(pack)
    return now if now is not None and now.stamp != seen else None


def forget(pack: str | None = None) -> None:
    """Drop one pack's entry (a pack deleted or renamed), or every entry."""
    with _lock:
        if pack is None:
            _slides.clear()
        else:
            _slides.pop(pack, None)
