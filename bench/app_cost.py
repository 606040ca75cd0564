"""What one briefer's session costs the app server, step by step, against a floor (issue 16).

Starts the real app as ``make run`` does (``streamlit run dashboard/app.py --server.address
127.0.0.1 --server.headless true --server.port <free>``), then ``bench/floor_app.py`` (the same
base map in ``st_folium`` and one widget), and drives one headless Chromium through the same
scripted session on each: open the page, ten filter changes of different kinds, a pan, a zoom,
a click on a symbol, the Incidents and Timeline tabs. Steps the floor lacks are skipped there.
``--runs N`` repeats the session (a new browser context each time, the same server) and
prints medians; the first open of a fresh server (data not yet loaded) is reported apart.

How each figure is measured, per step:

- **cpu s**: the server's CPU seconds, utime + stime of ``/proc/<server pid>/stat`` (all of
  its threads) read just before the committing action and after the app is idle again.
- **wall s**: from the committing action (the key press, click or drag; for the open, the
  navigation) until the app is idle: ``stApp``'s ``data-test-script-state`` is ``notRunning``,
  no element is ``data-stale``, the map is drawn (open: ``.ef-incident`` or, at scale,
  cluster/density symbols in the map iframe), and it has stayed so for ``--quiet`` seconds.
  An init script (in every frame) stamps the last activity: a change of those attributes, a
  websocket message, a node added or removed in the page or the map iframe. The wall time ends
  at that last activity, not after the quiet window, so it includes the browser drawing the
  result; the quiet window only guards against the ~250 ms debounce of map events. It starts
  before Playwright's own checks of the element acted on (tens of ms).
- **ws KB**: websocket payload bytes received, as Playwright reports them (``framereceived``):
  decompressed, what the page's JavaScript gets. **wire KB**: what crossed the wire on the
  websocket connection, permessage-deflate compressed (``enableWebsocketCompression``) with
  frame headers, counted by a loopback TCP relay the browser connects through.
- **runs**: script runs the step caused, decoded from the ForwardMsgs received (the server's
  own account, however briefly the DOM's script state flips): every run ends with one
  ``scriptFinished`` (each also starts with a ``newSession``, fragment runs included) whose
  status says full app run (a), fragment run (f) or stopped early for a rerun (x): ``a/f/x``.

No assertions: it prints figures. The machine's load average is printed with them.

    .venv/bin/python bench/app_cost.py [--data PATH] [--runs N] [--quiet 1.5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import CHROMIUM_ARGS, MAP_FRAME, free_port  # noqa: E402

DRAWN = ".ef-incident, .ef-point, .ef-cluster, .ef-density"
WAIT_MS = 180_000
#: scriptFinished status -> run kind: a full run, stopped early for a rerun, a fragment run.
FINISHED = {0: "a", 1: "a", 2: "x", 3: "f"}
ACTIVITY_JS = """(() => {
  const now = () => performance.timeOrigin + performance.now();
  if (window === window.top) {
    const efm = window.__efm = {last: now()}, poke = () => { efm.last = now(); };
    new MutationObserver(poke).observe(document, {subtree: true, childList: true,
        attributes: true, attributeFilter: ['data-test-script-state', 'data-stale']});
    const WS = window.WebSocket;
    window.WebSocket = class extends WS {
      constructor(...a) { super(...a); this.addEventListener('message', poke); } };
  } else {
    addEventListener('DOMContentLoaded', () => new MutationObserver(() => {
      try { window.top.__efm.last = now(); } catch (e) {} }).observe(document, {subtree: true,
        childList: true}));
  }
})();"""
IDLE_JS = """([t0, quiet, frame, drawn]) => {
  const app = document.querySelector('[data-testid="stApp"]'), efm = window.__efm;
  if (!efm || !app || app.getAttribute('data-test-script-state') !== 'notRunning'
      || document.querySelector('[data-stale="true"]')) return false;
  if (drawn) { const f = document.querySelector(frame), d = f && f.contentDocument;
    if (!d || !d.querySelector(drawn)) return false; }
  const since = Math.max(efm.last, t0);
  return performance.timeOrigin + performance.now() - since >= quiet ? since : false; }"""
#: What the page looks like when it does not become idle.
STATE_JS = """([frame, drawn]) => {
  const f = document.querySelector(frame), d = f && f.contentDocument;
  const all = s => document.querySelectorAll(s);
  return {script: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
    stale: all('[data-stale="true"]').length, drawn: d ? d.querySelectorAll(drawn).length : 'no map',
    idle_ms: Math.round(Date.now() - window.__efm.last),
    exceptions: [...all('[data-testid="stException"]')].map(e => e.innerText.slice(0, 300))}; }"""
#: The centre of the first symbol in the map's view that a click would hit, in page pixels.
SYMBOL_JS = """([frame, drawn]) => {
  const f = document.querySelector(frame), d = f.contentDocument, r = f.getBoundingClientRect();
  for (const el of d.querySelectorAll(drawn)) {
    const b = el.getBoundingClientRect(), x = b.x + b.width / 2, y = b.y + b.height / 2;
    const hit = d.elementFromPoint(x, y);
    if (b.width && hit && (el === hit || el.contains(hit))) return [r.x + x, r.y + y]; }
  return null; }"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads included."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Relay:
    """Loopback TCP relay in front of the server; counts the bytes the server sends on
    websocket connections (``GET /_stcore/stream``), as they cross the wire."""

    def __init__(self, target: int):
        self.target, self.ws_bytes = target, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.sock.accept()
            with suppress(OSError):  # (the server may have stopped)
                upstream, is_ws = socket.create_connection(("127.0.0.1", self.target)), [False]
                for pipe in ((client, upstream, is_ws, True), (upstream, client, is_ws, False)):
                    threading.Thread(target=self._pipe, args=pipe, daemon=True).start()

    def _pipe(self, src, dst, is_ws: list, request: bool) -> None:
        with suppress(OSError):
            while data := src.recv(65536):
                if request and not is_ws[0] and b"/_stcore/stream" in data[:200]:
                    is_ws[0] = True
                if is_ws[0] and not request:
                    self.ws_bytes += len(data)
                dst.sendall(data)
        with suppress(OSError):
            dst.shutdown(socket.SHUT_WR)  # pass the close on


