"""Jurisdiction profiles, response-step guidance and checklist templates, read from TOML data.

All of this is content, not code: it lives under ``resources/`` so a local authority (or a
district) can correct a contact, a term or a checklist without a new release.

Files (all under :func:`casebook.paths.resources_dir`):

``profiles/<jurisdiction>.toml``
    One per :class:`~casebook.domain.enums.Jurisdiction`: display name, wording ``[terms]``,
    the export marking, ``[retention]`` and ``[transfer]`` rules, ``[[agencies]]``, and the
    checklist file it uses. ``include = ["uk-common.toml"]`` pulls in agencies shared by several
    profiles; the profile's own agencies come first, and an own agency with the same ``id`` as
    an included one replaces it in place.
``profiles/platforms.toml``
    The platforms and what each one's report form asks, shared by every jurisdiction.
``guidance/steps.toml`` (+ optional ``guidance/steps-<jurisdiction>.toml``)
    Shared guidance for the five response steps and the evidence safety gate. A per-jurisdiction
    file overrides single keys (``title``, ``points``, ``done_means``) of a step or of
    ``[safety_gate]``; what it leaves out comes from the shared file. Its ``fields`` merge by
    ``id`` (same id replaces in place, a new id is appended) and ``drop_fields`` removes shared
    fields.
``checklists/<name>.toml``
    Preventative-policy checklist templates; the profile's ``checklist`` names the default.

Text may use wording terms as ``{learner}``, ``{local_authority}`` and so on; they are filled
from the profile's ``[terms]``. ``{Learner}`` (capital first letter) gives the term capitalised.
An unknown term is an error, so nothing reaches the screen with a brace in it.

Every problem in a data file raises :class:`~casebook.domain.errors.ValidationError` naming the
file and what is wrong, in words a DSL (or the local authority officer who edited it) can act on.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from casebook.domain.enums import STEP_ORDER, Jurisdiction, StepKey
from casebook.domain.errors import NotFoundError, ValidationError
from casebook.paths import resources_dir

__all__ = [
    "Agency", "Platform", "Retention", "Transfer", "Profile", "Choice", "FieldSpec",
    "StepGuidance", "SafetyGate", "ChecklistItemTemplate", "ChecklistSection",
    "ChecklistTemplate", "AGENCY_BODIES", "FIELD_KINDS", "FIELD_PER", "REQUIRED_TERMS",
    "MATURITY_LEVELS", "load_profile", "load_platforms", "platform_by_name",
    "load_common_report_fields", "load_step_guidance", "guidance_for", "load_safety_gate",
    "load_checklist", "term", "fill_terms", "clear_caches",
]

#: Wording terms every profile must define (a profile may add more of its own).
REQUIRED_TERMS: tuple[str, ...] = (
    "learner", "learners", "parents", "local_authority", "dsl", "dsl_short",
    "allegations_route", "allegations_short", "police", "emergency_number",
    "police_non_emergency", "school_police_officer", "social_care", "year_group",
    "year_group_example", "head", "governors", "behaviour_policy", "staff_behaviour_policy",
    "curriculum", "youth_helpline",
)

#: What kind of body an agency is; matches :attr:`casebook.domain.models.PlatformReport.body`
#: where the two overlap.
AGENCY_BODIES: frozenset[str] = frozenset({
    "helpline", "report-harmful-content", "police", "local-authority", "social-care",
    "exploitation", "image-removal", "support",
})

#: Widget kinds a wizard field may have.
FIELD_KINDS: frozenset[str] = frozenset({"text", "multiline", "date", "choice", "bool"})

#: ``per`` of a field: "" (once per case), or repeated once per social account / per person.
FIELD_PER: frozenset[str] = frozenset({"", "account", "person"})

#: A checklist item has one description per maturity level: 1 (lowest) to 5 (highest).
MATURITY_LEVELS = 5

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Agency:
    """An organisation a case can be reported or referred to."""

    id: str
    name: str
    body: str  # one of AGENCY_BODIES
    purpose: str  # what it is for, one sentence
    when_to_use: str
    not_for: str = ""  # what it does not take (shown as a warning), may be empty
    phone: str = ""
    website: str = ""
    email: str = ""
    hours: str = ""
    last_checked: date | None = None


@dataclass(frozen=True)
class Platform:
    """A social-media platform and what its impersonation / harassment report asks for."""

    id: str
    name: str
    aliases: tuple[str, ...]
    report_route: str
    form_fields: tuple[str, ...]
    who_may_report: str
    notes: str = ""


def _add_years(day: date, years: int) -> date:
    """``day`` moved on by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    """How long records are kept before they are reviewed (IRMS toolkit in the UK)."""

    child_protection_years_after_birth: int
    staff_allegation_years: int
    staff_retirement_age: int
    remove_malicious_allegations: bool
    notes: tuple[str, ...]
    source: str

    def child_protection_review_date(self, date_of_birth: date) -> date:
        return _add_years(date_of_birth, self.child_protection_years_after_birth)

    def staff_allegation_review_date(
        self, allegation_date: date, staff_date_of_birth: date | None = None
    ) -> date:
        """Retirement age or N years from the allegation, whichever is later.

        Without the member of staff's date of birth only the N-year rule can be applied.
        """
        by_years = _add_years(allegation_date, self.staff_allegation_years)
        if staff_date_of_birth is None:
            return by_years
        return max(by_years, _add_years(staff_date_of_birth, self.staff_retirement_age))


