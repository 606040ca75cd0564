"""The code passes the project's ruff configuration (pyproject.toml), so CI keeps it clean."""

from __future__ import annotations

import subprocess
import sys

from dashboard import paths


def test_ruff_is_clean():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "dashboard", "tests", "tools", "bench"],
                         cwd=paths.ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