def _healthy(port: int) -> bool:
    with suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                                   timeout=2) as r:
        return r.status == 200
    return False


@contextmanager
def serve(script: Path, env: dict[str, str]):
    """``streamlit run`` as ``make run`` does; yields (relay, server pid)."""
    port = free_port()
    log = open(Path(tempfile.gettempdir()) / f"app-cost-{port}.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--server.port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 120
        while not _healthy(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start:\n{log.read().decode()[-3000:]}")
            time.sleep(0.3)
        yield Relay(port), proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Session:
    """One page on one server: counts websocket bytes and script runs; measures steps."""

    def __init__(self, browser, relay: Relay, pid: int, quiet: float):
        self.relay, self.pid, self.quiet = relay, pid, quiet
        self.url = f"http://127.0.0.1:{relay.port}/"
        self.context = browser.new_context(viewport={"width": 1600, "height": 1000})
        self.context.add_init_script(ACTIVITY_JS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.counts = {"bytes": 0, "a": 0, "f": 0, "x": 0}
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.errors: list[str] = []  # page errors and console errors, for a failure's report
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)[:200]))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text[:200]))

    def _frame(self, payload) -> None:
        self.counts["bytes"] += len(payload)
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                self.counts[FINISHED.get(msg.script_finished, "a")] += 1

    def measure(self, commit, drawn: str | None = None) -> dict:
        before = dict(self.counts)
        wire, cpu = self.relay.ws_bytes, cpu_seconds(self.pid)
        t0 = time.time() * 1000
        commit(self.page)
        try:
            since = self.page.wait_for_function(
                IDLE_JS, arg=[t0, self.quiet * 1000, MAP_FRAME, drawn], polling=50,
                timeout=WAIT_MS).json_value()
        except PlaywrightTimeout:
            state = self.page.evaluate(STATE_JS, [MAP_FRAME, DRAWN])
            raise RuntimeError(f"not idle after {WAIT_MS / 1000:.0f} s: {state}, "
                               f"errors {self.errors[-3:]}") from None
        return {"cpu": cpu_seconds(self.pid) - cpu, "wall": (since - t0) / 1000,
                "ws": (self.counts["bytes"] - before["bytes"]) / 1024,
                "wire": (self.relay.ws_bytes - wire) / 1024,
                **{k: self.counts[k] - before[k] for k in "afx"}}

    def open(self) -> dict:
        return self.measure(lambda p: p.goto(self.url, wait_until="commit"), DRAWN)


