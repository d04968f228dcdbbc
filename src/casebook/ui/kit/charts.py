"""Small painted widgets shared by the prevention screens: number tiles and bar charts.

QtCharts is not part of PySide6-Essentials, so charts are drawn with QPainter. Every chart
carries a legend in words and an accessible description listing its values, so nothing is said
by colour alone; bars can be chosen with the mouse or the keyboard (arrows, then Enter).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from casebook.ui.kit import palette

__all__ = ["NumberTile", "StackedBarChart", "Segment"]

__all__ = ["NumberTile", "StackedBarChart", "Segment"]


class NumberTile(QAbstractButton):
    """A big number with a caption; click (or Space/Enter) to open the list behind it."""

    def __init__(self, caption: str, accent: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._caption = caption
        self._value = "–"
        self._note = ""
        self._accent = QColor(accent) if accent else palette.colour("accent", parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._update_names()

    def set_value(self, value: int | str, note: str = "", accent: str | None = None) -> None:
        self._value = str(value)
        self._note = note
        if accent is not None:
            self._accent = QColor(accent)
        self._update_names()
        self.update()

    @property
    def value_text(self) -> str:
        return self._value

    @property
    def caption(self) -> str:
        return self._caption

    def _update_names(self) -> None:
        note = f" ({self._note})" if self._note else ""
        self.setAccessibleName(f"{self._caption}: {self._value}{note}")
        self.setAccessibleDescription("Press to open the list behind this number.")
        self.setToolTip(f"{self._caption}: {self._value}{note}. Click to see the list.")

    def needed_height(self) -> int:
        """Room for the number, the note and the caption one above the other at this text
        size (a fixed 92 px made them overlap at 150% text)."""
        big = QFont(self.font())
        big.setPointSizeF(max(16.0, self.font().pointSizeF() * 2.1))
        big.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.85)
        lines = (QFontMetrics(big).height() + QFontMetrics(small).height()
                 + QFontMetrics(self.font()).height())
        return max(92, 2 + 16 + lines + 6)

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(max(150, fm.horizontalAdvance(self._caption) + 36), self.needed_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.needed_height())

    def number_colour(self) -> QColor:
        """The accent for a number worth noticing, darkened until readable on the tile."""
        pal = self.palette()
        if self._value in ("0", "–"):
            return pal.color(QPalette.ColorRole.Text)
        return palette.readable_text(self._accent, pal.color(QPalette.ColorRole.Base))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        base = pal.color(QPalette.ColorRole.Base)
        if self.isDown():
            base = base.darker(108)
        elif self.underMouse():
            base = base.darker(103)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        p.setBrush(base)
        p.drawRoundedRect(rect, 6, 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._accent)
        p.drawRoundedRect(QRectF(rect.left(), rect.top(), 6, rect.height()), 3, 3)
        text = pal.color(QPalette.ColorRole.Text)
        big = QFont(self.font())
        big.setPointSizeF(max(16.0, self.font().pointSizeF() * 2.1))
        big.setBold(True)
        p.setFont(big)
        p.setPen(self.number_colour())
        inner = rect.adjusted(16, 8, -10, -8)
        p.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), self._value)
        p.setFont(self.font())
        p.setPen(text)
        fm = QFontMetrics(self.font())
        caption = fm.elidedText(self._caption, Qt.TextElideMode.ElideRight, int(inner.width()))
        p.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), caption)
        if self._note:
            small = QFont(self.font())
            small.setPointSizeF(self.font().pointSizeF() * 0.85)
            p.setFont(small)
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            note_rect = inner.adjusted(0, 0, 0, -fm.height() - 2)
            p.drawText(note_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                       self._note)
        if self.hasFocus():
            pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 5, 5)
        p.end()


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    colour: str


def _nice_step(top: float) -> float:
    """A round grid step giving about five lines up to ``top``."""
    if top <= 0:
        return 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


class StackedBarChart(QWidget):
    """Columns (or horizontal bars) of stacked segments, with a legend and optional markers.

    ``bar_clicked(index, segment_key)`` is emitted when a bar is clicked (the segment under the
    pointer) or chosen with the keyboard (whole bar: ``segment_key`` is "").
    """

    bar_clicked = Signal(int, str)

    def __init__(self, title: str, horizontal: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._horizontal = horizontal
        self._categories: list[str] = []
        self._segments: list[Segment] = []
        self._values: list[Mapping[str, float]] = []
        self._markers: list[float | None] = []
        self._marker_label = ""
        self._max: float | None = None
        self._integer_axis = True
        self._empty_text = "Nothing to show yet."
        self._selected = -1
        self._hits: list[tuple[QRectF, int, str]] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(200)

    # ----- data ---------------------------------------------------------------------------
    def set_data(self, categories: Sequence[str], segments: Sequence[Segment],
                 values: Sequence[Mapping[str, float]], *, max_value: float | None = None,
                 integer_axis: bool = True, empty_text: str | None = None) -> None:
        self._categories = list(categories)
        self._segments = list(segments)
        self._values = [dict(v) for v in values]
        self._max = max_value
        self._integer_axis = integer_axis
        if empty_text is not None:
            self._empty_text = empty_text
        if self._selected >= len(self._categories):
            self._selected = -1
        self._describe()
        self.update()

    def set_markers(self, markers: Sequence[float | None], label: str) -> None:
        """A short line across each bar at a value (e.g. the target level)."""
        self._markers = list(markers)
        self._marker_label = label
        self._describe()
        self.update()

    def total(self, index: int) -> float:
        return sum(self._values[index].get(s.key, 0) for s in self._segments)

    def categories(self) -> list[str]:
        return list(self._categories)

    def bar_rect(self, index: int) -> QRectF:
        """Where bar ``index`` is drawn (after the last paint); for tests and tooltips."""
        rects = [r for r, i, _k in self._hits if i == index]
        if not rects:
            return QRectF()
        out = rects[0]
        for r in rects[1:]:
            out = out.united(r)
        return out

    def _fmt(self, value: float) -> str:
        return f"{value:g}" if self._integer_axis else f"{value:.1f}"

    def _fmt_tick(self, value: float) -> str:
        return f"{value:g}"

    def _describe(self) -> None:
        parts = []
        for i, name in enumerate(self._categories):
            pieces = [f"{s.label} {self._fmt(self._values[i].get(s.key, 0))}"
                      for s in self._segments if self._values[i].get(s.key, 0)]
            marker = ""
            if i < len(self._markers) and self._markers[i] is not None:
                marker = f", {self._marker_label.lower()} {self._fmt(self._markers[i] or 0)}"
            parts.append(f"{name}: " + (", ".join(pieces) if pieces else "none") + marker)
        empty = all(self.total(i) == 0 for i in range(len(self._categories))) and not any(
            m is not None for m in self._markers)
        self.setAccessibleDescription(self._empty_text if empty else "; ".join(parts))

    # ----- geometry -----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(480, 260)

    def _top(self) -> float:
        totals = [self.total(i) for i in range(len(self._categories))]
        markers = [m for m in self._markers if m is not None]
        top = max(totals + markers + [0])
        if self._max is not None:
            return self._max
        if top <= 0:
            return 1
        step = self._step(top)
        return math.ceil(top / step) * step

    def _step(self, top: float) -> float:
        step = _nice_step(top)
        return max(1.0, step) if self._integer_axis else step

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        grid = pal.color(QPalette.ColorRole.Midlight)
        fm = QFontMetrics(self.font())
        rect = QRectF(self.rect()).adjusted(6, 4, -6, -4)
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        self._hits = []

        # title
        title_font = QFont(self.font())
        title_font.setBold(True)
        p.setFont(title_font)
        p.setPen(text)
        p.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), self._title)
        y = rect.top() + QFontMetrics(title_font).height() + 4
        p.setFont(self.font())

        # legend (words beside colours, so colour is never the only cue)
        x = rect.left()
        entries = [(s.label, QColor(s.colour), False) for s in self._segments
                   if len(self._segments) > 1]
        if self._marker_label and any(m is not None for m in self._markers):
            entries.append((self._marker_label, text, True))
        for label, colour, is_marker in entries:
            width = 14 + 6 + fm.horizontalAdvance(label) + 14
            if x + width > rect.right() and x > rect.left():
                x = rect.left()
                y += fm.height() + 2
            if is_marker:
                p.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(x, y + fm.height() / 2), QPointF(x + 14, y + fm.height() / 2))
            else:
                p.fillRect(QRectF(x, y + 2, 14, fm.height() - 4), colour)
            p.setPen(text)
            p.drawText(QPointF(x + 20, y + fm.ascent()), label)
            x += width
        if entries:
            y += fm.height() + 6

        area = QRectF(rect.left(), y, rect.width(), rect.bottom() - y)
        if not self._categories or all(self.total(i) == 0 for i in range(len(self._categories))) \
                and not any(m is not None for m in self._markers):
            p.setPen(muted)
            p.drawText(area, int(Qt.AlignmentFlag.AlignCenter), self._empty_text)
            self._draw_focus(p)
            p.end()
            return
        if self._horizontal:
            self._paint_horizontal(p, area, fm, text, muted, grid)
        else:
            self._paint_vertical(p, area, fm, text, muted, grid)
        self._draw_focus(p)
        p.end()

    def _draw_focus(self, p: QPainter) -> None:
        if self.hasFocus():
            p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 1,
                          Qt.PenStyle.DotLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(self.rect()).adjusted(1, 1, -2, -2))

    def _ticks(self, top: float) -> list[float]:
        step = self._step(top) if self._max is None else (1 if top <= 10 else self._step(top))
        ticks, value = [], 0.0
        while value <= top + 1e-9:
            ticks.append(value)
            value += step
        return ticks

    def _paint_vertical(self, p: QPainter, area: QRectF, fm: QFontMetrics, text: QColor,
                        muted: QColor, grid: QColor) -> None:
        top = self._top()
        ticks = self._ticks(top)
        axis_w = max(fm.horizontalAdvance(self._fmt_tick(t)) for t in ticks) + 8
        labels_h = fm.height() + 4
        plot = QRectF(area.left() + axis_w, area.top() + fm.height() + 2,
                      area.width() - axis_w - 4, area.height() - labels_h - fm.height() - 2)
        for tick in ticks:
            ty = plot.bottom() - plot.height() * tick / top
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), ty), QPointF(plot.right(), ty))
            p.setPen(muted)
            p.drawText(QRectF(area.left(), ty - fm.height() / 2, axis_w - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       self._fmt_tick(tick))
        count = len(self._categories)
        slot = plot.width() / count
        bar_w = max(4.0, min(48.0, slot * 0.62))
        widest = max(fm.horizontalAdvance(c) for c in self._categories)
        every = max(1, math.ceil((widest + 6) / slot))
        for i, name in enumerate(self._categories):
            cx = plot.left() + slot * (i + 0.5)
            base = plot.bottom()
            for seg in self._segments:
                value = self._values[i].get(seg.key, 0)
                if value <= 0:
                    continue
                h = plot.height() * value / top
                r = QRectF(cx - bar_w / 2, base - h, bar_w, h)
                p.fillRect(r, QColor(seg.colour))
                self._hits.append((r, i, seg.key))
                base -= h
            if not any(r_i == i for _r, r_i, _k in self._hits):
                self._hits.append((QRectF(cx - bar_w / 2, plot.bottom() - 1, bar_w, 1), i, ""))
            total = self.total(i)
            if total:
                p.setPen(text)
                p.drawText(QRectF(cx - slot / 2, base - fm.height() - 1, slot, fm.height()),
                           int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                           self._fmt(total))
            if i < len(self._markers) and self._markers[i] is not None:
                my = plot.bottom() - plot.height() * (self._markers[i] or 0) / top
                p.setPen(QPen(text, 2, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(cx - bar_w / 2 - 4, my), QPointF(cx + bar_w / 2 + 4, my))
            if i == self._selected:
                p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(cx - slot / 2 + 1, plot.top(), slot - 2, plot.height()))
            if i % every == 0:
                p.setPen(text)
                label = fm.elidedText(name, Qt.TextElideMode.ElideRight, int(slot * every - 4))
                p.drawText(QRectF(cx - slot * every / 2, plot.bottom() + 3, slot * every, labels_h),
                           int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), label)
        p.setPen(QPen(muted, 1))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    def _paint_horizontal(self, p: QPainter, area: QRectF, fm: QFontMetrics, text: QColor,
                          muted: QColor, grid: QColor) -> None:
        top = self._top()
        ticks = self._ticks(top)
        label_w = min(area.width() * 0.4,
                      max(fm.horizontalAdvance(c) for c in self._categories) + 10)
        value_w = fm.horizontalAdvance("0000") + 6
        plot = QRectF(area.left() + label_w, area.top(), area.width() - label_w - value_w,
                      area.height() - fm.height() - 4)
        for tick in ticks:
            tx = plot.left() + plot.width() * tick / top
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(tx, plot.top()), QPointF(tx, plot.bottom()))
            p.setPen(muted)
            p.drawText(QRectF(tx - 30, plot.bottom() + 2, 60, fm.height()),
                       int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                       self._fmt_tick(tick))
        count = len(self._categories)
        slot = plot.height() / count
        bar_h = max(4.0, min(28.0, slot * 0.62))
        for i, name in enumerate(self._categories):
            cy = plot.top() + slot * (i + 0.5)
            left = plot.left()
            for seg in self._segments:
                value = self._values[i].get(seg.key, 0)
                if value <= 0:
                    continue
                w = plot.width() * value / top
                r = QRectF(left, cy - bar_h / 2, w, bar_h)
                p.fillRect(r, QColor(seg.colour))
                self._hits.append((r, i, seg.key))
                left += w
            if not any(r_i == i for _r, r_i, _k in self._hits):
                self._hits.append((QRectF(plot.left(), cy - bar_h / 2, 1, bar_h), i, ""))
            p.setPen(text)
            label = fm.elidedText(name, Qt.TextElideMode.ElideRight, int(label_w - 8))
            p.drawText(QRectF(area.left(), cy - fm.height() / 2, label_w - 8, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
            total = self.total(i)
            label_x = left
            if i < len(self._markers) and self._markers[i] is not None:
                mx = plot.left() + plot.width() * (self._markers[i] or 0) / top
                p.setPen(QPen(text, 2, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(mx, cy - bar_h / 2 - 3), QPointF(mx, cy + bar_h / 2 + 3))
                label_x = max(left, mx + 2)
            p.setPen(text)
            p.drawText(QRectF(label_x + 4, cy - fm.height() / 2, value_w + 40, fm.height()),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       self._fmt(total))
            if i == self._selected:
                p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(area.left(), cy - slot / 2 + 1, area.width() - 2, slot - 2))
        p.setPen(QPen(muted, 1))
        p.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))

    # ----- interaction --------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        for rect, index, key in self._hits:
            if rect.adjusted(-2, -2, 2, 2).contains(pos):
                self._selected = index
                self.update()
                self.bar_clicked.emit(index, key)
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        count = len(self._categories)
        if not count:
            super().keyPressEvent(event)
            return
        forward = (Qt.Key.Key_Down, Qt.Key.Key_Right)
        backward = (Qt.Key.Key_Up, Qt.Key.Key_Left)
        if event.key() in forward:
            self._selected = min(count - 1, self._selected + 1)
        elif event.key() in backward:
            self._selected = max(0, self._selected - 1)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if self._selected >= 0:
                self.bar_clicked.emit(self._selected, "")
            return
        else:
            super().keyPressEvent(event)
            return
        name = self._categories[self._selected]
        self.setAccessibleName(f"{self._title}: {name}, {self._fmt(self.total(self._selected))}")
        self.update()
