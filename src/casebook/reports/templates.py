"""Template definitions (data in ``resources/templates/*.toml``) and the template registry.

A template is two halves: its definition (title, introduction, sections, recipient suggestions
per jurisdiction, read from TOML so a local authority can change the words) and a *builder*, a
function that turns plain data into layout blocks (``casebook.reports.blocks``). Builders are
registered in ``TEMPLATES`` with :func:`register_template`; that is the extension point for a
new template such as ``checklist-review``:

1. add ``resources/templates/checklist-review.toml`` (``id``, ``kind``, ``order``, ``sections``,
   ``[title]``, ``[intro]``, ``[recipients]``);
2. write ``build(data, ctx: BuildContext) -> list[Block]`` using the generic blocks
   (``Heading``, ``Text``, ``KeyValues``, ``Table``, ``BarChart``, ...) and the helpers in
   ``casebook.reports.sections`` (``cover_blocks``, ``closing_blocks``, ``counts_blocks``);
3. ``register_template("checklist-review", kind="checklist", build=build)`` and render it with
   ``casebook.reports.render_document("checklist-review", data, options, ...)``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook.domain import Jurisdiction, PersonKind
from casebook.paths import resources_dir

if TYPE_CHECKING:
    from casebook.reports.blocks import Block
    from casebook.reports.data import ExportOptions
    from casebook.reports.images import ImageCache

__all__ = [
    "TemplateDef",
    "Wording",
    "BuildContext",
    "ReportTemplate",
    "TEMPLATES",
    "register_template",
    "load_definition",
    "wording_for",
    "templates_dir",
]

UK = frozenset({Jurisdiction.ENGLAND, Jurisdiction.WALES, Jurisdiction.SCOTLAND,
                Jurisdiction.NORTHERN_IRELAND})


def templates_dir() -> Path:
    return resources_dir() / "templates"


def _chain(jurisdiction: Jurisdiction) -> tuple[str, ...]:
    """Keys to try, most specific first."""
    if jurisdiction in UK:
        return (jurisdiction.value, "uk", "default")
    return (jurisdiction.value, "default")


def _pick(table: Mapping[str, Any], jurisdiction: Jurisdiction) -> Any:
    for key in _chain(jurisdiction):
        if key in table:
            return table[key]
    raise KeyError(f"no entry for {jurisdiction.value} or default")


@cache
def _load_toml(name: str) -> dict[str, Any]:
    with (templates_dir() / name).open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class TemplateDef:
    """One template as described in its TOML file."""

    id: str
    kind: str
    order: int
    sections: tuple[str, ...]
    titles: Mapping[str, str]
    intros: Mapping[str, str]
    recipients: Mapping[str, tuple[str, ...]]
    #: Kinds of people never named in this template, whatever the dialog says, and whose
    #: personal details (date of birth, year group, notes) are left out.
    always_redact: frozenset[PersonKind] = frozenset()
    #: Who the export dialog should tick by default: "all", "none", "staff-concerned",
    #: "staff-harmed" (see ``redaction.default_named_person_ids``).
    default_named: str = "none"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def title(self, jurisdiction: Jurisdiction) -> str:
        return _pick(self.titles, jurisdiction)

    def intro(self, jurisdiction: Jurisdiction) -> str:
        return _pick(self.intros, jurisdiction) if self.intros else ""

    def recipient_suggestions(self, jurisdiction: Jurisdiction) -> tuple[str, ...]:
        try:
            return tuple(_pick(self.recipients, jurisdiction))
        except KeyError:
            return ()


def load_definition(template_id: str) -> TemplateDef:
    raw = _load_toml(f"{template_id}.toml")
    if raw.get("id") != template_id:
        raise ValueError(f"{template_id}.toml declares id {raw.get('id')!r}")
    known = {"id", "kind", "order", "sections", "title", "intro", "recipients",
             "always_redact", "default_named"}
    return TemplateDef(
        id=template_id,
        kind=str(raw.get("kind", "case")),
        order=int(raw.get("order", 100)),
        sections=tuple(raw.get("sections", ())),
        titles=dict(raw["title"]),
        intros=dict(raw.get("intro", {})),
        recipients={k: tuple(v) for k, v in raw.get("recipients", {}).items()},
        always_redact=frozenset(PersonKind(k) for k in raw.get("always_redact", ())),
        default_named=str(raw.get("default_named", "none")),
        extra={k: v for k, v in raw.items() if k not in known},
    )


class Wording:
    """The words of ``common.toml`` for one jurisdiction, plus date formatting.

    Dates are formatted from the month names in the data, not with ``strftime``, so the
    output does not change with the process locale (Qt sets it from the desktop).
    """

    def __init__(self, jurisdiction: Jurisdiction) -> None:
        self.jurisdiction = jurisdiction
        common = _load_toml("common.toml")
        self._text = common["text"]
        self._labels = common.get("labels", {})
        self._chain = _chain(jurisdiction)
        self.jurisdiction_label = common["jurisdictions"][jurisdiction.value]["label"]

    def raw(self, key: str) -> Any:
        for level in self._chain:
            table = self._text.get(level, {})
            if key in table:
                return table[key]
        raise KeyError(f"no wording for {key!r}")

    def __call__(self, key: str, **values: object) -> str:
        text = str(self.raw(key))
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        try:
            self.raw(key)
        except KeyError:
            return False
        return True

    def label(self, group: str, value: object) -> str:
        """Words for a stored value (an enum member or its string)."""
        key = str(getattr(value, "value", value))
        for level in self._chain:
            table = self._labels.get(level, {}).get(group, {})
            if key in table:
                return str(table[key])
        return key.replace("-", " ").replace("_", " ").capitalize() if key else ""

    @property
    def marking(self) -> str:
        return self("marking")

    def pseudonym_prefix(self, kind: PersonKind) -> str:
        return self(f"pseudonym_{kind.value}")

    # -- dates -------------------------------------------------------------------------------
    def _parts(self, value: date | datetime) -> dict[str, object]:
        months = self.raw("months")
        short = self.raw("months_short")
        parts: dict[str, object] = {
            "d": value.day,
            "month": months[value.month - 1],
            "mon": short[value.month - 1],
            "y": value.year,
        }
        if isinstance(value, datetime):
            hour12 = value.hour % 12 or 12
            parts.update(H=f"{value.hour:02d}", I=hour12, M=f"{value.minute:02d}",
                         p="AM" if value.hour < 12 else "PM")
        return parts

    def date(self, value: date | datetime | None, short: bool = False) -> str:
        if value is None:
            return ""
        return self("short_date_format" if short else "date_format").format(**self._parts(value))

    def datetime(self, value: datetime | date | None, short: bool = False) -> str:
        if value is None:
            return ""
        if not isinstance(value, datetime):
            return self.date(value, short)
        key = "short_datetime_format" if short else "datetime_format"
        return self(key).format(**self._parts(value))

    def month_label(self, key: str) -> str:
        """``"2026-03"`` -> ``"Mar 2026"``; anything else is shown as given."""
        try:
            year, month = key.split("-", 1)
            return f"{self.raw('months_short')[int(month) - 1]} {int(year)}"
        except (ValueError, IndexError):
            return key


@cache
def wording_for(jurisdiction: Jurisdiction) -> Wording:
    return Wording(jurisdiction)


@dataclass
class BuildContext:
    """What a builder gets besides its data."""

    options: ExportOptions
    wording: Wording
    definition: TemplateDef
    images: ImageCache
    #: Casebook reference shown in every page header ("" when there is none).
    reference: str = ""

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.wording.jurisdiction

    @property
    def title(self) -> str:
        return self.definition.title(self.jurisdiction)


Builder = Callable[[Any, BuildContext], Sequence["Block"]]


@dataclass(frozen=True)
class ReportTemplate:
    """A registered template: its id, what data it takes, and its builder."""

    id: str
    #: "case" (takes CaseReportData), "summary" (GovernorsSummaryData), or another kind.
    kind: str
    build: Builder

    @property
    def definition(self) -> TemplateDef:
        return load_definition(self.id)

    def title(self, jurisdiction: Jurisdiction) -> str:
        return self.definition.title(jurisdiction)

    def recipient_suggestions(self, jurisdiction: Jurisdiction) -> tuple[str, ...]:
        return self.definition.recipient_suggestions(jurisdiction)


#: Every template that can be rendered, by id.
TEMPLATES: dict[str, ReportTemplate] = {}


def register_template(template_id: str, kind: str, build: Builder) -> ReportTemplate:
    """Add (or replace) a template; its TOML definition must exist and carry the same id."""
    load_definition(template_id)  # fail early if the data file is missing or mislabelled
    template = ReportTemplate(template_id, kind, build)
    TEMPLATES[template_id] = template
    return template
