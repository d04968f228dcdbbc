"""What a case screen needs to know: the school's profile (wording, guidance, safety gate) and
one consistent snapshot of everything recorded on the case, both loaded on the DB thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from casebook import profiles
from casebook.domain import (
    Action,
    Case,
    ChronologyEntry,
    Decision,
    EvidenceItem,
    Jurisdiction,
    Person,
    PlatformReport,
    School,
    SocialAccount,
    StepKey,
)
from casebook.profiles import Profile, SafetyGate, StepGuidance
from casebook.services import Casebook
from casebook.services.corrections import Correction
from casebook.ui.worker import DbWorker

#: Our own en-GB wording that differs in the US (profile terms cover the rest).
US_WORDS = {"Parent or carer": "Parent or guardian", "parent or carer": "parent or guardian"}


@dataclass(frozen=True)
class Setup:
    """Per-casebook data that does not change while a case is open."""

    school: School
    profile: Profile
    guidance: tuple[StepGuidance, ...]
    gate: SafetyGate
    user_name: str
    #: Platform names offered when adding an account ("Instagram / Facebook" gives both).
    platforms: tuple[str, ...] = ()


def platform_names() -> tuple[str, ...]:
    names: list[str] = []
    for platform in profiles.load_platforms():
        if platform.id != "other":
            names.extend(part.strip() for part in platform.name.split("/") if part.strip())
    return tuple(names)


def load_setup(casebook: Casebook) -> Setup:
    """Runs on the DB thread (reads the school, then the TOML data files)."""
    school = casebook.school()
    return Setup(
        school=school,
        profile=profiles.load_profile(school.jurisdiction),
        guidance=profiles.load_step_guidance(school.jurisdiction),
        gate=profiles.load_safety_gate(school.jurisdiction),
        user_name=casebook.user.name,
        platforms=platform_names(),
    )


@dataclass
class CaseContext:
    """Handed to every tab and wizard page of one open case."""

    worker: DbWorker
    casebook: Casebook
    case_id: int
    setup: Setup

    @property
    def us(self) -> bool:
        return self.setup.school.jurisdiction == Jurisdiction.US

    @property
    def profile(self) -> Profile:
        return self.setup.profile

    @property
    def user_name(self) -> str:
        return self.setup.user_name

    def term(self, key: str) -> str:
        """A wording term ("learner" / "student"); a capital first letter capitalises it."""
        return profiles.term(self.setup.profile, key)

    def fill(self, text: str) -> str:
        """``{term}`` placeholders filled; a few words of our own swapped for US readers."""
        filled = profiles.fill_terms(self.setup.profile, text)
        if self.us:
            for gb, us in US_WORDS.items():
                filled = filled.replace(gb, us)
        return filled

    def guidance(self, key: StepKey) -> StepGuidance:
        return next(g for g in self.setup.guidance if g.key == key)

    def step_titles(self) -> dict[StepKey, str]:
        return {g.key: g.title for g in self.setup.guidance}

    def today(self) -> date:
        return self.casebook.store.now().date()

    def draft_key(self, name: str) -> str:
        return f"case:{self.case_id}:{name}"


@dataclass(frozen=True)
class CaseBundle:
    """Everything on one case, read in one go so the screens agree with each other."""

    case: Case
    chronology: tuple[ChronologyEntry, ...]
    people: tuple[Person, ...]
    accounts: tuple[SocialAccount, ...]
    decisions: tuple[Decision, ...]
    actions: tuple[Action, ...]
    evidence: tuple[EvidenceItem, ...]
    reports: tuple[PlatformReport, ...]
    today: date
    #: Corrections of people, accounts, actions, decisions and step answers (the originals).
    corrections: tuple[Correction, ...] = ()


def load_bundle(casebook: Casebook, case_id: int) -> CaseBundle:
    """Runs on the DB thread."""
    cases = casebook.cases
    return CaseBundle(
        case=cases.get(case_id),
        chronology=tuple(cases.chronology(case_id)),
        people=tuple(cases.people(case_id)),
        accounts=tuple(cases.accounts(case_id)),
        decisions=tuple(cases.decisions(case_id)),
        actions=tuple(cases.actions(case_id)),
        evidence=tuple(casebook.evidence.items(case_id)),
        reports=tuple(casebook.tracker.for_case(case_id)),
        today=casebook.store.now().date(),
        corrections=tuple(cases.corrections(case_id)),
    )


def bundle_job(casebook: Casebook, case_id: int) -> Callable[[], CaseBundle]:
    return lambda: load_bundle(casebook, case_id)
