"""Peak memory of ``python -m dashboard validate FILE`` on synthetic GeoJSON (issue 15).

Run: `.venv/bin/python bench/bench_validate.py [--n 60000,82000] [--out DIR]`. For each size it
writes a seeded synthetic FeatureCollection (``bench/synthetic.py``; never real events; 60,000
incidents are about 44 MB, 82,000 about 60 MB), runs the validation in a child process and
prints the file's size, the baseline (the peak of a child that only imports the modules the
validation ends up with, then reads nothing), the validation's peak resident memory, their
difference as a multiple of the file's size, and the wall time. Peaks are the children's
``ru_maxrss``, each measured by a wrapper process of its own so that runs do not mix.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import generate, write_geojson  # bench/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent
#: Runs ``argv`` as its only child and prints that child's peak RSS in kB (Linux ru_maxrss).
PEAK = ("import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
#: The validation as the CLI runs it; then the modules it loaded, for the baseline.
VALIDATE = ("import json, sys\n"
            "from dashboard.cli import main\n"
            "code = main(['validate', sys.argv[1]])\n"
            "open(sys.argv[2], 'w').write(json.dumps(sorted(sys.modules)))\n"
            "sys.exit(code)\n")
#: Imports the modules the validation loaded, and nothing else.
BASELINE = ("import importlib, json, sys\n"
            "for name in json.load(open(sys.argv[1])):\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except Exception:\n"
            "        pass\n")


def peak_rss(*argv: str) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of ``python argv``; fails if it exits non-zero."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PEAK, sys.executable, *argv], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    seconds = time.perf_counter() - start
    if out[0] != "0":
        raise SystemExit(f"python {' '.join(argv[:1])} exited with {out[0]}")
    return int(out[1]) / 1024, seconds


def measure(n: int, folder: Path) -> dict:
    path = folder / f"synthetic-{n}.geojson"
    if not path.exists():
        write_geojson(generate(n), path)
    modules = folder / f"modules-{n}.json"
    peak, seconds = peak_rss("-c", VALIDATE, str(path), str(modules))
    baseline, _ = peak_rss("-c", BASELINE, str(modules))
    size = path.stat().st_size / 1e6
    return {"incidents": n, "file_mb": round(size, 1), "baseline_mb": round(baseline),
            "peak_mb": round(peak), "ratio": round((peak - baseline) / size, 2),
            "seconds": round(seconds, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="60000,82000", help="incident counts, comma-separated")
    parser.add_argument("--out", help="folder for the GeoJSON files (kept; default: temporary)")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(args.out or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.json:
            print(f"{'incidents':>9} {'file':>8} {'baseline':>9} {'peak RSS':>9} "
                  f"{'(peak - baseline) / file':>25} {'time':>6}")
        for n in (int(v) for v in args.n.split(",")):
            row = measure(n, folder)
            print(json.dumps(row) if args.json else
                  f"{n:>9,} {row['file_mb']:>5.1f} MB {row['baseline_mb']:>6} MB "
                  f"{row['peak_mb']:>6} MB {row['ratio']:>24.2f}x {row['seconds']:>5.1f}s")


if __name__ == "__main__":
    main()
