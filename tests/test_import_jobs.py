"""ImportJob: a big import in a worker process that reports progress, can be cancelled, stops
when nobody watches, and waits its turn when the server's workers are busy."""

from __future__ import annotations

import pytest

from bench.bench_import import synthetic_acled
from dashboard import importer
from dashboard.importer import jobs

SMALL = synthetic_acled(300)
BIG = synthetic_acled(60_000)  # about 25 MB: seconds of work, long enough to act on


def wait_until(job: jobs.ImportJob, condition, timeout: float = 120) -> jobs.Status:
    """Poll until ``condition(status)`` holds (the job's own heartbeat keeps it alive)."""
    import time
    end = time.monotonic() + timeout
    while not condition(status := job.poll()):
        assert not status.finished or condition(status), status
        assert time.monotonic() < end, f"gave up waiting: {status}"
        time.sleep(0.05)
    return status


def test_a_job_returns_what_the_import_returns():
    job = jobs.ImportJob(SMALL, "small.csv", existing_ids={"SYN000001"})
    status = job.wait(120)
    direct = importer.import_bytes(SMALL, "small.csv", existing_ids={"SYN000001"})
    assert status.state == "done" and job.error is None
    assert [f["id"] for f in job.result.features] == [f["id"] for f in direct.features]
    assert job.result.summary() == direct.summary()
    assert not job.worker_alive()


def test_progress_counts_the_rows():
    seen: list[tuple[str, int, int]] = []
    importer.import_bytes(synthetic_acled(2_500), "p.csv",
                          progress=lambda *a: seen.append(a))
    assert seen[0] == ("Reading the file", 0, 0)
    assert seen[1:] == [("Checking rows", n, 2_500) for n in (0, 1000, 2000)]


def test_cancel_stops_the_worker_process():
    job = jobs.ImportJob(BIG, "big.csv")
    status = wait_until(job, lambda s: s.stage == "Checking rows")
    assert 0 <= status.fraction < 1 and "of 60,000" in status.describe()
    job.cancel()
    status = job.wait(30)
    assert (status.state, status.stage) == ("cancelled", "Cancelled")
    assert job.result is None and not job.worker_alive()


def test_a_job_nobody_polls_stops(monkeypatch):
    monkeypatch.setattr(jobs, "ABANDONED_S", 0.0)
    job = jobs.ImportJob(BIG, "big.csv")
    job._thread.join(60)   # no poll: the page went away
    status = job.poll()
    assert status.state == "cancelled" and "went away" in status.stage
    assert not job.worker_alive()


def test_jobs_wait_for_a_free_worker():
    first = jobs.ImportJob(BIG, "first.csv")
    wait_until(first, lambda s: s.state == "running")
    second = jobs.ImportJob(SMALL, "second.csv")
    wait_until(second, lambda s: s.state == "waiting" and "another import" in s.stage)
    first.cancel()
    assert second.wait(120).state == "done"


@pytest.mark.parametrize(("raw", "message"), [
    (b"PK\x03\x04" + b"\0" * 64, "is a ZIP archive"),
    (b"a,b\n1,2\n", "no coordinate columns found"),
])
def test_a_file_that_cannot_be_imported_fails_with_its_message(raw, message):
    job = jobs.ImportJob(raw, "bad.csv")
    assert job.wait(120).state == "failed"
    with pytest.raises(importer.DataError, match=message) as direct:
        importer.import_bytes(raw, "bad.csv")
    assert job.error == str(direct.value)


def test_a_worker_that_dies_is_reported(monkeypatch):
    job = jobs.ImportJob(BIG, "big.csv")
    wait_until(job, lambda s: s.stage == "Checking rows")
    job._process.kill()
    status = job.wait(30)
    assert status.state == "failed" and "worker stopped unexpectedly (exit code -9)" in job.error


def test_the_collector_is_paused_only_for_the_import():
    import gc
    assert gc.isenabled()
    with pytest.raises(ValueError), importer.collector_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
