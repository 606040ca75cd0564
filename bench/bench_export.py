"""Export time and size per format at 40, 10,000 and 100,000 incidents.

Run: `.venv/bin/python bench/bench_export.py [N ...] [FORMAT ...]`, e.g. `... 40 10000
100000 html`. Prints seconds and output size for each format, with the extent the CLI
uses (``export.extent_for``: the incidents, framed as on the map); PNG and PDF are 16:9
snapshots of it. The HTML map draws the incidents as the app's map would for that extent,
and the last column says how ("symbols", "clusters" or "density", from its legend line).
"""

from __future__ import annotations

import re
import sys
import time

from synthetic import synthetic

from dashboard import export, geo, load

FORMATS = ("png", "pdf", "html", "geojson", "csv", "gpkg")


def main(sizes: list[int], formats: tuple[str, ...]) -> None:
    countries, airports = load.read_countries(), load.read_airports()
    shows = "html" in formats
    print(f"{'incidents':>10} " + " ".join(f"{f:>16}" for f in formats)
          + (f" {'html shows':>12}" if shows else ""))
    for n in sizes:
        incidents = geo.enrich(load.incidents_frame(synthetic(n)), countries)
        opts = export.SnapshotOptions(subtitle="benchmark", bbox=export.extent_for(incidents))
        cells, shown_as = [], ""
        for fmt in formats:
            t0 = time.perf_counter()
            data = export.render(fmt, incidents, countries, airports, opts)
            cells.append(f"{time.perf_counter() - t0:7.2f}s {len(data) / 2**20:6.1f}MB")
            if fmt == "html":
                found = re.search(rb"Shown as (\w+)", data)
                shown_as = found.group(1).decode() if found else "?"
        print(f"{n:>10} " + " ".join(f"{c:>16}" for c in cells)
              + (f" {shown_as:>12}" if shows else ""), flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a.isdigit()]
    chosen = tuple(a for a in sys.argv[1:] if a in FORMATS) or FORMATS
    main([int(a) for a in args] or [40, 10_000, 100_000], chosen)
