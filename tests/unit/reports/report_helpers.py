"""Realistic report data built from domain dataclasses (no database needed), and PDF readers."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw

from casebook.domain import (
    AccountKind,
    AccountStatus,
    Action,
    Case,
    CaseStatus,
    CaseType,
    ChronologyEntry,
    Decision,
    EvidenceItem,
    EvidenceKind,
    Jurisdiction,
    Person,
    PersonKind,
    PersonRole,
    PlatformReport,
    RiskLevel,
    School,
    SocialAccount,
    Step,
    StepKey,
    StepStatus,
)
from casebook.reports import (
    CaseReportData,
    ExportOptions,
    GovernorsSummaryData,
    OfficialAccountRef,
    render_case_report,
    render_governors_summary,
    write_pdf_atomically,
)

CASE_ID = 7
REFERENCE = "CB-2026-0007"
DSL = "Alex Morgan"
NOW = datetime(2026, 3, 12, 16, 45)

# People: id -> (name, kind, role). Names with accents and non-Latin scripts on purpose.
ZOE, SERGEY, ANAIS, GIORGOS, PRIYA, MARCUS = 11, 12, 13, 14, 15, 16
PEOPLE = (
    Person(ZOE, CASE_ID, "Zoë Ødegård", PersonKind.LEARNER, PersonRole.HARMED,
           date_of_birth=date(2011, 3, 4), year_group="Year 9",
           notes="Zoë was upset in form time; her tutor sat with her."),
    Person(SERGEY, CASE_ID, "Сергей Иванов", PersonKind.LEARNER, PersonRole.SUSPECTED_CREATOR,
           date_of_birth=date(2010, 11, 23), year_group="Year 10",
           notes="Admitted setting up the account with a friend."),
    Person(ANAIS, CASE_ID, "Anaïs Dubois-Martin", PersonKind.STAFF, PersonRole.HARMED,
           notes="Teacher of French. The account posts made-up claims about her."),
    Person(GIORGOS, CASE_ID, "Γιώργος Παπαδόπουλος", PersonKind.PARENT, PersonRole.REPORTER,
           notes="Father of a Year 8 pupil; emailed the screenshots."),
    Person(PRIYA, CASE_ID, "Priya Raghunathan", PersonKind.LEARNER, PersonRole.WITNESS,
           date_of_birth=date(2011, 7, 30), year_group="Year 9"),
    Person(MARCUS, CASE_ID, "Marcus Whitfield", PersonKind.OTHER, PersonRole.WITNESS,
           notes="Youth worker at the community centre."),
)
ALL_NAMES = tuple(p.name for p in PEOPLE)
LEARNER_NAMES = tuple(p.name for p in PEOPLE if p.kind == PersonKind.LEARNER)


def name_parts(name: str) -> list[str]:
    """Full name and parts of 3+ letters, as the redaction rule defines them."""
    parts = [name]
    for token in name.replace("-", " ").split():
        if sum(c.isalpha() for c in token) >= 3:
            parts.append(token)
    return parts


def screenshot_png(label: str, size: tuple[int, int] = (1280, 720), seed: int = 0) -> bytes:
    """A plausible phone/desktop screenshot: header bar, a few 'posts', some noise."""
    image = Image.new("RGB", size, (245, 246, 248))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, 0, w, 70), fill=(40, 60, 110))
    draw.text((20, 25), label, fill=(255, 255, 255))
    for i in range(4):
        top = 100 + i * (h - 120) // 4
        draw.rectangle((40, top, w - 40, top + (h - 160) // 4), fill=(255, 255, 255),
                       outline=(200, 200, 210))
        draw.ellipse((55, top + 12, 105, top + 62), fill=((seed * 50 + i * 70) % 255, 120, 160))
        draw.text((120, top + 20), f"post {i + 1} by {label}", fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo_jpeg(size: tuple[int, int] = (1280, 720), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 40):
        draw.rectangle((x, 0, x + 40, size[1]), fill=(x % 255, (x * 3) % 255, 150))
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
    image.save(out, "JPEG", quality=85, exif=exif.tobytes() if exif_gps else b"")
    return out.getvalue()


def _steps() -> tuple[Step, ...]:
    """Step answers as the wizard stores them (field ids from resources/guidance/steps.toml;
    per-person and per-account fields keyed by the person's or account's id as text)."""
    return (
        Step(StepKey.GATHER_EVIDENCE, StepStatus.DONE, datetime(2026, 3, 2, 15, 10), DSL,
             {"reported_by": "Γιώργος Παπαδόπουλος by email; Priya Raghunathan told her tutor",
              "reported_on": "2026-03-02", "reported_how": "parent",
              "first_seen": "2026-02-27", "captures_dated": True,
              "all_accounts_listed": True}),
        Step(StepKey.INVESTIGATION, StepStatus.DONE, datetime(2026, 3, 4, 12, 0), DSL,
             {"creators": "Сергей Иванов and one other learner, by their own account",
              "creators_certainty": "known", "spread": "school",
              "spread_notes": "About 300 followers, mostly current learners",
              "possibly_criminal": False, "staff_allegation": True,
              "allegations_decision": "Consult the LADO about the post naming Ms Dubois-Martin."}),
        Step(StepKey.SANCTIONS, StepStatus.IN_PROGRESS, None, None,
             {"sanctions": "Two days' internal exclusion for Сергей; restorative meeting planned",
              "parents_informed": True, "parents_informed_on": "2026-03-05",
              "parents_informed_how": "meeting"}),
        Step(StepKey.SUPPORT, StepStatus.IN_PROGRESS, None, None,
             {"support_offered": {str(ZOE): "Daily check-in with her tutor",
                                  str(ANAIS): "Occupational health referral"},
              "support_by": {str(ZOE): "Tutor 9R", str(ANAIS): "Headteacher"},
              "follow_up_on": {str(ZOE): "2026-03-20"}}),
        Step(StepKey.REPORT, StepStatus.IN_PROGRESS, None, None,
             {"report_type": {"31": "bullying", "32": "impersonation"},
              "reference": {"31": "1029384756", "32": "TT-88412"},
              "outcome": {"31": "refused", "32": "waiting"},
              "helpline_contacted": True, "helpline_reference": "POSH-5521"}),
    )


def _chronology() -> tuple[ChronologyEntry, ...]:
    base = datetime(2026, 3, 2, 8, 30)
    texts = [
        "Γιώργος Παπαδόπουλος emailed three screenshots of an Instagram account called "
        "oakfield.muggies posting photos of learners with mocking captions.",
        "Priya Raghunathan told her tutor that Zoë Ødegård was crying in the toilets after a "
        "photo of her was posted with a rude caption.",
        "DSL viewed the account from a school device. 42 posts, about 300 followers. One post "
        "claims Ms Dubois-Martin 'is being investigated'; no such investigation exists.",
        "Spoke with Zoë. She does not know who runs the account. Agreed daily check-in.",
        "Сергей Иванов admitted to the head of year that he set up the account with a friend "
        "as a joke. He showed the login on his phone.",
        "Instagram report made from the school account; reference 1029384756.",
        "Instagram replied that the account does not go against its community guidelines.",
        "Anaïs said she is anxious about the post and has not slept well. Offered "
        "occupational health referral; she accepted.",
    ]
    entries = [
        ChronologyEntry(100 + i, CASE_ID, base + timedelta(hours=7 * i),
                        base + timedelta(hours=7 * i, minutes=20), DSL, text)
        for i, text in enumerate(texts)
    ]
    # Entry 101 was later amended: the original is kept, the amendment points at it.
    entries[1] = replace(entries[1], amended_by_id=200)
    amendment = ChronologyEntry(
        200, CASE_ID, entries[1].occurred_at, datetime(2026, 3, 3, 9, 0), DSL,
        "Priya Raghunathan told her tutor that Zoë Ødegård was upset in the library (not the "
        "toilets) after a photo of her was posted with a rude caption.",
        amends_id=101, amendment_reason="Place corrected after speaking to the tutor again.",
    )
    return (*entries, amendment)


def make_case_data(jurisdiction: Jurisdiction = Jurisdiction.ENGLAND,
                   images: dict[int, bytes] | None = None) -> CaseReportData:
    school = School("Oakfield Academy", jurisdiction, datetime(2025, 9, 1))
    case = Case(
        CASE_ID, REFERENCE, "Baiting account posting photos of learners (Zoë Ødegård targeted)",
        CaseType.BAITING,
        "An Instagram account using the school's name posts photos of learners with mocking "
        "captions and invites 'tea' about staff. Zoë Ødegård was targeted; one post makes a "
        "false claim about Anaïs Dubois-Martin. Сергей Иванов has admitted setting it up.",
        CaseStatus.OPEN, RiskLevel.HIGH, datetime(2026, 3, 2, 8, 45), NOW, DSL, steps=_steps(),
    )
    accounts = (
        SocialAccount(31, CASE_ID, "Instagram", "@oakfield.muggies", AccountKind.BAITING,
                      "https://www.instagram.com/oakfield.muggies/", date(2026, 2, 27), 312,
                      AccountStatus.REFUSED, "Uses the school crest as its profile picture."),
        SocialAccount(32, CASE_ID, "TikTok", "oakfield_academy_real",
                      AccountKind.IMPERSONATING_SCHOOL,
                      "https://www.tiktok.com/@oakfield_academy_real", date(2026, 3, 1), 87,
                      AccountStatus.REPORTED),
        SocialAccount(33, CASE_ID, "X", "@oakfield_staffroom", AccountKind.IMPERSONATING_STAFF,
                      "https://x.com/oakfield_staffroom", date(2026, 3, 3), None,
                      AccountStatus.ACTIVE, "Posts as if written by Anaïs Dubois-Martin."),
    )
    decisions = (
        Decision(401, CASE_ID, datetime(2026, 3, 2, 11, 0), "Not a police matter at this stage",
                 "No threats, no indecent images, no hate content seen; keep under review if "
                 "the account posts more about Zoë Ødegård.", DSL, DSL),
        Decision(402, CASE_ID, datetime(2026, 3, 4, 12, 30), "Refer to the LADO",
                 "A post alleges Anaïs Dubois-Martin is under investigation. Even though it "
                 "appears made up, the threshold guidance says to consult.", DSL, DSL),
    )
    actions = (
        Action(501, CASE_ID, "Report the Instagram account again with the crest evidence",
               DSL, date(2026, 3, 6), datetime(2026, 3, 4, 9, 0)),
        Action(502, CASE_ID, "Daily check-in with Zoë Ødegård for two weeks", "Tutor 9R",
               date(2026, 3, 20), datetime(2026, 3, 4, 9, 5)),
        Action(503, CASE_ID, "Phone Сергей Иванов's parents", "Head of Year 10",
               date(2026, 3, 5), datetime(2026, 3, 4, 9, 10), done_at=datetime(2026, 3, 5, 10)),
    )
    evidence = (
        EvidenceItem(601, CASE_ID, EvidenceKind.FILE,
                     "Screenshot of oakfield.muggies profile page showing the crest",
                     datetime(2026, 3, 2, 9, 5), DSL, "Email from Γιώργος Παπαδόπουλος",
                     "muggies-profile.png", "image/png", 48213, "a3f1" * 16,
                     "https://www.instagram.com/oakfield.muggies/"),
        EvidenceItem(602, CASE_ID, EvidenceKind.FILE,
                     "Post about Zoë Ødegård with mocking caption (@oakfield.muggies)",
                     datetime(2026, 3, 2, 9, 7), DSL, "Email from a parent",
                     "zoe-odegard-post.png", "image/png", 51002, "b4e2" * 16),
        EvidenceItem(603, CASE_ID, EvidenceKind.FILE, "Photo of the TikTok profile on a phone",
                     datetime(2026, 3, 3, 14, 0), DSL, "Taken by the DSL", "tiktok.jpg",
                     "image/jpeg", 80211, "c5d3" * 16,
                     "https://www.tiktok.com/@oakfield_academy_real"),
        EvidenceItem(604, CASE_ID, EvidenceKind.NOTE,
                     "Video of a fight posted by the account; not downloaded",
                     datetime(2026, 3, 3, 15, 0), DSL, "Seen on the account",
                     url="https://www.instagram.com/p/Cx123/"),
        EvidenceItem(605, CASE_ID, EvidenceKind.FILE, "Parent's email (PDF print)",
                     datetime(2026, 3, 2, 9, 10), DSL, "Email", "email.pdf", "application/pdf",
                     20480, "d6c4" * 16),
        EvidenceItem(606, CASE_ID, EvidenceKind.FILE, "Damaged screenshot", datetime(2026, 3, 3),
                     DSL, "USB stick", "broken.png", "image/png", 12, "e7b5" * 16),
    )
    reports = (
        PlatformReport(701, CASE_ID, 31, "platform", "Instagram", "In-app report",
                       datetime(2026, 3, 2, 13, 0), "1029384756",
                       "Remove the account: it uses the school crest and posts photos of "
                       "children.", "refused",
                       "This account doesn't go against our Community Guidelines.",
                       datetime(2026, 3, 3, 18, 0)),
        PlatformReport(702, CASE_ID, 32, "platform", "TikTok", "Impersonation web form",
                       datetime(2026, 3, 3, 10, 0), "TT-88412", "Remove impersonation of the "
                       "school.", "waiting"),
        PlatformReport(703, CASE_ID, None, "local-authority", "LADO", "Phone then email",
                       datetime(2026, 3, 4, 14, 0), "LADO/26/118",
                       "Consultation about the post naming Anaïs Dubois-Martin.", "waiting"),
        PlatformReport(704, CASE_ID, 31, "helpline", "POSH", "Email", datetime(2026, 3, 5, 9, 0),
                       "POSH-5521", "Escalate the refused Instagram report.", "escalated"),
    )
    official = (
        OfficialAccountRef("Instagram", "@oakfieldacademy",
                           "https://www.instagram.com/oakfieldacademy/", "Verified since 2024"),
        OfficialAccountRef("X", "@OakfieldAcad", "https://x.com/OakfieldAcad",
                           "Not verified: request refused twice"),
    )
    if images is None:
        images = {601: screenshot_png("oakfield.muggies", seed=1),
                  602: screenshot_png("oakfield.muggies post", seed=2),
                  603: photo_jpeg(),
                  605: b"%PDF-1.4 not an image",
                  606: b"\x89PNG\r\n\x1a\n broken"}
    return CaseReportData(
        school=school, dsl_name=DSL, case=case, people=PEOPLE, accounts=accounts,
        chronology=_chronology(), decisions=decisions, actions=actions, evidence=evidence,
        platform_reports=reports, official_accounts=official,
        evidence_image=images.get,
    )


def options(template_id: str, named: frozenset[int] | set[int] = frozenset(), **extra) -> ExportOptions:
    return ExportOptions(template_id=template_id, generated_by=DSL, generated_at=NOW,
                         recipient=extra.pop("recipient", "Local authority"),
                         named_person_ids=frozenset(named), **extra)


def summary_data(jurisdiction: Jurisdiction = Jurisdiction.ENGLAND) -> GovernorsSummaryData:
    return GovernorsSummaryData(
        period_label="Spring term 2026",
        school=School("Oakfield Academy", jurisdiction, datetime(2025, 9, 1)),
        total_cases=14,
        counts_by_type={"baiting": 5, "impersonation": 4, "harassment": 3, "staff-allegation": 1,
                        "video": 1},
        counts_by_status={"open": 3, "monitoring": 4, "closed": 7},
        counts_by_platform={"Instagram": 8, "TikTok": 5, "Snapchat": 3, "X": 1},
        counts_by_outcome={"removed": 6, "refused": 4, "waiting": 2, "escalated": 1},
        cases_per_month=(("2026-01", 4), ("2026-02", 7), ("2026-03", 3)),
        commentary="Most cases followed the national 'muggies' trend in February.",
    )


def pdf_text(path: Path, password: str | None = None) -> str:
    """All text of a PDF as pdftotext sees it (pages separated by form feeds)."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if password is not None:
        args += ["-upw", password]
    result = subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pages_of(text: str) -> list[str]:
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


CASE_TEMPLATES = ("case-file", "lado-referral", "platform-pack", "helpline-pack", "chronology",
                  "evidence-log")
ALL_TEMPLATES = (*CASE_TEMPLATES, "governors-summary")


@dataclass(frozen=True)
class Rendered:
    template_id: str
    path: Path
    text: str

    @property
    def pages(self) -> list[str]:
        return pages_of(self.text)

    @property
    def flat(self) -> str:
        """Text with all runs of white space made single spaces (wrapping undone)."""
        return " ".join(self.text.split())

    def page_count(self) -> int:
        with pikepdf.open(self.path) as pdf:
            return len(pdf.pages)


def render_to(folder: Path, template_id: str, named: set[int] | None = None,
              password: str | None = None, **data_kwargs) -> Rendered:
    path = folder / f"{template_id}.pdf"
    if template_id == "governors-summary":
        pdf = render_governors_summary(summary_data(**data_kwargs),
                                       options(template_id, recipient="Governing body"))
    else:
        chosen = named if named is not None else {ANAIS, PRIYA}
        pdf = render_case_report(make_case_data(**data_kwargs), options(template_id, chosen))
    write_pdf_atomically(pdf, path, password)
    return Rendered(template_id, path, pdf_text(path, password))
