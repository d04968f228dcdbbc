"""Names of a package loaded from their submodules on first use (PEP 562).

A package's ``__init__`` that re-exports its submodules' names imports every one of them with
the package; start-up pays for all of them before the first window. With ``__getattr__ =
lazy_names(__name__, {...})`` each name is imported from its submodule when it is first asked
for, then kept in the package like an ordinary attribute.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each name to the submodule
    (relative to the package) that defines it."""

    def __getattr__(name: str) -> Any:  # noqa: N807
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