# --- the scripted session: (name, kind, element that must exist, prepare, commit) --------------

def _choose(key: str, text: str):
    """A multiselect: type ``text`` (prepared), Enter commits it."""
    def prepare(page):
        page.locator(f".st-key-{key} input").click()
        page.keyboard.type(text)
        page.locator('[role="option"]').filter(has_text=text).first.wait_for()
    return prepare, lambda page, _: (page.keyboard.press("Enter"), page.keyboard.press("Escape"))


def _click(key: str, role: str, name: str):
    return None, lambda page, _: page.locator(f".st-key-{key}").get_by_role(
        role, name=name, exact=True).click()


def _dates(page):  # the start day three days on; a typed date commits on blur
    page.locator('.st-key-f_dates [aria-label="day, Dates start date"]').click()
    for _ in range(3):
        page.keyboard.press("ArrowUp")


def _map_box(page):
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    return page.locator(MAP_FRAME).bounding_box()


def _drag(page, box):
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.75
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 160, y - 90, steps=8)
    page.mouse.up()


RESET = (None, lambda page, _: page.get_by_role("button", name="Reset all filters").click())
TABS = '[role="tablist"]'
STEPS = [
    ("country: Poland", "filter", ".st-key-f_countries", *_choose("f_countries", "Poland")),
    ("region: Podkarpackie", "filter", ".st-key-f_regions", *_choose("f_regions", "Podkarpackie")),
    ("reset all filters", "filter", ".st-key-f_preset", *RESET),
    ("preset: Baltic states", "filter", ".st-key-f_preset", *_click("f_preset", "radio", "Baltic states")),
    ("type pill: Strike off", "filter", ".st-key-f_types", *_click("f_types", "button", "Strike")),
    ("show only: Interception", "filter", ".st-key-only_type", *_click("only_type", "radio", "Interception")),
    ("confidence: Medium+", "filter", ".st-key-f_confidence", *_click("f_confidence", "radio", "Medium+")),
    ("search: drone", "filter", ".st-key-f_q", lambda page: page.locator(".st-key-f_q input").fill("drone"),
     lambda page, _: page.locator(".st-key-f_q input").press("Enter")),
    ("dates: start +3 days", "filter", ".st-key-f_dates", _dates,
     lambda page, _: page.get_by_text("Filters", exact=True).first.click()),
    ("reset all filters", "filter", ".st-key-f_preset", *RESET),
    ("pan (drag the map)", "pan", MAP_FRAME, _map_box, _drag),
    ("zoom (+ button)", "zoom", MAP_FRAME, None,
     lambda page, _: page.frame_locator(MAP_FRAME).locator(".leaflet-control-zoom-in").click()),
    ("click a symbol", "click", MAP_FRAME, lambda page: _map_box(page) and page.evaluate(
        SYMBOL_JS, [MAP_FRAME, DRAWN]), lambda page, xy: page.mouse.click(*xy)),
    ("tab: Incidents", "tab", TABS, None, lambda page, _: page.get_by_role("tab", name=re.compile(
        "^Incidents")).first.click()),
    ("tab: Timeline", "tab", TABS, None, lambda page, _: page.get_by_role("tab", name="Timeline").click()),
]
KEYS = [f"{i + 1:>2} {step[0]}" for i, step in enumerate(STEPS)]


