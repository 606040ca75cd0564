"""Database benchmark: N synthetic incidents in PostgreSQL/PostGIS against the in-memory path.

Run ``python bench/bench_db.py`` (default ``DEFAULT_N``) or ``--n 1000000``. In one run it

1. starts a throwaway cluster (``tests.pg``), creates a database with the schema and loads
   N synthetic incidents (``bench/synthetic.py``, ``CHUNK`` at a time, distinct ids) with
   ``dashboard.db.bulk`` (COPY, indexes rebuilt after);
2. times a filter change as the app makes it on a database it does not hold, for each of
   ``_specs()``, in a fresh worker process whose resident memory is that of such an app
   (``context.load_context``, then per spec ``selection.asked``, ``selection.map_data``
   for the opening view, ``mapping.fetched_layers``, timeline and breakdown);
3. with ``--app``, opens the real app (``streamlit run``) on the database in headless
   Chromium with each spec's link, twice (the second from the app's cache), and reads the
   server's resident memory;
4. does the same as 2 with the in-memory path on ``--memory-n`` incidents (default 1M):
   ``load.read_incidents`` of a GeoParquet file + ``geo.enrich``, then per spec
   ``selection.held`` and ``mapping.auto_layers``;
5. prints a table, and stops and deletes the cluster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

#: Measured at 1M first (70-107 s to load, by how busy the machine was), so 10M was
#: expected in 12-18 min: the whole 10M run took 17.6 min on this 2-core machine (load 15
#: min of it, indexes 3 min).
DEFAULT_N = 10_000_000
CHUNK = 500_000
LOADERS = 2  # processes generating and copying chunks side by side
OUT = Path("/tmp/efm-bench")
#: PostgreSQL settings for the bench (per session, so the cluster is otherwise stock).
SESSION = {"work_mem": "64MB", "max_parallel_workers_per_gather": "2"}
#: The default 128MB makes every scan copy its pages in from the OS cache.
SHARED_BUFFERS = "4GB"


def _specs():
    from dashboard.filters import FilterSpec
    d = dt.date
    return [
        ("nothing filtered", FilterSpec()),
        ("2025 strikes + interceptions", FilterSpec(date_from=d(2025, 1, 1),
                                                    types=("strike", "interception"))),
        ("last 30 days", FilterSpec(date_from=d(2025, 12, 2), date_to=d(2025, 12, 31))),
        ("Poland", FilterSpec(countries=("PL",))),
        ("closures, Sep 2025", FilterSpec(date_from=d(2025, 9, 1), date_to=d(2025, 9, 30),
                                          types=("airport_closure",))),
        ("drones, high confidence", FilterSpec(platforms=("drone",), min_confidence="high")),
        ("search 'kharkiv'", FilterSpec(q="kharkiv")),
        ("UA + RU, Q3 2025", FilterSpec(countries=("UA", "RU"), date_from=d(2025, 7, 1),
                                        date_to=d(2025, 9, 30))),
        ("2024 with retracted", FilterSpec(date_from=d(2024, 1, 1), date_to=d(2024, 12, 31),
                                           retracted=True)),
        ("drawn area: Baltics", FilterSpec(area="20.5,53.8,28.5,59.8")),
    ]


def _view():
    from dashboard import aggregate, style
    from dashboard.bounds import FLANK
    bbox = aggregate.padded(FLANK)
    return bbox, aggregate.cell_degrees(style.HOME_ZOOM, (bbox.minlat + bbox.maxlat) / 2)


def _peak_mb() -> float:
    """VmHWM: unlike ``ru_maxrss``, not inherited from the parent across ``exec``."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


# --- workers (each in its own process, so its memory is its own) ----------------------------

def worker_sql(url: str) -> dict:
    """A filter change as the app makes it on a database it does not hold: the selection
    (summary + the newest for the table, ``selection.asked``), the map's view
    (``selection.map_data``) drawn as layers, the timeline and the breakdown."""
    from dashboard import context, mapping, selection, settings, style

    t0 = time.perf_counter()
    ctx = context.load_context(url, memory_rows=settings.MEMORY_ROWS)
    load_s = time.perf_counter() - t0
    assert ctx.database == url, "the bench needs more incidents than memory_rows"
    bbox, _ = _view()
    times, kept = [], []
    for _, spec in _specs():
        t0 = time.perf_counter()
        # as ui/selected.py: the selection's scan also counts the map's density
        sel, data = selection.asked_with_map(url, spec, ctx.places, ctx.countries, bbox,
                                             style.HOME_ZOOM)
        if data is None:  # symbols or clusters: read for the view
            data = selection.map_data(url, spec, ctx.places, bbox, style.HOME_ZOOM, sel.total)
        layers = mapping.fetched_layers(data, ctx.airports, sel.summary.closed, bounds=bbox,
                                        zoom=style.HOME_ZOOM)
        sel.summary.timeline("D"), sel.summary.by_country_and_type(ctx.names)
        times.append(time.perf_counter() - t0)
        kept.append((sel, data, layers))  # the app keeps what it shows (and caches it)
    return {"times": times, "counts": [k[1].in_view for k in kept], "load_s": load_s,
            "rss_mb": _rss_mb(), "peak_mb": _peak_mb()}


