"""The escalation ladder after a report to a platform (issue 11, item 10; DOMAIN.md).

platform → POSH (after 48 hours without an answer, or a refusal) → Report Harmful Content
(only after a refusal or more than 7 days without an answer) → police, or CEOP where its remit
fits (sexual abuse or grooming only) → a note for Ofcom when a platform keeps refusing.

The rungs and their waiting times are data (``resources/escalation/<area>.toml``). Each rung
is a kind of report the tracker already keeps; the ladder of a platform report is worked out
from the reports recorded later on the same case (and the same account, when there is one).
Nothing here imports Qt.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from casebook.domain import CaseType, Jurisdiction, PlatformReport
from casebook.errors import ValidationError
from casebook.paths import resources_dir

__all__ = ["Rung", "Ladder", "RungState", "load_ladder", "ladder_for", "OPENS"]

OPENS = ("first", "always", "after-platform", "after-refusal", "repeated-refusals")
#: Platform statuses that end the ladder: the platform acted.
SETTLED = frozenset({"removed", "closed"})
REFUSED = frozenset({"refused"})
UNANSWERED = frozenset({"waiting", "no-response"})


@dataclass(frozen=True)
class Rung:
    """One step of the ladder, as the data file describes it."""

    id: str
    body: str
    title: str
    opens: str
    ready: tuple[str, ...]
    note: str = ""
    agency: str = ""
    wait_hours: int = 0
    wait_days: int = 0
    refusals: int = 0
    remit: str = ""
    not_for_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class RungState:
    """Where one rung stands for one platform report.

    ``state``: "done" (a report at this rung exists), "open" (can be taken now), "later"
    (opens on ``opens_on``), "optional" (any time, if its remit fits), "not-for-case" (its
    remit does not fit this kind of case), "not-needed" (the platform acted).
    """

    rung: Rung
    state: str
    reports: tuple[PlatformReport, ...] = ()
    opens_on: datetime | None = None
    why: str = ""

    @property
    def latest(self) -> PlatformReport | None:
        return self.reports[-1] if self.reports else None


@dataclass(frozen=True)
class Ladder:
    report: PlatformReport
    rungs: tuple[RungState, ...]

    def rung(self, rung_id: str) -> RungState:
        return next(r for r in self.rungs if r.rung.id == rung_id)

    @property
    def next_step(self) -> RungState | None:
        """The first rung open now (not counting the "any time" ones)."""
        return next((r for r in self.rungs if r.state == "open"
                     and r.rung.opens not in ("always",)), None)

    def where(self) -> str:
        """A short line for the tracker: where this report stands."""
        report = self.report
        if report.status in SETTLED:
            return "Platform acted: nothing more to do" if report.status == "removed" \
                else "Closed"
        done = [r for r in self.rungs if r.state == "done" and r.rung.opens != "first"]
        parts = []
        if done:
            last = done[-1]
            status = last.latest.status if last.latest is not None else ""
            parts.append(f"{last.rung.title}: {_status_word(status)}")
        else:
            parts.append(f"Platform: {_status_word(report.status)}")
        step = self.next_step
        if step is not None:
            parts.append(f"next: {step.rung.title}")
        else:
            later = next((r for r in self.rungs if r.state == "later"), None)
            if later is not None and later.opens_on is not None:
                parts.append(f"{later.rung.title} from {later.opens_on.day} "
                             f"{later.opens_on:%b}")
        return "; ".join(parts)


def _status_word(status: str) -> str:
    return {"waiting": "waiting", "removed": "removed", "refused": "refused",
            "no-response": "no answer", "escalated": "escalated", "closed": "closed"}.get(
        status, status)


# --------------------------------------------------------------------------- data


def _area_file(jurisdiction: Jurisdiction) -> Path:
    return resources_dir() / "escalation" / ("us.toml" if jurisdiction == Jurisdiction.US
                                             else "uk.toml")


@lru_cache(maxsize=8)
def load_ladder(jurisdiction: Jurisdiction | str) -> tuple[Rung, ...]:
    """The rungs for a jurisdiction, checked; a broken file raises a calm ValidationError."""
    jurisdiction = Jurisdiction(jurisdiction)
    path = _area_file(jurisdiction)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"The escalation steps in {path.name} could not be read.") from exc
    if jurisdiction.value not in data.get("jurisdictions", ()):
        raise ValidationError(f"{path.name} does not list {jurisdiction.value}.")
    rungs = []
    for raw in data.get("rungs", ()):
        rung = Rung(id=str(raw["id"]), body=str(raw["body"]), title=str(raw["title"]),
                    opens=str(raw["opens"]), ready=tuple(str(r) for r in raw.get("ready", ())),
                    note=str(raw.get("note", "")), agency=str(raw.get("agency", "")),
                    wait_hours=int(raw.get("wait_hours", 0)),
                    wait_days=int(raw.get("wait_days", 0)),
                    refusals=int(raw.get("refusals", 0)), remit=str(raw.get("remit", "")),
                    not_for_types=tuple(str(t) for t in raw.get("not_for_types", ())))
        if rung.opens not in OPENS:
            raise ValidationError(f"{path.name}: rung “{rung.id}” opens “{rung.opens}”; use one "
                                  f"of {', '.join(OPENS)}.")
        rungs.append(rung)
    if not rungs or rungs[0].opens != "first":
        raise ValidationError(f"{path.name}: the first rung must be the platform report.")
    return tuple(rungs)


# --------------------------------------------------------------------------- working out


def _later_on_same_account(report: PlatformReport, others: list[PlatformReport],
                           body: str) -> tuple[PlatformReport, ...]:
    found = []
    for other in sorted(others, key=lambda r: (r.made_at, r.id)):
        if other.id == report.id or other.case_id != report.case_id or other.body != body:
            continue
        if other.made_at < report.made_at:
            continue
        if report.account_id is None or other.account_id in (None, report.account_id):
            found.append(other)
    return tuple(found)


def ladder_for(report: PlatformReport, reports: list[PlatformReport], rungs: tuple[Rung, ...],
               now: datetime, case_type: CaseType | str | None = None,
               refusals: int | None = None) -> Ladder:
    """Where ``report`` (to a platform) stands on the ladder.

    ``reports``: the reports recorded on its case (more is fine). ``refusals``: how many of the
    school's reports this platform refused (counted from ``reports`` when not given).
    """
    if report.body != "platform":
        raise ValidationError("Only a report to a platform has an escalation ladder.")
    kind = getattr(case_type, "value", case_type)
    refused = report.status in REFUSED
    waited = now - report.made_at
    unanswered = report.status in UNANSWERED
    acted = report.status in SETTLED
    same_platform_refusals = refusals if refusals is not None else sum(
        1 for r in reports if r.body == "platform" and r.status in REFUSED
        and r.recipient.strip().casefold() == report.recipient.strip().casefold())
    states = []
    for rung in rungs:
        if rung.opens == "first":
            states.append(RungState(rung, "done", (report,)))
            continue
        done = _later_on_same_account(report, reports, rung.body)
        if done:
            states.append(RungState(rung, "done", done))
            continue
        if kind and kind in rung.not_for_types:
            states.append(RungState(rung, "not-for-case", why=rung.note))
            continue
        if acted and rung.opens != "always":
            states.append(RungState(rung, "not-needed", why="The platform acted."))
            continue
        if rung.opens == "always":
            states.append(RungState(rung, "optional", why=rung.note))
        elif rung.opens == "after-platform":
            wait = timedelta(hours=rung.wait_hours)
            if refused or report.status == "no-response" or (unanswered and waited > wait):
                states.append(RungState(rung, "open"))
            else:
                states.append(RungState(rung, "later", opens_on=report.made_at + wait,
                                        why=f"Give the platform {rung.wait_hours} hours first."))
        elif rung.opens == "after-refusal":
            wait = timedelta(days=rung.wait_days)
            if refused or (unanswered and waited > wait):
                states.append(RungState(rung, "open"))
            else:
                states.append(RungState(
                    rung, "later", opens_on=report.made_at + wait,
                    why=f"Only after the platform refuses, or after {rung.wait_days} days "
                        "without an answer."))
        elif rung.opens == "repeated-refusals":
            if same_platform_refusals >= max(1, rung.refusals):
                states.append(RungState(
                    rung, "open", why=f"{report.recipient} has refused "
                                      f"{same_platform_refusals} of the school's reports."))
            else:
                states.append(RungState(
                    rung, "later", why=f"When {report.recipient} has refused {rung.refusals} "
                                       "reports."))
    return Ladder(report, tuple(states))
