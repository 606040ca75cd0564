"""``python -m dashboard db ...`` and what only the database has: migrations, PostGIS
geometry and indexes, row versions; bad URLs and servers as one-line errors."""

from __future__ import annotations

import getpass
import json

import psycopg
import pytest

from dashboard import paths, settings, store
from dashboard.cli import main
from dashboard.db import DatabaseError, migrate
from tests.conftest import make_feature
from tests.pg import create_database, reset

SHIPPED = json.loads(paths.INCIDENTS.read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def fresh(pg_cluster):
    """A database with PostGIS but no incident schema yet (each module run gets its own)."""
    return create_database(pg_cluster, "efm_cli")


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert err.startswith("error: ")
    return err


def query(url, sql, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_upgrade_applies_the_numbered_migrations_once(fresh, capsys):
    assert migrate.applied(fresh) == []
    assert main(["db", "upgrade", "--url", fresh]) == 0
    assert "applied 001_init.sql" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", fresh]) == 0
    assert "up to date" in capsys.readouterr().out
    assert [n for n, _ in query(fresh, "SELECT version, name FROM schema_migrations")] == [1, 2, 3, 4, 5]
    assert [m.number for m in migrate.migrations()] == migrate.applied(fresh)


def test_import_then_export_round_trips_the_shipped_file(pg_url, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    reset(pg_url)
    assert main(["db", "import", str(paths.INCIDENTS), "--url", pg_url]) == 0
    assert f"imported {len(SHIPPED)} incident(s)" in capsys.readouterr().out
    [entry] = store.history(pg_url)
    assert (entry.action, entry.source) == ("import", "incidents.geojson")
    assert entry.user == f"cli:{getpass.getuser()}"  # who ran the command
    out = tmp_path / "back.geojson"
    assert main(["db", "export", str(out), "--url", pg_url]) == 0
    assert json.loads(out.read_text())["features"] == SHIPPED
    assert main(["db", "import", str(out), "--url", pg_url]) == 0  # nothing new: no entry
    assert "nothing to import" in capsys.readouterr().out
    assert len(store.history(pg_url)) == 1


def test_export_to_standard_output_from_the_configured_url(pg_url, capsys, monkeypatch):
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    reset(pg_url, [make_feature()])
    monkeypatch.setenv("EFM_DATABASE_URL", pg_url)
    assert settings.load_settings().store == pg_url
    assert main(["db", "export"]) == 0
    assert [f["id"] for f in json.loads(capsys.readouterr().out)["features"]] == [
        "pl-incursion-2025-09-10"]


def test_rows_carry_postgis_points_filter_columns_and_versions(pg_url, monkeypatch):
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    reset(pg_url, [make_feature()])
    store.edit(store.open_snapshot(pg_url), make_feature(drones=20, date="2025-09-11",
                                                         end_date="2025-09-12"))
    [(srid, lon, lat, version, start, end, status)] = query(
        pg_url, "SELECT ST_SRID(geom), ST_X(geom), ST_Y(geom), version, date_start::text, "
                "date_end::text, status FROM incidents")
    assert (srid, lon, lat, version, start, end, status) == (4326, 23.1, 51.5, 2, "2025-09-11",
                                                              "2025-09-12", "active")
    assert store.open_snapshot(pg_url).records == {"pl-incursion-2025-09-10": 2}
    [(method,)] = query(pg_url, "SELECT am.amname FROM pg_index i JOIN pg_class c ON "
                                "c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                                "WHERE c.relname = 'incidents_geom_idx'")
    assert method == "gist"


def test_a_bbox_query_uses_the_geometry(pg_url, monkeypatch):
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    reset(pg_url, [make_feature(), make_feature(
        id="ee-incursion", country="EE", geometry={"type": "Point", "coordinates": [24.0, 59.6]})])
    rows = query(pg_url, "SELECT id FROM incidents WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, "
                         "4326)", (20, 50, 25, 55))
    assert rows == [("pl-incursion-2025-09-10",)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["db", "upgrade"], "no database given"),
        (["db", "upgrade", "--url", "mysql://x/y"], "is not a PostgreSQL URL"),
        (["db", "export", "--url", "postgresql://x@/y?host=/nonexistent-efm"],
         "cannot connect to the database"),
        (["db", "upgrade", "--url", "postgresql://nobody@127.0.0.1:1/efm"],
         "cannot connect to the database"),
        (["db", "upgrade", "--url", "postgresql://x@/y?nonsense=1"], "invalid URI query parameter"),
        (["db", "import", "nowhere.geojson", "--url", "postgresql://x@/y?host=/nonexistent-efm"],
         "nowhere.geojson"),
    ],
)
def test_bad_input_is_one_line_naming_it(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("EFM_DATABASE_URL", raising=False)
    monkeypatch.setattr(settings, "CONFIG", paths.ROOT / "no-such-efm.toml")
    assert main(argv) in (1, 2)
    assert message in one_error_line(capsys)


def test_a_password_is_never_printed(capsys):
    assert main(["db", "export", "--url", "postgresql://x:hunter2@/y?host=/nonexistent-efm"]) == 1
    err = one_error_line(capsys)
    assert "hunter2" not in err and "x:***@" in err


def test_missing_tables_say_to_upgrade(pg_cluster, capsys):
    url = create_database(pg_cluster, "efm_empty")
    assert main(["db", "export", "--url", url]) == 1
    assert "run `python -m dashboard db upgrade`" in one_error_line(capsys)


def test_a_missing_extension_is_named(fresh, tmp_path):
    (tmp_path / "001_init.sql").write_text("CREATE EXTENSION no_such_postgis;")
    with psycopg.connect(fresh, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS scratch")
    with pytest.raises(DatabaseError, match="PostGIS is not available.*no_such_postgis"):
        migrate.upgrade(fresh + "&options=-csearch_path%3Dscratch", tmp_path)


def test_a_database_url_in_efm_toml_is_checked(tmp_path):
    config = tmp_path / "efm.toml"
    config.write_text('database_url = "sqlite:///x.db"')
    with pytest.raises(DatabaseError, match="efm.toml: database_url: 'sqlite:///x.db' is not a "
                                            "PostgreSQL URL"):
        settings.load_settings({}, config)
    config.write_text('database_url = "postgresql://efm@db/efm"')
    assert settings.load_settings({}, config).store == "postgresql://efm@db/efm"


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception),
                                             ("", pytest.skip.Exception)])
def test_a_missing_server_skips_except_under_ci(monkeypatch, ci, outcome):
    from tests.pg import unavailable
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="PostgreSQL is not installed.*make postgres"):
        unavailable("PostgreSQL is not installed (no initdb)")


def test_every_write_moves_the_cache_key_and_a_read_does_not(pg_url):
    """The app's cache key (``load.stamp``) is a counter every writing statement moves,
    bulk loads included, read without counting the table."""
    from dashboard import load
    from dashboard.db import bulk
    from tests.conftest import make_feature

    before = load.stamp(pg_url)
    query(pg_url, "SELECT count(*) FROM incidents")
    assert load.stamp(pg_url) == before
    bulk.copy_features(pg_url, [make_feature(id="stamp-copy")])
    after_copy = load.stamp(pg_url)
    assert after_copy != before
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE incidents SET version = version WHERE id = 'nobody'")
    assert load.stamp(pg_url) != after_copy  # any writing statement, even of no row
