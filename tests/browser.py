"""Helpers for real-browser tests: find Chromium, serve the app, block the outside world."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard import paths

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: How long a browser test waits for a visible condition. Generous: on a busy 2-core machine a
#: Streamlit rerun can take several seconds, and a test waits for what it needs, never sleeps.
WAIT_MS = 120_000


class Chromium:
    """A launched browser whose every context waits up to ``WAIT_MS`` for a condition."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(WAIT_MS)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


def chromium_path() -> str:
    """Debian's Chromium, or skip (fail under CI=true, where browser tests must run)."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                         else None)
    if found:
        return found
    reason = "Chromium is not installed (Debian package 'chromium'; `make test` installs it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " — required under CI=true")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(env: dict[str, str] | None = None, timeout: float = 90) -> Iterator[str]:
    """Start the app with ``streamlit run`` as the README does; yield its URL."""
    port = free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"streamlit-{port}.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=paths.ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start:\n{log.read().decode()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def open_from_disk(browser, path, width: int = 1400, height: int = 900):
    """Open a saved page (an HTML export) as a file, with every request that is not to the
    file itself or inline data aborted and recorded; returns the page, the blocked URLs and
    the page's script errors (close ``page.context`` when done)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    blocked: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("file:", "data:", "blob:", "about:")) else (blocked.append(route.request.url),
                                                   route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    page.locator(".leaflet-container").wait_for(state="visible")
    return page, blocked, errors


def block_outside(context, blocked: list[str]) -> None:
    """Abort and record every request that leaves this machine."""
    def handle(route):
        host = urlparse(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()
    context.route("**/*", handle)


def wait_idle(page, timeout: float = WAIT_MS) -> None:
    """Wait until the app's script is not running and no element is left stale by a rerun."""
    page.wait_for_function(
        """() => { const app = document.querySelector('[data-testid="stApp"]');
                   return app && app.getAttribute('data-test-script-state') === 'notRunning'
                          && !document.querySelector('[data-stale="true"]'); }""",
        timeout=timeout)

def wait_symbols(page, n: int, frame: str = MAP_FRAME) -> None:
    """Wait until the map in ``frame`` (the main map by default) draws ``n`` incident symbols."""
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             return f && f.contentDocument &&
                    f.contentDocument.querySelectorAll('.ef-incident').length === n; }""",
        arg=[frame, n])


def open_edit(page):
    """Open the selected incident's edit form from its card; the dialog."""
    page.get_by_role("button", name="Edit", exact=True).first.click()
    page.get_by_label("Change note (kept in the history)").wait_for()
    return page.get_by_role("dialog")


def save_edit(page, incident: str, drones: str, note: str) -> None:
    """Edit the selected incident's drone count with a change note, and wait for the save."""
    form = open_edit(page)
    form.get_by_label("Drones", exact=True).fill(drones)
    form.get_by_label("Change note (kept in the history)").fill(note)
    form.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text(f"Saved {incident}.").wait_for()


#: The Import tab's file input (the overlay section under it has an uploader of its own).
IMPORT_FILE = '[class*="st-key-upload-"] input[type="file"]'


@contextmanager
def editable_app_page(browser, data: Path, width: int = 1600, height: int = 1000):
    """A page on the app running on ``data`` (a temporary copy) with saving allowed, its map
    drawn; nothing outside loopback is requested."""
    env = {"EFM_DATA": str(data), "EFM_BRIEFS_DIR": str(data.parent / "briefs"),
           "EFM_READ_ONLY": "0"}
    with running_app(env=env) as url:
        context = browser.new_context(viewport={"width": width, "height": height})
        block_outside(context, [])
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
        yield page
        context.close()


def data_copy(tmp_path_factory, name: str) -> Path:
    """A temporary copy of the shipped incidents, for a browser test module that saves."""
    folder = tmp_path_factory.mktemp(name)
    shutil.copy(paths.INCIDENTS, folder / "incidents.geojson")
    return folder / "incidents.geojson"
