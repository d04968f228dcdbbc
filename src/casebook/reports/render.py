"""Blocks -> reportlab platypus flowables -> PDF bytes, with the marking on every page.

Every page carries the protective marking at top and bottom, the document title and casebook
reference in the header, and "generated at/by" and "Page n of N" in the footer. The total page
count is drawn once, at the end, into a form XObject that every page's footer refers to, so the
document is laid out in a single pass and bookmarks still point at the right pages.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    Indenter,
    PageTemplate,
    Paragraph,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Spacer as RLSpacer
from reportlab.platypus import Table as RLTable

from casebook.reports import blocks as b
from casebook.reports.fonts import BOLD, ITALIC, MONO, REGULAR, register_fonts
from casebook.reports.images import PreparedImage
from casebook.reports.script import base_is_rtl, has_rtl, shape, visual, visual_line, with_fallback

__all__ = ["PageDecor", "audit_anchor_line", "render_blocks"]

# Streams binary, not ASCII85: without reportlab's optional C accelerator the encoding runs in
# pure Python (about 0.7 s of a 50-screenshot pack) and makes every picture a quarter bigger.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = RIGHT = 18 * mm
TOP = 27 * mm
BOTTOM = 22 * mm
FRAME_WIDTH = PAGE_WIDTH - LEFT - RIGHT

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6470")
ACCENT = colors.HexColor("#1f3a5f")
MARKING = colors.HexColor("#8a1c1c")
RULE = colors.HexColor("#c7ccd3")
SHADE = colors.HexColor("#eef1f5")
NOTICE_BG = colors.HexColor("#fff7e0")
NOTICE_EDGE = colors.HexColor("#d9a400")
BAR = colors.HexColor("#3f6fa8")
PIE_COLOURS = ["#3f6fa8", "#d9a400", "#8a1c1c", "#4c956c", "#7b5ea7", "#c4661f", "#5b6470"]


@dataclass(frozen=True)
class PageDecor:
    """What every page shows besides the content. No names other than the generator's."""

    marking: str
    title: str
    reference_line: str
    generated_line: str
    #: e.g. "Page {page} of {pages}"
    page_of: str
    #: The document's language for screen readers (/Lang), from the profile's locale.
    lang: str = "en-GB"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=13, textColor=INK,
                          spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5),
        "muted": ParagraphStyle("muted", base, fontSize=8.5, leading=11, textColor=MUTED),
        "intro": ParagraphStyle("intro", base, fontSize=10, leading=14, spaceAfter=6),
        "quote": ParagraphStyle("quote", base, leftIndent=8 * mm),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=20, leading=25,
                                textColor=ACCENT, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=12, leading=16, textColor=MUTED,
                                   spaceAfter=8),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=14, leading=18,
                             textColor=ACCENT, spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=11.5, leading=15,
                             textColor=ACCENT, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=10, leading=13,
                             spaceBefore=6, spaceAfter=3, keepWithNext=1),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", base, fontName=BOLD, fontSize=8.5, leading=11,
                                    spaceAfter=0),
        "cell_mono": ParagraphStyle("cell_mono", base, fontName=MONO, fontSize=7, leading=10,
                                    spaceAfter=0),
        "record_title": ParagraphStyle("record_title", base, fontName=BOLD, fontSize=9.5,
                                       leading=12.5, spaceAfter=2, keepWithNext=1),
        "record_text": ParagraphStyle("record_text", base, spaceAfter=3),
        "caption": ParagraphStyle("caption", base, fontName=ITALIC, fontSize=8, leading=10,
                                  textColor=MUTED, alignment=TA_CENTER),
        "bullet": ParagraphStyle("bullet", base, leftIndent=5 * mm, bulletIndent=1 * mm,
                                 bulletFontName=REGULAR, spaceAfter=2),
        "notice": ParagraphStyle("notice", base, fontSize=9, leading=12.5, spaceAfter=0),
    }


def _glyphs(font: str) -> Mapping[int, int]:
    return pdfmetrics.getFont(font).face.charToGlyph  # type: ignore[no-any-return]


def drawable(text: str) -> str:
    """``text`` with what no embedded font can draw (some emoji) named in brackets."""
    regular = _glyphs(REGULAR)
    return with_fallback(text or "", regular.__contains__)


