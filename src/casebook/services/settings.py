"""Casebook-wide settings kept (encrypted) in the database's meta table."""

from __future__ import annotations

from sqlalchemy import select

from casebook.services.store import Store
from casebook.storage import tables as t

DEFAULTS = {
    "idle_lock_minutes": "5",
    "backup_dir": "",
    "last_backup_at": "",
    # Governors' summary: counts below this print as "fewer than N" (0 or 1 shows them all).
    "governors_small_count": "3",
    # School and referrer details printed on referrals and platform packs.
    "school_address": "",
    "school_urn": "",
    "headteacher": "",
    "dsl_phone": "",
    "dsl_email": "",
    "school_website": "",
}

#: Settings keys of the school details -> their key in ``CaseReportData.school_details``.
SCHOOL_DETAILS = {"school_address": "address", "school_urn": "urn",
                  "headteacher": "headteacher", "dsl_phone": "phone", "dsl_email": "email",
                  "school_website": "website"}


class SettingsService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> str:
        with self.store.read() as s:
            value = s.scalar(select(t.MetaRow.value).where(t.MetaRow.key == key))
        return value if value is not None else DEFAULTS.get(key, "")

    def set(self, key: str, value: str) -> None:
        with self.store.write("setting.change", f"setting:{key}") as work:
            _upsert(work.session, key, value)

    def note_backup(self, when: str) -> None:
        """Remember when the last backup was made (any role may back up)."""
        with self.store.unaudited() as s:
            _upsert(s, "last_backup_at", when)

    def get_draft(self, key: str) -> str | None:
        with self.store.read() as s:
            row = s.get(t.DraftRow, key)
            return row.text if row else None

    def save_draft(self, key: str, text: str) -> None:
        """Autosave: unsaved text, kept encrypted. Not audited (it is not yet a record)."""
        with self.store.unaudited() as s:
            row = s.get(t.DraftRow, key)
            if not text:
                if row is not None:
                    s.delete(row)
                return
            if row is None:
                s.add(t.DraftRow(key=key, text=text, updated_at=self.store.now()))
            else:
                row.text, row.updated_at = text, self.store.now()


def _upsert(session, key: str, value: str) -> None:  # type: ignore[no-untyped-def]
    row = session.get(t.MetaRow, key)
    if row is None:
        session.add(t.MetaRow(key=key, value=value))
    else:
        row.value = value
