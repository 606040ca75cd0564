"""Load test: N people using one running app at once, over loopback only.

Starts the app once (``streamlit run`` on 127.0.0.1, as the browser tests do) unless ``--url``
names one already running, then drives ``--sessions`` browser sessions (one headless Chromium,
one context each, asyncio) through what an analyst does: change the date range, toggle a
country, toggle an incident type, search, open a shared link. Sessions open the app
``--open-at-once`` at a time (first loads are timed apart); once all are open, they all keep
changing filters for ``--seconds``.

Each session pauses ``--think-min``..``--think-max`` seconds between changes (a person reads
the map before changing a filter). The test's own browsers share the machine with the app (in
real use every viewer has a machine of their own), so the result also says how much CPU went
to the app server and how much to the browsers.

Capacity: the app server's own CPU seconds (utime + stime of ``/proc/<server pid>/stat``, all its
threads; the server this test starts, or ``--server-pid``, or the process listening on
``--url``'s port) are read when every session is open and again at the end, and divided by the
reruns of that phase: **server CPU-seconds per rerun**. A briefer who changes a filter every
``T`` seconds (``T`` measured: the phase's length × sessions ÷ reruns) keeps ``cpu/T`` of a core
busy, so one core serves about ``T ÷ cpu per rerun`` **active briefers** at this pace. It counts
only the server's CPU, not the test's browsers, so it holds while the server has its cores to
itself (on a shared machine, CPU-seconds grow a little under contention).

A *rerun* is timed from the change (the key press or click that commits it) until the app's
status widget ("Running…") is gone and the main caption shows the new filter text. Errors are
timeouts (60 s), exceptions thrown in the page, Streamlit exception boxes
(``[data-testid="stException"]``) and anything the browser driver raises. Every request that
would leave the machine is aborted and counted as an error too.

Run (the figures depend on the machine: the browsers share its CPUs with the app)::

    .venv/bin/python bench/load_test.py --sessions 20 --seconds 120
    .venv/bin/python bench/load_test.py --sessions 20 --seconds 120 --json > load.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

from dashboard import paths
from dashboard.schema import TYPE_LABELS

sys.path.insert(0, str(paths.ROOT))  # tests/browser.py: the same app start as the browser tests
from tests.browser import CHROMIUM_ARGS, LOCAL_HOSTS, MAP_FRAME, running_app  # noqa: E402

ACTIONS = ("date", "country", "type", "search", "link")
#: How often each is chosen: a shared link is opened less often than a filter is changed.
WEIGHTS = (3, 3, 3, 2, 1)
COUNTRIES = ("Poland", "Romania", "Estonia", "Lithuania", "Latvia", "Finland", "Moldova")
WORDS = ("drone", "airport", "Rzeszow", "debris", "balloon", "closed", "MiG", "")
LINKS = ({"country": "PL", "type": "airport_closure"}, {"preset": "baltic"},
         {"from": "2025-09-01", "to": "2025-09-30"}, {"q": "drone", "min_confidence": "high"},
         {"region": "PL-PK"}, {"country": ["RO", "MD"], "platform": "drone"}, {})
TIMEOUT_MS = 60_000
#: The main caption: the filters in words, "N of M incidents", "data as of ...".
CAPTION_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
    .map(e => e.innerText).find(t => t.includes('data as of')) || null"""
SETTLED_JS = f"""(before) => {{
    const caption = ({CAPTION_JS})();
    return caption !== null && caption !== before
        && !document.querySelector('[data-testid="stStatusWidget"]');
}}"""


@dataclass
class Rerun:
    session: int
    action: str
    seconds: float | None
    error: str | None = None


@dataclass
class Session:
    """One simulated analyst: a browser context, what they have switched on, what went wrong."""

    number: int
    rng: random.Random
    reruns: list[Rerun] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    first_load: float | None = None
    country_on: bool = False
    query: str = ""


async def caption(page) -> str | None:
    return await page.evaluate(CAPTION_JS)


async def settle(page, before: str | None, timeout_ms: float = TIMEOUT_MS) -> None:
    await page.wait_for_function(SETTLED_JS, arg=before, timeout=max(1.0, timeout_ms), polling=50)