@dataclass(frozen=True)
class Transfer:
    """Sending the child protection file on when a child moves school."""

    school_days: int
    text: str
    source: str


@dataclass(frozen=True)
class Profile:
    jurisdiction: Jurisdiction
    name: str
    locale: str
    terms: Mapping[str, str]  # read-only; see term()
    marking: str
    agencies: tuple[Agency, ...]
    retention: Retention
    transfer: Transfer
    checklist: str  # file name under resources/checklists/

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise NotFoundError(f"There is no agency “{agency_id}” in the {self.name} profile.")


@dataclass(frozen=True)
class Choice:
    value: str  # stored in the step's data
    label: str  # shown


@dataclass(frozen=True)
class FieldSpec:
    """One input on a step's wizard page."""

    id: str
    label: str
    kind: str  # one of FIELD_KINDS
    choices: tuple[Choice, ...] = ()
    help: str = ""
    per: str = ""  # one of FIELD_PER
    required: bool = False
    #: Id of a yes/no field of the same step: this one is asked only when that one is ticked.
    shown_when: str = ""


@dataclass(frozen=True)
class StepGuidance:
    key: StepKey
    title: str
    points: tuple[str, ...]
    done_means: str
    fields: tuple[FieldSpec, ...]

    def field(self, field_id: str) -> FieldSpec:
        for spec in self.fields:
            if spec.id == field_id:
                return spec
        raise KeyError(field_id)


@dataclass(frozen=True)
class SafetyGate:
    """The question asked before a file enters the evidence store, and what to do if 'yes'."""

    title: str
    question: str
    instructions: tuple[str, ...]
    refusal: str  # one-line message when the file is refused
    agencies: tuple[Agency, ...]


@dataclass(frozen=True)
class ChecklistItemTemplate:
    id: str
    title: str
    description: str
    levels: tuple[str, ...]  # levels[0] describes level 1 (lowest) ... levels[4] level 5
    target_level: int

    def level(self, number: int) -> str:
        """Description of maturity level ``number`` (1 = nothing in place, 5 = embedded)."""
        if not 1 <= number <= len(self.levels):
            raise ValueError(f"maturity level must be 1..{len(self.levels)}, not {number}")
        return self.levels[number - 1]


@dataclass(frozen=True)
class ChecklistSection:
    id: str
    title: str
    description: str
    items: tuple[ChecklistItemTemplate, ...]


