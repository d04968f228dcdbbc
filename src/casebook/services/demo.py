"""A throwaway demo casebook: a made-up school with a dozen made-up cases.

Used by ``casebook --demo`` and by ``make screenshots``. Every school, person, account and
reference here is invented; account handles end in ``_demo`` so none can match a real one.
The cases are spread over the last few months by running the services with a moved clock, so
the list, the dates and the overdue actions look like a real term's work.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from casebook.domain import (
    AccountKind,
    AccountStatus,
    CaseStatus,
    CaseType,
    FamilyRelation,
    Jurisdiction,
    PersonKind,
    PersonRole,
    RiskLevel,
    StepKey,
    StepStatus,
    UserRole,
    upn_check_letter,
)
from casebook.services.casebook import Casebook

log = logging.getLogger(__name__)

DEMO_SCHOOL = "Oakfield Academy (DEMO)"
DEMO_USER = "Alex Demo"
DEMO_DEPUTY = "Sam Example"
DEMO_DEPUTY_PASSPHRASE = "deputy demo passphrase only"


@dataclass
class _Person:
    name: str
    kind: PersonKind
    role: PersonRole
    year_group: str | None = None


@dataclass
class _Account:
    platform: str
    handle: str
    kind: AccountKind
    followers: int | None = None
    status: AccountStatus = AccountStatus.ACTIVE


@dataclass
class _Report:
    body: str
    recipient: str
    day: int  # days after the case opened
    status: str
    reference: str = ""
    response: str = ""
    account: int | None = 0  # index into the case's accounts, or None


@dataclass
class _Case:
    days_ago: int
    case_type: CaseType
    risk: RiskLevel
    title: str
    summary: str
    entries: list[tuple[int, str]]  # (days after opening, text)
    people: list[_Person] = field(default_factory=list)
    accounts: list[_Account] = field(default_factory=list)
    decisions: list[tuple[int, str, str]] = field(default_factory=list)  # (day, what, why)
    actions: list[tuple[str, str, int, bool]] = field(default_factory=list)  # (what, who, due, done)
    notes: list[tuple[str, str | None]] = field(default_factory=list)  # evidence (text, url)
    screenshot: str | None = None
    reports: list[_Report] = field(default_factory=list)
    steps_done: int = 0
    step_in_progress: bool = True
    status: CaseStatus = CaseStatus.OPEN
    closed_reason: str = ""


def _cases() -> list[_Case]:
    y9, y10, y11 = "Year 9", "Year 10", "Year 11"
    harmed, creator, witness, reporter = (PersonRole.HARMED, PersonRole.SUSPECTED_CREATOR,
                                          PersonRole.WITNESS, PersonRole.REPORTER)
    learner, staff, parent = PersonKind.LEARNER, PersonKind.STAFF, PersonKind.PARENT
    return [
        _Case(
            6, CaseType.BAITING, RiskLevel.HIGH,
            "‘Muggies’ account posting photos of Year 9",
            "An Instagram account using the school name collects and posts unflattering "
            "photos of Year 9 learners and invites rumours in its comments.",
            [(0, "Form tutor reported that several Year 9 learners were upset about an "
                 "Instagram account called oakfield_muggies_demo."),
             (0, "Screenshots of the profile and six posts taken by the DSL on the school "
                 "laptop. No indecent content seen."),
             (1, "Two learners named in posts spoken to with their heads of year; both "
                 "offered support and a check-in on Friday."),
             (2, "Reported the account to Instagram as bullying and harassment using the "
                 "in-app form. Reference noted in the tracker.")],
            [_Person("Jamie Testwell", learner, harmed, y9),
             _Person("Riley Sampleton", learner, harmed, y9),
             _Person("Unknown Year 9 group", learner, creator, y9),
             _Person("Ms P. Formtutor", staff, reporter)],
            [_Account("Instagram", "@oakfield_muggies_demo", AccountKind.BAITING, 412,
                      AccountStatus.REPORTED)],
            [(1, "Not a police matter at this stage", "No threats, hate or indecent images "
                 "seen; content is unkind and harassing. Keep under review."),
             (2, "Report to the platform first, then to the helpline if no action in 48 hours",
              "This follows the helpline's advice for accounts that break platform rules.")],
            [("Check-in with Jamie and Riley", "Ms P. Formtutor", -1, False),
             ("Escalate to the helpline if the account is still up", "Alex Demo", -2, False),
             ("Send the letter to Year 9 parents about the account", "Alex Demo", 3, False)],
            [("Profile page of the account (bio uses the school name and crest)",
              "https://www.instagram.com/oakfield_muggies_demo")],
            "Screenshot of the account's profile (made-up demo image)",
            [_Report("platform", "Instagram", 2, "waiting", "IG-DEMO-58214")],
            steps_done=2,
        ),
        _Case(
            14, CaseType.IMPERSONATION, RiskLevel.MEDIUM,
            "Fake school account on TikTok",
            "A TikTok account copies the school's name and logo and posts videos filmed "
            "around the site, some mocking staff.",
            [(0, "Reception passed on a parent's email about a TikTok account that looks like "
                 "the school's own."),
             (1, "Account reported to TikTok as ‘pretending to be someone’."),
             (4, "TikTok replied that the account does not break its community guidelines."),
             (5, "Escalated to the professionals' helpline with the TikTok reference and reply.")],
            [_Person("Mrs K. Parentson", parent, reporter)],
            [_Account("TikTok", "@oakfield.academy.official_demo",
                      AccountKind.IMPERSONATING_SCHOOL, 1290, AccountStatus.REFUSED)],
            [(1, "Report as impersonation of the school", "It uses the school's name and logo "
                 "and could mislead parents.")],
            [("Ask the helpline for an update", "Alex Demo", 2, False),
             ("Post a notice on the real school account naming it as fake", "Office manager",
              -5, True)],
            [("Video showing the school gates with the crest overlaid",
              "https://www.tiktok.com/@oakfield.academy.official_demo")],
            None,
            [_Report("platform", "TikTok", 1, "refused", "TT-DEMO-99310",
                     "Does not violate our community guidelines."),
             _Report("helpline", "POSH", 5, "escalated", "POSH-DEMO-1147")],
            steps_done=3,
        ),
        _Case(
            3, CaseType.STAFF_ALLEGATION, RiskLevel.CRITICAL,
            "Account making allegations about a teacher",
            "An anonymous X account names a member of staff and makes an allegation about "
            "their conduct with learners.",
            [(0, "Deputy head showed the DSL posts naming Mr D. Example and making an "
                 "allegation about his conduct."),
             (0, "Headteacher informed the same afternoon."),
             (1, "Referral made to the local authority designated officer (LADO) by phone, "
                 "followed up in writing.")],
            [_Person("Mr D. Example", staff, harmed),
             _Person("Mrs R. Deputyhead", staff, reporter)],
            [_Account("X", "@oakfield_truth_demo", AccountKind.HARASSING, 88)],
            [(0, "Refer to the LADO", "The posts allege behaviour that could mean the member "
                 "of staff poses a risk to children; the threshold is met."),
             (1, "Do not investigate internally until the LADO advises", "Keeps any later "
                 "enquiry clean.")],
            [("Send the written referral to the LADO", "Alex Demo", -2, True),
             ("Arrange wellbeing support for Mr Example", "Headteacher", 1, False)],
            [("Three posts naming the member of staff", "https://x.com/oakfield_truth_demo")],
            None,
            [_Report("lado", "LADO", 1, "waiting", "LADO-DEMO-2231", account=None)],
            steps_done=1,
        ),
        _Case(
            20, CaseType.VIDEO, RiskLevel.HIGH,
            "Fight video shared on Snapchat",
            "A video of a fight near the bus stops after school was shared in Snapchat "
            "stories and group chats.",
            [(0, "Several learners told their tutors about a fight video going round."),
             (0, "Learners involved identified from the video with the head of year."),
             (2, "Sanctions applied in line with the behaviour policy; parents of all four "
                 "learners phoned."),
             (6, "Restorative meeting held between the two learners in the fight.")],
            [_Person("Casey Exampleton", learner, harmed, y10),
             _Person("Morgan Demoson", learner, creator, y10),
             _Person("Taylor Samplewood", learner, witness, y10)],
            [],
            [(0, "Inform the police safer schools officer", "An assault on the public road; "
                 "the officer asked to be told about fights off site.")],
            [("Follow-up check-in with Casey", "Head of Year 10", 14, True)],
            [("Description of the video (not stored): two learners fighting at the bus stop, "
              "filmed by a third", None)],
            None, [], steps_done=4, step_in_progress=False, status=CaseStatus.MONITORING,
        ),
        _Case(
            35, CaseType.HARASSMENT, RiskLevel.MEDIUM,
            "Group chat harassment of a Year 8 learner",
            "A learner was removed from and then mocked in a class group chat.",
            [(0, "Parent phoned about messages sent in a group chat."),
             (1, "Messages viewed with the learner and their parent; screenshots kept."),
             (3, "Learners who sent the messages spoken to; apologies made."),
             (20, "Learner reports things are much better. Case closed after review.")],
            [_Person("Avery Placeholder", learner, harmed, "Year 8"),
             _Person("Mr T. Parentley", parent, reporter)],
            [], [], [("Review with the learner after two weeks", "Head of Year 8", 17, True)],
            [], None, [], steps_done=5, step_in_progress=False, status=CaseStatus.CLOSED,
            closed_reason="Behaviour stopped and the learner feels safe; no further action.",
        ),
        _Case(
            9, CaseType.BAITING, RiskLevel.HIGH,
            "Year 11 ‘rate’ page on Instagram",
            "An Instagram page invites people to rate photos of Year 11 learners taken from "
            "their own profiles.",
            [(0, "Learner council raised the page at their meeting."),
             (1, "Page reported to Instagram; helpline advice sought by phone.")],
            [_Person("Several Year 11 learners", learner, harmed, y11)],
            [_Account("Instagram", "@oakfield_rates_demo", AccountKind.BAITING, 233,
                      AccountStatus.REPORTED)],
            [],
            [("Assembly for Year 11 on consent and sharing photos", "Head of Year 11", -3,
              False)],
            [], None,
            [_Report("platform", "Instagram", 1, "waiting", "IG-DEMO-60021")],
            steps_done=1,
        ),
        _Case(
            60, CaseType.IMPERSONATION, RiskLevel.LOW,
            "YouTube channel using the school logo",
            "A YouTube channel used the school logo as its picture and posted gaming videos.",
            [(0, "Spotted by the IT technician."),
             (1, "Reported to YouTube as impersonation of an organisation."),
             (9, "YouTube removed the channel.")],
            [], [_Account("YouTube", "@OakfieldAcademyGaming_demo",
                          AccountKind.IMPERSONATING_SCHOOL, 31, AccountStatus.REMOVED)],
            [], [], [], None,
            [_Report("platform", "YouTube", 1, "removed", "YT-DEMO-7781",
                     "The channel has been removed.")],
            steps_done=5, step_in_progress=False, status=CaseStatus.CLOSED,
            closed_reason="Channel removed by YouTube.",
        ),
        _Case(
            45, CaseType.STAFF_ALLEGATION, RiskLevel.MEDIUM,
            "Anonymous Q&A account targeting staff",
            "An anonymous question-and-answer account posts rude comments about several "
            "teachers.",
            [(0, "Two teachers reported comments about them."),
             (2, "Comments reviewed: rude but no allegation of harm to children."),
             (10, "Account has gone quiet; monitoring.")],
            [_Person("Ms J. Teacherly", staff, harmed)],
            [_Account("Instagram", "@oakfield_confessions_demo", AccountKind.HARASSING, 140,
                      AccountStatus.REPORTED)],
            [(2, "Treat as harassment, not an allegation", "No suggestion that anyone harmed or "
                 "may harm a child; the threshold for the LADO is not met.")],
            [], [], None, [], steps_done=4, step_in_progress=False,
            status=CaseStatus.MONITORING,
        ),
        _Case(
            2, CaseType.HARASSMENT, RiskLevel.HIGH,
            "Edited photo of a learner shared in a group chat",
            "A parent reports that an edited photo of their child is being shared to mock them.",
            [(0, "Parent came in to report an edited photo of their child."),
             (0, "Description recorded; the image was not copied. It is not sexual.")],
            [_Person("Jordan Fictional", learner, harmed, y9),
             _Person("Mrs L. Fictional", parent, reporter)],
            [], [], [("Meet Jordan with their tutor", "Alex Demo", 1, False)],
            [("Edited photo of the learner with a cartoon face, shared in a class chat", None)],
            None, [], steps_done=0,
        ),
        _Case(
            75, CaseType.OTHER, RiskLevel.LOW,
            "Roblox group using the school name",
            "A Roblox group named after the school with a few hundred members.",
            [(0, "Reported by a Year 7 learner."), (2, "Group checked: harmless, no content "
                                                       "about real people. No action needed.")],
            [], [], [], [], [], None, [], steps_done=5, step_in_progress=False,
            status=CaseStatus.CLOSED, closed_reason="No harm found; no action needed.",
        ),
        _Case(
            25, CaseType.IMPERSONATION, RiskLevel.MEDIUM,
            "Fake parents' association page asking for money",
            "A Facebook page pretending to be the parents' association asks for donations.",
            [(0, "Chair of the parents' association alerted the school office."),
             (0, "Warning sent to parents through the school app."),
             (3, "Reported to Facebook and to the police as possible fraud.")],
            [_Person("Parents' association chair", parent, reporter)],
            [_Account("Facebook", "Oakfield Parents Fund (demo)",
                      AccountKind.IMPERSONATING_SCHOOL, 57, AccountStatus.REPORTED)],
            [(3, "Report to the police as well as the platform", "Asking for money while "
                 "pretending to be the association may be fraud.")],
            [("Check the page weekly until it is removed", "Office manager", 30, False)],
            [], None,
            [_Report("platform", "Facebook", 3, "waiting", "FB-DEMO-4410"),
             _Report("police", "Police (101)", 3, "waiting", "DEMO-CRIME-0192", account=None)],
            steps_done=4, step_in_progress=False, status=CaseStatus.MONITORING,
        ),
        _Case(
            11, CaseType.VIDEO, RiskLevel.MEDIUM,
            "Lesson filmed and posted on TikTok",
            "A clip of a teacher filmed during a lesson was posted with mocking captions.",
            [(0, "Teacher told the DSL after a learner mentioned the video."),
             (1, "Learner who filmed it identified from the account name.")],
            [_Person("Mr B. Sampleford", staff, harmed),
             _Person("Quinn Testcase", learner, creator, y10)],
            [_Account("TikTok", "@quinn_clips_demo", AccountKind.HARASSING, 604)],
            [(1, "Ask the learner and parents to delete the video", "Quickest route; the "
                 "learner has been identified.")],
            [("Meeting with Quinn and parents", "Head of Year 10", -4, False),
             ("Staff wellbeing check-in with Mr Sampleford", "Alex Demo", 5, False)],
            [], None, [], steps_done=2,
        ),
    ]


@contextmanager
def _clock_at(casebook: Casebook, when: datetime) -> Iterator[None]:
    original: Callable[[], datetime] = casebook.store.clock
    casebook.store.clock = lambda: when
    try:
        yield
    finally:
        casebook.store.clock = original


def _screenshot_png(text: str) -> bytes:
    """A small made-up "screenshot" so the evidence list has a real image in it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 300), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 480, 48), fill=(60, 64, 72))
    draw.text((16, 16), "oakfield_muggies_demo", fill=(255, 255, 255))
    draw.ellipse((24, 70, 104, 150), fill=(200, 200, 210))
    draw.text((124, 84), "412 followers   37 posts", fill=(30, 30, 30))
    draw.text((124, 110), "DEMO - a made-up screenshot", fill=(150, 30, 30))
    for row in range(2):
        for col in range(4):
            x, y = 24 + col * 112, 170 + row * 60
            draw.rectangle((x, y, x + 100, y + 50), fill=(210, 214, 220))
    draw.text((16, 280), text[:70], fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


_GROUP_WORDS = ("group", "several", "association", "unknown")


def demo_upn(serial: int) -> str:
    """A well-formed UPN for local authority "999", which does not exist: never a real one."""
    body = f"999{4321:04d}26{serial:03d}"
    return upn_check_letter("?" + body) + body


def _register(casebook: Casebook, person: _Person, now: datetime,
              register: dict[str, int]) -> int | None:
    """Put one named demo person in the register (learners with a made-up UPN and a date of
    birth that fits their year group); None for groups."""
    if any(word in person.name.lower() for word in _GROUP_WORDS):
        return None
    parts = person.name.split()
    forename, surname = " ".join(parts[:-1]), parts[-1]
    if person.kind == PersonKind.LEARNER:
        year = int((person.year_group or "Year 9").split()[-1])
        serial = len(register) + 1
        entry = casebook.people.add(
            person.kind, forename, surname, upn=demo_upn(serial),
            date_of_birth=date(now.year - year - 5, 1 + serial % 12, 1 + serial % 27),
            year_group=person.year_group or "", registration_group=f"{year}{'ABC'[serial % 3]}")
    else:
        entry = casebook.people.add(person.kind, forename, surname,
                                    job_title="Form tutor" if person.kind == PersonKind.STAFF
                                    else "")
    register[person.name] = entry.id
    return entry.id


def _demo_register_extras(casebook: Casebook, register: dict[str, int], now: datetime) -> None:
    """Family links (a parent and a younger sibling), a closed allegation about a member of
    staff with its outcome, a learner who left long ago (due for retention review), the
    school's term dates and a file sent to another school (with its evidence) awaiting its
    receipt code."""
    if "Jordan Fictional" in register and "Mrs L. Fictional" in register:
        casebook.people.link_family(register["Mrs L. Fictional"], register["Jordan Fictional"],
                                    FamilyRelation.PARENT_OR_CARER)
        sibling = casebook.people.add(PersonKind.LEARNER, "Riley", "Fictional",
                                      upn=demo_upn(91), date_of_birth=date(now.year - 12, 6, 14),
                                      year_group="Year 7", registration_group="7A")
        casebook.people.link_family(sibling.id, register["Jordan Fictional"],
                                    FamilyRelation.SIBLING)
        casebook.people.link_family(register["Mrs L. Fictional"], sibling.id,
                                    FamilyRelation.PARENT_OR_CARER)
    with _clock_at(casebook, now.replace(year=now.year - 2)):
        assistant = casebook.people.add(PersonKind.STAFF, "Mr T.", "Demoworth",
                                        date_of_birth=date(1980, 4, 2),
                                        job_title="Teaching assistant")
        case = casebook.cases.create(
            "Allegation about a teaching assistant (closed)", CaseType.STAFF_ALLEGATION,
            "A parent alleged that a teaching assistant grabbed a learner's arm on the "
            "playground.", RiskLevel.MEDIUM)
        link = casebook.people.link_to_case(case.id, assistant.id,
                                            PersonRole.ALLEGATION_SUBJECT)
        casebook.cases.add_entry(case.id, "Referred to the LADO the same day; the teaching "
                                 "assistant worked away from that class meanwhile.")
        casebook.cases.add_entry(case.id, "LADO outcome: unfounded. The playground camera "
                                 "and two staff witnesses showed no contact.")
        casebook.people.set_outcome(link.id, "unfounded")
        casebook.cases.set_status(case.id, CaseStatus.CLOSED, "LADO outcome: unfounded")
    old_opened = now.replace(year=now.year - 11)
    with _clock_at(casebook, old_opened):
        leaver = casebook.people.add(PersonKind.LEARNER, "Drew", "Oldexample",
                                     upn=demo_upn(90), date_of_birth=date(now.year - 27, 3, 4),
                                     year_group="Year 11")
        case = casebook.cases.create("Unkind group chat (old record)", CaseType.HARASSMENT,
                                     "Messages in a class group chat.", RiskLevel.LOW)
        casebook.people.link_to_case(case.id, leaver.id, PersonRole.HARMED)
        casebook.cases.add_entry(case.id, "Drew's parent showed the messages to the DSL.")
        casebook.cases.set_status(case.id, CaseStatus.CLOSED, "Resolved with restorative work")
        casebook.people.mark_left(leaver.id, date(now.year - 10, 7, 20))
    # Term dates (made up, around today) so the transfer deadline skips the holiday.
    today = now.date()
    casebook.transfers.configure(terms="\n".join(
        f"{today + timedelta(days=a)}..{today + timedelta(days=b)}"
        for a, b in ((-40, 30), (45, 120))))
    mover = register.get("Avery Placeholder")
    if mover is not None:
        with _clock_at(casebook, now - timedelta(days=1)):
            casebook.transfers.export(mover, "Elmbridge High School (DEMO)",
                                      casebook.paths.root / "demo-transfer.cbx",
                                      password="demo transfer password only")


def populate_demo(casebook: Casebook, *, today: date | None = None,
                  add_deputy: bool = True) -> list[int]:
    """Fill an empty casebook with the demo cases. Returns the new case ids."""
    now = datetime.combine(today or date.today(), datetime.min.time()).replace(hour=16)
    step_keys = list(StepKey)
    ids: list[int] = []
    register: dict[str, int] = {}
    for spec in sorted(_cases(), key=lambda c: -c.days_ago):
        opened = now - timedelta(days=spec.days_ago, hours=6)
        with _clock_at(casebook, opened):
            case = casebook.cases.create(spec.title, spec.case_type, spec.summary, spec.risk)
            for person in spec.people:
                register_id = register.get(person.name) or _register(casebook, person, now,
                                                                     register)
                if register_id is None:  # a group, not one person: free text on the case
                    casebook.cases.add_person(case.id, person.name, person.kind, person.role,
                                              year_group=person.year_group)
                else:
                    casebook.people.link_to_case(case.id, register_id, person.role)
            accounts = []
            for account in spec.accounts:
                added = casebook.cases.add_account(
                    case.id, account.platform, account.handle, account.kind,
                    url=(f"https://www.{account.platform.lower()}.com/"
                         f"{account.handle.lstrip('@')}" if account.handle.startswith("@")
                         else None),
                    first_seen=opened.date() - timedelta(days=1),
                    follower_count=account.followers)
                accounts.append(added)
            for text, url in spec.notes:
                casebook.evidence.add_note(case.id, text, url, source="DSL")
            if spec.screenshot:
                casebook.evidence.add_bytes(case.id, _screenshot_png(spec.screenshot),
                                            filename="profile-screenshot.png", source="DSL",
                                            description=spec.screenshot, safety_confirmed=True)
        for day, text in spec.entries:
            when = min(opened + timedelta(days=day, hours=1), now)
            with _clock_at(casebook, when):
                casebook.cases.add_entry(case.id, text, occurred_at=when - timedelta(minutes=20))
        for day, what, why in spec.decisions:
            when = min(opened + timedelta(days=day, hours=2), now)
            with _clock_at(casebook, when):
                casebook.cases.add_decision(case.id, what, why, DEMO_USER, made_at=when)
        for what, who, due, done in spec.actions:
            with _clock_at(casebook, opened + timedelta(hours=3)):
                action = casebook.cases.add_action(case.id, what, who,
                                                   now.date() + timedelta(days=due))
            if done:
                with _clock_at(casebook, min(now, opened + timedelta(days=max(1, due)))):
                    casebook.cases.set_action_done(action.id)
        for report in spec.reports:
            when = min(opened + timedelta(days=report.day, hours=2), now)
            account_id = (accounts[report.account].id
                          if report.account is not None and report.account < len(accounts)
                          else None)
            with _clock_at(casebook, when):
                casebook.tracker.add(case.id, body=report.body, recipient=report.recipient,
                                     made_at=when, account_id=account_id,
                                     reference=report.reference,
                                     request="removal" if report.body == "platform" else "advice",
                                     status="waiting")
                if report.status != "waiting":
                    reports = casebook.tracker.for_case(case.id)
                    casebook.tracker.update(reports[-1].id, status=report.status,
                                            response=report.response)
        for account, spec_account in zip(accounts, spec.accounts, strict=True):
            if spec_account.status != AccountStatus.ACTIVE:
                casebook.cases.set_account_status(account.id, spec_account.status)
        for index in range(min(spec.steps_done, len(step_keys))):
            when = min(opened + timedelta(days=index + 1), now)
            with _clock_at(casebook, when):
                casebook.cases.save_step(case.id, step_keys[index], status=StepStatus.DONE)
        if spec.step_in_progress and spec.steps_done < len(step_keys):
            with _clock_at(casebook, min(opened + timedelta(days=spec.steps_done + 1), now)):
                casebook.cases.save_step(case.id, step_keys[spec.steps_done],
                                         status=StepStatus.IN_PROGRESS)
        if spec.status != CaseStatus.OPEN:
            when = min(opened + timedelta(days=max(d for d, _ in spec.entries)), now)
            with _clock_at(casebook, when):
                casebook.cases.set_status(case.id, spec.status, spec.closed_reason)
        ids.append(case.id)
    _demo_register_extras(casebook, register, now)
    if add_deputy:
        casebook.users.add(DEMO_DEPUTY, UserRole.DEPUTY, DEMO_DEPUTY_PASSPHRASE)
    log.info("demo casebook filled with %d cases", len(ids))
    return ids


def create_demo_casebook(root: Path | str, passphrase: str, *,
                         jurisdiction: Jurisdiction = Jurisdiction.ENGLAND) -> Casebook:
    """Create, fill and return an unlocked demo casebook in ``root`` (a throwaway folder)."""
    casebook, _recovery = Casebook.create(root, school=DEMO_SCHOOL, jurisdiction=jurisdiction,
                                          user_name=DEMO_USER, passphrase=passphrase)
    populate_demo(casebook)
    casebook.settings.set("last_backup_at", (datetime.now() - timedelta(days=2)).isoformat(
        timespec="seconds"))
    return casebook
