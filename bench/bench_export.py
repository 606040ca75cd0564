"""Export time and size per format at 100, 10,000 and 100,000 incidents.

Run: `.venv/bin/python bench/bench_export.py [N ...]`. Prints seconds and output size for
each format (PNG and PDF are 16:9 snapshots of the whole flank).
"""

from __future__ import annotations

import sys
import time

from synthetic import synthetic

from dashboard import export, geo, load

FORMATS = ("png", "pdf", "html", "geojson", "csv", "gpkg")


def main(sizes: list[int], formats: tuple[str, ...]) -> None:
    countries, airports = load.read_countries(), load.read_airports()
    print(f"{'incidents':>10} " + " ".join(f"{f:>16}" for f in formats))
    for n in sizes:
        incidents = geo.enrich(load.incidents_frame(synthetic(n)), countries)
        opts = export.SnapshotOptions(subtitle="benchmark")
        cells = []
        for fmt in formats:
            t0 = time.perf_counter()
            data = export.render(fmt, incidents, countries, airports, opts)
            cells.append(f"{time.perf_counter() - t0:7.2f}s {len(data) / 2**20:6.1f}MB")
        print(f"{n:>10} " + " ".join(f"{c:>16}" for c in cells), flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a.isdigit()]
    chosen = tuple(a for a in sys.argv[1:] if a in FORMATS) or FORMATS
    main([int(a) for a in args] or [100, 10_000, 100_000], chosen)
