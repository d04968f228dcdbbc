"""Issue 11 item 6: all text at least 4.5:1 (large text 3:1), computed with WCAG relative
luminance over the palette, in a light, a dark and a high-contrast OS theme."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from casebook.domain import STEP_ORDER, Step, StepStatus
from casebook.ui.kit.charts import NumberTile
from casebook.ui.kit.palette import (
    ROLES,
    SERIES,
    TEXT_RATIO,
    TEXT_ROLES,
    contrast,
    done_colour,
    highlight_pair,
    muted_colour,
    readable_palette,
    readable_text,
    text_colour,
    warning_colour,
)
from casebook.ui.kit.palette import (
    colour as role_colour,
)
from casebook.ui.widgets.step_progress import StepProgress

Role = QPalette.ColorRole


def _palette(window: str, text: str, base: str, highlight: str, highlighted: str) -> QPalette:
    palette = QPalette()
    for role, colour in ((Role.Window, window), (Role.WindowText, text), (Role.Base, base),
                         (Role.Text, text), (Role.Button, window), (Role.ButtonText, text),
                         (Role.AlternateBase, base), (Role.Highlight, highlight),
                         (Role.HighlightedText, highlighted)):
        palette.setColor(role, QColor(colour))
    return palette


PALETTES = {
    # Fusion's light scheme: white on this blue is the 3.7:1 of the issue.
    "light": _palette("#efefef", "#000000", "#ffffff", "#308cc6", "#ffffff"),
    "windows-11": _palette("#f3f3f3", "#1b1b1b", "#ffffff", "#0078d4", "#ffffff"),
    "dark": _palette("#2b2b2b", "#e8e8e8", "#1f1f1f", "#2f6ea5", "#ffffff"),
    "high-contrast": _palette("#000000", "#ffffff", "#000000", "#1aebff", "#000000"),
}


def test_the_formula_gives_the_issue_s_numbers() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#ffffff", "#308cc6") == pytest.approx(3.7, abs=0.05)
    assert contrast("#E69F00", "#ffffff") == pytest.approx(2.25, abs=0.05)
    assert contrast("#009E73", "#ffffff") == pytest.approx(3.4, abs=0.05)


@pytest.mark.parametrize("name", PALETTES)
def test_done_step_boxes_are_readable_and_follow_the_os(qtbot, name: str) -> None:
    palette = PALETTES[name]
    progress = StepProgress()
    qtbot.addWidget(progress)
    progress.setPalette(palette)
    steps = [Step(key, StepStatus.DONE) for key in STEP_ORDER[:2]]
    progress.set_steps(steps, {})
    for key in STEP_ORDER[:2]:
        box = progress.segments[key].palette()
        fill, text = box.color(Role.Window), box.color(Role.WindowText)
        assert contrast(fill, text) >= TEXT_RATIO, (name, fill.name(), text.name())
        assert text == palette.color(Role.HighlightedText)  # the OS's text colour is kept
    if contrast(palette.color(Role.Highlight), palette.color(Role.HighlightedText)) >= TEXT_RATIO:
        assert highlight_pair(palette)[0] == palette.color(Role.Highlight)  # left alone


@pytest.mark.parametrize("name", PALETTES)
def test_dashboard_numbers_are_readable_in_every_accent(qtbot, name: str) -> None:
    palette = PALETTES[name]
    tile = NumberTile("Open cases")
    qtbot.addWidget(tile)
    tile.setPalette(palette)
    for accent in (*SERIES, *(c for pair in ROLES.values() for c in pair), "#8a1c1c",
                   "#1f3a5f"):
        tile.set_value(3, accent=accent)
        assert contrast(tile.number_colour(), palette.color(Role.Base)) >= TEXT_RATIO, accent
    tile.set_value(0)
    assert tile.number_colour() == palette.color(Role.Text)


@pytest.mark.parametrize("name", PALETTES)
def test_every_text_colour_is_readable_on_window_and_fields(qtbot, name: str) -> None:
    palette = PALETTES[name]
    for kind in TEXT_ROLES:
        colour = text_colour(kind, palette)
        for role in (Role.Window, Role.Base):
            assert contrast(colour, palette.color(role)) >= TEXT_RATIO, (kind, role)
    tile = NumberTile("x")  # any widget carrying the palette
    qtbot.addWidget(tile)
    tile.setPalette(palette)
    for colour in (warning_colour(tile), done_colour(tile), muted_colour(tile)):
        assert contrast(colour, palette.color(Role.Window)) >= TEXT_RATIO, colour.name()


def test_readable_text_changes_as_little_as_needed() -> None:
    assert readable_text("#1b5e20", "#ffffff") == QColor("#1b5e20")  # already fine
    darker = readable_text("#E69F00", "#ffffff")
    assert contrast(darker, "#ffffff") >= TEXT_RATIO
    assert contrast(darker, "#ffffff") < TEXT_RATIO + 0.3  # not simply black
    assert contrast(readable_text("#0072B2", "#1f1f1f"), "#1f1f1f") >= TEXT_RATIO


@pytest.mark.parametrize("name", PALETTES)
def test_the_app_palette_makes_selection_and_placeholders_readable(name: str) -> None:
    palette = QPalette(PALETTES[name])
    palette.setColor(Role.PlaceholderText, QColor("#9a9a9a") if name != "dark" else "#6a6a6a")
    fixed = readable_palette(palette) or palette
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        assert contrast(fixed.color(group, Role.Highlight),
                        fixed.color(group, Role.HighlightedText)) >= TEXT_RATIO
        assert contrast(fixed.color(group, Role.PlaceholderText),
                        fixed.color(group, Role.Base)) >= TEXT_RATIO
    if name == "high-contrast":  # already readable: the OS's own colours are kept
        assert fixed.color(Role.Highlight) == palette.color(Role.Highlight)


@pytest.mark.parametrize("name", PALETTES)
def test_tinted_backgrounds_keep_the_schemes_text_readable(qtbot, name: str) -> None:
    """Tints sit behind ordinary text: the scheme's text colour must stay readable on them, and
    a tinted line on screen (the learner reminders on the dashboard) follows the scheme."""
    from casebook.ui.learners.reminders import LearnerReminders

    palette = PALETTES[name]
    text = palette.color(Role.WindowText)
    holder = NumberTile("x")  # any widget carrying the palette
    qtbot.addWidget(holder)
    holder.setPalette(palette)
    for role in (r for r in ROLES if r.startswith("tint-")):
        assert contrast(role_colour(role, holder), text) >= TEXT_RATIO, (role, text.name())

    reminders = LearnerReminders(None, None)
    qtbot.addWidget(reminders)
    reminders.setPalette(palette)
    reminders.setText("1 transfer is waiting for its receipt.")
    reminders.resize(400, 40)
    reminders.show()
    background = reminders.grab().toImage().pixelColor(8, 20)  # inside the border
    assert background == role_colour("tint-attention", reminders)
    assert contrast(background, text) >= TEXT_RATIO
