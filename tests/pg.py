"""A throwaway PostgreSQL cluster with PostGIS for the database tests.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` system
user (the Debian package creates it) and every server command runs through ``runuser``. It
listens on a Unix socket in its own temporary folder only (no TCP port to collide on), trusts
local connections and runs without fsync. When PostgreSQL or PostGIS is missing the tests
that need it are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file in the cluster's own folder
INSTALL = "`make postgres` installs Debian's postgresql and postgresql-postgis as root"


def unavailable(reason: str) -> None:
    """Skip, or fail under CI=true where the database tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} — required under CI=true ({INSTALL})")
    pytest.skip(f"{reason} ({INSTALL})")


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def has_postgis(bindir: Path) -> bool:
    share = subprocess.run([str(bindir / "pg_config"), "--sharedir"], capture_output=True,
                           text=True, check=False).stdout.strip()
    if not share:  # pg_config is in another package: guess the Debian share folder
        share = f"/usr/share/postgresql/{bindir.parent.name}"
    return Path(share, "extension", "postgis.control").exists()


class Cluster:
    """A running throwaway cluster; ``url(db)`` is a connection URL for one database."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="efm-pg-"))
        self.data = self.folder / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                shutil.chown(self.folder, SUPERUSER, SUPERUSER)
            except (LookupError, PermissionError) as exc:
                shutil.rmtree(self.folder, ignore_errors=True)
                unavailable(f"no '{SUPERUSER}' system user to run PostgreSQL as ({exc})")
            self.as_user = ["runuser", "-u", SUPERUSER, "--"]

    def _run(self, *args: str) -> None:
        # cwd: the server user may not be allowed into the folder pytest runs in
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, check=False,
                              cwd=self.folder)
        if done.returncode:
            log = (self.folder / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}\n{tail}")

    def start(self) -> Cluster:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-p {PORT} -k {self.folder} -c listen_addresses='' -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.folder / "server.log"), "start")
        return self

    def url(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.folder}&port={PORT}"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def create_database(cluster: Cluster, name: str) -> str:
    """A new database with PostGIS; its URL."""
    import psycopg

    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # a fixed test name, not user input
    url = cluster.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
    return url


def start_cluster() -> Cluster:
    """Start a cluster, or skip/fail with the reason it cannot be."""
    bindir = bin_dir()
    if bindir is None:
        unavailable("PostgreSQL is not installed (no initdb)")
    if not has_postgis(bindir):
        unavailable(f"PostGIS is not installed for PostgreSQL {bindir.parent.name}")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install 'psycopg[binary]')")
    cluster = Cluster(bindir)
    try:
        return cluster.start()
    except (RuntimeError, OSError) as exc:
        shutil.rmtree(cluster.folder, ignore_errors=True)
        unavailable(f"a throwaway PostgreSQL cluster could not be started: {exc}")
        raise


def reset(url: str, features: list[dict] | None = None) -> None:
    """Empty the incident tables, then load ``features`` with no history entry."""
    import psycopg

    from dashboard import store
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE incidents, history RESTART IDENTITY")
    if features:
        store.import_features(store.open_snapshot(url), features, source="fixture")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE history RESTART IDENTITY")
