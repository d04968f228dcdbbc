"""Layout blocks: plain, reportlab-free descriptions of what a report shows.

Builders produce these; ``casebook.reports.render`` turns them into reportlab flowables. All
text in a block is plain text (never markup): the renderer escapes it, keeps line breaks and
wraps long words, so nothing typed by a user can change the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from casebook.reports.images import PreparedImage

__all__ = [
    "Block", "Title", "Heading", "Text", "Notice", "KeyValues", "Table", "Bullets", "Record",
    "Picture", "BarChart", "PieChart", "Figure", "PageBreak", "Spacer",
]


@dataclass(frozen=True)
class Title:
    """The document title at the top of the first page."""

    text: str
    subtitle: str = ""


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 starts a section, level 2 a part of one. Shown in the PDF outline."""

    text: str
    level: int = 1
    outline: bool = True


@dataclass(frozen=True)
class Text:
    """A paragraph. ``label`` is shown in bold before the text. Styles: body, small, intro,
    muted, quote."""

    text: str
    style: str = "body"
    label: str = ""


@dataclass(frozen=True)
class Notice:
    """A boxed note that must not be missed (marking rules, safety statements)."""

    text: str


@dataclass(frozen=True)
class KeyValues:
    """Two columns: label and value. Values whose label is in ``mono`` use a fixed-width font."""

    rows: tuple[tuple[str, str], ...]
    mono: frozenset[str] = frozenset()
    label_width_mm: float = 45.0


@dataclass(frozen=True)
class Table:
    """A table with a header row repeated on each page. ``widths`` are relative (any unit)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None
    empty_text: str = ""
    #: Column indexes drawn in a fixed-width font (hashes, references).
    mono_columns: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """One dated record (a chronology entry, a decision, an evidence item, a report).

    ``fields`` are short label/value pairs in a compact table; ``paragraphs`` are label/text
    pairs that may be long and flow across pages. ``tone`` is "normal", "superseded" (an
    original that was later amended) or "amendment".
    """

    title: str
    subtitle: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    paragraphs: tuple[tuple[str, str], ...] = ()
    picture: PreparedImage | None = None
    picture_note: str = ""
    tone: str = "normal"
    mono: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Picture:
    """An image scaled to fit inside the given box, keeping its shape."""

    image: PreparedImage
    max_width_mm: float = 170.0
    max_height_mm: float = 120.0
    caption: str = ""


@dataclass(frozen=True)
class BarChart:
    """Bars with a value each; horizontal suits long category names."""

    items: tuple[tuple[str, float], ...]
    title: str = ""
    horizontal: bool = False
    value_label: str = ""


@dataclass(frozen=True)
class PieChart:
    items: tuple[tuple[str, float], ...]
    title: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart with a two-column table of its values beside it."""

    chart: BarChart | PieChart
    columns: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Spacer:
    height_mm: float = 4.0


Block = (Title | Heading | Text | Notice | KeyValues | Table | Bullets | Record | Picture
         | BarChart | PieChart | Figure | PageBreak | Spacer)