@dataclass(frozen=True)
class ChecklistTemplate:
    id: str
    version: int
    title: str
    publisher: str
    jurisdictions: tuple[Jurisdiction, ...]
    sections: tuple[ChecklistSection, ...]
    source: str  # file name it came from

    @property
    def items(self) -> tuple[ChecklistItemTemplate, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> ChecklistItemTemplate:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


# --------------------------------------------------------------------------- reading helpers


def _fill(text: str, terms: Mapping[str, str] | None, fail: Callable[[str], NoReturn]) -> str:
    if "{" not in text and "}" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if terms is not None:
            if name in terms:
                return terms[name]
            lower = name[0].lower() + name[1:]
            if name[0].isupper() and lower in terms:
                value = terms[lower]
                return value[:1].upper() + value[1:]
        fail(f"uses the wording term “{{{name}}}”, which the profile does not define")

    filled = _PLACEHOLDER.sub(replace, text)
    if "{" in filled or "}" in filled:
        fail("has a stray “{” or “}” (wording terms look like {learner})")
    return filled


class _Table:
    """A TOML table plus where it came from, so every complaint names the file and the spot."""

    def __init__(
        self,
        data: Any,
        file: str,
        where: str = "",
        terms: Mapping[str, str] | None = None,
    ) -> None:
        self.file = file
        self.where = where
        self.terms = terms
        if not isinstance(data, dict):
            self.fail("should be a table of settings")
        self.data: dict[str, Any] = data

    def fail(self, problem: str) -> NoReturn:
        spot = f"{self.where} " if self.where else ""
        raise ValidationError(f"Cannot use “{self.file}”: {spot}{problem}.")

    def _fail_key(self, key: str) -> Callable[[str], NoReturn]:
        return lambda problem: self.fail(f"“{key}” {problem}")

    def text(self, key: str, default: str | None = None, *, fill: bool = True) -> str:
        value = self.data.get(key, default)
        if value is None:
            self.fail(f"is missing “{key}”")
        if not isinstance(value, str):
            self.fail(f"has “{key}” that is not text")
        value = value.strip()
        if not value and default is None:
            self.fail(f"has an empty “{key}”")
        return _fill(value, self.terms, self._fail_key(key)) if fill else value

    def ident(self, key: str = "id") -> str:
        value = self.text(key, fill=False)
        if not _ID.match(value):
            self.fail(f"has “{key}” “{value}”, which should use only a-z, 0-9, “-”, “_” and “.”")
        return value

    def texts(self, key: str, *, minimum: int = 0, maximum: int | None = None,
              default: Iterable[str] | None = None) -> tuple[str, ...]:
        value = self.data.get(key, None if default is None else list(default))
        if value is None:
            self.fail(f"is missing “{key}”")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"has “{key}” that is not a list of non-empty texts")
        if len(value) < minimum or (maximum is not None and len(value) > maximum):
            wanted = f"at least {minimum}" if maximum is None else f"{minimum} to {maximum}"
            self.fail(f"has {len(value)} entries in “{key}”; it needs {wanted}")
        return tuple(_fill(v.strip(), self.terms, self._fail_key(key)) for v in value)

    def integer(self, key: str, default: int | None = None, *, low: int | None = None,
                high: int | None = None) -> int:
        value = self.data.get(key, default)
        if value is None:
            self.fail(f"is missing “{key}”")
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f"has “{key}” that is not a whole number")
        if (low is not None and value < low) or (high is not None and value > high):
            allowed = f"at least {low}" if high is None else f"between {low} and {high}"
            self.fail(f"has “{key}” = {value}; it must be {allowed}")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"needs “{key}” set to true or false")
        return value

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None or isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(f"has “{key}” that is not a date like 2026-11-23")

    def table(self, key: str) -> _Table:
        if key not in self.data:
            self.fail(f"is missing the [{key}] table")
        where = f"{self.where} [{key}]".strip()
        return _Table(self.data[key], self.file, where, self.terms)

    def tables(self, key: str, what: str, *, minimum: int = 0) -> list[_Table]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.fail(f"has “{key}” that is not a list of tables")
        if len(value) < minimum:
            self.fail(f"needs at least {minimum} {what}(s) in “{key}”, found {len(value)}")
        out = []
        for number, entry in enumerate(value, start=1):
            label = entry.get("id") if isinstance(entry, dict) else None
            spot = f"{what} {number}" + (f" (“{label}”)" if isinstance(label, str) else "")
            out.append(_Table(entry, self.file, f"{self.where} {spot}".strip(), self.terms))
        return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ValidationError(f"Cannot use “{path.name}”: the file cannot be found.") from None
    except OSError as exc:
        raise ValidationError(f"Cannot use “{path.name}”: it could not be read ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ValidationError(f"Cannot use “{path.name}”: it is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"Cannot use “{path.name}”: it is not valid TOML ({exc}).") from None


def _jurisdiction(value: Jurisdiction | str) -> Jurisdiction:
    try:
        return Jurisdiction(value)
    except ValueError:
        raise ValidationError(f"“{value}” is not a jurisdiction Casebook knows.") from None


