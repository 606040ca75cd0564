"""Synthetic but schema-valid incidents for benchmarks (never real events)."""

from __future__ import annotations

import datetime as dt
import random

from dashboard.schema import INCIDENT_TYPES


def synthetic(n: int, seed: int = 1) -> dict:
    """``n`` valid incidents scattered over the eastern flank (not real events)."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    features = []
    for i in range(n):
        kind = rng.choice(INCIDENT_TYPES)
        features.append({"type": "Feature", "geometry": {
            "type": "Point", "coordinates": [round(rng.uniform(14, 40), 4), round(rng.uniform(44, 60), 4)]},
            "properties": {
                "id": f"bench-{i}", "type": kind,
                "date": (start + dt.timedelta(days=rng.randrange(700))).isoformat(),
                "end_date": None, "date_precision": "day", "country": rng.choice(["PL", "UA", "RU", "RO"]),
                "region": None, "place": f"Place {i}", "location_precision": "city", "platform": "drone",
                "icao": "EPWA" if kind == "airport_closure" else None, "drones": rng.randrange(20),
                "aircraft": None, "missiles": None, "killed": None, "injured": None,
                "summary": "Synthetic benchmark record.",
                "sources": [{"document": "bench.txt", "quote": "none"}],
                "confidence": "low", "related_ids": [], "notes": None}})
    return {"type": "FeatureCollection", "features": features}
