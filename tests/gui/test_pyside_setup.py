"""PySide's import hook no longer reads the source of each module imported after Qt
(casebook.ui.pyside_setup): about 20 ms of the cold start."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from types import ModuleType

import pytest

import casebook.ui  # noqa: F401  (makes the adjustment)
from casebook.ui.pyside_setup import skip_feature_scan


def _import_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Import a new module that names PySide6; return whose source was read meanwhile."""
    (tmp_path / f"{name}.py").write_text("import PySide6  # names PySide6\nVALUE = 1\n",
                                         encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    read: list[str] = []
    real = inspect.getsource

    def recording(obj: object) -> str:
        if isinstance(obj, ModuleType):
            read.append(obj.__name__)
        return real(obj)  # type: ignore[arg-type]

    monkeypatch.setattr(inspect, "getsource", recording)
    try:
        # an import statement (PySide's hook sits in __import__; import_module skips it)
        assert __import__(name).VALUE == 1
    finally:
        sys.modules.pop(name, None)
    return read


def test_a_module_imported_after_qt_is_not_read(tmp_path: Path, monkeypatch) -> None:
    assert _import_fresh(tmp_path, monkeypatch, "casebook_probe_after") == []


def _pyside_scanner(module: ModuleType) -> bool:
    """PySide's scanner as it is written (6.4 to 6.11): search the source for "PySide6"."""
    try:
        return "PySide6" in inspect.getsource(module)
    except (TypeError, OSError, SyntaxError):
        return False


def test_without_the_adjustment_pyside_reads_it(tmp_path: Path, monkeypatch) -> None:
    """The check above would notice: with PySide's own scanner back, the source is read."""
    monkeypatch.setattr(sys.modules["shibokensupport.feature"], "_mod_uses_pyside",
                        _pyside_scanner)
    assert _import_fresh(tmp_path, monkeypatch, "casebook_probe_scanned") == [
        "casebook_probe_scanned"]


def test_a_pyside_without_the_scanner_is_left_alone(monkeypatch) -> None:
    feature = sys.modules["shibokensupport.feature"]
    monkeypatch.delattr(feature, "_mod_uses_pyside")
    assert skip_feature_scan() is False
    assert not hasattr(feature, "_mod_uses_pyside")