def _profiles_dir() -> Path:
    return resources_dir() / "profiles"


def _guidance_dir() -> Path:
    return resources_dir() / "guidance"


def _checklists_dir() -> Path:
    return resources_dir() / "checklists"


# --------------------------------------------------------------------------- profiles


def _agency(table: _Table) -> Agency:
    body = table.text("body", fill=False)
    if body not in AGENCY_BODIES:
        table.fail(f"has body “{body}”; use one of {', '.join(sorted(AGENCY_BODIES))}")
    return Agency(
        id=table.ident(),
        name=table.text("name"),
        body=body,
        purpose=table.text("purpose"),
        when_to_use=table.text("when_to_use"),
        not_for=table.text("not_for", ""),
        phone=table.text("phone", ""),
        website=table.text("website", ""),
        email=table.text("email", ""),
        hours=table.text("hours", ""),
        last_checked=table.day("last_checked"),
    )


def _profile_agencies(root: _Table, terms: Mapping[str, str]) -> tuple[Agency, ...]:
    agencies: dict[str, Agency] = {}
    for entry in root.tables("agencies", "agency"):
        agency = _agency(entry)
        if agency.id in agencies:
            entry.fail(f"repeats the agency id “{agency.id}”")
        agencies[agency.id] = agency
    for name in root.texts("include", default=()):
        path = _profiles_dir() / name
        included = _Table(_read_toml(path), path.name, terms=terms)
        for entry in included.tables("agencies", "agency"):
            agency = _agency(entry)
            agencies.setdefault(agency.id, agency)  # the profile's own entry wins
    if not agencies:
        root.fail("lists no agencies")
    return tuple(agencies.values())


def _parse_profile(path: Path, expected: Jurisdiction) -> Profile:
    root = _Table(_read_toml(path), path.name)
    found = root.text("jurisdiction", fill=False)
    if found != expected.value:
        root.fail(f"says it is for “{found}” but is the file for “{expected.value}”")

    raw_terms = root.table("terms")
    terms: dict[str, str] = {}
    for key in raw_terms.data:
        terms[key] = raw_terms.text(key, fill=False)
    missing = [key for key in REQUIRED_TERMS if key not in terms]
    if missing:
        raw_terms.fail(f"is missing the wording term(s) {', '.join(missing)}")
    frozen_terms = MappingProxyType(terms)
    root = _Table(root.data, path.name, terms=frozen_terms)  # the rest may use wording terms

    retention = root.table("retention")
    transfer = root.table("transfer")
    checklist = root.text("checklist", fill=False)
    if "/" in checklist or "\\" in checklist:
        root.fail("should name a checklist file in resources/checklists, not a path")
    return Profile(
        jurisdiction=expected,
        name=root.text("name"),
        locale=root.text("locale", fill=False),
        terms=frozen_terms,
        marking=root.text("marking"),
        agencies=_profile_agencies(root, frozen_terms),
        retention=Retention(
            child_protection_years_after_birth=retention.integer(
                "child_protection_years_after_birth", low=1, high=150),
            staff_allegation_years=retention.integer("staff_allegation_years", low=1, high=150),
            staff_retirement_age=retention.integer("staff_retirement_age", low=50, high=100),
            remove_malicious_allegations=retention.boolean("remove_malicious_allegations"),
            notes=retention.texts("notes", default=()),
            source=retention.text("source"),
        ),
        transfer=Transfer(
            school_days=transfer.integer("school_days", low=1, high=60),
            text=transfer.text("text"),
            source=transfer.text("source"),
        ),
        checklist=checklist,
    )


@cache
def _cached_profile(jurisdiction: Jurisdiction) -> Profile:
    return _parse_profile(_profiles_dir() / f"{jurisdiction.value}.toml", jurisdiction)


def load_profile(jurisdiction: Jurisdiction | str) -> Profile:
    """The profile for ``jurisdiction`` (read once, then cached)."""
    return _cached_profile(_jurisdiction(jurisdiction))


def term(profile: Profile, key: str) -> str:
    """A wording term, e.g. ``term(profile, "learners")`` -> "students" in the US profile.

    ``key`` with a capital first letter gives the term capitalised ("Learners" -> "Students").
    """
    def fail(problem: str) -> NoReturn:
        raise KeyError(f"wording term {key!r} {problem}")

    return _fill("{" + key + "}", profile.terms, fail)


