"""The README's Layout table names every module under dashboard/, and nothing that is gone."""

from __future__ import annotations

import re

from dashboard import paths

README = paths.ROOT / "README.md"
DASHBOARD = paths.ROOT / "dashboard"


def _layout_rows() -> dict[str, str]:
    """{path cell: what cell} of the README's '## Layout' table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def _modules() -> list[str]:
    return sorted(str(p.relative_to(paths.ROOT)) for p in DASHBOARD.rglob("*.py")
                  if "static" not in p.parts and p.name not in ("__init__.py", "__main__.py"))


def test_every_module_is_in_the_layout_table():
    rows = _layout_rows()
    missing = []
    for module in _modules():
        folder, name = module.rsplit("/", 1)
        in_package_row = re.search(rf"`{re.escape(name)}`", rows.get(folder + "/", ""))
        if module not in rows and not in_package_row:
            missing.append(module)
    assert not missing, f"README's Layout table does not name: {', '.join(missing)}"


def test_every_path_in_the_layout_table_exists():
    gone = [p for p in _layout_rows() if not (paths.ROOT / p).exists()]
    assert not gone, f"README's Layout table names paths that do not exist: {', '.join(gone)}"


def test_package_rows_name_only_existing_modules():
    for path, what in _layout_rows().items():
        if path.startswith("dashboard/") and path.endswith("/") and "static" not in path:
            for name in re.findall(r"`([a-z_]+\.py)`", what):
                assert (paths.ROOT / path / name).exists(), f"{path}{name} is in the README but not on disk"
