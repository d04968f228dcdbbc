"""Alt+letter clashes in what one window shows (issue 11 item 7), for the GUI tests."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QTabBar,
    QWidget,
)

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def visible_mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Every Alt+letter live in ``window`` right now, with what it belongs to."""
    keys: dict[str, list[str]] = defaultdict(list)

    def add(text: str, what: str) -> None:
        key = mnemonic(text)
        if key:
            keys[key].append(f"{what} “{text}”")

    for bar in window.findChildren(QMenuBar):
        if bar.isVisible():
            for action in bar.actions():
                add(action.text(), "menu")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window \
                or isinstance(widget, QMenu):
            continue
        if isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget.tabText(index), "tab")
        elif isinstance(widget, QAbstractButton):
            add(widget.text(), "button")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            add(widget.title(), "group")
    return keys


def clashes(window: QWidget) -> list[str]:
    return [f"Alt+{k.upper()}: {', '.join(v)}" for k, v in visible_mnemonics(window).items()
            if len(v) > 1]


def menu_clashes(bar: QMenuBar) -> list[str]:
    found = []
    menus = [a.menu() for a in bar.actions() if a.menu() is not None]
    while menus:
        menu = menus.pop()
        keys: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            key = mnemonic(action.text())
            if key:
                keys[key].append(action.text())
        found += [f"{menu.title()}: {v}" for v in keys.values() if len(v) > 1]
    return found