def fill_terms(profile: Profile, text: str) -> str:
    """``text`` with its ``{term}`` placeholders filled from ``profile`` (for UI strings)."""
    def fail(problem: str) -> NoReturn:
        raise KeyError(f"text {problem}")

    return _fill(text, profile.terms, fail)


# --------------------------------------------------------------------------- platforms


@lru_cache(maxsize=1)
def _platform_data() -> tuple[tuple[Platform, ...], tuple[str, ...]]:
    path = _profiles_dir() / "platforms.toml"
    root = _Table(_read_toml(path), path.name)
    platforms: list[Platform] = []
    for entry in root.tables("platforms", "platform", minimum=1):
        platform = Platform(
            id=entry.ident(),
            name=entry.text("name"),
            aliases=tuple(alias.casefold() for alias in entry.texts("aliases", default=())),
            report_route=entry.text("report_route"),
            form_fields=entry.texts("form_fields", minimum=1),
            who_may_report=entry.text("who_may_report"),
            notes=entry.text("notes", ""),
        )
        if any(p.id == platform.id for p in platforms):
            entry.fail(f"repeats the platform id “{platform.id}”")
        platforms.append(platform)
    if not any(p.id == "other" for p in platforms):
        root.fail("needs a platform with id “other” for everything not listed")
    common = root.table("common").texts("fields", minimum=1)
    return tuple(platforms), common


def load_platforms() -> tuple[Platform, ...]:
    """Every platform in ``platforms.toml``, in file order (``other`` included)."""
    return _platform_data()[0]


def load_common_report_fields() -> tuple[str, ...]:
    """What every platform report pack should carry, whatever the platform."""
    return _platform_data()[1]


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def platform_by_name(name: str) -> Platform:
    """The platform called ``name`` (id, name or alias, any case); "Other" when unknown."""
    wanted = _squash(name or "")
    platforms = load_platforms()
    if wanted:
        for platform in platforms:
            names = (platform.id, platform.name, *platform.aliases)
            if any(_squash(candidate) == wanted for candidate in names):
                return platform
    return next(p for p in platforms if p.id == "other")


# --------------------------------------------------------------------------- step guidance


