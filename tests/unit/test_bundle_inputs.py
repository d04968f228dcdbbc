"""What the PyInstaller spec collects (packaging/bundle_inputs.py), checked against the files on
disk: a new migration, template or profile cannot be left out of the frozen app unnoticed."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


inputs = _load("bundle_inputs")


def _lay_out(datas: list[tuple[str, str]], into: Path) -> None:
    """Copy (source, folder) pairs the way PyInstaller places them in the bundle."""
    for source, folder in datas:
        target = into / folder
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / Path(source).name)


def _on_disk(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_every_migration_file_is_collected_as_a_py_file() -> None:
    collected = {(Path(src).relative_to(ROOT / "migrations").as_posix(), dest)
                 for src, dest in inputs.migration_datas(ROOT)}
    versions = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    assert len(versions) >= 6  # __init__ and 0001..0005 at least
    for path in versions:
        assert (f"versions/{path.name}", "casebook/migrations/versions") in collected
    for name in ("__init__.py", "env.py", "script.py.mako"):
        assert (name, "casebook/migrations") in collected


def test_alembic_reads_the_collected_migrations_like_the_source_tree(tmp_path: Path) -> None:
    """The bundle's layout, rebuilt from the spec's list, gives alembic the same history."""
    _lay_out(inputs.migration_datas(ROOT), tmp_path)

    def history(location: Path) -> list[str]:
        cfg = Config()
        cfg.set_main_option("script_location", str(location))
        return [rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()]

    bundled = history(tmp_path / "casebook" / "migrations")
    assert bundled == history(ROOT / "migrations")
    assert len(bundled) == len(list((ROOT / "migrations" / "versions").glob("0*.py")))


def test_every_resource_file_is_collected_in_place(tmp_path: Path) -> None:
    _lay_out(inputs.resource_datas(ROOT), tmp_path)
    bundled = tmp_path / "casebook" / "resources"
    expected = _on_disk(ROOT / "resources")
    assert expected  # profiles, guidance, checklists, templates, fonts
    assert _on_disk(bundled) == expected
    for sub in ("profiles", "guidance", "checklists", "templates", "fonts"):
        assert any(name.startswith(f"{sub}/") for name in expected), sub


def test_a_new_file_is_picked_up_without_editing_the_spec(tmp_path: Path) -> None:
    fake = tmp_path / "repo"
    shutil.copytree(ROOT / "migrations", fake / "migrations",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (fake / "resources" / "templates").mkdir(parents=True)
    (fake / "resources" / "templates" / "new-letter.json").write_text("{}", encoding="utf-8")
    (fake / "migrations" / "versions" / "0099_future.py").write_text("", encoding="utf-8")
    assert (str(fake / "migrations" / "versions" / "0099_future.py"),
            "casebook/migrations/versions") in inputs.migration_datas(fake)
    assert inputs.resource_datas(fake) == [
        (str(fake / "resources" / "templates" / "new-letter.json"), "casebook/resources/templates")]


def test_the_spec_uses_these_lists() -> None:
    spec = (PACKAGING / "casebook.spec").read_text(encoding="utf-8")
    for call in ("inputs.migration_datas(", "inputs.resource_datas(", "inputs.HIDDEN_IMPORTS",
                 "inputs.EXCLUDED_MODULES", "inputs.is_unused_qt(",
                 "inputs.windows_version_info(", "notices.build_notices()"):
        assert call in spec, call
    assert spec.count("EXE(") == 2 and spec.count("COLLECT(") == 1
    assert 'name="casebook-admin", console=True' in spec
    assert 'name="casebook",\n              console=False' in spec


@pytest.mark.parametrize(("dest", "unused"), [
    ("PySide6/Qt/translations/qtbase_de.qm", True),
    ("PySide6/Qt/lib/libQt6Network.so.6", True),
    ("PySide6/Qt6Network.dll", True),
    ("PySide6/Qt/lib/libQt6Qml.so.6", True),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
    ("libcairo.so.2", True),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", False),
    ("PySide6/Qt/lib/libQt6Svg.so.6", False),
    ("PySide6/Qt/lib/libQt6PrintSupport.so.6", False),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
    ("PySide6/plugins/platforms/qwindows.dll", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", False),
    ("sqlcipher3/_sqlite3.cpython-311-x86_64-linux-gnu.so", False),
    ("PIL/_imaging.cpython-311-x86_64-linux-gnu.so", False),
])
def test_only_unused_qt_parts_are_dropped(dest: str, unused: bool) -> None:
    assert inputs.is_unused_qt(dest) is unused


def test_qt_modules_the_app_imports_are_not_excluded() -> None:
    imported = set()
    for path in (ROOT / "src" / "casebook").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        imported |= {f"PySide6.{word.split()[0].rstrip(',')}"
                     for word in text.split("PySide6.")[1:]}
    used = {m for m in imported if m.startswith("PySide6.Qt")}
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"} <= used
    assert not used & set(inputs.EXCLUDED_MODULES)


def test_version_comes_from_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = config["project"]["version"]
    assert inputs.project_version(ROOT) == version
    import casebook

    assert casebook.__version__ == version
    assert inputs.version_tuple("1.12.3") == (1, 12, 3, 0)
    assert inputs.version_tuple("2.0.0rc1") == (2, 0, 0, 0)
    text = inputs.windows_version_info(version, "Casebook", "casebook")
    calls: dict[str, object] = {}

    def record(name: str):  # type: ignore[no-untyped-def]
        def make(*args: object, **kwargs: object) -> tuple[str, tuple[object, ...], dict]:  # type: ignore[type-arg]
            calls.setdefault(name, (args, kwargs))
            return (name, args, kwargs)
        return make

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct")
    eval(text, {n: record(n) for n in names})  # the file PyInstaller evaluates, the same way
    fixed_kwargs = calls["FixedFileInfo"][1]  # type: ignore[index]
    assert fixed_kwargs["filevers"] == inputs.version_tuple(version)  # type: ignore[index]
    assert f"'ProductVersion', '{version}'" in text


def test_pyinstaller_is_a_build_extra_not_a_runtime_dependency() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = config["project"]
    assert not any("pyinstaller" in d.lower() for d in project["dependencies"])
    assert any(d.lower().startswith("pyinstaller") for d in
               project["optional-dependencies"]["package"])


def test_notices_carry_every_runtime_library_and_the_lgpl() -> None:
    notices = _load("notices")
    text = notices.build_notices()
    names = [d.metadata["Name"] for d in notices.runtime_distributions()]
    for name in ("PySide6_Essentials", "SQLAlchemy", "sqlcipher3", "pikepdf", "reportlab",
                 "cryptography", "keyring"):
        assert any(n.lower() == name.lower() for n in names), name
    for name in names:
        assert f"\n{name} " in text, name
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text
    assert "GNU GENERAL PUBLIC LICENSE" in text
    assert "ZETETIC LLC" in text  # SQLCipher
    assert "qpdf" in text.lower() and "openssl" in text.lower()
    assert "replace them" in text
