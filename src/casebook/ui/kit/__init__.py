"""The pieces every screen takes from: operations, live views, forms, banner, palette, dates.

Screens import from here (or its modules) and never from ``casebook.ui.app`` or from another
screen's package; ``tests/e2e/test_layering.py`` enforces that.
"""

from casebook.ui.kit.banner import Banner
from casebook.ui.kit.dates import fmt_date, fmt_datetime
from casebook.ui.kit.errors import GENERIC_ERROR, user_message
from casebook.ui.kit.forms import add_grid_field, add_row, field, named, plain
from casebook.ui.kit.icons import make_icon
from casebook.ui.kit.live import KeepCurrent, LiveView
from casebook.ui.kit.ops import Op, alive, flush_worker
from casebook.ui.kit.settings import app_settings

__all__ = [
    "GENERIC_ERROR", "Banner", "KeepCurrent", "LiveView", "Op", "add_grid_field", "add_row",
    "alive", "app_settings", "field", "flush_worker", "fmt_date", "fmt_datetime", "make_icon",
    "named", "plain", "user_message",
]
