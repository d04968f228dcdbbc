"""Message boxes and file dialogs behind one seam, so GUI tests can answer them.

Tests set ``prompts.answers`` (a list consumed in order) instead of clicking modal dialogs,
as KeePassXC's test hooks do; production code never sets it.

The dialog classes are imported when a dialog opens: the first window imports this module, and
naming QMessageBox and QFileDialog here built their enums before it could be drawn.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

#: Queued answers for tests: booleans for questions, paths (str) for file dialogs, None to cancel.
answers: deque[Any] = deque()
#: Every message shown, as (kind, title, text), for tests to assert on.
shown: list[tuple[str, str, str]] = []


def _take(what: str = "") -> tuple[bool, Any]:
    if answers:
        return True, answers.popleft()
    if _testing:  # a modal box would hang the test run: fail loudly instead
        raise AssertionError(f"unexpected dialog in a test (no answer queued): {what}")
    return False, None


def info(parent: QWidget | None, title: str, text: str) -> None:
    shown.append(("info", title, text))
    if answers or _testing:
        return
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, title, text)


def error(parent: QWidget | None, title: str, text: str) -> None:
    shown.append(("error", title, text))
    if answers or _testing:
        return
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, title, text)


def ask(parent: QWidget | None, title: str, text: str, *, yes: str = "Yes",
        no: str = "No", default_yes: bool = False) -> bool:
    shown.append(("ask", title, text))
    has, value = _take(f"{title}: {text}")
    if has:
        return bool(value)
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(yes_button if default_yes else no_button)
    box.exec()
    return box.clickedButton() is yes_button


def open_files(parent: QWidget | None, title: str, filter_text: str = "All files (*)") -> list[str]:
    has, value = _take(title)
    if has:
        return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
    from PySide6.QtWidgets import QFileDialog

    files, _ = QFileDialog.getOpenFileNames(parent, title, "", filter_text)
    return files


def save_file(parent: QWidget | None, title: str, suggested: str,
              filter_text: str = "All files (*)") -> str | None:
    has, value = _take(title)
    if has:
        return value
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filter_text)
    return path or None


def choose_folder(parent: QWidget | None, title: str, start: str = "") -> str | None:
    has, value = _take(title)
    if has:
        return value
    from PySide6.QtWidgets import QFileDialog

    path = QFileDialog.getExistingDirectory(parent, title, start)
    return path or None


#: Set by the test suite's conftest so info/error never block on a modal box.
_testing = False


def set_testing(enabled: bool) -> None:
    global _testing
    _testing = enabled
