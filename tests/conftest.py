"""Shared fixtures: tiny hand-built incident frames and a feature factory."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dashboard import paths
from dashboard.load import incidents_frame

BASE_PROPS: dict[str, Any] = {
    "id": "pl-incursion-2025-09-10",
    "type": "airspace_incursion",
    "date": "2025-09-10",
    "end_date": None,
    "date_precision": "day",
    "country": "PL",
    "region": "Lublin",
    "place": "Wyryki",
    "location_precision": "city",
    "platform": "drone",
    "icao": None,
    "drones": 19,
    "aircraft": None,
    "missiles": None,
    "killed": None,
    "injured": 0,
    "summary": "Drones entered Polish airspace.",
    "sources": [{"document": "doc.txt", "quote": "drones entered Polish airspace"}],
    "confidence": "high",
    "related_ids": [],
    "notes": None,
}


def make_feature(geometry: dict | None = None, **props: Any) -> dict:
    """A valid incident Feature (a point in eastern Poland) with ``props`` overriding."""
    p = copy.deepcopy(BASE_PROPS)
    p.update(props)
    return {
        "type": "Feature",
        "id": p["id"],
        "geometry": geometry or {"type": "Point", "coordinates": [23.1, 51.5]},
        "properties": p,
    }


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def tiny():
    """Five incidents: PL incursion (10 Sep), PL closure EPWA (10 Sep), EE aircraft
    incursion (19 Sep), RO crash (13 Sep) and a RU interception spanning 6–8 Aug 2024."""
    return incidents_frame(collection(
        make_feature(),
        make_feature({"type": "Point", "coordinates": [20.967, 52.166]},
                     id="pl-airport-closure-epwa-2025-09-10", type="airport_closure",
                     icao="EPWA", place="Warsaw Chopin Airport", drones=None),
        make_feature({"type": "Point", "coordinates": [24.0, 59.6]},
                     id="ee-incursion-2025-09-19", country="EE", date="2025-09-19",
                     platform="aircraft", aircraft=3, drones=None, place="Vaindloo island"),
        make_feature({"type": "Point", "coordinates": [28.7, 45.2]},
                     id="ro-crash-2025-09-13", type="crash_debris", country="RO",
                     date="2025-09-13", place="Tulcea County", drones=1),
        make_feature({"type": "Point", "coordinates": [36.19, 51.73]},
                     id="ru-interception-kursk-2024-08-06", type="interception", country="RU",
                     date="2024-08-06", end_date="2024-08-08", date_precision="range",
                     place="Kursk Oblast", drones=4),
    ))


def shown_by_default(frame):
    """The records the app shows when nothing is filtered: retracted ones stay hidden."""
    return frame[frame["status"] != "retracted"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium (skipped with a reason when missing, except under CI=true)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, Chromium, chromium_path
    executable = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield Chromium(b)
        b.close()


@pytest.fixture(params=[(1920, 1080), (1366, 768)], ids=["1920", "1366"])
def screen(browser, request):
    """A page on a projector's 1920 x 1080 and on a laptop's 1366 x 768 screen; no request
    leaves the machine."""
    from tests.browser import block_outside
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    blocked: list[str] = []
    block_outside(context, blocked)
    yield context.new_page()
    assert blocked == []
    context.close()


def open_link(**params) -> Any:
    """The app run headless (AppTest) as a link with ``params`` opens it, checked to have
    raised nothing (a trailing ``_`` is dropped, so ``from_=...`` names ``from``)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.ROOT / "dashboard" / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key.removesuffix("_")] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster (skipped with a reason when PostgreSQL/PostGIS is
    missing, except under CI=true), stopped and deleted at the end of the session."""
    from tests.pg import start_cluster
    cluster = start_cluster()
    yield cluster
    cluster.stop()


def loaded_database(cluster, name: str) -> str:
    """A new database ``name`` on ``cluster`` with the schema and the shipped incidents (as
    ``db upgrade`` and ``db import incidents.geojson`` make it); its URL."""
    from dashboard import cli
    from dashboard.db import migrate
    from tests.pg import create_database
    url = create_database(cluster, name)
    migrate.upgrade(url)
    assert cli.main(["db", "import", str(paths.INCIDENTS), "--url", url]) == 0
    return url


@pytest.fixture(scope="session")
def pg_url(pg_cluster):
    """An empty database with PostGIS and the incident schema (``db upgrade`` applied)."""
    from dashboard.db import migrate
    from tests.pg import create_database
    url = create_database(pg_cluster, "efm_test")
    migrate.upgrade(url)
    return url