def session(browser, relay: Relay, pid: int, quiet: float, steps: bool = True) -> dict[str, dict | None]:
    """One scripted session (or only its open); a step the page lacks (the floor) or that fails
    is None."""
    s = Session(browser, relay, pid, quiet)
    results: dict[str, dict | None] = dict.fromkeys(["open", *KEYS])
    try:
        results["open"] = s.open()
        for key, (name, _kind, needs, prepare, commit) in zip(KEYS, STEPS if steps else [], strict=False):
            try:
                if s.page.locator(needs).count():
                    prepared = prepare(s.page) if prepare else None
                    if prepared is not None or name != "click a symbol":  # else nothing in view
                        results[key] = s.measure(lambda page, c=commit, p=prepared: c(page, p))
            except Exception as exc:  # a failed step is a result: say so, go on
                print(f"step {key.strip()} failed: {' '.join(str(exc).split())[:600]}", file=sys.stderr)
    except Exception as exc:  # no page to go on with
        print(f"open failed: {' '.join(str(exc).split())[:600]}", file=sys.stderr)
    finally:
        s.context.close()
    return results


def run_target(browser, script: Path, env: dict[str, str], args) -> tuple[dict, list[dict]]:
    """The first open of a fresh server (data not loaded yet), then ``--runs`` sessions on it."""
    with serve(script, env) as (relay, pid):
        first = session(browser, relay, pid, args.quiet, steps=False)["open"]
        return first, [session(browser, relay, pid, args.quiet) for _ in range(args.runs)]


def _median(found: list[dict]) -> dict | None:
    return {f: statistics.median(m[f] for m in found) for f in found[0]} if found else None


def _fmt(m: dict | None) -> str:
    if m is None:
        return f"{'-':>36}"
    runs = f"{m['a']:g}/{m['f']:g}/{m['x']:g}"
    return f"{m['cpu']:>6.2f} {m['wall']:>6.2f} {m['ws']:>7.0f} {m['wire']:>7.0f} {runs:>7}"


def _line(label: str, a: dict | None, f: dict | None) -> None:
    def ratio(field):
        if not a or not f or not f[field]:
            return "-"
        return f"{a[field] / f[field]:.{1 if a[field] < 100 * f[field] else 0}f}x"
    print(f"{label:<26}|{_fmt(a)} |{_fmt(f)} | {ratio('cpu'):>6} {ratio('wall'):>6} {ratio('wire'):>6}")


def report(app: tuple[dict, list[dict]], floor: tuple[dict, list[dict]], args) -> None:
    cols = " cpu s wall s   ws KB wire KB   a/f/x"
    print(f"{'':<26}|{'app':^36} |{'floor':^36} | app/floor\n{'step':<26}|{cols:>36} |{cols:>36} | "
          f"{'cpu':>6} {'wall':>6} {'wire':>6}")
    rows = {"open (cold server)": (app[0], floor[0])}
    for key in ["open", *KEYS]:
        rows[key] = tuple(_median([r[key] for r in runs if r[key]]) for runs in (app[1], floor[1]))
    for key, (a, f) in rows.items():
        _line(key, a, f)
    print("by kind (median of its steps; floor: the steps it has)")
    for kind in dict.fromkeys(["open", *(step[1] for step in STEPS)]):
        keys = ["open"] if kind == "open" else [k for k, st in zip(KEYS, STEPS, strict=True) if st[1] == kind]
        _line(f"  {kind}", *(_median([m for k in keys if (m := rows[k][i])]) for i in (0, 1)))
    print(f"medians of {args.runs} run(s); {os.cpu_count()} cores; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine: other work counts)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="incident file (GeoJSON or GeoParquet); default the shipped one")
    parser.add_argument("--runs", type=int, default=1, help="sessions per target; medians (default 1)")
    parser.add_argument("--quiet", type=float, default=1.5,
                        help="seconds without activity that count as idle (default 1.5)")
    args = parser.parse_args(argv)
    env = {"EFM_DATA": str(Path(args.data).resolve())} if args.data else {}
    print(f"data: {args.data or 'shipped incidents.geojson'} · load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        floor_script = Path(tmp) / "floor_app.py"  # beside a static/ with the vendored Leaflet
        shutil.copy(ROOT / "bench" / "floor_app.py", floor_script)
        (Path(tmp) / "static").symlink_to(ROOT / "dashboard" / "static")
        app = run_target(browser, ROOT / "dashboard" / "app.py", env, args)
        floor = run_target(browser, floor_script, env, args)
        browser.close()
    report(app, floor, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
