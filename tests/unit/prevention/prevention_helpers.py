"""Shared set-up for the prevention tests: a checklist file and a casebook with a movable clock."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from casebook.domain import Jurisdiction
from casebook.profiles import ChecklistTemplate, load_checklist
from casebook.services import Casebook
from casebook.services.checklist import ChecklistService

PASSPHRASE = "violet kettle harbour 42"
SCHOOL = "Oakfield Primary School"

LEVELS = """
[sections.items.levels]
1 = "Nothing in place yet."
2 = "Some work has started."
3 = "In place and known to staff."
4 = "In place, checked and known to everyone it affects."
5 = "Embedded, reviewed and improved every year."
"""

#: (section id, section title, [(item id, title, target)])
SECTIONS_V1 = [
    ("policy", "Policy and procedures", [
        ("online-behaviour", "Online behaviour in school policies", 4),
        ("incident-procedure", "Procedure for online incidents", 4),
    ]),
    ("education", "Education", [
        ("rshe", "Online safety in the RSHE curriculum", 3),
        ("parents", "Expectations shared with parents", 3),
    ]),
    ("staff", "Staff", [
        ("training", "Staff training", 4),
        ("privacy", "Staff privacy settings", 3),
    ]),
]


def checklist_toml(version: int = 1, sections=SECTIONS_V1, jurisdictions=("england",)) -> str:
    parts = [
        'id = "test-checklist"',
        f"version = {version}",
        'title = "Test preventative checklist"',
        'publisher = "Casebook tests"',
        "jurisdictions = [" + ", ".join(f'"{j}"' for j in jurisdictions) + "]",
        "default_target_level = 3",
    ]
    for sid, stitle, items in sections:
        parts += ["", "[[sections]]", f'id = "{sid}"', f'title = "{stitle}"',
                  'description = "A part of the checklist."']
        for iid, ititle, target in items:
            parts += ["", "[[sections.items]]", f'id = "{iid}"', f'title = "{ititle}"',
                      f'description = "What {ititle.lower()} looks like."',
                      f"target_level = {target}", LEVELS]
    return "\n".join(parts) + "\n"


class TemplateFile:
    """A checklist file on disk whose content a test can change (a new version)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.write()

    def write(self, version: int = 1, sections=SECTIONS_V1) -> None:
        self.path.write_text(checklist_toml(version, sections), encoding="utf-8")

    def load(self, jurisdiction: Jurisdiction) -> ChecklistTemplate:
        return load_checklist(jurisdiction, self.path)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


@dataclass
class World:
    book: Casebook
    clock: Clock
    template: TemplateFile | None  # None: the jurisdiction's shipped checklist
    data_dir: Path

    def checklist(self) -> ChecklistService:
        if self.template is None:
            return ChecklistService(self.book.store)
        return ChecklistService(self.book.store, loader=self.template.load)


def make_world(tmp_path: Path, start: datetime = datetime(2026, 10, 5, 9, 0),
               jurisdiction: str = "england", shipped_checklist: bool = False) -> World:
    """A new encrypted casebook with a movable clock. The checklist is the small test file
    unless ``shipped_checklist`` (then the jurisdiction's own checklist from resources/)."""
    clock = Clock(start)
    data_dir = tmp_path / "casebook"
    book, _recovery = Casebook.create(data_dir, school=SCHOOL, jurisdiction=jurisdiction,
                                      user_name="Alex Morgan", passphrase=PASSPHRASE, clock=clock)
    template = None if shipped_checklist else TemplateFile(tmp_path / "checklist.toml")
    return World(book, clock, template, data_dir)


# --------------------------------------------------------------------------- demo dataset

DEMO_TODAY = datetime(2026, 10, 5, 9, 0)


