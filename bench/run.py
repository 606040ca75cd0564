"""Scale benchmark: our map pipeline against a naive build, from 1k to 1M incidents.

Run ``python bench/run.py`` (sizes 1000,10000,100000) or ``python bench/run.py --n 1000000
--naive-max 10000``; ``--json`` prints the figures as JSON instead of a table.

For each size N (synthetic incidents from ``bench/synthetic.py``, seeded, written once to
``--out`` as GeoJSON and GeoParquet) it measures, each in a fresh worker process so the
memory figures are the pipeline's own:

- load: ``load.read_incidents`` of the GeoJSON and of the GeoParquet file (validation
  included), then ``geo.enrich`` (border depth, search text) once per data version;
- a typical filter change (``FILTER_CHANGE``: this year's strikes and interceptions, from
  no filter), timed ``REPEAT`` times, median: ``filters.apply``, the server-side tables and
  charts (``stats``), and the map update: ``mapping.auto_layers`` for the whole eastern
  flank at the opening zoom + ``mapping.build_map`` + streamlit-folium's own serialisation
  (``st_folium`` with its component call captured), i.e. everything the app does per change;
- the bytes sent to the browser for the map: the ``st_folium`` component arguments as JSON;
- first render: the same map (base map + layers) as a page in headless Chromium, from
  navigation to the layers drawn (markercluster's chunked loading finished, two frames);
- memory: resident size after loading and the peak (``ru_maxrss``) of the worker.

The naive build does what a straightforward app does: the same filter with one boolean
selection per filter, then a new folium map per change with the countries as a GeoJSON
layer and one ``folium.Marker`` (tooltip and popup) per incident in a ``MarkerCluster``.
Above ``--naive-max`` incidents it is not run (minutes to hours) and is left out.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard import style
from dashboard.bounds import FLANK

HERE = Path(__file__).resolve().parent
REPEAT = 3
FLANK_BOUNDS = FLANK          # the opening view
FLANK_ZOOM = style.HOME_ZOOM
RENDER_TIMEOUT_MS = 600_000


def _filter_change():
    from dashboard import filters

    return filters.FilterSpec(date_from=dt.date(2025, 1, 1), types=("strike", "interception"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


@contextlib.contextmanager
def _captured_component():
    """Run ``st_folium`` without Streamlit: its component call is captured instead."""
    import streamlit_folium

    captured: dict = {}
    original = streamlit_folium._component_func

    def capture(**kwargs):
        captured.clear()
        captured.update(kwargs)
        return kwargs["default"]

    streamlit_folium._component_func = capture
    try:
        yield captured
    finally:
        streamlit_folium._component_func = original


def _payload_bytes(captured: dict) -> int:
    return len(json.dumps({k: v for k, v in captured.items() if not callable(v)}).encode())


def _page(m, path: Path) -> Path:
    """The map as a standalone page, the app's static files (vendored and its own) linked
    from disk."""
    from dashboard import mapping, paths

    html = m.get_root().render().replace(mapping.STATIC_BASE, paths.STATIC.as_uri())
    ready = """<script>
    (function wait() {
      if (window.efLoading) { return setTimeout(wait, 16); }
      requestAnimationFrame(function () { requestAnimationFrame(function () {
        window.__efReady = performance.now(); }); });
    })();
    </script>"""
    # After folium's own script (which follows </body>), so the map is built before it runs.
    path.write_text(html.rstrip() + "\n" + ready, encoding="utf-8")
    return path


def first_render_ms(page_path: Path) -> float | None:
    """Milliseconds from navigation to the map drawn, in headless Chromium (None when
    Chromium or Playwright is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.as_uri(), wait_until="load", timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function("window.__efReady !== undefined", timeout=RENDER_TIMEOUT_MS,
                               polling=50)
        value = page.evaluate("window.__efReady")
        browser.close()
    return float(value)


# --- the two pipelines ----------------------------------------------------------------------

def worker_ours(n: int, geojson: Path, parquet: Path, browser: bool) -> dict:
    import folium

    from dashboard import filters, geo, load, mapping, stats

    countries, airports = load.read_countries(), load.read_airports()
    frame, load_parquet = _timed(load.read_incidents, parquet)
    incidents, enrich_s = _timed(geo.enrich, frame, countries)
    del frame
    rss_loaded = _rss_mb()
    spec = _filter_change()
    filters.apply(incidents, spec)  # warm: spatial index, caches
    mapping.build_map(countries, airports, drawing=True)
    runs = []
    with _captured_component() as captured:
        import streamlit_folium

        for _ in range(REPEAT):
            shown, filter_s = _timed(filters.apply, incidents, filters.FilterSpec())
            shown, filter_s = _timed(filters.apply, incidents, spec)
            t0 = time.perf_counter()
            stats.counts_by_type(shown)
            stats.headline(shown)
            stats.table(shown, limit=stats.TABLE_LIMIT)
            stats.timeline(shown)
            stats.by_country_and_type(shown)
            stats_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            layers = mapping.auto_layers(shown, airports, bounds=FLANK_BOUNDS, zoom=FLANK_ZOOM)
            base = mapping.build_map(countries, airports, drawing=True)
            streamlit_folium.st_folium(
                base, key="map", feature_group_to_add=layers.groups,
                layer_control=folium.LayerControl(collapsed=True),
                returned_objects=["last_object_clicked_tooltip", "all_drawings", "center",
                                  "zoom", "bounds"], use_container_width=True)
            map_s = time.perf_counter() - t0
            runs.append({"filter_s": filter_s, "stats_s": stats_s, "map_s": map_s,
                         "payload_bytes": _payload_bytes(captured)})
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out.update(n=n, shown=len(shown), representation=layers.representation,
               legend=layers.legend, load_parquet_s=load_parquet, enrich_s=enrich_s,
               change_s=out["filter_s"] + out["stats_s"] + out["map_s"],
               rss_loaded_mb=rss_loaded)
    if browser:
        m = mapping.build_map(countries, airports, drawing=True)
        for group in mapping.auto_layers(shown, airports, bounds=FLANK_BOUNDS,
                                         zoom=FLANK_ZOOM).groups:
            group.add_to(m)
        with tempfile.TemporaryDirectory() as tmp:
            out["first_render_ms"] = first_render_ms(_page(m, Path(tmp) / "ours.html"))
    out["peak_rss_mb"] = _peak_mb()
    return out


def naive_apply(gdf, spec):
    """The filter as a straightforward app writes it: one selection (and copy) per filter."""
    import pandas as pd

    out = gdf[gdf["status"] != "retracted"]
    if spec.date_to is not None:
        out = out[out["date"] <= pd.Timestamp(spec.date_to)]
    if spec.date_from is not None:
        out = out[out["end_date"].fillna(out["date"]) >= pd.Timestamp(spec.date_from)]
    for column, values in (("country", spec.countries), ("type", spec.types),
                           ("platform", spec.platforms)):
        if values is not None:
            out = out[out[column].isin(values)]
    return out.copy()


def naive_map(countries, airports, incidents):
    """A new folium map with one Marker per incident in a MarkerCluster."""
    import folium
    from folium import plugins

    from dashboard import mapping

    m = folium.Map(location=style.EASTERN_FLANK_CENTER, zoom_start=FLANK_ZOOM, tiles=None,
                   minZoom=3, maxZoom=12)
    js, css = mapping.offline_assets()
    m.default_js, m.default_css = js, css
    folium.GeoJson(countries[["iso_a2", "name", "group", "geometry"]], name="Countries",
                   tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    folium.GeoJson(airports[["icao", "name", "geometry"]], name="Airports",
                   marker=folium.CircleMarker(radius=2.5)).add_to(m)
    cluster = plugins.MarkerCluster(name="Incidents")
    cjs, ccss = mapping.cluster_assets()
    cluster.default_js, cluster.default_css = cjs, ccss
    cluster.add_to(m)
    for row, point in zip(incidents.to_dict("records"),
                          incidents.geometry.representative_point(), strict=True):
        folium.Marker((point.y, point.x), tooltip=mapping.tooltip_html(row),
                      popup=folium.Popup(mapping.popup_html(row), max_width=360)).add_to(cluster)
    return m


def worker_naive(n: int, parquet: Path, browser: bool) -> dict:
    from dashboard import geo, load

    countries, airports = load.read_countries(), load.read_airports()
    incidents = geo.enrich(load.read_incidents(parquet), countries)
    spec = _filter_change()
    runs = []
    with _captured_component() as captured:
        import streamlit_folium

        for _ in range(REPEAT if n <= 10_000 else 1):
            shown, filter_s = _timed(naive_apply, incidents, spec)
            t0 = time.perf_counter()
            m = naive_map(countries, airports, shown)
            streamlit_folium.st_folium(m, key="map", returned_objects=["center", "zoom", "bounds"],
                                       use_container_width=True)
            map_s = time.perf_counter() - t0
            runs.append({"filter_s": filter_s, "map_s": map_s,
                         "payload_bytes": _payload_bytes(captured)})
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out.update(n=n, shown=len(shown), change_s=out["filter_s"] + out["map_s"])
    if browser:
        with tempfile.TemporaryDirectory() as tmp:
            out["first_render_ms"] = first_render_ms(
                _page(naive_map(countries, airports, shown), Path(tmp) / "naive.html"))
    out["peak_rss_mb"] = _peak_mb()
    return out


def worker_geojson(n: int, geojson: Path) -> dict:
    from dashboard import load

    _, seconds = _timed(load.read_incidents, geojson)
    return {"n": n, "load_geojson_s": seconds, "geojson_peak_rss_mb": _peak_mb()}


# --- driver -------------------------------------------------------------------------------

def _in_worker(kind: str, n: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--n", str(n), "--out", args.out,
           "--seed", str(args.seed)] + (["--no-browser"] if args.no_browser else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        return {"error": f"{kind} worker failed (exit {done.returncode})"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(value, spec: str, missing: str = "—") -> str:
    return missing if value is None else format(value, spec)


def table(results: list[dict]) -> str:
    head = (f"{'N':>9} {'build':>6} {'load GJ s':>9} {'load PQ s':>9} {'filter s':>8} "
            f"{'stats s':>7} {'map s':>7} {'change s':>8} {'payload MB':>10} {'render s':>8} "
            f"{'RSS MB':>7} {'peak MB':>7} {'shown as':>9} {'naive/ours':>10}")
    lines = [head, "-" * len(head)]
    for r in results:
        ours, naive = r["ours"], r.get("naive") or {}
        ratio = (naive["change_s"] / ours["change_s"]) if naive.get("change_s") else None
        lines.append(
            f"{r['n']:>9} {'ours':>6} {_fmt(r.get('load_geojson_s'), '9.2f'):>9} "
            f"{_fmt(ours.get('load_parquet_s'), '9.2f'):>9} {ours['filter_s']:>8.3f} "
            f"{ours['stats_s']:>7.3f} {ours['map_s']:>7.3f} {ours['change_s']:>8.3f} "
            f"{ours['payload_bytes'] / 2**20:>10.2f} "
            f"{_fmt(ours.get('first_render_ms') and ours['first_render_ms'] / 1000, '8.2f'):>8} "
            f"{ours['rss_loaded_mb']:>7.0f} {ours['peak_rss_mb']:>7.0f} "
            f"{ours['representation']:>9} {_fmt(ratio, '9.1f') + 'x' if ratio else '—':>10}")
        if naive.get("change_s"):
            lines.append(
                f"{'':>9} {'naive':>6} {'':>9} {'':>9} {naive['filter_s']:>8.3f} {'':>7} "
                f"{naive['map_s']:>7.3f} {naive['change_s']:>8.3f} "
                f"{naive['payload_bytes'] / 2**20:>10.2f} "
                f"{_fmt(naive.get('first_render_ms') and naive['first_render_ms'] / 1000, '8.2f'):>8}"
                f" {'':>7} {naive['peak_rss_mb']:>7.0f} {'markers':>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="1000,10000,100000",
                        help="comma-separated sizes (default 1000,10000,100000)")
    parser.add_argument("--naive-max", type=int, default=100_000,
                        help="largest size the naive build is run at (default 100000)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--out", default=os.environ.get("EFM_BENCH_DIR", "/tmp/efm-bench"),
                        help="where the synthetic files are written (reused)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-browser", action="store_true", help="skip first-render timing")
    parser.add_argument("--no-geojson", action="store_true", help="skip the GeoJSON load")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(v.replace("_", "")) for v in str(args.n).split(",") if v.strip()]

    sys.path.insert(0, str(HERE))
    from synthetic import write_both

    if args.worker:
        geojson, parquet = write_both(sizes[0], args.out, args.seed)
        browser = not args.no_browser
        result = {"ours": lambda: worker_ours(sizes[0], geojson, parquet, browser),
                  "naive": lambda: worker_naive(sizes[0], parquet, browser),
                  "geojson": lambda: worker_geojson(sizes[0], geojson)}[args.worker]()
        print(json.dumps(result))
        return 0

    results = []
    for n in sizes:
        print(f"N={n}: writing data…", file=sys.stderr, flush=True)
        write_both(n, args.out, args.seed)
        row: dict = {"n": n}
        if not args.no_geojson:
            print(f"N={n}: GeoJSON load…", file=sys.stderr, flush=True)
            row.update(_in_worker("geojson", n, args))
        print(f"N={n}: ours…", file=sys.stderr, flush=True)
        row["ours"] = _in_worker("ours", n, args)
        if n <= args.naive_max:
            print(f"N={n}: naive…", file=sys.stderr, flush=True)
            row["naive"] = _in_worker("naive", n, args)
            if row["naive"].get("change_s") and row["ours"].get("change_s"):
                row["naive_over_ours"] = row["naive"]["change_s"] / row["ours"]["change_s"]
        results.append(row)
    ok = [r for r in results if "error" not in r["ours"]]
    print(json.dumps(results, indent=2) if args.json else table(ok))
    return 0 if len(ok) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
