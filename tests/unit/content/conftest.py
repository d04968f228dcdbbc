"""Helpers for the content tests: every piece of user-facing text a jurisdiction gets."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from casebook import profiles
from casebook.domain.enums import Jurisdiction
from casebook.paths import resources_dir

# Dataclass fields that hold identifiers or stored values, never shown to a user.
_NOT_SHOWN = {"id", "value", "key", "kind", "per", "body", "jurisdiction", "jurisdictions",
              "locale", "checklist", "source_file", "aliases"}


def _strings(obj: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path, obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for field in dataclasses.fields(obj):
            if field.name not in _NOT_SHOWN:
                yield from _strings(getattr(obj, field.name), f"{path}.{field.name}")
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _strings(value, f"{path}[{key}]")
    elif isinstance(obj, tuple | list):
        for number, value in enumerate(obj):
            yield from _strings(value, f"{path}[{number}]")


def shown_texts(jurisdiction: Jurisdiction) -> list[tuple[str, str]]:
    """(where, text) for every string a user of ``jurisdiction`` may see."""
    out: list[tuple[str, str]] = []
    out += _strings(profiles.load_profile(jurisdiction), "profile")
    out += _strings(profiles.load_step_guidance(jurisdiction), "guidance")
    out += _strings(profiles.load_safety_gate(jurisdiction), "safety_gate")
    out += _strings(profiles.load_checklist(jurisdiction), "checklist")
    out += _strings(profiles.load_platforms(), "platforms")
    out += _strings(profiles.load_common_report_fields(), "common_fields")
    return out


@pytest.fixture
def texts_for() -> Callable[[Jurisdiction], list[tuple[str, str]]]:
    return shown_texts


@pytest.fixture
def resource_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of the content resources that the loader reads instead of the real ones."""
    root = tmp_path / "resources"
    for name in ("profiles", "guidance", "checklists"):
        shutil.copytree(resources_dir() / name, root / name)
    monkeypatch.setattr(profiles, "resources_dir", lambda: root)
    profiles.clear_caches()
    yield root
    profiles.clear_caches()  # monkeypatch restores resources_dir after this; forget the copy