def seed_demo(world: World) -> dict[str, object]:
    """A believable year of data for the screens and their screenshots (no real people).

    Starts the clock in November 2025 and ends at ``DEMO_TODAY``. Returns ids a test may need.
    """
    from datetime import date

    from casebook.domain import StepKey, StepStatus
    from casebook.services.official_accounts import (
        NOT_OFFERED,
        REFUSED,
        REQUESTED,
        VERIFIED,
        OfficialAccountsService,
    )
    from casebook.services.tracker import TrackerService

    book, clock = world.book, world.clock
    cases, tracker = book.cases, TrackerService(book.store)
    plan = [  # (when, title, type, risk)
        (datetime(2025, 11, 12, 10), "Muggies-style account using the school name", "baiting", "high"),
        (datetime(2025, 11, 20, 14), "Fake account copying the school logo", "impersonation", "medium"),
        (datetime(2026, 1, 14, 9), "Group chat harassment in Year 9", "harassment", "medium"),
        (datetime(2026, 2, 3, 11), "Fight video filmed at the bus stop", "video", "high"),
        (datetime(2026, 3, 9, 13), "Account impersonating a teacher", "staff-allegation", "critical"),
        (datetime(2026, 3, 18, 15), "Second baiting account", "baiting", "medium"),
        (datetime(2026, 5, 6, 10), "Rumours page about Year 11", "harassment", "low"),
        (datetime(2026, 6, 22, 12), "Fake sports-team account", "impersonation", "low"),
        (datetime(2026, 9, 10, 9), "New baiting account after the holidays", "baiting", "high"),
        (datetime(2026, 9, 24, 16), "Video of a lunchtime fight", "video", "medium"),
        (datetime(2026, 10, 2, 8), "Account posting photos of staff", "staff-allegation", "critical"),
    ]
    made: list[int] = []
    for when, title, case_type, risk in plan:
        clock.now = when
        made.append(cases.create(title, case_type, risk=risk).id)
    clock.now = datetime(2026, 4, 1, 9)
    for case_id in made[:4]:
        for key in StepKey:
            cases.save_step(case_id, key, status=StepStatus.DONE)
        cases.set_status(case_id, "closed", "Account removed and support in place")
    clock.now = datetime(2026, 9, 12, 9)
    cases.add_action(made[8], "Meet parents of the learners involved", "DSL", date(2026, 9, 30))
    cases.add_action(made[9], "Check in with the learner who was filmed", "Head of Year 8",
                     date(2026, 10, 2))
    cases.add_action(made[10], "Contact the LADO", "DSL", date(2026, 10, 9))

    reports = [  # (case index, recipient, body, made, status, outcome after days)
        (0, "Instagram", "platform", datetime(2025, 11, 12, 12), "removed", 3),
        (1, "Instagram", "platform", datetime(2025, 11, 20, 16), "refused", 2),
        (1, "POSH", "helpline", datetime(2025, 11, 23, 9), "escalated", 1),
        (3, "TikTok", "platform", datetime(2026, 2, 3, 13), "removed", 1),
        (4, "X", "platform", datetime(2026, 3, 9, 15), "no-response", None),
        (5, "Instagram", "platform", datetime(2026, 3, 18, 17), "removed", 6),
        (6, "Snapchat", "platform", datetime(2026, 5, 6, 12), "refused", 4),
        (7, "Facebook", "platform", datetime(2026, 6, 22, 14), "removed", 2),
        (8, "Instagram", "platform", datetime(2026, 9, 10, 11), "refused", 2),
        (9, "TikTok", "platform", datetime(2026, 9, 24, 17), "removed", 1),
        (10, "Instagram", "platform", datetime(2026, 10, 2, 10), "waiting", None),
        (10, "Report Harmful Content", "report-harmful-content", datetime(2026, 10, 4, 9),
         "waiting", None),
    ]
    clock.now = DEMO_TODAY
    report_ids = []
    for index, recipient, body, when, status, days in reports:
        report = tracker.add(made[index], body=body, recipient=recipient, made_at=when,
                             channel="In-app report" if body == "platform" else "Web form",
                             reference=f"{recipient[:2].upper()}-{when:%m%d}{index}",
                             request="removal" if body == "platform" else "advice")
        if status != "waiting":
            outcome = when + timedelta(days=days) if days else None
            tracker.update(report.id, status=status, outcome_at=outcome,
                           response="We reviewed the account and found it does not go against "
                                    "our Community Guidelines." if status == "refused" else None)
        report_ids.append(report.id)

    accounts = OfficialAccountsService(book.store)
    accounts.add("Instagram", "@oakfieldprimary", url="instagram.com/oakfieldprimary",
                 purpose="News and photos for families", verification=VERIFIED,
                 login_holder="School business manager", two_factor=True,
                 last_checked=date(2026, 9, 15))
    accounts.add("Facebook", "Oakfield Primary School", url="facebook.com/oakfieldprimary",
                 purpose="Announcements and closures", verification=REQUESTED,
                 verification_requested_on=date(2026, 6, 1), login_holder="Office manager",
                 two_factor=True, last_checked=date(2026, 4, 2))
    accounts.add("X", "@OakfieldPS", url="x.com/OakfieldPS", purpose="Sports results",
                 verification=REFUSED, login_holder="PE lead", two_factor=False,
                 last_checked=date(2026, 8, 30))
    accounts.add("YouTube", "Oakfield Primary", purpose="Performances (unlisted)",
                 verification=NOT_OFFERED, login_holder="Computing lead", two_factor=True)

    checklist = world.checklist()
    clock.now = datetime(2025, 11, 3, 9)
    last_year = checklist.current_review()
    owners = ("Headteacher", "DSL", "PSHE lead", "Deputy head", "Computing lead",
              "School business manager")
    statuses = ("in-progress", "in-place", "not-started", "in-progress", "in-place")
    items = checklist.items(last_year.id)
    for n, item in enumerate(items):  # a school part of the way there, a year ago
        checklist.update_item(last_year.id, item.item_id, status=statuses[n % 5],
                              level=1 + (n * 7) % 3, owner=owners[item.section_position % 6],
                              next_review=date(2026, 9, 1))
    clock.now = datetime(2026, 9, 7, 9)
    this_year = checklist.start_new_review("2026–27")
    for n, item in enumerate(items):  # a year on: most things moved up
        level = min(5, 1 + (n * 7) % 3 + (n % 3 != 2) + (n % 4 == 0))
        status = "in-place" if level >= item.target_level else (
            "not-started" if level == 1 else "in-progress")
        due = date(2027, 1 + n % 9, 1) if n % 6 else date(2026, 9, 15 + n % 10)
        evidence = "Policy folder, section " + str(1 + n % 7) if status == "in-place" else ""
        checklist.update_item(this_year.id, item.item_id, status=status, level=level,
                              next_review=due, evidence=evidence)
    if len(items) > 6:
        checklist.update_item(this_year.id, items[6].item_id, status="not-applicable",
                              na_reason="Mobile phones are not allowed on site at all")
    clock.now = DEMO_TODAY
    book.settings.set("last_backup_at", "2026-09-30T16:45:00")
    return {"cases": made, "reports": report_ids, "last_review": last_year.id,
            "this_review": this_year.id}


# --------------------------------------------------------------------------- GUI helpers

#: Where the tests' screenshots of the prevention screens go: a temporary folder, so running
#: the suite never changes the repository, unless CASEBOOK_TEST_SCREENSHOTS names a folder to
#: keep them in (`make screenshots` sets it to docs/screenshots).
SCREENSHOTS = Path(os.environ.get("CASEBOOK_TEST_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "casebook-test-screenshots")
#: What a school-wide screen gets inside the main window on a 1366×768 laptop (issue 11).
SCREEN_AREA = (1366, 662)


def save_screenshot(widget, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Grab ``widget``, at the size it has in the main window on a 1366×768 screen, into
    ``SCREENSHOTS/name``; returns the path."""
    from PySide6.QtCore import QCoreApplication

    widget.resize(*SCREEN_AREA)
    for _ in range(5):  # let pending layout and paint requests settle first
        QCoreApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    pixmap = widget.grab()
    assert not pixmap.isNull() and pixmap.width() > 400
    assert pixmap.save(str(path), "PNG")
    return path
