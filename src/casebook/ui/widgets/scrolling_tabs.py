"""Tabs whose pages scroll when the window is smaller than the page needs.

A ``QTabWidget`` is as large as its largest page, so one tall form made the whole window need
800 px at 125% text, more than a 1366×768 laptop has. Here each page sits in a frameless scroll
area: the window can be small, the page keeps its own minimum size (nothing is squeezed or
overlaps) and scrolls instead. The wrapping is invisible to callers: ``widget()``,
``currentWidget()``, ``indexOf()`` and ``setCurrentWidget()`` speak of the pages themselves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget


class PageScroll(QScrollArea):
    """The frameless scroll area around one page."""

    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidget(page)
        self.setAccessibleName(page.accessibleName())
        self.setFocusProxy(page)


class ScrollingTabs(QTabWidget):
    """A ``QTabWidget`` whose pages scroll rather than force the window's minimum size."""

    def _wrapper(self, page: QWidget | None) -> QWidget | None:
        if page is None:
            return None
        parent = page.parentWidget()
        viewport_owner = parent.parentWidget() if parent is not None else None
        if isinstance(viewport_owner, PageScroll) and viewport_owner.widget() is page:
            return viewport_owner
        return page

    @staticmethod
    def _page(wrapper: QWidget | None) -> QWidget | None:
        return wrapper.widget() if isinstance(wrapper, PageScroll) else wrapper

    def addTab(self, page: QWidget, *args: object) -> int:  # type: ignore[override]  # noqa: N802
        return super().addTab(PageScroll(page, self), *args)  # type: ignore[call-overload]

    def insertTab(self, index: int, page: QWidget, *args: object) -> int:  # type: ignore[override]  # noqa: N802,E501
        return super().insertTab(index, PageScroll(page, self), *args)  # type: ignore[call-overload]

    def widget(self, index: int) -> QWidget | None:  # type: ignore[override]
        return self._page(super().widget(index))

    def currentWidget(self) -> QWidget | None:  # type: ignore[override]  # noqa: N802
        return self._page(super().currentWidget())

    def setCurrentWidget(self, page: QWidget) -> None:  # type: ignore[override]  # noqa: N802
        wrapper = self._wrapper(page)
        if wrapper is not None:
            super().setCurrentWidget(wrapper)

    def indexOf(self, page: QWidget) -> int:  # type: ignore[override]  # noqa: N802
        return super().indexOf(self._wrapper(page))

    def removeTab(self, index: int) -> None:  # noqa: N802 (Qt name)
        wrapper = super().widget(index)
        super().removeTab(index)
        if isinstance(wrapper, PageScroll):
            page = wrapper.takeWidget()
            if page is not None:  # keep it owned (the caller decides when it goes)
                page.hide()
                page.setParent(self)
            wrapper.deleteLater()