def _merged(base: Any, override: Any, files: str, where: str) -> dict[str, Any]:
    """``base`` with ``override``'s keys on top; ``fields`` merge by id (see module doc)."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        raise ValidationError(f"Cannot use “{files}”: {where} should be a table.")
    merged = {key: value for key, value in base.items() if key != "drop_fields"}
    merged.update({k: v for k, v in override.items() if k not in ("fields", "drop_fields")})
    if "fields" not in override and "drop_fields" not in override:
        return merged
    fields = [f for f in base.get("fields", []) if isinstance(f, dict)]
    drop = override.get("drop_fields", [])
    if not isinstance(drop, list):
        raise ValidationError(f"Cannot use “{files}”: {where} has “drop_fields” that is not a list.")
    unknown = [name for name in drop if name not in {f.get("id") for f in fields}]
    if unknown:
        raise ValidationError(
            f"Cannot use “{files}”: {where} drops field(s) {', '.join(map(str, unknown))}, "
            "which the shared guidance does not have."
        )
    fields = [f for f in fields if f.get("id") not in drop]
    extra = override.get("fields", [])
    if not isinstance(extra, list):
        raise ValidationError(f"Cannot use “{files}”: {where} has “fields” that is not a list.")
    for field in extra:
        ids = [f.get("id") for f in fields]
        field_id = field.get("id") if isinstance(field, dict) else None
        if field_id is not None and field_id in ids:
            fields[ids.index(field_id)] = field
        else:
            fields.append(field)
    merged["fields"] = fields
    return merged


@cache
def _guidance_files(jurisdiction: Jurisdiction) -> tuple[dict[str, Any], dict[str, Any], str]:
    base_path = _guidance_dir() / "steps.toml"
    base = _read_toml(base_path)
    override_path = _guidance_dir() / f"steps-{jurisdiction.value}.toml"
    override = _read_toml(override_path) if override_path.exists() else {}
    names = base_path.name + (f" + {override_path.name}" if override else "")
    return base, override, names


def _choices(table: _Table) -> tuple[Choice, ...]:
    raw = table.data.get("choices", [])
    if not isinstance(raw, list):
        table.fail("has “choices” that is not a list")
    out: list[Choice] = []
    for number, entry in enumerate(raw, start=1):
        choice = _Table(entry, table.file, f"{table.where} choice {number}", table.terms)
        out.append(Choice(value=choice.ident("value"), label=choice.text("label")))
    if len({c.value for c in out}) != len(out):
        table.fail("repeats a choice value")
    return tuple(out)


def _field(table: _Table) -> FieldSpec:
    kind = table.text("kind", fill=False)
    if kind not in FIELD_KINDS:
        table.fail(f"has kind “{kind}”; use one of {', '.join(sorted(FIELD_KINDS))}")
    per = table.text("per", "", fill=False)
    if per not in FIELD_PER:
        table.fail(f"has per “{per}”; use “account”, “person” or leave it out")
    choices = _choices(table)
    if kind == "choice" and len(choices) < 2:
        table.fail("is a choice but offers fewer than two choices")
    if kind != "choice" and choices:
        table.fail(f"has choices but is a {kind} field")
    return FieldSpec(
        id=table.ident(),
        label=table.text("label"),
        kind=kind,
        choices=choices,
        help=table.text("help", ""),
        per=per,
        required=table.boolean("required", False),
        shown_when=table.text("shown_when", "", fill=False),
    )


def _step(key: StepKey, data: dict[str, Any], files: str, terms: Mapping[str, str]) -> StepGuidance:
    table = _Table(data, files, f"step “{key.value}”", terms)
    fields = tuple(_field(entry) for entry in table.tables("fields", "field", minimum=1))
    if len({f.id for f in fields}) != len(fields):
        table.fail("repeats a field id")
    bools = {f.id for f in fields if f.kind == "bool" and not f.per}
    for spec in fields:
        if spec.shown_when and spec.shown_when not in bools:
            table.fail(f"field “{spec.id}” is shown when “{spec.shown_when}”, which is not a "
                       "yes/no field of this step")
    return StepGuidance(
        key=key,
        title=table.text("title"),
        points=table.texts("points", minimum=3, maximum=6),
        done_means=table.text("done_means"),
        fields=fields,
    )


@cache
def _cached_guidance(jurisdiction: Jurisdiction) -> tuple[StepGuidance, ...]:
    profile = _cached_profile(jurisdiction)
    base, override, files = _guidance_files(jurisdiction)
    base_steps = base.get("steps", {})
    override_steps = override.get("steps", {})
    if not isinstance(base_steps, dict) or not isinstance(override_steps, dict):
        raise ValidationError(f"Cannot use “{files}”: [steps] should be a table of steps.")
    known = {key.value for key in STEP_ORDER}
    unknown = (set(base_steps) | set(override_steps)) - known
    if unknown:
        raise ValidationError(
            f"Cannot use “{files}”: unknown step(s) {', '.join(sorted(unknown))}; "
            f"the steps are {', '.join(known_key.value for known_key in STEP_ORDER)}."
        )
    out = []
    for key in STEP_ORDER:
        if key.value not in base_steps:
            raise ValidationError(f"Cannot use “{files}”: there is no guidance for step “{key.value}”.")
        where = f"step “{key.value}”"
        data = _merged(base_steps[key.value], override_steps.get(key.value, {}), files, where)
        out.append(_step(key, data, files, profile.terms))
    return tuple(out)


def load_step_guidance(jurisdiction: Jurisdiction | str) -> tuple[StepGuidance, ...]:
    """Guidance for the five response steps, in step order, worded for ``jurisdiction``."""
    return _cached_guidance(_jurisdiction(jurisdiction))


def guidance_for(jurisdiction: Jurisdiction | str, key: StepKey | str) -> StepGuidance:
    """Guidance for one step."""
    step = StepKey(key)
    return next(g for g in load_step_guidance(jurisdiction) if g.key == step)


@cache
def _cached_gate(jurisdiction: Jurisdiction) -> SafetyGate:
    profile = _cached_profile(jurisdiction)
    base, override, files = _guidance_files(jurisdiction)
    data = _merged(base.get("safety_gate", {}), override.get("safety_gate", {}), files,
                   "[safety_gate]")
    table = _Table(data, files, "[safety_gate]", profile.terms)
    agencies = []
    for agency_id in table.texts("agencies", minimum=1):
        try:
            agencies.append(profile.agency(agency_id))
        except NotFoundError:
            table.fail(f"names agency “{agency_id}”, which the {profile.name} profile does not list")
    return SafetyGate(
        title=table.text("title"),
        question=table.text("question"),
        instructions=table.texts("instructions", minimum=1),
        refusal=table.text("refusal"),
        agencies=tuple(agencies),
    )


def load_safety_gate(jurisdiction: Jurisdiction | str) -> SafetyGate:
    """The evidence safety gate's question and instructions for ``jurisdiction``."""
    return _cached_gate(_jurisdiction(jurisdiction))


