"""Plain domain types for a safeguarding case. Imports nothing from the rest of casebook.

``from casebook.domain import Case`` works as it always has, but the dataclass modules load on
first use (PEP 562): the unlock window imports ``casebook.domain.errors`` and ``enums`` only,
and the dataclasses (with the profiles they read) cost about 30 ms at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from casebook.domain.enums import *  # noqa: F401,F403
from casebook.domain.enums import __all__ as _enum_names

if TYPE_CHECKING:  # also what PyInstaller's analysis reads to bundle them
    from casebook.domain.models import *  # noqa: F401,F403
    from casebook.domain.people import *  # noqa: F401,F403

_LAZY = ("casebook.domain.models", "casebook.domain.people")

__all__ = [*_enum_names]


def __getattr__(name: str) -> Any:
    for module_name in _LAZY:
        module = importlib.import_module(module_name)
        if name in module.__all__:
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    names = set(globals()) | set(_enum_names)
    for module_name in _LAZY:
        names.update(importlib.import_module(module_name).__all__)
    return sorted(names)
