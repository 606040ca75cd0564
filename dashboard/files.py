"""Safe writes: atomic replacement with a backup, an exclusive lock, append-only logs.

Shared by the incident store and brief packs. A crash at any point leaves either the old
file or the new one, never a mix: data goes to a synced temporary file in the same folder,
which then replaces the target with ``os.replace``.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _write_synced(folder: Path, prefix: str, data: bytes, mode: int) -> str:
    with tempfile.NamedTemporaryFile(dir=folder, prefix=prefix, suffix=".tmp", delete=False) as tmp:
        try:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
            os.fchmod(tmp.fileno(), mode)
        except BaseException:
            os.unlink(tmp.name)
            raise
    return tmp.name


def replace_with(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Atomically make ``path`` hold ``data``: a synced temporary file, then ``os.replace``."""
    tmp = _write_synced(path.parent, f".{path.name}.", data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def sync_dir(folder: Path) -> None:
    """fsync a folder so a rename in it survives a power cut (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the data itself is synced
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping the previous file as ``<name>.bak``."""
    mode = (path.stat().st_mode & 0o777) if path.exists() else 0o644
    if path.exists():
        replace_with(path.with_name(path.name + ".bak"), path.read_bytes(), mode)
    replace_with(path, data, mode)
    sync_dir(path.parent)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<path>.lock`` (between processes and threads)."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def append_line(path: Path, line: str) -> None:
    """Append one line to an append-only log and sync it."""
    with open(path, "a", encoding="utf-8") as log:
        log.write(line.rstrip("\n") + "\n")
        log.flush()
        os.fsync(log.fileno())