# --------------------------------------------------------------------------- checklists


def _checklist_item(table: _Table, default_target: int) -> ChecklistItemTemplate:
    levels = table.table("levels")
    descriptions = []
    for number in range(1, MATURITY_LEVELS + 1):
        if str(number) not in levels.data:
            levels.fail(f"has no description for level {number} (levels 1 to {MATURITY_LEVELS} "
                        "are all needed)")
        descriptions.append(levels.text(str(number)))
    extra = sorted(set(levels.data) - {str(n) for n in range(1, MATURITY_LEVELS + 1)})
    if extra:
        levels.fail(f"has level(s) {', '.join(extra)}; only 1 to {MATURITY_LEVELS} are used")
    return ChecklistItemTemplate(
        id=table.ident(),
        title=table.text("title"),
        description=table.text("description"),
        levels=tuple(descriptions),
        target_level=table.integer("target_level", default_target, low=1, high=MATURITY_LEVELS),
    )


def _parse_checklist(path: Path, jurisdiction: Jurisdiction) -> ChecklistTemplate:
    profile = _cached_profile(jurisdiction)
    root = _Table(_read_toml(path), path.name, terms=profile.terms)
    meant_for = []
    for value in root.texts("jurisdictions", minimum=1):
        try:
            meant_for.append(Jurisdiction(value))
        except ValueError:
            root.fail(f"lists jurisdiction “{value}”, which Casebook does not know")
    if jurisdiction not in meant_for:
        root.fail(f"is for {', '.join(j.value for j in meant_for)}, not {jurisdiction.value}")
    default_target = root.integer("default_target_level", 3, low=1, high=MATURITY_LEVELS)

    sections = []
    seen: set[str] = set()
    for section in root.tables("sections", "section", minimum=1):
        items = []
        for entry in section.tables("items", "item", minimum=1):
            item = _checklist_item(entry, default_target)
            if item.id in seen:
                entry.fail(f"repeats the item id “{item.id}” (ids must be unique in the file)")
            seen.add(item.id)
            items.append(item)
        section_id = section.ident()
        if section_id in {s.id for s in sections}:
            section.fail(f"repeats the section id “{section_id}”")
        sections.append(ChecklistSection(
            id=section_id,
            title=section.text("title"),
            description=section.text("description", ""),
            items=tuple(items),
        ))
    return ChecklistTemplate(
        id=root.ident(),
        version=root.integer("version", low=1),
        title=root.text("title"),
        publisher=root.text("publisher"),
        jurisdictions=tuple(meant_for),
        sections=tuple(sections),
        source=path.name,
    )


@cache
def _cached_checklist(jurisdiction: Jurisdiction) -> ChecklistTemplate:
    name = _cached_profile(jurisdiction).checklist
    return _parse_checklist(_checklists_dir() / name, jurisdiction)


def load_checklist(jurisdiction: Jurisdiction | str, path: Path | None = None) -> ChecklistTemplate:
    """The preventative-policy checklist template.

    With ``path`` (a local authority's own file) that file is read and checked every time;
    without it, the profile's default checklist is read once and cached.
    """
    where = _jurisdiction(jurisdiction)
    if path is None:
        return _cached_checklist(where)
    return _parse_checklist(Path(path), where)


def clear_caches() -> None:
    """Forget everything read so far (after the data files were changed on disk)."""
    for cached in (_cached_profile, _platform_data, _guidance_files, _cached_guidance,
                   _cached_gate, _cached_checklist):
        cached.cache_clear()