def worker_memory(parquet: str) -> dict:
    """The same filter change on incidents held in memory (``selection.held``)."""
    from dashboard import geo, load, mapping, selection, style
    from dashboard.filters import Places

    t0 = time.perf_counter()
    frame = geo.enrich(load.read_incidents(parquet), load.read_countries())
    load_s = time.perf_counter() - t0
    places, airports = Places(load.read_regions(), load.read_presets()), load.read_airports()
    bbox, _ = _view()
    times, counts = [], []
    for _, spec in _specs():
        t0 = time.perf_counter()
        sel = selection.held(frame, spec, places)
        layers = mapping.auto_layers(sel.shown, airports, bounds=bbox, zoom=style.HOME_ZOOM)
        sel.summary.timeline("D"), sel.summary.by_country_and_type()
        times.append(time.perf_counter() - t0)
        counts.append(layers.in_view)
    return {"times": times, "counts": counts, "load_s": load_s, "rss_mb": _rss_mb(),
            "peak_mb": _peak_mb()}


def app_run(url: str) -> dict:
    """The real app (``streamlit run``) on the database, opened in headless Chromium with
    each spec's link: seconds from the link opening to the page drawn, the map's legend
    saying how the incidents in view are shown (cold, then again: served from the app's
    cache), and the server's resident memory after."""
    from playwright.sync_api import sync_playwright

    from dashboard import urlstate
    from tests.browser import MAP_FRAME, running_app, wait_idle

    cold, warm = [], []
    with running_app(env={"EFM_DATABASE_URL": url, "EFM_READ_ONLY": "1"}, timeout=600) as app, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        for times in (cold, warm):
            for _, spec in _specs():
                query = "&".join(f"{k}={v}" for k, vs in urlstate.encode(spec).items()
                                 for v in ([vs] if isinstance(vs, str) else vs))
                t0 = time.perf_counter()
                page.goto(f"{app}?{query}", wait_until="domcontentloaded")
                page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=600_000)
                # drawn: the legend says how the incidents in view are shown (not "Counting")
                page.wait_for_function(
                    """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                       .some(e => e.textContent.startsWith('Shown as'))""", timeout=600_000)
                wait_idle(page, 600_000)
                times.append(time.perf_counter() - t0)
        browser.close()
        port = app.rsplit(":", 1)[1]
        rss = _server_rss_mb(port)
    return {"cold": cold, "warm": warm, "rss_mb": rss}


def _server_rss_mb(port: str) -> float:
    """VmRSS of the ``streamlit run`` process listening on ``port``."""
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
                status = (proc / "status").read_text()
                return next(int(line.split()[1]) for line in status.splitlines()
                            if line.startswith("VmRSS")) / 1024
        except (OSError, StopIteration):
            continue
    return float("nan")


