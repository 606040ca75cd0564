"""The app listens on this machine only unless told otherwise (there is no sign-in yet)."""

from __future__ import annotations

import re
import tomllib

from dashboard import paths


def test_the_server_listens_on_loopback_by_default():
    config = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    makefile = (paths.ROOT / "Makefile").read_text()
    assert re.search(r"^ADDRESS \?= 127\.0\.0\.1$", makefile, re.M)
    assert "--server.address $(ADDRESS)" in makefile
