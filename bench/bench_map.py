"""How long the per-rerun work takes, and how much memory it uses, as incidents grow.

Run: `make bench` (or `.venv/bin/python bench/bench_map.py [N ...]`). Prints one row per size:
validation+frame build, one filter pass, building the incident layers and rendering them to
the JavaScript that st_folium sends, plus the peak Python memory of that build. The base map
(countries, airports, legend) is timed once: it is rebuilt on every rerun.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc

import folium
from synthetic import synthetic

from dashboard import filters, load, mapping
from dashboard.schema import validate_collection


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def layers_js(frame, airports) -> str:
    m = folium.Map(tiles=None)
    for group in mapping.incident_layers(frame, airports):
        group.add_to(m)
    return m.get_root().render()


def main(sizes: list[int]) -> None:
    countries, airports = load.read_countries(), load.read_airports()
    _, base_s = timed(lambda: mapping.build_map(countries, airports).get_root().render())
    print(f"base map build+render: {base_s * 1000:.0f} ms")
    spec = filters.FilterSpec(date_from=dt.date(2024, 6, 1), types=("strike", "interception"))
    print(f"{'incidents':>10} {'validate+frame':>15} {'filter':>8} {'layers+render':>14} "
          f"{'peak MB':>8} {'JS MB':>6}")
    for n in sizes:
        data = synthetic(n)
        frame, load_s = timed(lambda d=data: (validate_collection(d), load.incidents_frame(d))[1])
        _, filter_s = timed(filters.apply, frame, spec)
        tracemalloc.start()
        js, layer_s = timed(layers_js, frame, airports)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{n:>10} {load_s * 1000:>13.0f}ms {filter_s * 1000:>6.1f}ms {layer_s * 1000:>12.0f}ms "
              f"{peak / 2**20:>8.1f} {len(js) / 2**20:>6.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 1_000, 5_000])
