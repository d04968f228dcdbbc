"""The pieces every screen takes from: operations, live views, forms, banner, palette, dates.

Screens import from here (or its modules) and never from ``casebook.ui.app`` or from another
screen's package; ``tests/e2e/test_layering.py`` enforces that.

Each name loads its own module on first use (PEP 562), so the unlock window, which needs only
the banner, the settings and the error wording, does not import the forms, live views and icons
before it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casebook.lazy import lazy_names

if TYPE_CHECKING:  # also what PyInstaller's analysis reads to bundle them
    from casebook.ui.kit.banner import Banner
    from casebook.ui.kit.dates import fmt_date, fmt_datetime
    from casebook.ui.kit.errors import GENERIC_ERROR, user_message
    from casebook.ui.kit.forms import add_grid_field, add_row, field, named, plain
    from casebook.ui.kit.icons import make_icon
    from casebook.ui.kit.live import KeepCurrent, LiveView
    from casebook.ui.kit.ops import Op, alive, flush_worker
    from casebook.ui.kit.settings import app_settings

_WHERE = {
    "Banner": "banner", "fmt_date": "dates", "fmt_datetime": "dates",
    "GENERIC_ERROR": "errors", "user_message": "errors",
    "add_grid_field": "forms", "add_row": "forms", "field": "forms", "named": "forms",
    "plain": "forms", "make_icon": "icons", "KeepCurrent": "live", "LiveView": "live",
    "Op": "ops", "alive": "ops", "flush_worker": "ops", "app_settings": "settings",
}

__all__ = [
    "GENERIC_ERROR", "Banner", "KeepCurrent", "LiveView", "Op", "add_grid_field", "add_row",
    "alive", "app_settings", "field", "flush_worker", "fmt_date", "fmt_datetime", "make_icon",
    "named", "plain", "user_message",
]


__getattr__ = lazy_names(__name__, _WHERE)
