"""Benchmark ``dashboard.extract.propose`` on the shared articles against the curated data.

For each article in /work/shared/sources/ (read-only), ``propose`` runs on its plain text;
a proposal matches a curated record cited from that article (``sources[].document`` is the
file name) when ``extract.same_incident`` holds (same type, overlapping dates, same ICAO or
a point within the precision distance; country level: same country) and the countries agree.
Prints recall (records matched), precision (proposals matching) and seconds per article.

The publication date is what the extractor reads from the article
(``extract.when.published_date``: a labelled date or a dateline); articles without one use
the latest date of their curated records (said in the output: that borrows from the answer
key, so those articles' figures are optimistic about dates). A page that holds several
articles of different dates has only one such date, so its weekday dates resolve wrongly.

    .venv/bin/python bench/bench_extract.py [SOURCES_DIR] [INCIDENTS]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.extract import plain_text, propose, same_incident  # noqa: E402
from dashboard.extract.when import published_date  # noqa: E402


def main(argv: list[str]) -> int:
    sources = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/sources")
    data = Path(argv[2]) if len(argv) > 2 else ROOT / "incidents.geojson"
    features = json.loads(data.read_text(encoding="utf-8"))["features"]
    total_rec = total_hit_rec = total_prop = total_hit_prop = 0
    for path in sorted(sources.glob("*.txt")):
        text = plain_text(path.read_text(encoding="utf-8"))
        recs = []
        for f in features:
            p = f["properties"]
            if any(s["document"] == path.name for s in p["sources"]):
                recs.append({**p, "point": tuple(f["geometry"]["coordinates"][:2])})
        found_date = published_date(text)
        published, how = (found_date[0], f"read from {found_date[1]}") if found_date else (None, "")
        if published is None:
            dates = [r.get("end_date") or r["date"] for r in recs]
            published = dt.date.fromisoformat(max(dates)) if dates else dt.date(2025, 10, 15)
            how = "from curated records (no date in text)" if dates else "fallback"
        t0 = time.perf_counter()
        found = propose(text, published, source_title=path.name)
        seconds = time.perf_counter() - t0
        ok = [any(same_incident(p, r) and p.country == r["country"] for r in recs) for p in found]
        hit = [any(same_incident(p, r) and p.country == r["country"] for p in found) for r in recs]
        total_rec += len(recs)
        total_hit_rec += sum(hit)
        total_prop += len(found)
        total_hit_prop += sum(ok)
        print(f"{path.name}: published {published} ({how}); records {len(recs)}, matched "
              f"{sum(hit)}; proposals {len(found)}, correct {sum(ok)}; {seconds:.3f} s")
    recall = total_hit_rec / total_rec if total_rec else 0.0
    precision = total_hit_prop / total_prop if total_prop else 0.0
    print(f"TOTAL recall {recall:.2f} ({total_hit_rec}/{total_rec}), precision {precision:.2f} "
          f"({total_hit_prop}/{total_prop})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