async def open_app(page, url: str) -> None:
    await page.goto(url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    await settle(page, None)
    await page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(
        state="visible", timeout=TIMEOUT_MS)


async def change_dates(s: Session, page) -> float:
    """Move the start (or end) day a few days with the arrow keys; it commits on blur."""
    end = s.rng.random() < 0.5
    segment = page.locator('[data-testid="stDateInput"] [role=spinbutton]'
                           f'[aria-label^="day, Dates {"end" if end else "start"}"]').first
    await segment.scroll_into_view_if_needed()
    await segment.click()
    for _ in range(s.rng.randint(1, 5)):
        await page.keyboard.press("ArrowDown" if end else "ArrowUp")
    t0 = time.perf_counter()
    await page.get_by_text("Eastern Flank Incident Map", exact=True).first.click()
    return t0


async def toggle_country(s: Session, page) -> float:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    await box.scroll_into_view_if_needed()
    await box.locator("input").click()
    if s.country_on:
        t0 = time.perf_counter()
        await page.keyboard.press("Backspace")
    else:
        await page.keyboard.type(s.rng.choice(COUNTRIES))
        t0 = time.perf_counter()
        await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")
    s.country_on = not s.country_on
    return t0


async def toggle_type(s: Session, page) -> float:
    pill = page.locator('[data-testid="stSidebar"]').get_by_text(
        s.rng.choice(list(TYPE_LABELS.values())), exact=True).first
    await pill.scroll_into_view_if_needed()
    t0 = time.perf_counter()
    await pill.click()
    return t0


async def search(s: Session, page) -> float:
    s.query = s.rng.choice([w for w in WORDS if w != s.query])
    box = page.locator('[data-testid="stSidebar"]').get_by_label("Search place, summary and quotes")
    await box.scroll_into_view_if_needed()
    await box.fill(s.query)
    t0 = time.perf_counter()
    await box.press("Enter")
    return t0


async def follow_link(s: Session, page, url: str) -> float:
    """Open a shared link: a new page load and a new Streamlit session."""
    params = s.rng.choice(LINKS)
    s.country_on = "country" in params
    s.query = params.get("q", "")
    t0 = time.perf_counter()
    await page.goto(f"{url}/?{urlencode(params, doseq=True)}", wait_until="domcontentloaded",
                    timeout=TIMEOUT_MS)
    return t0


CHANGES = {"date": change_dates, "country": toggle_country, "type": toggle_type, "search": search}


@dataclass
class Phases:
    """Sessions open a few at a time, then all change filters together for ``seconds``."""

    opening: asyncio.Semaphore
    all_open: asyncio.Event
    waiting: int
    seconds: float
    think: tuple[float, float]
    measured_from: float = 0.0
    deadline: float = 0.0
    server_pid: int | None = None
    server_cpu_from: float | None = None  # the server's CPU seconds when all were open

    def opened(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.measured_from = time.monotonic()
            self.server_cpu_from = server_cpu(self.server_pid)
            self.deadline = self.measured_from + self.seconds
            self.all_open.set()


async def run_session(s: Session, browser, url: str, phases: Phases) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)  # clicks and scrolls too, not Playwright's 30 s

    async def loopback_only(route):
        target = route.request.url
        if (urlparse(target).hostname or "") in LOCAL_HOSTS or target.startswith(
                ("data:", "blob:", "about:")):
            await route.continue_()
        else:
            s.blocked.append(target)
            await route.abort()

    await context.route("**/*", loopback_only)
    page = await context.new_page()
    page.on("pageerror", lambda exc: s.page_errors.append(str(exc)))
    try:
        async with phases.opening:  # people arrive a few at a time, not all in one instant
            t0 = time.perf_counter()
            try:
                await open_app(page, url)
                s.first_load = time.perf_counter() - t0
            except Exception as exc:  # a failed first load is a result
                s.reruns.append(Rerun(s.number, "first load", None,
                                      f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
            finally:
                phases.opened()
        if s.first_load is None:
            return
        await phases.all_open.wait()
        # Spread the sessions' first changes over one think time, as people do.
        await asyncio.sleep(s.rng.uniform(0, phases.think[1]))
        while time.monotonic() < phases.deadline:
            action = s.rng.choices(ACTIONS, weights=WEIGHTS)[0]
            errors_before = len(s.page_errors)
            try:
                before = None if action == "link" else await caption(page)
                t0 = await (follow_link(s, page, url) if action == "link"
                            else CHANGES[action](s, page))
                # One 60 s budget from the change on (a link's page load included).
                await settle(page, before, TIMEOUT_MS - (time.perf_counter() - t0) * 1000)
                seconds = time.perf_counter() - t0
                if seconds * 1000 > TIMEOUT_MS:
                    raise TimeoutError(f"no result after {seconds:.0f} s")
                error = None
                if await page.locator('[data-testid="stException"]').count():
                    error = "stException: " + (await page.locator(
                        '[data-testid="stException"]').first.inner_text())[:200]
                elif len(s.page_errors) > errors_before:
                    error = "page error: " + s.page_errors[-1][:200]
                s.reruns.append(Rerun(s.number, action, seconds, error))
            except Exception as exc:  # timeouts and driver errors are results
                s.reruns.append(Rerun(s.number, action, None,
                                      f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
                with contextlib.suppress(Exception):  # start again from a clean page
                    await open_app(page, url)
                    s.country_on, s.query = False, ""
            # A person reads the map before the next change (no longer than the test lasts).
            await asyncio.sleep(max(0.0, min(s.rng.uniform(*phases.think),
                                             phases.deadline - time.monotonic())))
    finally:
        await context.close()


def _tree_cpu() -> dict[str, float]:
    """CPU seconds used so far by this process's descendants, split into the app server
    (``streamlit``) and the browser (Chromium and the Playwright driver): on a small machine
    they compete for the same cores, and this says which one the time went to."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        ppid = int(fields[1])
        cpu = sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        children.setdefault(ppid, []).append(int(entry.name))
        info[int(entry.name)] = (cmdline, cpu)
    out = {"server_cpu_s": 0.0, "browser_cpu_s": 0.0}
    stack = list(children.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        cmdline, cpu = info.get(pid, ("", 0.0))
        if "streamlit" in cmdline:
            out["server_cpu_s"] += cpu
        else:
            out["browser_cpu_s"] += cpu
            stack.extend(children.get(pid, []))  # the server's own children count in its cutime
    return out


def server_cpu(pid: int | None) -> float | None:
    """utime + stime of the server process (all its threads), in seconds; None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, TypeError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listening_pid(url: str) -> int | None:
    """The process listening on the URL's port on this machine (from /proc/net/tcp*)."""
    port, sockets = urlparse(url).port or 80, set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                cols = row.split()
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                    sockets.add(f"socket:[{cols[9]}]")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and sockets:
            with contextlib.suppress(OSError):
                if any(os.readlink(fd) in sockets for fd in (entry / "fd").iterdir()):
                    return int(entry.name)
    return None


def capacity(phases: Phases, reruns: int, sessions: int, measured: float) -> dict:
    """Server CPU-seconds per rerun over the all-open phase, and the active briefers one core
    serves at the pace measured (one change per briefer every ``seconds_between_changes``)."""
    end = server_cpu(phases.server_pid)
    if end is None or phases.server_cpu_from is None or not reruns:
        return {"server_pid": phases.server_pid, "server_cpu_per_rerun_s": None,
                "seconds_between_changes": None, "briefers_per_core": None}
    per_rerun = (end - phases.server_cpu_from) / reruns
    between = measured * sessions / reruns
    return {"server_pid": phases.server_pid,
            "server_cpu_measured_s": round(end - phases.server_cpu_from, 2),
            "server_cpu_per_rerun_s": round(per_rerun, 3),
            "seconds_between_changes": round(between, 1),
            "briefers_per_core": round(between / per_rerun, 1) if per_rerun > 0 else None}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summarise(sessions: list[Session], args: argparse.Namespace, wall: float,
              measured: float) -> dict:
    """The figures: reruns are filter changes (first loads are reported apart); errors count
    failed first loads, failed reruns and requests that tried to leave the machine."""
    everything = [r for s in sessions for r in s.reruns]
    reruns = [r for r in everything if r.action != "first load"]
    times = [r.seconds for r in reruns if r.seconds is not None and r.error is None]
    errors = [asdict(r) for r in everything if r.error]
    blocked = [u for s in sessions for u in s.blocked]
    by_action = {}
    for action in ACTIONS:
        these = [r.seconds for r in reruns if r.action == action and r.seconds is not None
                 and r.error is None]
        by_action[action] = {
            "reruns": sum(r.action == action for r in reruns),
            "errors": sum(r.action == action and bool(r.error) for r in reruns),
            "median_s": statistics.median(these) if these else None,
            "p95_s": percentile(these, 95)}
    loads = [s.first_load for s in sessions if s.first_load is not None]
    return {
        "sessions": len(sessions), "sessions_opened": len(loads),
        "seconds": args.seconds, "open_at_once": args.open_at_once,
        "think_seconds": [args.think_min, args.think_max], "browser_nice": args.browser_nice,
        "wall_seconds": round(wall, 1), "measured_seconds": round(measured, 1),
        "reruns": len(reruns), "errors": len(errors) + len(blocked),
        "median_s": statistics.median(times) if times else None,
        "p95_s": percentile(times, 95), "max_s": max(times) if times else None,
        "first_load_median_s": statistics.median(loads) if loads else None,
        "first_load_p95_s": percentile(loads, 95),
        "by_action": by_action, "error_details": errors[:50], "requests_blocked": blocked[:50],
    }


def print_table(result: dict) -> None:
    def fmt(x):
        return "-" if x is None else f"{x:.2f}"

    print(f"{result['sessions']} sessions ({result['sessions_opened']} opened), changing filters "
          f"together for {result['measured_seconds']} s ({result['wall_seconds']} s in all): "
          f"{result['reruns']} reruns, {result['errors']} errors")
    print(f"{'action':<11} {'reruns':>7} {'errors':>7} {'median s':>9} {'p95 s':>7}")
    for action, row in result["by_action"].items():
        print(f"{action:<11} {row['reruns']:>7} {row['errors']:>7} {fmt(row['median_s']):>9} "
              f"{fmt(row['p95_s']):>7}")
    print(f"{'all':<11} {result['reruns']:>7} {result['errors']:>7} {fmt(result['median_s']):>9} "
          f"{fmt(result['p95_s']):>7}   (max {fmt(result['max_s'])} s)")
    print(f"first load: median {fmt(result['first_load_median_s'])} s, "
          f"p95 {fmt(result['first_load_p95_s'])} s · CPU: app server "
          f"{result['server_cpu_s']} s, browsers {result['browser_cpu_s']} s on {result['cpus']} "
          f"cores · load average {', '.join(f'{x:.1f}' for x in result['load_average'])}")
    if result.get("server_cpu_per_rerun_s") is not None:
        print(f"server CPU per rerun: {result['server_cpu_per_rerun_s']:.3f} s "
              f"({result['server_cpu_measured_s']} s over the {result['reruns']} reruns of the "
              f"all-open phase) · one change per briefer every {result['seconds_between_changes']} s "
              f"→ one core serves about {result['briefers_per_core']} active briefers")
    else:
        print(f"server CPU per rerun: unknown (server pid {result.get('server_pid')})")
    for err in result["error_details"][:10]:
        print(f"  error, session {err['session']} {err['action']}: {err['error']}")
    for url in result["requests_blocked"][:10]:
        print(f"  blocked request: {url}")


async def drive(url: str, args: argparse.Namespace, server_pid: int | None = None) -> dict:
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    rng = random.Random(args.seed)
    sessions = [Session(i + 1, random.Random(rng.random())) for i in range(args.sessions)]
    cpu_before = _tree_cpu()
    if args.browser_nice:
        # The test's browsers share this machine with the app, where each viewer would have a
        # machine of their own: optionally lower their priority (inherited by Chromium and the
        # Playwright driver). Off by default: it also loses to anything else the machine runs.
        os.nice(args.browser_nice)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        phases = Phases(asyncio.Semaphore(args.open_at_once), asyncio.Event(), len(sessions),
                        args.seconds, (args.think_min, args.think_max), server_pid=server_pid)
        start = time.monotonic()
        await asyncio.gather(*(run_session(s, browser, url, phases) for s in sessions))
        end = time.monotonic()
        cpu = _tree_cpu()
        await browser.close()
    result = summarise(sessions, args, end - start, end - phases.measured_from)
    return {**result, **capacity(phases, result["reruns"], result["sessions_opened"],
                                 end - phases.measured_from),
            **{k: round(v - cpu_before[k], 1) for k, v in cpu.items()},
            "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=120,
                        help="how long every session keeps changing filters (default 120)")
    parser.add_argument("--open-at-once", type=int, default=2,
                        help="sessions opening the app at the same moment (default 2)")
    parser.add_argument("--think-min", type=float, default=3,
                        help="shortest pause between two changes of one session, s (default 3)")
    parser.add_argument("--think-max", type=float, default=15,
                        help="longest pause between two changes of one session, s (default 15)")
    parser.add_argument("--browser-nice", type=int, default=0,
                        help="lower the test browsers' priority by this much (default 0)")
    parser.add_argument("--url", help="an app already running on loopback; default: start one")
    parser.add_argument("--server-pid", type=int,
                        help="pid of the --url server, for its CPU (default: the process "
                             "listening on the URL's port)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.url and (urlparse(args.url).hostname or "") not in LOCAL_HOSTS:
        parser.error("--url must be on loopback (127.0.0.1 or localhost)")
    if args.url:
        url = args.url.rstrip("/")
        result = asyncio.run(drive(url, args, args.server_pid or listening_pid(url)))
    else:
        with running_app() as url:
            result = asyncio.run(drive(url, args, listening_pid(url)))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
