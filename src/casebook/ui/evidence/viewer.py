"""Look at stored evidence without saving it out: zoom, fit, next and previous.

The file is read from the encrypted casebook and decoded in memory (``decode.prepare`` on the DB
thread); nothing is written to a temporary file, so nothing decrypted is left on disk. Items the
safety gate kept out were never stored: for those only the recorded description is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.domain import EvidenceItem
from casebook.ui.evidence.decode import VIEW_LIMIT_BYTES, Picture, Shown, prepare
from casebook.ui.kit.ops import Op
from casebook.ui.widgets.common import Banner, heading
from casebook.ui.widgets.context import CaseContext

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.05, 8.0


def _scaled(image: QImage, zoom: float) -> QImage:
    """``image`` at ``zoom``, smoothly. Far down, first halved quickly to twice the size wanted
    (smoothing all 12 million pixels of a phone photo took 40-50 ms of the GUI thread), which
    looks the same once smoothed down the last step."""
    if zoom == 1:
        return image
    size = image.size() * zoom
    if zoom < 0.5:
        image = image.scaled(size * 2, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.FastTransformation)
    return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def to_qimage(picture: Picture) -> QImage:
    """A QImage that owns a copy of the pixels (the bytes object may go away). Made on the
    database thread with the decoding: copying a 12-megapixel photo is 48 MB."""
    layout = (QImage.Format.Format_RGB32 if picture.opaque
              else QImage.Format.Format_RGBA8888)
    image = QImage(picture.pixels, picture.width, picture.height, picture.width * 4, layout)
    return image.copy()


def _pictures(shown: Shown) -> list[Picture]:
    """The pictures ``shown`` holds, in the order the viewer lays them out."""
    if shown.kind == "image":
        return [shown.picture] if shown.picture is not None else []
    if shown.kind == "pdf":
        return [block.picture for block in shown.blocks if block.picture is not None]
    return []


class EvidenceViewer(QDialog):
    """Shows ``items[index]``; Next and Previous move through the case's evidence list."""

    #: Emitted when an item has been shown (its index).
    shown = Signal(int)

    def __init__(self, ctx: CaseContext, items: Sequence[EvidenceItem], index: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items = list(items)
        self.index = max(0, min(index, len(self.items) - 1))
        self.current: Shown | None = None
        self.zoom = 1.0
        self.fit = True
        self._images: list[tuple[QLabel, QImage]] = []
        self.setWindowTitle("Evidence")
        self.setAccessibleName("Evidence viewer")

        layout = QVBoxLayout(self)
        self.title = heading("", self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.position = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.position)
        layout.addLayout(top)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.stack = QStackedWidget(self)
        self.scroll = QScrollArea(self)
        self.scroll.setAccessibleName("Evidence picture")
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.canvas = QWidget(self.scroll)
        self.canvas_layout = QVBoxLayout(self.canvas)
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.text_view = QPlainTextEdit(self)
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Evidence text")
        self.text_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                               | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        for page in (self.scroll, self.text_view, self.empty):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.banner = Banner(self)
        layout.addWidget(self.banner)

        buttons = QHBoxLayout()
        self.previous_button = QPushButton("&Previous", self)
        self.next_button = QPushButton("&Next", self)
        self.zoom_out_button = QPushButton("Zoom &out", self)
        self.zoom_in_button = QPushButton("Zoom &in", self)
        self.fit_button = QPushButton("&Fit", self)
        self.fit_button.setToolTip("Fit the picture to the window (Ctrl+0)")
        self.actual_button = QPushButton("&Actual size", self)
        self.close_button = QPushButton("&Close", self)
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.zoom_in_button.clicked.connect(lambda: self.set_zoom(self.zoom * ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.set_zoom(self.zoom / ZOOM_STEP))
        self.fit_button.clicked.connect(self.fit_to_window)
        self.actual_button.clicked.connect(lambda: self.set_zoom(1.0))
        self.close_button.clicked.connect(self.reject)
        for button in (self.previous_button, self.next_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button,
                       self.actual_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        for keys, slot in ((QKeySequence.StandardKey.ZoomIn,
                            lambda: self.set_zoom(self.zoom * ZOOM_STEP)),
                           (QKeySequence.StandardKey.ZoomOut,
                            lambda: self.set_zoom(self.zoom / ZOOM_STEP)),
                           ("Ctrl+0", self.fit_to_window),
                           (QKeySequence.StandardKey.MoveToNextPage, lambda: self.go(1)),
                           (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.go(-1))):
            QShortcut(QKeySequence(keys), self, slot)

        self.op_epoch = 0  # moves on with each load, so only the latest item is shown
        self.resize(900, 640)
        self.load()

    # ----- moving -------------------------------------------------------------------------
    def go(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.items):
            self.index = target
            self.load()

    def load(self) -> None:
        """Read and decode the current item on the DB thread (late answers are dropped)."""
        self.op_epoch += 1
        self._show_nothing("Opening…")
        if not self.items:
            self._show_nothing("There is no evidence on this case yet.")
            return
        item = self.items[self.index]
        self.position.setText(f"{self.index + 1} of {len(self.items)}")
        self.title.setText(item.filename or item.description or "Evidence")
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.items) - 1)
        evidence = self.ctx.casebook.evidence

        def job() -> tuple[Shown, list[QImage]]:
            shown = prepare(item, evidence.read_bytes(item.id, VIEW_LIMIT_BYTES))
            return shown, [to_qimage(picture) for picture in _pictures(shown)]

        Op(self, job, worker=self.ctx.worker).success(self._show).messages(self.banner).run()

    # ----- showing ------------------------------------------------------------------------
    def _clear_canvas(self) -> None:
        self._images = []
        while self.canvas_layout.count():
            child = self.canvas_layout.takeAt(0).widget()
            if child is not None:
                child.hide()
                child.deleteLater()

    def _show_nothing(self, text: str) -> None:
        self._clear_canvas()
        self.current = None
        self.message.clear()
        self.text_view.clear()
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        self._enable_zoom(False)

    def _enable_zoom(self, enabled: bool) -> None:
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button,
                       self.actual_button):
            button.setEnabled(enabled)

    def _show(self, result: tuple[Shown, list[QImage]]) -> None:
        shown, made = result
        images = iter(made)  # one for each picture, in order
        self._clear_canvas()
        self.current = shown
        self.message.setText(shown.message)
        self.message.setVisible(bool(shown.message))
        if shown.kind == "image" and shown.picture is not None:
            self._add_picture(next(images))
            self.stack.setCurrentWidget(self.scroll)
        elif shown.kind == "pdf":
            for block in shown.blocks:
                if block.heading:
                    self.canvas_layout.addWidget(heading(block.heading, self.canvas, level=3))
                if block.text:
                    label = QLabel(block.text, self.canvas)
                    label.setTextFormat(Qt.TextFormat.PlainText)
                    label.setWordWrap(True)
                    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                    self.canvas_layout.addWidget(label)
                if block.picture is not None:
                    self._add_picture(next(images))
            self.canvas_layout.addStretch(1)
            self.stack.setCurrentWidget(self.scroll)
        elif shown.kind in ("text", "note"):
            self.text_view.setPlainText(shown.text)
            self.stack.setCurrentWidget(self.text_view)
        else:
            self.empty.setText(shown.message)
            self.message.hide()
            self.stack.setCurrentWidget(self.empty)
        self._enable_zoom(shown.kind in ("image", "pdf", "text", "note"))
        self.fit = shown.kind in ("image", "pdf")
        self.zoom = 1.0
        self._apply_zoom()
        self.shown.emit(self.index)

    def _add_picture(self, image: QImage) -> None:
        label = QLabel(self.canvas)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAccessibleName("Picture")
        self._images.append((label, image))
        self.canvas_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)

    # ----- zoom ---------------------------------------------------------------------------
    def fit_to_window(self) -> None:
        self.fit = True
        self._apply_zoom()

    def set_zoom(self, zoom: float) -> None:
        self.fit = False
        self.zoom = max(ZOOM_MIN, min(ZOOM_MAX, zoom))
        self._apply_zoom()

    def fitted_zoom(self) -> float:
        """The zoom at which every picture fits the visible area (never above 100%)."""
        if not self._images:
            return 1.0
        viewport = self.scroll.viewport().size()
        width = max(1, viewport.width() - 24)
        widest = max(image.width() for _label, image in self._images)
        zoom = width / max(1, widest)
        if len(self._images) == 1:
            tallest = self._images[0][1].height()
            zoom = min(zoom, max(1, viewport.height() - 24) / max(1, tallest))
        return min(1.0, zoom)

    def _apply_zoom(self) -> None:
        if self.current is None:
            return
        if self.current.kind in ("text", "note"):
            font = QFont(self.font())
            font.setPointSizeF(max(4.0, self.font().pointSizeF() * self.zoom))
            self.text_view.setFont(font)
            return
        if self.fit:
            self.zoom = self.fitted_zoom()
        for label, image in self._images:
            # Scaled as an image, then only the scaled pixels made a pixmap: converting a
            # 12-megapixel photo whole at every zoom step and resize froze the window 60 ms.
            label.setPixmap(QPixmap.fromImage(_scaled(image, self.zoom)))
        self.position.setText(f"{self.index + 1} of {len(self.items)}  ·  "
                              f"{round(self.zoom * 100)}%")

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 (Qt)
        super().resizeEvent(event)
        if self.fit:
            self._apply_zoom()

    def close_for_lock(self) -> None:
        """The casebook is locking: drop every decoded picture and close."""
        self.op_epoch += 1
        self._show_nothing("")
        self.done(QDialog.DialogCode.Rejected)