def _in_worker(kind: str, arg: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", kind, arg], capture_output=True,
                          text=True)
    if done.returncode:
        sys.exit(f"the {kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------------

def _load_chunk(url: str, k: int, size: int) -> tuple[float, float]:
    """Chunk ``k`` (``size`` incidents of seed k + 1, ids ``synKKK-…``) into the database;
    (seconds generating, seconds in COPY)."""
    import synthetic

    from dashboard.db import bulk

    t = time.perf_counter()
    frame = synthetic.generate(size, seed=k + 1)
    prefix = f"syn{k:03d}-"
    frame["id"] = frame["id"].str.replace("syn-", prefix, regex=False)
    frame["related_ids"] = [[i.replace("syn-", prefix) for i in r] for r in frame["related_ids"]]
    generated = time.perf_counter()
    bulk.copy_features(url, synthetic.features(frame))
    return generated - t, time.perf_counter() - generated


def load_synthetic(url: str, n: int, chunk: int = CHUNK, processes: int = LOADERS) -> dict:
    """N synthetic incidents into the database, ``processes`` chunks at a time (each in its
    own COPY transaction), indexes dropped for the load and rebuilt after."""
    from concurrent.futures import ProcessPoolExecutor

    from dashboard.db import bulk

    gen_s = copy_s = 0.0
    t0 = time.perf_counter()
    with bulk.without_indexes(url):
        with ProcessPoolExecutor(processes) as pool:
            jobs = [pool.submit(_load_chunk, url, k, min(chunk, n - start))
                    for k, start in enumerate(range(0, n, chunk))]
            for i, job in enumerate(jobs):
                g, c = job.result()
                gen_s, copy_s = gen_s + g, copy_s + c
                print(f"  loaded {min((i + 1) * chunk, n):,} ({time.perf_counter() - t0:.0f} s)",
                      file=sys.stderr, flush=True)
        index_t = time.perf_counter()
    return {"generate_s": gen_s, "copy_s": copy_s, "index_s": time.perf_counter() - index_t,
            "total_s": time.perf_counter() - t0}


def _parquet(n: int) -> Path:
    import synthetic

    path = OUT / f"synthetic-{n}-s1.parquet"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        synthetic.write_geoparquet(synthetic.generate(n, 1), path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="incidents in the database")
    parser.add_argument("--memory-n", type=int, default=1_000_000,
                        help="incidents for the in-memory path (0: skip it)")
    parser.add_argument("--url", help="measure this database (already loaded) instead")
    parser.add_argument("--app", action="store_true",
                        help="also open the real app on the database in headless Chromium")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, arg = args.worker
        print(json.dumps(worker_sql(arg) if kind == "sql" else worker_memory(arg)))
        return

    if args.url:
        import psycopg
        with psycopg.connect(args.url) as conn:
            n = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
            size = conn.execute("SELECT pg_total_relation_size('incidents')").fetchone()[0]
        args.n = n
        sql_run = _in_worker("sql", args.url)
        app = app_run(args.url) if args.app else None
        mem_run = _in_worker("memory", str(_parquet(args.memory_n))) if args.memory_n else None
        _report(args, None, size, sql_run, mem_run, app)
        return

    from dashboard.db import migrate
    from tests.pg import create_database, start_cluster

    cluster = start_cluster()
    try:
        url = create_database(cluster, "efm_bench")
        migrate.upgrade(url)
        import psycopg
        with psycopg.connect(url, autocommit=True) as conn:
            for name, value in SESSION.items():
                conn.execute(f"ALTER DATABASE efm_bench SET {name} = '{value}'")  # constants
            conn.execute(f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS}'")
        cluster._run(str(cluster.bindir / "pg_ctl"), "-D", str(cluster.data), "-w", "-m", "fast",
                     "-l", str(cluster.folder / "server.log"), "restart")  # same options
        print(f"loading {args.n:,} synthetic incidents …", file=sys.stderr, flush=True)
        loaded = load_synthetic(url, args.n)
        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_total_relation_size('incidents')").fetchone()[0]
        sql_run = _in_worker("sql", url)
        app = app_run(url) if args.app else None
    finally:
        cluster.stop()
    mem_run = _in_worker("memory", str(_parquet(args.memory_n))) if args.memory_n else None
    _report(args, loaded, size, sql_run, mem_run, app)


def _report(args, loaded: dict, size: int, sql_run: dict, mem_run: dict | None,
            app: dict | None = None) -> None:
    names = [name for name, _ in _specs()]
    if loaded:
        print(f"\nload {args.n:,} incidents: {loaded['total_s']:.0f} s (generate "
              f"{loaded['generate_s']:.0f} s, COPY {loaded['copy_s']:.0f} s, indexes + VACUUM "
              f"ANALYZE {loaded['index_s']:.0f} s)")
    print(f"{args.n:,} incidents: table + indexes {size / 2**30:.1f} GB")
    print(f"app start on the database (counts, dates, countries): {sql_run['load_s']:.1f} s")
    if mem_run:
        print(f"in-memory load of {args.memory_n:,} (read GeoParquet + enrich): "
              f"{mem_run['load_s']:.1f} s")
    head = f"{'filter change (as the app makes it)':44} {'SQL ' + _short(args.n):>12}"
    head += f" {'memory ' + _short(args.memory_n):>12}" if mem_run else ""
    print("\n" + head)
    for i, name in enumerate(names):
        line = f"{name:44} {sql_run['times'][i]:>10.3f} s"
        line += f" {mem_run['times'][i]:>10.3f} s" if mem_run else ""
        print(line)
    for label, key, fn in (("median", "times", statistics.median), ("max", "times", max)):
        line = f"{label:44} {fn(sql_run[key]):>10.3f} s"
        line += f" {fn(mem_run[key]):>10.3f} s" if mem_run else ""
        print(line)
    for label, key in (("app resident memory after (RSS)", "rss_mb"),
                       ("app peak resident memory", "peak_mb")):
        line = f"{label:44} {sql_run[key]:>9.0f} MB"
        line += f" {mem_run[key]:>9.0f} MB" if mem_run else ""
        print(line)
    if app:
        print(f"\nthe real app on {_short(args.n)}, link opened to page drawn (Chromium):")
        for name, cold, warm in zip(names, app["cold"], app["warm"], strict=True):
            print(f"  {name:42} {cold:>7.1f} s cold {warm:>7.1f} s again")
        print(f"  {'median':42} {statistics.median(app['cold']):>7.1f} s cold "
              f"{statistics.median(app['warm']):>7.1f} s again")
        print(f"  server resident memory after: {app['rss_mb']:.0f} MB")


def _short(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


if __name__ == "__main__":
    main()
