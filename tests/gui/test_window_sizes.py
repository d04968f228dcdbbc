"""Issue 11 item 5: every screen is usable on a small laptop: 1366×768 with 100% and 125% text
and 1280×720, with room left for the taskbar and the title bar. The window's minimum size fits,
no page needs sideways scrolling, and nothing on a page is squeezed onto something else."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLayout,
    QScrollArea,
    QWidget,
)

from casebook.ui.kit.charts import NumberTile
from casebook.ui.main_window import MainWindow

#: Screen, text scale. Usable client area: the screen less a 48 px taskbar, a 32 px title bar
#: and 8 px window borders each side (Windows 10/11 at these scales).
SCREENS = [(QSize(1366, 768), 1.0), (QSize(1366, 768), 1.25), (QSize(1280, 720), 1.0), (QSize(1366, 768), 1.5)]


def client_area(screen: QSize, scale: float) -> QSize:
    return QSize(screen.width() - 16, screen.height() - round((48 + 32) * scale))


def _layout_widgets(layout: QLayout) -> Iterator[QWidget]:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item.widget() is not None:
            yield item.widget()
        elif item.layout() is not None:
            yield from _layout_widgets(item.layout())


def overlaps(page: QWidget) -> list[str]:
    """Visible widgets laid out on top of each other, or squeezed below their minimum."""
    problems = []
    for widget in [page, *page.findChildren(QWidget)]:
        layout = widget.layout()
        if layout is None or not widget.isVisible():
            continue
        shown = [w for w in _layout_widgets(layout) if w.isVisible()]
        for a, b in combinations(shown, 2):
            if a.geometry().intersected(b.geometry()).isValid():
                problems.append(f"{_name(a)} overlaps {_name(b)}")
        for w in shown:
            if isinstance(w, QLabel | QAbstractButton):
                hint = w.minimumSizeHint()
                if w.width() < hint.width() - 1 or w.height() < hint.height() - 1:
                    problems.append(f"{_name(w)} squeezed to {w.width()}×{w.height()}, "
                                    f"needs {hint.width()}×{hint.height()}")
    return problems


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    return f"{type(widget).__name__}({widget.objectName() or widget.accessibleName() or text})"


def _tile_needs(tile: NumberTile) -> int:
    """A dashboard tile draws its number, a note and its caption one above the other, inside
    a 1 px border and 8 px margins: the height those lines need at the tile's text size."""
    big = QFont(tile.font())
    big.setPointSizeF(max(16.0, tile.font().pointSizeF() * 2.1))
    big.setBold(True)
    small = QFont(tile.font())
    small.setPointSizeF(tile.font().pointSizeF() * 0.85)
    return (2 + 16 + QFontMetrics(big).height() + QFontMetrics(small).height()
            + QFontMetrics(tile.font()).height())


@pytest.fixture
def scaled_font(request: pytest.FixtureRequest) -> Iterator[float]:
    app = QApplication.instance()
    base = QFont(app.font())
    scale = request.param
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * scale)
    app.setFont(font)
    yield scale
    app.setFont(base)


def _screens(window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    """Show each screen in turn (every tab of an open case too); yield its name and page."""
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        page = window.tabs.widget(index)
        tabs = getattr(page, "tabs", None)
        if tabs is not None and hasattr(page, "case_id"):
            for inner in range(tabs.count()):
                tabs.setCurrentIndex(inner)
                yield f"case › {tabs.tabText(inner).replace('&', '')}", tabs.widget(inner)
        else:
            yield window.tabs.tabText(index).replace("&", ""), page


@pytest.mark.parametrize(("screen", "scaled_font"), SCREENS, indirect=["scaled_font"],
                         ids=["1366x768-100", "1366x768-125", "1280x720-100", "1366x768-150"])
def test_every_screen_fits_a_small_laptop(qtbot, worker, unlocked_casebook, screen: QSize,
                                          scaled_font: float) -> None:
    for n in range(3):
        case = unlocked_casebook.cases.create(f"Fake account using the crest {n}", "impersonation",
                                              "Reported by the office.")
    unlocked_casebook.cases.add_person(case.id, "Alex Example", "learner", "harmed")
    window = MainWindow(worker, unlocked_casebook.paths, unlocked_casebook)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list is not None and not window.case_list.model.loading
                    and bool(window.school_name))
    window.open_case(case.id)
    view = window.case_views[case.id]
    qtbot.waitUntil(lambda: view.bundle is not None, timeout=10_000)
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=10_000)
    area = client_area(screen, scaled_font)
    window.resize(area)

    too_big, sideways, squeezed = [], [], []
    for name, page in _screens(window):
        QApplication.processEvents()
        need = window.minimumSizeHint()
        if need.width() > area.width() or need.height() > area.height():
            too_big.append(f"{name}: window needs {need.width()}×{need.height()}")
        scroll = page.parentWidget().parentWidget() if page.parentWidget() else None
        if isinstance(scroll, QScrollArea) and \
                page.minimumSizeHint().width() > scroll.viewport().width():
            sideways.append(f"{name}: {page.minimumSizeHint().width()} px wide in "
                            f"{scroll.viewport().width()}")
        squeezed += [f"{name}: {p}" for p in overlaps(page)]
        squeezed += [f"{name}: tile {t.caption!r} is {t.height()} px, needs {_tile_needs(t)}"
                     for t in page.findChildren(NumberTile)
                     if t.isVisible() and t.height() < _tile_needs(t)]
    assert too_big == []
    assert sideways == []
    assert squeezed == []


def test_the_export_dialogs_open_no_taller_than_the_screen(qtbot, worker,
                                                            unlocked_casebook) -> None:  # type: ignore[no-untyped-def]
    """The export dialog grew to fit its longest list (835 px for a case with many people),
    more than a 1366×768 laptop has room for; it now opens within the screen it is on, and
    still no smaller than it needs."""
    from casebook.ui.export.case_dialog import ExportDialog
    from casebook.ui.export.governors_dialog import GovernorsExportDialog

    book = unlocked_casebook
    case = book.cases.create("Fake account using the crest", "impersonation", "Many people.")
    for n in range(30):
        book.cases.add_person(case.id, f"Learner {n:02d} Example", "learner", "witness")
    case_dialog = ExportDialog(worker, book, case.id)
    governors = GovernorsExportDialog(worker, book)
    for dialog in (case_dialog, governors):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda dialog=dialog: dialog.setup is not None, timeout=10_000)
        qtbot.waitUntil(lambda: worker.pending == 0, timeout=10_000)
        QApplication.processEvents()
        room = dialog.screen().availableGeometry()
        assert dialog.height() <= room.height() - 40, (type(dialog).__name__, dialog.height())
        assert dialog.width() <= room.width() - 16
        assert dialog.height() >= dialog.minimumSizeHint().height()
