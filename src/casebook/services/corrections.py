"""Corrections of what was recorded on a case: the record takes the corrected value (so every
export prints it) and an append-only correction row keeps the original, the reason, who and
when — as chronology amendments do. Removing a person or account added by mistake is a
correction too: the row is marked removed, never deleted.

Values cross in and out as plain JSON (dates as ISO text). Audit entries name only the record
and the fields changed, never their text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casebook.domain import (
    AccountKind,
    PersonKind,
    PersonRole,
    normalise_url,
    require_text,
)
from casebook.errors import ValidationError
from casebook.storage import tables as t

__all__ = ["Correction", "FIELDS", "KIND_WORDS", "clean_changes", "to_json", "correction",
           "step_answer_changes"]

MAX_TEXT = 20_000

#: What a person would call each kind of record (for messages and the chronology).
KIND_WORDS = {"person": "person", "account": "account", "action": "action",
              "decision": "decision", "step": "step answers"}


def _text(what: str, limit: int) -> Callable[[Any], str]:
    return lambda value: require_text(value, what, limit)


def _optional_text(limit: int) -> Callable[[Any], str | None]:
    def clean(value: Any) -> str | None:
        text = (value or "").strip()
        if len(text) > limit:
            raise ValidationError(f"That is too long (at most {limit} characters).")
        return text or None
    return clean


def _notes(value: Any) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"The notes are too long (at most {MAX_TEXT} characters).")
    return text


def _choice(enum_type: type, what: str) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        try:
            return enum_type(value).value  # type: ignore[no-any-return]
        except ValueError:
            raise ValidationError(f"“{value}” is not a known {what}.") from None
    return clean


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("That is not a date Casebook understands.") from None


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("That is not a date and time Casebook understands.") from None


def _count(value: Any) -> int | None:
    if value in (None, ""):
        return None
    number = int(value)
    if number < 0:
        raise ValidationError("The follower count cannot be negative.")
    return number


#: The fields each kind of record can have corrected, and how a new value is checked.
FIELDS: dict[str, tuple[type, dict[str, Callable[[Any], Any]]]] = {
    "person": (t.PersonRow, {
        "name": _text("the person's name", 200),
        "kind": _choice(PersonKind, "kind of person"),
        "role": _choice(PersonRole, "role"),
        "date_of_birth": _date,
        "year_group": _optional_text(40),
        "notes": _notes,
    }),
    "account": (t.AccountRow, {
        "platform": _text("the platform (for example Instagram)", 60),
        "handle": _text("the account's handle or name", 200),
        "url": normalise_url,
        "kind": _choice(AccountKind, "kind of account"),
        "first_seen": _date,
        "follower_count": _count,
        "notes": _notes,
    }),
    "action": (t.ActionRow, {
        "description": _text("what needs doing", 2000),
        "owner": _text("who will do it", 200),
        "due_date": _date,
    }),
    "decision": (t.DecisionRow, {
        "what": _text("what was decided", MAX_TEXT),
        "why": _text("the reason for the decision", MAX_TEXT),
        "who": _text("who made the decision", 200),
        "made_at": _datetime,
    }),
}


def clean_changes(kind: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The checked new values; a field this kind of record does not have is refused."""
    _table, fields = FIELDS[kind]
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise ValidationError(f"A {KIND_WORDS[kind]} has no {', '.join(unknown)} to correct.")
    return {name: fields[name](value) for name, value in changes.items()}


def _answer(value: Any) -> Any:
    """A step answer as the wizard keeps it: plain JSON, dates as ISO text."""
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValidationError(f"That answer is too long (at most {MAX_TEXT} characters).")
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _answer(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_answer(v) for v in value]
    raise ValidationError("Some answers could not be saved as text.")


def step_answer_changes(data: Mapping[str, Any], answers: Mapping[str, Any]
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the changed answers were, what they become), only for answers that change.

    A mapping answers per person or account (item id -> answer): only the items it names are
    compared and changed, so the original and the correction name just those items.
    """
    old: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    for name, given in answers.items():
        value, current = _answer(given), data.get(name)
        if isinstance(value, dict) and value and (current is None or isinstance(current, dict)):
            current = current or {}
            items = {item: answer for item, answer in value.items()
                     if current.get(item) != answer}
            if items:
                old[name] = {item: current.get(item) for item in items}
                changed[name] = items
        elif current != value:
            old[name] = current
            changed[name] = value
    return old, changed


def to_json(values: Mapping[str, Any]) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date | datetime) else value
    return json.dumps({k: plain(v) for k, v in values.items()}, ensure_ascii=False,
                      sort_keys=True)


@dataclass(frozen=True)
class Correction:
    """One correction: what the record said before and after, and why."""

    id: int
    case_id: int
    record_kind: str  # person, account, action, decision, step
    record_id: int
    removal: bool
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    made_at: datetime
    made_by: str

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(sorted(self.before))


def correction(row: t.CorrectionRow) -> Correction:
    return Correction(id=row.id, case_id=row.case_id, record_kind=row.record_kind,
                      record_id=row.record_id, removal=bool(row.removal),
                      before=json.loads(row.before_json), after=json.loads(row.after_json),
                      reason=row.reason, made_at=row.made_at, made_by=row.made_by)
