"""Import time for an ACLED-shaped CSV of 10,000 synthetic rows (or N given on the command line).

Run: `.venv/bin/python bench/bench_import.py [N ...]`; `--formats` instead imports every
format (ACLED, UCDP GED, a JSON event list, foreign GeoJSON, a monitor CSV with a value
mapping) at 10,000 and 100,000 rows, each in a fresh process, and prints rows/s and peak
memory. The rows are generated in memory from a
fixed seed and are not real events: ids start with "SYN", actors and sources are made up and
every note says "Synthetic benchmark row". About a fifth are event types the importer rejects.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import time
from pathlib import Path

from dashboard import importer

HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
          "sub_event_type", "actor1", "country", "iso", "admin1", "admin2", "location", "latitude",
          "longitude", "geo_precision", "source", "notes", "fatalities", "timestamp"]
# (event_type, sub_event_type, note) in rough proportion; the last two are rejected.
EVENTS = [
    ("Explosions/Remote violence", "Air/drone strike", "a drone hit an industrial site"),
    ("Explosions/Remote violence", "Air/drone strike", "an air strike by aircraft on a depot"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "artillery shelled a village"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "a missile hit a bridge"),
    ("Strategic developments", "Disrupted weapons use", "air defence shot down a UAV"),
    ("Battles", "Armed clash", "clashes were reported"),
    ("Protests", "Peaceful protest", "a march took place"),
]
PLACES = [  # (country, iso, admin1, location, lat, lon)
    ("Ukraine", 804, "Kharkiv", "Kharkiv", 49.99, 36.23),
    ("Ukraine", 804, "Lviv", "Lviv", 49.84, 24.03),
    ("Ukraine", 804, "Odesa", "Odesa", 46.48, 30.72),
    ("Russia", 643, "Belgorod", "Belgorod", 50.60, 36.59),
    ("Poland", 616, "Lubelskie", "Hrubieszow", 50.81, 23.89),
    ("Romania", 642, "Tulcea", "Izmail area", 45.30, 28.80),
]
DATE_STYLES = ("{d} {month} {y}", "{y}-{m:02d}-{d:02d}")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def synthetic_acled(n: int, seed: int = 7) -> bytes:
    """An ACLED-shaped CSV with ``n`` synthetic rows (not real events)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for i in range(n):
        event_type, sub_type, note = rng.choice(EVENTS)
        country, iso, admin1, location, lat, lon = rng.choice(PLACES)
        y, m, d = 2025, rng.randint(1, 12), rng.randint(1, 28)
        date = rng.choice(DATE_STYLES).format(d=d, m=m, y=y, month=MONTHS[m - 1])
        words = " ".join(rng.choice(("reportedly", "overnight", "local", "officials", "said"))
                         for _ in range(rng.randint(0, 40)))
        writer.writerow([
            f"SYN{i:06d}", date, y, rng.choice((1, 1, 2, 3)), "Political violence", event_type,
            sub_type, "Synthetic Actor", country, iso, admin1, "", location,
            f"{lat + rng.uniform(-0.2, 0.2):.4f}", f"{lon + rng.uniform(-0.2, 0.2):.4f}",
            rng.choice((1, 2, 3)), "Synthetic Source",
            f"Synthetic benchmark row {i}: {note}. {words}".strip(), rng.choice((0, 0, 0, 1, 2)),
            1_750_000_000 + i])
    return out.getvalue().encode("utf-8")


def duplicate_header(n: int) -> bytes:
    """A CSV whose header is ``n`` copies of one name, with one data row."""
    return (",".join(["x"] * n) + "\n" + ",".join(["1"] * n) + "\n").encode()


def distinct_header(n: int) -> bytes:
    """A CSV whose header has ``n`` distinct names, with one data row."""
    return (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join(["1"] * n) + "\n").encode()


