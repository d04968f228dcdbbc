"""A package's names load from their submodules on first use, once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def test_names_load_their_submodule_on_first_use_only(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "lazypkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from casebook.lazy import lazy_names\n"
        "__getattr__ = lazy_names(__name__, {'Thing': 'things', 'other': 'others'})\n")
    (package / "things.py").write_text("Thing = object()\n")
    (package / "others.py").write_text("other = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import lazypkg  # type: ignore[import-not-found]

        assert "lazypkg.things" not in sys.modules and "lazypkg.others" not in sys.modules
        thing = lazypkg.Thing
        assert thing is sys.modules["lazypkg.things"].Thing
        assert "lazypkg.others" not in sys.modules  # only the submodule asked for
        assert vars(lazypkg)["Thing"] is thing  # kept: the next lookup is an ordinary one
        from lazypkg import other  # type: ignore[import-not-found]

        assert other == 42
        with pytest.raises(AttributeError, match="no attribute 'missing'"):
            lazypkg.missing  # noqa: B018
        with pytest.raises(ImportError):
            from lazypkg import missing  # type: ignore[import-not-found]  # noqa: F401
    finally:
        for name in [name for name in sys.modules if name.startswith("lazypkg")]:
            del sys.modules[name]
