"""The register of the school's own (official) social-media accounts.

Kept so the DSL knows who holds each log-in, whether two-factor sign-in is on and whether the
platform has verified the account; shown beside a fake account in platform report packs, and
flagged when nobody has checked an account for a while. Accounts are retired, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select

from casebook.domain import normalise_url, require_text
from casebook.errors import NotFoundError, ValidationError
from casebook.services.checklist import UNSET
from casebook.services.store import Store
from casebook.storage import tables_prevention as tp

if TYPE_CHECKING:  # the report engine is imported only when a pack is made
    from casebook.reports.data import OfficialAccountRef

__all__ = [
    "VERIFIED", "REQUESTED", "REFUSED", "NOT_OFFERED", "NOT_REQUESTED", "VERIFICATION_STATES",
    "VERIFICATION_LABELS", "CHECK_EVERY_DAYS", "OfficialAccount", "OfficialAccountsService",
]

VERIFIED: Final = "verified"
REQUESTED: Final = "requested"
REFUSED: Final = "refused"
NOT_OFFERED: Final = "not-offered"
NOT_REQUESTED: Final = "not-requested"
VERIFICATION_STATES: tuple[str, ...] = (VERIFIED, REQUESTED, REFUSED, NOT_OFFERED, NOT_REQUESTED)
VERIFICATION_LABELS: dict[str, str] = {
    VERIFIED: "Verified",
    REQUESTED: "Requested",
    REFUSED: "Refused",
    NOT_OFFERED: "Not offered by the platform",
    NOT_REQUESTED: "Not asked for yet",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: How often someone should look at each account (log-in holder, settings, posts).
CHECK_EVERY_DAYS = 90


@dataclass(frozen=True)
class OfficialAccount:
    id: int
    platform: str
    handle: str
    url: str | None
    purpose: str
    verification: str
    verification_requested_on: date | None
    login_holder: str
    two_factor: bool
    last_checked: date | None
    notes: str
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @property
    def verification_label(self) -> str:
        label = VERIFICATION_LABELS.get(self.verification, self.verification)
        when = self.verification_requested_on
        if self.verification == REQUESTED and when is not None:
            return f"Requested on {when.day} {_MONTHS[when.month - 1]} {when.year}"
        return label

    def check_due(self, today: date, days: int = CHECK_EVERY_DAYS) -> bool:
        """True when the account has never been checked, or not within ``days``."""
        if not self.active:
            return False
        return self.last_checked is None or self.last_checked < today - timedelta(days=days)

    def as_reference(self) -> OfficialAccountRef:
        """The account as a report pack shows it beside a fake one."""
        from casebook.reports.data import OfficialAccountRef

        return OfficialAccountRef(platform=self.platform, handle=self.handle, url=self.url,
                                  verified=self.verification_label)


def _account(row: tp.OfficialAccountRow) -> OfficialAccount:
    return OfficialAccount(
        id=row.id, platform=row.platform, handle=row.handle, url=row.url, purpose=row.purpose,
        verification=row.verification, verification_requested_on=row.verification_requested_on,
        login_holder=row.login_holder, two_factor=row.two_factor, last_checked=row.last_checked,
        notes=row.notes, created_at=row.created_at, updated_at=row.updated_at,
        retired_at=row.retired_at,
    )


class OfficialAccountsService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _check(self, verification: str, requested_on: date | None, last_checked: date | None) -> None:
        if verification not in VERIFICATION_STATES:
            choices = ", ".join(VERIFICATION_LABELS[v].lower() for v in VERIFICATION_STATES)
            raise ValidationError(f"Choose whether the account is verified: {choices}.")
        if verification == REQUESTED and requested_on is None:
            raise ValidationError("Enter the date verification was requested.")
        today = self.store.now().date()
        if requested_on is not None and requested_on > today:
            raise ValidationError("The date verification was requested is in the future.")
        if last_checked is not None and last_checked > today:
            raise ValidationError("The date the account was last checked is in the future.")

    def add(self, platform: str, handle: str, *, url: str | None = None, purpose: str = "",
            verification: str = NOT_REQUESTED, verification_requested_on: date | None = None,
            login_holder: str = "", two_factor: bool = False, last_checked: date | None = None,
            notes: str = "") -> OfficialAccount:
        platform = require_text(platform, "the platform (for example Instagram)", 60)
        handle = require_text(handle, "the account's handle or name", 200)
        url = normalise_url(url)
        self._check(verification, verification_requested_on, last_checked)
        now = self.store.now()
        with self.store.write("official-account.add") as work:
            row = tp.OfficialAccountRow(
                platform=platform, handle=handle, url=url, purpose=(purpose or "").strip(),
                verification=verification, verification_requested_on=verification_requested_on,
                login_holder=(login_holder or "").strip()[:200], two_factor=bool(two_factor),
                last_checked=last_checked, notes=(notes or "").strip(), created_at=now,
                updated_at=now,
            )
            work.session.add(row)
            work.session.flush()
            work.target = f"official-account:{row.id}"
            work.detail = f"verification={verification}"
            return _account(row)

    def update(self, account_id: int, *, platform: str = UNSET, handle: str = UNSET,
               url: str | None = UNSET, purpose: str = UNSET, verification: str = UNSET,
               verification_requested_on: date | None = UNSET, login_holder: str = UNSET,
               two_factor: bool = UNSET, last_checked: date | None = UNSET,
               notes: str = UNSET) -> OfficialAccount:
        """Change some details; arguments left out stay as they are."""
        values: dict[str, Any] = {}
        if platform is not UNSET:
            values["platform"] = require_text(platform, "the platform (for example Instagram)", 60)
        if handle is not UNSET:
            values["handle"] = require_text(handle, "the account's handle or name", 200)
        if url is not UNSET:
            values["url"] = normalise_url(url)
        for name, value in (("purpose", purpose), ("notes", notes)):
            if value is not UNSET:
                values[name] = (value or "").strip()
        if login_holder is not UNSET:
            values["login_holder"] = (login_holder or "").strip()[:200]
        if two_factor is not UNSET:
            values["two_factor"] = bool(two_factor)
        for name, value in (("verification", verification),
                            ("verification_requested_on", verification_requested_on),
                            ("last_checked", last_checked)):
            if value is not UNSET:
                values[name] = value
        with self.store.write("official-account.update", f"official-account:{account_id}") as work:
            row = work.session.get(tp.OfficialAccountRow, account_id)
            if row is None:
                raise NotFoundError("That account is no longer in the register.")
            for name, value in values.items():
                setattr(row, name, value)
            self._check(row.verification, row.verification_requested_on, row.last_checked)
            row.updated_at = self.store.now()
            work.detail = "changed=" + "+".join(sorted(values))
            return _account(row)

    def mark_checked(self, account_id: int, on: date | None = None) -> OfficialAccount:
        """Record that someone looked at the account today (or ``on``)."""
        return self.update(account_id, last_checked=on or self.store.now().date())

    def remove(self, account_id: int) -> OfficialAccount:
        """Retire an account the school no longer uses. It stays in the register's history."""
        with self.store.write("official-account.retire", f"official-account:{account_id}") as work:
            row = work.session.get(tp.OfficialAccountRow, account_id)
            if row is None:
                raise NotFoundError("That account is no longer in the register.")
            if row.retired_at is None:
                row.retired_at = self.store.now()
                row.updated_at = row.retired_at
            return _account(row)

    def get(self, account_id: int) -> OfficialAccount:
        with self.store.read() as s:
            row = s.get(tp.OfficialAccountRow, account_id)
            if row is None:
                raise NotFoundError("That account is no longer in the register.")
            return _account(row)

    def list(self, include_retired: bool = False) -> list[OfficialAccount]:
        query = select(tp.OfficialAccountRow)
        if not include_retired:
            query = query.where(tp.OfficialAccountRow.retired_at.is_(None))
        query = query.order_by(tp.OfficialAccountRow.retired_at.is_not(None),
                               tp.OfficialAccountRow.platform, tp.OfficialAccountRow.handle)
        with self.store.read() as s:
            return [_account(r) for r in s.scalars(query)]

    def overdue_checks(self, today: date | None = None,
                       days: int = CHECK_EVERY_DAYS) -> list[OfficialAccount]:
        """Active accounts never checked, or not checked within ``days``."""
        today = today or self.store.now().date()
        return [a for a in self.list() if a.check_due(today, days)]

    def references(self, platform: str | None = None) -> tuple[OfficialAccountRef, ...]:
        """Active accounts as report packs show them, optionally for one platform only."""
        wanted = (platform or "").strip().casefold()
        return tuple(a.as_reference() for a in self.list()
                     if not wanted or a.platform.casefold() == wanted)
