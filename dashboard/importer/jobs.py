"""Long imports in a worker process: progress, cancel, a bound on how many run at once.

The Import tab hands a big upload to an ``ImportJob`` instead of importing it inside the
script run. The job runs ``import_bytes`` in a separate process (``spawn``: a fresh
interpreter, never a fork of the threaded server), so a 50 MB file costs the server's own
process nothing and other sessions' reruns go on at full speed. At most ``WORKERS`` imports
run at once on a server; the others wait for a free worker and say so. The page polls the
job (``poll``) for its stage and row count; ``cancel`` stops the process at once, and a job
nobody has polled for ``ABANDONED_S`` seconds (its tab was closed) stops by itself.

Pure apart from the process: no Streamlit here, so tests drive a job directly.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..schema import DataError
from . import ColumnMap, ImportResult, collector_paused, import_bytes

#: Imports that may run at once on one server (each in its own process).
WORKERS = 1
#: A job not polled for this long (its page went away) is stopped.
ABANDONED_S = 20.0
#: Smaller uploads are imported in the script run: a worker's start costs more than they do.
INLINE_BYTES = 2_000_000

_slots = threading.BoundedSemaphore(WORKERS)
_SPAWN = multiprocessing.get_context("spawn")


def _work(out: Any, args: tuple) -> None:
    """The worker process: import, reporting progress, and send the result or the error."""
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.2 or not done:
            last[0] = now
            out.put(("progress", stage, done, total))

    raw, name, fmt, columns, existing, held = args
    try:
        with collector_paused():
            result = import_bytes(raw, name, fmt, columns, existing, progress=progress, **held)
    except DataError as exc:
        out.put(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the page must say what broke, not hang
        out.put(("error", f"{name}: the import failed ({type(exc).__name__}: {exc})"))
    else:
        out.put(("done", result))


@dataclass
class Status:
    """Where a job is: ``state`` is waiting, running, done, failed or cancelled."""

    state: str
    stage: str
    done: int
    total: int

    @property
    def finished(self) -> bool:
        """Whether the job has stopped (done, failed or cancelled)."""
        return self.state in ("done", "failed", "cancelled")

    @property
    def fraction(self) -> float:
        """How far the rows are, 0 to 1 (0 while the file is read)."""
        return min(self.done / self.total, 1.0) if self.total else 0.0

    def describe(self) -> str:
        """One line for the page: 'Checking rows: 12,000 of 48,000'."""
        if self.total:
            return f"{self.stage}: {self.done:,} of {self.total:,}"
        return self.stage


class ImportJob:
    """One import running in a worker process (started at once, or when a worker is free)."""

    def __init__(self, raw: bytes, name: str, fmt: str | None = None,
                 columns: ColumnMap | None = None, existing_ids: Collection[str] = (),
                 **held: Any):
        self.name = name
        self.result: ImportResult | None = None
        self.error: str | None = None
        # ``held``: import_bytes' ``existing`` and ``profiles`` (a re-import's matches).
        self._args = (raw, name, fmt, columns, frozenset(existing_ids), held)
        self._status = Status("waiting", "Starting", 0, 0)
        self._lock = threading.Lock()
        self._seen = time.monotonic()
        self._cancel = threading.Event()
        self._process: Any = None
        self._thread = threading.Thread(target=self._run, name=f"import {name}", daemon=True)
        self._thread.start()

    def poll(self) -> Status:
        """The job's status now (polling also tells the job its page is still there)."""
        self._seen = time.monotonic()
        with self._lock:
            return self._status

    def cancel(self) -> None:
        """Stop the import (the worker process is ended; nothing was saved)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> Status:
        """Block until the job has finished (or ``timeout`` seconds); for the CLI and tests."""
        end = None if timeout is None else time.monotonic() + timeout
        while not (status := self.poll()).finished and (end is None or time.monotonic() < end):
            time.sleep(0.05)
        return status

    def worker_alive(self) -> bool:
        """Whether the worker process is running."""
        return self._process is not None and self._process.is_alive()

    def _set(self, state: str, stage: str, done: int = 0, total: int = 0) -> None:
        with self._lock:
            self._status = Status(state, stage, done, total)

    def _stopping(self) -> str | None:
        if self._cancel.is_set():
            return "Cancelled"
        if time.monotonic() - self._seen > ABANDONED_S:
            return "Stopped: the page that started it went away"
        return None

    def _run(self) -> None:
        while not _slots.acquire(timeout=0.1):
            self._set("waiting", "Waiting for another import to finish")
            if reason := self._stopping():
                self._set("cancelled", reason)
                return
        try:
            self._in_worker()
        except Exception as exc:  # noqa: BLE001 - e.g. no process could be started
            self.error = f"{self.name}: the import could not run ({type(exc).__name__}: {exc})"
            self._set("failed", self.error)
        finally:
            _slots.release()

    def _in_worker(self) -> None:
        out = _SPAWN.Queue()
        self._process = _SPAWN.Process(target=_work, args=(out, self._args), daemon=True,
                                       name=f"efm-import {self.name}")
        self._set("running", "Starting the import worker")
        self._process.start()
        self._args = ()  # the worker has the bytes now
        try:
            final = self._follow(out)
        finally:  # the worker is gone before the job says it has finished
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(timeout=5)
            out.close()
        self._set(*final)

    def _follow(self, out: Any) -> tuple[str, str, int, int]:
        """Relay the worker's progress until it ends; its final status."""
        while True:
            if reason := self._stopping():
                return ("cancelled", reason, 0, 0)
            alive = self._process.is_alive()  # before reading: its last words precede its end
            try:
                message = out.get(timeout=0.1 if alive else 1.0)
            except queue.Empty:
                if not alive:
                    self.error = (f"{self.name}: the import worker stopped unexpectedly "
                                  f"(exit code {self._process.exitcode})")
                    return ("failed", self.error, 0, 0)
                continue
            if message[0] == "progress":
                self._set("running", *message[1:])
            elif message[0] == "error":
                self.error = message[1]
                return ("failed", message[1], 0, 0)
            else:
                self.result = message[1]
                return ("done", "Done", self.result.rows_read, self.result.rows_read)
