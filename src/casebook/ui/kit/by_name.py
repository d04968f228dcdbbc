"""Set a widget's enum or flags property by its Qt name, for the first window.

PySide builds every enum of the ``Qt`` namespace (95 of them, about 16 ms on a school laptop)
the first time any code names ``Qt``, and some of its overloads do the same when they weigh
their arguments (``QColor(a_colour)``, ``QAction.setShortcut(a_sequence)``). The unlock window
is drawn before that happens; what it needs from ``Qt`` it sets through Qt's property system by
name instead (``tests/gui/test_start_light.py`` checks that ``Qt`` is still unbuilt when the
window is first painted). Everything after the first window uses ``Qt`` as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QObject


def set_by_name(target: QObject, prop: str, value: str) -> None:
    """``target.<prop> = value`` where ``value`` names enum keys ("AlignTop|AlignLeft").

    Raises ValueError if Qt does not take it (a misspelt property or key), so a typo fails the
    first test that builds the widget rather than leaving a default in place."""
    if not target.setProperty(prop, value):
        raise ValueError(f"{type(target).__name__} has no property {prop!r} taking {value!r}")
