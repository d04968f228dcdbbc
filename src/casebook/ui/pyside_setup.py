"""How Casebook loads PySide: one adjustment to PySide's import hook, made once.

PySide 6 wraps Python's ``__import__`` for its optional ``from __feature__ import snake_case``
syntax. To know which modules might use it, the hook reads the source of every module imported
after ``PySide6.QtCore`` (``inspect.getsource``) and looks for the word "PySide6": about 80
modules, the standard library's included, before the first window; about 20 ms of the cold start
on a school laptop's two cores.

Casebook never uses ``__feature__``. For a module that does not, PySide's answer ("ignore this
module") and its default (no feature selected) behave the same, so the scan is skipped by
answering "does not use PySide" without reading. If a PySide release drops or renames the
function, nothing is changed and start-up is only slower.
"""

from __future__ import annotations

import sys
from types import ModuleType

_SCANNER = "_mod_uses_pyside"


def _never(_module: ModuleType) -> bool:
    return False


def skip_feature_scan() -> bool:
    """Stop PySide reading each imported module's source; True if it was stopped."""
    import PySide6.QtCore  # noqa: F401  (installs the hook and its support module)

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, _SCANNER, None)):
        return False
    setattr(feature, _SCANNER, _never)
    return True