def same_day_rows(n: int) -> bytes:
    """``n`` rows sharing country, type and date: every id is built from the same base."""
    rows = ["lat,lon,date,type,country,place,summary,source"]
    rows += [f"52.2,21.0,2025-09-10,strike,PL,Warsaw,row {i},doc" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


#: The upload limit: the worst case of every shape is measured at this size too.
LIMIT_BYTES = 50_000_000


def _rows_for(make, target: int = LIMIT_BYTES) -> int:
    """How many rows (or names) make a file of about ``target`` bytes in ``make``'s shape."""
    n = int(1000 * target / len(make(1000)))
    return int(n * target / len(make(n)))  # again at that size: names grow longer with n


def worst_cases() -> None:
    """Each hostile shape at two small sizes and at the 50 MB upload limit: import time, and
    its ratio to pandas.read_csv of the same bytes in the same run (the ratio should not grow
    with the size: linear). pandas is not run on the 50 MB headers (it numbers duplicate names
    quadratically: hours)."""
    import pandas as pd
    for label, make, sizes in (("ACLED rows", synthetic_acled, (10_000, 40_000)),
                               ("duplicate header names", duplicate_header, (4_000, 40_000)),
                               ("distinct header names", distinct_header, (40_000, 400_000)),
                               ("rows sharing one id base", same_day_rows, (5_500, 55_000))):
        header = make in (duplicate_header, distinct_header)
        for n in (*sizes, _rows_for(make)):
            raw = make(n)
            floor = None
            if not (header and len(raw) > 5_000_000):
                t0 = time.perf_counter()
                pd.read_csv(io.BytesIO(raw))
                floor = time.perf_counter() - t0
            t0 = time.perf_counter()
            try:
                with importer.collector_paused():  # as in the worker and the CLI
                    importer.import_bytes(raw, "worst.csv")
                outcome = "imported"
            except importer.DataError as exc:
                outcome = f"refused: {str(exc)[:60]}"
            seconds = time.perf_counter() - t0
            pandas = (f"pandas {floor:6.2f}s  ratio {seconds / max(floor, 1e-3):6.1f}"
                      if floor is not None else "pandas    n/a  ratio    n/a")
            print(f"{label:<26} {n:>10,} ({len(raw) / 1e6:6.2f} MB)  {seconds:7.2f}s  "
                  f"{pandas}  {outcome}", flush=True)


# --- every format at 10k and 100k rows: rows/s and peak memory, each in a fresh process ----

def tracker_json(n: int) -> bytes:
    """A hand-kept tracker's JSON list: keys spelled two ways, string coordinates, TRUE/FALSE,
    free-text dates with times, emoji flags, every tenth record nesting two incidents."""
    import json
    out = []
    for i in range(n):
        _, _, _, place, lat, lon = PLACES[i % len(PLACES)]
        rec = {"id": f"syn-{i}", "Date" if i % 2 else "date": f"{1 + i % 27:02d} Oct 2025, "
               f"before {i % 24:02d}:45", "lat": f"{lat:.4f}",
               "lng" if i % 3 else "lon": f"{lon:.4f}", "confirmed": "TRUE" if i % 2 else "FALSE",
               "location": f"{place} 🇺🇦", "description": "Synthetic benchmark row: drone strike"}
        if i % 10 == 0:
            rec["incidents"] = [{"description": "Synthetic benchmark row: missile strike"},
                                {"description": "Synthetic benchmark row: shelling"}]
        out.append(rec)
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


def foreign_geojson(n: int) -> bytes:
    """GeoJSON from elsewhere: properties by other names, a category to read the type from."""
    import json
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [
        PLACES[i % len(PLACES)][5], PLACES[i % len(PLACES)][4]]},
        "properties": {"event_date": f"2025-10-{1 + i % 27:02d}", "category": "strike",
                       "description": "Synthetic benchmark row: a drone hit a depot"}}
        for i in range(n)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode("utf-8")


def monitor_csv(n: int) -> bytes:
    """A monitor's CSV with its own categories (mapped with --map) and a duplicate id in ten."""
    groups = ("Shelling", "Airstrike", "Drone", "Protest")
    lines = ["id,date,event_group,description,country,lat,lon"]
    for i in range(n):
        country, _, _, place, lat, lon = PLACES[i % len(PLACES)]
        lines.append(f"m{i - i % 10 if i % 10 == 9 else i},2025-09-{1 + i % 27:02d},"
                     f"{groups[i % 4]},Synthetic benchmark row at {place},{country},{lat},{lon}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _ucdp(n: int) -> bytes:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "data" / "import"))
    from make_fixtures import ucdp_ged
    return ucdp_ged(n)[0]


FORMATS = {  # label -> (make bytes, file name, import_bytes keywords)
    "ACLED CSV": (synthetic_acled, "acled.csv", {}),
    "UCDP GED CSV (cp1252)": (_ucdp, "ged.csv", {}),
    "JSON event list": (tracker_json, "tracker.json", {}),
    "GeoJSON from elsewhere": (foreign_geojson, "other.geojson", {}),
    "monitor CSV + --map": (monitor_csv, "monitor.csv", {"mapping": {"type": importer.ValueMap(
        "event_group", {"Shelling": "strike", "Airstrike": "strike", "Drone": "strike",
                        "Protest": "skip"})}}),
}


def one_format(label: str, n: int) -> None:
    """Import one generated file in this process; print a JSON line of its figures."""
    import json
    import resource
    make, name, kw = FORMATS[label]
    raw = make(n)
    importer.import_bytes(make(10), name, **kw)   # country outlines, imports, caches
    t0 = time.perf_counter()
    with importer.collector_paused():
        result = importer.import_bytes(raw, name, **kw)
    seconds = time.perf_counter() - t0
    print(json.dumps({"label": label, "n": n, "mb": len(raw) / 1e6, "seconds": seconds,
                      "read": result.rows_read, "valid": len(result.features),
                      "rejected": result.rows_rejected,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def formats(sizes: tuple[int, ...] = (10_000, 100_000)) -> None:
    """Every format at each size, each import in a fresh process (its own peak memory)."""
    import json
    import subprocess
    print(f"{'format':<24} {'rows':>8} {'MB':>7} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}  "
          "valid / rejected")
    for label in FORMATS:
        for n in sizes:
            out = subprocess.run([sys.executable, __file__, "--one", label, str(n)],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{label:<24} {r['read']:>8,} {r['mb']:>7.2f} {r['seconds']:>8.2f} "
                  f"{r['read'] / r['seconds']:>9,.0f} {r['peak_mb']:>8.0f}  "
                  f"{r['valid']:,} / {r['rejected']:,}", flush=True)


def main(sizes: list[int]) -> None:
    importer.import_bytes(synthetic_acled(10), "warmup.csv")   # country outlines, imports
    for n in sizes:
        raw = synthetic_acled(n)
        t0 = time.perf_counter()
        with importer.collector_paused():  # as in the worker and the CLI
            result = importer.import_bytes(raw, f"synthetic_{n}.csv")
        seconds = time.perf_counter() - t0
        print(f"{n:>7} rows read {result.rows_read:>7}  valid {len(result.features):>7}  "
              f"rejected {result.rows_rejected:>6}  {seconds:6.2f}s  ({result.format})", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one_format(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    if "--formats" in sys.argv:
        formats()
        sys.exit(0)
    main([int(a) for a in sys.argv[1:] if a.isdigit()] or [10_000])
    if "--no-worst" not in sys.argv:
        worst_cases()
