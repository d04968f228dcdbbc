"""pyproject lists every package by hand (resources/ and migrations/ are mapped in from the top
of the repository), so a new package must not be forgotten there."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _packages_on_disk() -> set[str]:
    found: set[str] = set()
    for init in (ROOT / "src").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT / "src").parts))
    for top, name in (("resources", "casebook.resources"), ("migrations", "casebook.migrations")):
        for init in (ROOT / top).rglob("__init__.py"):
            rest = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *rest)))
    return found


def test_every_package_on_disk_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    assert _packages_on_disk() == listed


def test_mapped_packages_resolve_to_the_top_level_folders() -> None:
    import casebook.migrations
    import casebook.resources
    from casebook.paths import resources_dir

    assert Path(casebook.resources.__file__).parent == ROOT / "resources"
    assert Path(casebook.migrations.__file__).parent == ROOT / "migrations"
    assert (resources_dir() / "fonts" / "DejaVuSans.ttf").is_file()
    assert (Path(casebook.migrations.__file__).parent / "script.py.mako").is_file()