def markup(text: str) -> str:
    """Plain text -> safe paragraph markup (escaped, line breaks kept, drawing order)."""
    text = visual(drawable(text).replace("\r\n", "\n").replace("\r", "\n"))
    return escape(text).replace("\t", "    ").replace("\n", "<br/>")


def _style_for(text: str, style: ParagraphStyle) -> ParagraphStyle:
    """The style, or the same in the regular face when its own lacks a glyph (the oblique
    and mono faces have no Arabic or Hebrew)."""
    if text.isascii() or style.fontName == REGULAR:
        return style
    own = _glyphs(style.fontName)
    if all(ord(c) in own or c in "\n\r\t" for c in text):
        return style
    return ParagraphStyle(f"{style.name}-regular", style, fontName=REGULAR)


class _RtlParagraph(Paragraph):
    """A paragraph whose base direction is right-to-left: wrapped in logical order, then
    each line put in drawing order and set flush right (reportlab has no bidi of its own
    without its optional ``rlbidi``)."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        self._logical = shape(drawable(text))
        self._logical_style = style
        aligned = style if style.alignment != TA_LEFT else \
            ParagraphStyle(f"{style.name}-rtl", style, alignment=TA_RIGHT)
        self._rtl_style = aligned
        super().__init__(_escape_lines(self._logical), aligned)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        lines: list[str] = []
        for logical in self._logical.replace("\r\n", "\n").split("\n"):
            probe = Paragraph(escape(logical), self._logical_style)
            probe.wrap(availWidth, availHeight)
            para = probe.blPara
            if para.kind == 0:
                broken = [" ".join(words) for _extra, words in para.lines]
            else:
                broken = ["".join(w.text for w in line.words) for line in para.lines]
            lines.extend(visual_line(line, rtl=True) for line in (broken or [""]))
        Paragraph.__init__(self, "<br/>".join(escape(line) for line in lines), self._rtl_style)
        return super().wrap(availWidth, availHeight)


def _escape_lines(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def text_paragraph(text: str, style: ParagraphStyle, label: str = "",
                   bullet: str | None = None) -> Paragraph:
    """A paragraph of plain ``text`` (after an optional bold ``label``), any script."""
    text = text or ""
    style = _style_for(text, style)
    if not label and bullet is None and base_is_rtl(text) and has_rtl(text):
        return _RtlParagraph(text, style)
    content = markup(text)
    if label:
        content = f"<b>{markup(label)}</b> {content}"
    return Paragraph(content, style, bulletText=bullet)


class _HeadingParagraph(Paragraph):
    def __init__(self, text: str, style: ParagraphStyle, outline_text: str, level: int,
                 outline: bool) -> None:
        super().__init__(markup(text), _style_for(text, style))
        self.outline_text = outline_text
        self.outline_level = level
        self.outline = outline


class _Picture(Image):
    """A prepared JPEG whose decoded pixels exist only while its page is being drawn.

    ``Canvas.drawImage`` decodes an image to raw RGB to name it by a digest (the JPEG itself is
    embedded as it is), and reportlab's reader keeps those pixels for as long as the flowable
    lives, and longer: a JPEG reader refers to itself (its ``jpeg_fh`` is a bound method), so
    only the cycle collector frees it, not the end of the export. That held about 2.8 MB for
    each 1000-pixel screenshot, 140 MB for a 50-screenshot platform pack. Here a fresh reader
    is made for the drawing and emptied straight after, so at most one picture is decoded at a
    time and nothing waits for a collection.
    """

    def __init__(self, jpeg: bytes, width: float, height: float) -> None:
        super().__init__(io.BytesIO(jpeg), width=width, height=height)
        self._jpeg = jpeg
        sized = self.__dict__.pop("_img", None)  # the reader that read the size: not kept
        if sized is not None:
            sized.__dict__.clear()
        self._img = None

    def draw(self) -> None:
        reader = self._img = ImageReader(io.BytesIO(self._jpeg))
        try:
            super().draw()
        finally:
            self._img = None
            reader.__dict__.clear()  # the pixels, the PIL image, and the cycle through jpeg_fh


class _Document(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, decor: PageDecor, total: int,
                 tick: Callable[[int, int], None] | None) -> None:
        super().__init__(
            buffer, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP,
            bottomMargin=BOTTOM, title=decor.title, author="", subject="", keywords="",
            creator="Casebook", producer="Casebook", allowSplitting=1,
            initialFontName=REGULAR, initialFontSize=9.5, initialLeading=13,
            lang=decor.lang, displayDocTitle=1,
        )
        self.decor = decor
        frame = Frame(LEFT, BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])
        self._bookmarks = 0
        self._outline_level = -1
        self._done = 0
        self._total = max(total, 1)
        self._tick = tick

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _HeadingParagraph) and flowable.outline:
            level = min(flowable.outline_level, self._outline_level + 1)
            self._outline_level = level
            self._bookmarks += 1
            key = f"s{self._bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=level, closed=False)
        if self._tick is not None and self._done < self._total:
            self._done += 1
            self._tick(self._done, self._total)

    def _decorate(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        decor = self.decor
        canv.saveState()
        top = PAGE_HEIGHT - 10 * mm
        canv.setFillColor(MARKING)
        canv.setFont(BOLD, 9.5)
        canv.drawCentredString(PAGE_WIDTH / 2, top, visual(drawable(decor.marking)))
        canv.setFillColor(MUTED)
        canv.setFont(REGULAR, 7.5)
        canv.drawString(LEFT, top - 6 * mm, _fit(decor.title, REGULAR, 7.5, FRAME_WIDTH * 0.5))
        canv.drawRightString(PAGE_WIDTH - RIGHT, top - 6 * mm,
                             _fit(decor.reference_line, REGULAR, 7.5, FRAME_WIDTH * 0.48))
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(LEFT, top - 8 * mm, PAGE_WIDTH - RIGHT, top - 8 * mm)

        base = 14 * mm
        canv.line(LEFT, base + 4 * mm, PAGE_WIDTH - RIGHT, base + 4 * mm)
        canv.setFont(REGULAR, 7.5)
        canv.drawString(LEFT, base, _fit(decor.generated_line, REGULAR, 7.5, FRAME_WIDTH * 0.7))
        prefix, _, suffix = decor.page_of.partition("{pages}")
        prefix = prefix.format(page=canv.getPageNumber())
        reserved = canv.stringWidth(prefix + "000" + suffix, REGULAR, 7.5)
        x = PAGE_WIDTH - RIGHT - reserved
        canv.drawString(x, base, prefix)
        canv.saveState()
        canv.translate(x + canv.stringWidth(prefix, REGULAR, 7.5), base)
        canv.doForm("casebook-page-count")
        canv.restoreState()
        _draw_anchor(canv, base - 3.5 * mm)
        canv.setFillColor(MARKING)
        canv.setFont(BOLD, 9.5)
        canv.drawCentredString(PAGE_WIDTH / 2, 7 * mm, decor.marking)
        canv.restoreState()


_ANCHOR_LINE: ContextVar[str] = ContextVar("casebook_audit_anchor_line", default="")


@contextmanager
def audit_anchor_line(text: str) -> Iterator[None]:
    """Print ``text`` (the audit chain's anchor, e.g. "Audit 1234 · 9f3a 1b2c 44d0 e7a1") in
    the footer of every page rendered inside this block: a copy of the anchor the casebook
    cannot rewrite once the PDF has left it."""
    token = _ANCHOR_LINE.set(text)
    try:
        yield
    finally:
        _ANCHOR_LINE.reset(token)


def _draw_anchor(canv: Canvas, y: float) -> None:
    text = _ANCHOR_LINE.get()
    if text:
        canv.setFont(MONO, 6.5)
        canv.drawString(LEFT, y, _fit(text, MONO, 6.5, FRAME_WIDTH * 0.7))


class _CountingCanvas(Canvas):
    """Writes the total page count into the form every footer uses, just before saving."""

    def save(self) -> None:
        pages = max(self.getPageNumber() - 1, 1)
        self.beginForm("casebook-page-count")
        self.setFillColor(MUTED)
        self.setFont(REGULAR, 7.5)
        self.drawString(0, 0, str(pages))
        self.endForm()
        super().save()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten a header/footer line with an ellipsis so it never runs into the other side."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = visual(drawable(text))
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Builder:
    def __init__(self) -> None:
        self.styles = _styles()

    def para(self, text: str, style: str = "body") -> Paragraph:
        return text_paragraph(text, self.styles[style])

    def flowables(self, blocks: Sequence[b.Block]) -> list[Flowable]:
        story: list[Flowable] = []
        for block in blocks:
            story.extend(self.block(block))
        return story

    def block(self, block: b.Block) -> list[Flowable]:  # noqa: C901 - a plain dispatch
        s = self.styles
        if isinstance(block, b.Title):
            out: list[Flowable] = [self.para(block.text, "title")]
            if block.subtitle:
                out.append(self.para(block.subtitle, "subtitle"))
            return out
        if isinstance(block, b.Heading):
            style = s["h1"] if block.level <= 1 else s["h2"] if block.level == 2 else s["h3"]
            return [_HeadingParagraph(block.text, style, block.text, max(block.level - 1, 0),
                                      block.outline)]
        if isinstance(block, b.Text):
            return [text_paragraph(block.text, s.get(block.style, s["body"]), block.label)]
        if isinstance(block, b.Notice):
            return [self.notice(block.text)]
        if isinstance(block, b.KeyValues):
            return [self.key_values(block.rows, block.mono, FRAME_WIDTH,
                                    label_width=block.label_width_mm * mm),
                    RLSpacer(1, 3 * mm)]
        if isinstance(block, b.Table):
            return self.table(block)
        if isinstance(block, b.Bullets):
            return [text_paragraph(item, s["bullet"], bullet="•") for item in block.items]
        if isinstance(block, b.Record):
            return self.record(block)
        if isinstance(block, b.Picture):
            image = self.image(block.image, block.max_width_mm * mm, block.max_height_mm * mm)
            out = [image]
            if block.caption:
                image.keepWithNext = 1  # never leave a caption alone on the next page
                out.append(self.para(block.caption, "caption"))
            return [*out, RLSpacer(1, 3 * mm)]
        if isinstance(block, b.BarChart | b.PieChart):
            chart = self.bar_chart(block) if isinstance(block, b.BarChart) else \
                self.pie_chart(block)
            return [chart, RLSpacer(1, 3 * mm)]
        if isinstance(block, b.Figure):
            return [self.figure(block), RLSpacer(1, 4 * mm)]
        if isinstance(block, b.PageBreak):
            return [RLPageBreak()]
        if isinstance(block, b.Spacer):
            return [RLSpacer(1, block.height_mm * mm)]
        raise TypeError(f"not a report block: {type(block).__name__}")

    # -- pieces ------------------------------------------------------------------------------
    def notice(self, text: str) -> Flowable:
        table = RLTable([[self.para(text, "notice")]], colWidths=[FRAME_WIDTH])
        table.setStyle(_table_style([
            ("BACKGROUND", (0, 0), (-1, -1), NOTICE_BG),
            ("LINEBEFORE", (0, 0), (0, -1), 2.5, NOTICE_EDGE),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]))
        table.spaceAfter = 6
        return table

    def key_values(self, rows: Sequence[tuple[str, str]], mono: frozenset[str], width: float,
                   label_width: float) -> RLTable:
        data = [[text_paragraph(label, self.styles["cell_head"]),
                 text_paragraph(value, self.styles["cell_mono" if label in mono else "cell"])]
                for label, value in rows]
        table = RLTable(data, colWidths=[label_width, width - label_width], splitInRow=1,
                        hAlign="LEFT")
        table.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LINEBELOW", (0, 0), (-1, -2), 0.25, SHADE),
        ]))
        return table

    def table(self, block: b.Table, width: float = FRAME_WIDTH) -> list[Flowable]:
        if not block.rows:
            return [self.para(block.empty_text, "muted")] if block.empty_text else []
        count = len(block.columns)
        weights = block.widths or (1.0,) * count
        total = float(sum(weights))
        widths = [width * w / total for w in weights]
        head = [text_paragraph(c, self.styles["cell_head"]) for c in block.columns]
        body = [
            [text_paragraph(cell, self.styles["cell_mono" if i in block.mono_columns
                                              else "cell"])
             for i, cell in enumerate(row)]
            for row in block.rows
        ]
        table = RLTable([head, *body], colWidths=widths, repeatRows=1, splitInRow=1,
                        hAlign="LEFT")
        table.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        return [table, RLSpacer(1, 3 * mm)]

    def image(self, image: PreparedImage, max_width: float, max_height: float) -> _Picture:
        scale = min(max_width / image.width, max_height / image.height)
        flowable = _Picture(image.jpeg, width=image.width * scale, height=image.height * scale)
        flowable.hAlign = "CENTER"
        return flowable

    def record(self, block: b.Record) -> list[Flowable]:
        s = self.styles
        indent = 8 * mm if block.tone == "amendment" else 0
        width = FRAME_WIDTH - indent
        title = f"<b>{markup(block.title)}</b>"
        if block.subtitle:
            title += f"  <font color='#5b6470'>{markup(block.subtitle)}</font>"
        # The rule and title keep with what follows (platypus groups a run of keep-with-next
        # flowables with the next one), so a record never starts at the foot of a page.
        rule = HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=3, spaceAfter=3)
        rule.keepWithNext = 1
        out: list[Flowable] = []
        if indent:
            out.append(Indenter(left=indent))
        out.extend([rule, Paragraph(title, _style_for(block.title + block.subtitle,
                                                      s["record_title"]))])
        if block.fields or block.picture is not None or block.picture_note:
            fields = self._record_fields(block, width)
            fields[-1].spaceAfter = 3
            out.extend(fields)
        text_style = s["muted"] if block.tone == "superseded" else s["record_text"]
        for label, text in block.paragraphs:
            out.append(text_paragraph(text or "", text_style, f"{label}:" if label else ""))
        if indent:
            out.append(Indenter(left=-indent))
        return out

    def _record_fields(self, block: b.Record, width: float) -> list[Flowable]:
        fields = self.key_values(block.fields, block.mono, width, label_width=32 * mm)
        if block.picture is None and not block.picture_note:
            return [fields]
        if sum(len(value) for _label, value in block.fields) > 1200:
            # Too much to sit beside the picture (a table inside a table cannot split across
            # pages): show the picture above the fields instead.
            top = (self.image(block.picture, 70 * mm, 50 * mm) if block.picture is not None
                   else self.para(block.picture_note, "muted"))
            top.hAlign = "LEFT"
            top.keepWithNext = 1
            return [top, fields]
        pic_box = 48 * mm
        if block.picture is not None:
            left: Flowable = self.image(block.picture, pic_box - 4 * mm, 40 * mm)
        else:
            left = self.para(block.picture_note, "muted")
        inner = self.key_values(block.fields, block.mono, width - pic_box, label_width=24 * mm)
        table = RLTable([[left, inner]], colWidths=[pic_box, width - pic_box], hAlign="LEFT")
        table.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), 4 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
        ]))
        return [table]

    def bar_chart(self, block: b.BarChart, width: float = FRAME_WIDTH) -> Flowable:
        items = list(block.items) or [("", 0)]
        labels = [visual(drawable(_clip(label, 30))) for label, _ in items]
        values = [float(v) for _, v in items]
        top = max(values + [1.0])
        step = _nice_step(top)
        if block.horizontal:
            height = max(22 * mm, len(items) * 7 * mm + 12 * mm)
            drawing = _drawing(width, height)
            chart = HorizontalBarChart()
            chart.x, chart.y = 44 * mm, 8 * mm
            chart.width, chart.height = width - 50 * mm, height - 12 * mm
            chart.data = [list(reversed(values))]
            chart.categoryAxis.categoryNames = list(reversed(labels))
            chart.categoryAxis.labels.boxAnchor = "e"
            chart.categoryAxis.labels.dx = -3
            chart.barLabels.boxAnchor = "w"
            chart.barLabels.dx = 3
        else:
            height = 55 * mm
            drawing = _drawing(width, height)
            chart = VerticalBarChart()
            chart.x, chart.y = 10 * mm, 10 * mm
            chart.width, chart.height = width - 14 * mm, height - 14 * mm
            chart.data = [values]
            chart.categoryAxis.categoryNames = labels
            chart.categoryAxis.labels.boxAnchor = "n"
            chart.categoryAxis.labels.dy = -3
            if len(items) * 16 * mm > chart.width:  # too crowded to sit level: slant them
                chart.y = 16 * mm
                chart.height = height - 20 * mm
                chart.categoryAxis.labels.angle = 45
                chart.categoryAxis.labels.boxAnchor = "ne"
            chart.barLabels.boxAnchor = "s"
            chart.barLabels.dy = 2
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = step * (int(top // step) + 1)
        chart.valueAxis.valueStep = step
        chart.valueAxis.labels.fontName = REGULAR
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.labelTextFormat = "%d"
        chart.categoryAxis.labels.fontName = REGULAR
        chart.categoryAxis.labels.fontSize = 7.5
        chart.bars[0].fillColor = BAR
        chart.bars[0].strokeColor = None
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName = REGULAR
        chart.barLabels.fontSize = 7
        chart.valueAxis.strokeColor = RULE
        chart.categoryAxis.strokeColor = RULE
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.gridStrokeColor = SHADE
        drawing.add(chart)
        if block.title:
            drawing.add(String(0, height - 4 * mm, block.title, fontName=BOLD, fontSize=8.5,
                               fillColor=INK))
        drawing.hAlign = "LEFT"
        return drawing

    def pie_chart(self, block: b.PieChart, width: float = FRAME_WIDTH) -> Flowable:
        items = [(label, float(v)) for label, v in block.items if v > 0] or [("", 1.0)]
        height = 50 * mm
        drawing = _drawing(width, height)
        pie = Pie()
        pie.x, pie.y = width / 2 - (height - 14 * mm) / 2, 6 * mm
        pie.width = pie.height = height - 14 * mm
        pie.data = [v for _, v in items]
        pie.labels = [visual(drawable(f"{_clip(label, 30)} ({int(v)})")) for label, v in items]
        pie.simpleLabels = 0
        pie.sideLabels = 1
        pie.slices.fontName = REGULAR
        pie.slices.fontSize = 7.5
        pie.slices.strokeColor = colors.white
        for i in range(len(items)):
            pie.slices[i].fillColor = colors.HexColor(PIE_COLOURS[i % len(PIE_COLOURS)])
        drawing.add(pie)
        if block.title:
            drawing.add(String(0, height - 4 * mm, block.title, fontName=BOLD, fontSize=8.5,
                               fillColor=INK))
        drawing.hAlign = "LEFT"
        return drawing


    def figure(self, block: b.Figure) -> Flowable:
        """A chart with its table of values beside it."""
        chart_width = FRAME_WIDTH * 0.58
        chart = (self.bar_chart(block.chart, chart_width) if isinstance(block.chart, b.BarChart)
                 else self.pie_chart(block.chart, chart_width))
        side = self.table(b.Table(block.columns, block.rows, widths=(3, 1)),
                          width=FRAME_WIDTH - chart_width - 4 * mm)[0]
        outer = RLTable([[chart, side]], colWidths=[chart_width + 4 * mm,
                                                    FRAME_WIDTH - chart_width - 4 * mm],
                        hAlign="LEFT")
        outer.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
        ]))
        return outer


def _drawing(width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    drawing.initialFontName = REGULAR  # the renderer would otherwise start in Helvetica
    drawing.initialFontSize = 8
    return drawing


def _table_style(commands: list[tuple]) -> TableStyle:
    """Table commands plus the embedded font (a table otherwise sets Helvetica itself)."""
    return TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 8.5), *commands])


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _nice_step(top: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 8:
            return step
    return int(top // 8) + 1


def render_blocks(blocks: Sequence[b.Block], decor: PageDecor,
                  progress: Callable[[int, int], None] | None = None) -> bytes:
    """Lay out ``blocks`` on A4 pages and return the PDF (not yet encrypted or cleaned).

    ``progress(done, total)`` is called as flowables are placed on pages.
    """
    register_fonts()
    story = _Builder().flowables(blocks)
    buffer = io.BytesIO()
    document = _Document(buffer, decor, total=len(story), tick=progress)
    document.build(story, canvasmaker=_CountingCanvas)
    return buffer.getvalue()
